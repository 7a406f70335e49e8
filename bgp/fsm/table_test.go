package fsm

import (
	"testing"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/message"
)

// The tables list every event in every state (runRows fails on a missing
// one) with the state, the actions and the ConnectRetryCounter it leads to,
// after RFC 4271 §8.2.2. Actions are their String forms; the timer values
// are the defaults without jitter.

// ignored is a row for an event a state ignores.
func ignored(setup func(testing.TB, func(*Config)) *Machine, s State, counter int, events ...Event) []row {
	rows := make([]row, len(events))
	for i, e := range events {
		rows[i] = row{name: e.String() + " ignored", setup: setup, in: ev(e), state: s, counter: counter}
	}
	return rows
}

func TestIdle(t *testing.T) {
	noAuto := func(c *Config) { c.AllowAutomaticStart = false }
	rows := []row{
		{name: "manual-start", setup: inIdle, in: ev(ManualStart), state: Connect,
			actions: []string{aInit, aStartCR, aConnect}},
		{name: "manual-start-passive", setup: inIdle, in: ev(ManualStartPassive), state: Active,
			actions: []string{aInit, aStartCR}},
		{name: "automatic-start", setup: inIdle, in: ev(AutomaticStart), state: Connect,
			actions: []string{aInit, aStartCR, aConnect}},
		{name: "automatic-start-passive", setup: inIdle, in: ev(AutomaticStartPassive), state: Active,
			actions: []string{aInit, aStartCR}},
		{name: "automatic-start-damp", setup: inIdle, in: ev(AutomaticStartDamp), state: Connect,
			actions: []string{aInit, aStartCR, aConnect}},
		{name: "automatic-start-damp-passive", setup: inIdle, in: ev(AutomaticStartDampPassive), state: Active,
			actions: []string{aInit, aStartCR}},
		{name: "automatic-start without AllowAutomaticStart", setup: inIdle, mod: noAuto, in: ev(AutomaticStart), state: Idle},
		{name: "automatic-start-damp without AllowAutomaticStart", setup: inIdle, mod: noAuto,
			in: ev(AutomaticStartDamp), state: Idle},
		{name: "manual-start without AllowAutomaticStart", setup: inIdle, mod: noAuto, in: ev(ManualStart), state: Connect,
			actions: []string{aInit, aStartCR, aConnect}},
		{name: "manual-stop", setup: inIdle, in: ev(ManualStop), state: Idle},
		{name: "idle-hold-timer-expires, never started", setup: inIdle, in: ev(IdleHoldTimerExpires), state: Idle},

		// After a drop: the IdleHoldTimer runs and restarts the peer.
		{name: "holding: idle-hold-timer-expires restarts", setup: inIdleHolding, in: ev(IdleHoldTimerExpires),
			state: Connect, actions: []string{aInit, aStartCR, aConnect}},
		{name: "holding: manual-start overrides the hold", setup: inIdleHolding, in: ev(ManualStart), state: Connect,
			actions: []string{aStopIH, aInit, aStartCR, aConnect}},
		{name: "holding: automatic-start overrides the hold", setup: inIdleHolding, in: ev(AutomaticStart),
			state: Connect, actions: []string{aStopIH, aInit, aStartCR, aConnect}},
		{name: "holding: automatic-start-damp waits", setup: inIdleHolding, in: ev(AutomaticStartDamp), state: Idle},
		{name: "holding: automatic-start-damp-passive waits", setup: inIdleHolding, in: ev(AutomaticStartDampPassive),
			state: Idle},
		{name: "holding: manual-stop cancels the restart", setup: inIdleHolding, in: ev(ManualStop), state: Idle,
			actions: []string{aStopIH}},
		{name: "holding: automatic-stop ignored", setup: inIdleHolding, in: ev(AutomaticStop), state: Idle},
	}
	rows = append(rows, ignored(inIdle, Idle, 0, AutomaticStop, ConnectRetryTimerExpires, HoldTimerExpires,
		KeepaliveTimerExpires, DelayOpenTimerExpires, TCPConnectionValid, TCPConnectionInvalid, TCPConnectionAcked,
		TCPConnectionConfirmed, TCPConnectionFails, BGPOpen, BGPOpenDelayOpen, BGPHeaderErr, BGPOpenMsgErr,
		OpenCollisionDump, NotifMsgVerErr, NotifMsg, KeepAliveMsg, UpdateMsg, UpdateMsgErr, SendHoldTimerExpires,
		StableTimerExpires, UpdateSent, WriteProgress)...)
	runRows(t, Idle, rows)
}

func TestConnect(t *testing.T) {
	noNotify := func(c *Config) { c.SendNotificationWithoutOpen = false }
	toIdle := []string{aStopCR, aRelease, aDrop, aIdleHold}
	rows := []row{
		{name: "manual-stop", setup: inConnect, in: ev(ManualStop), state: Idle,
			actions: []string{aStopCR, aRelease, aDrop}},
		{name: "automatic-stop", setup: inConnect, in: ev(AutomaticStop), state: Idle, actions: toIdle, counter: 1},
		{name: "connect-retry-timer-expires", setup: inConnect, in: ev(ConnectRetryTimerExpires), state: Connect,
			actions: []string{aDrop, aStartCR, aConnect}},
		{name: "hold-timer-expires", setup: inConnect, in: ev(HoldTimerExpires), state: Idle, actions: toIdle, counter: 1},
		{name: "keepalive-timer-expires", setup: inConnect, in: ev(KeepaliveTimerExpires), state: Idle, actions: toIdle,
			counter: 1},
		{name: "delay-open-timer-expires", setup: inConnect, in: ev(DelayOpenTimerExpires), state: OpenSent,
			actions: []string{aStopCR, aOpen, aStartLarge, aStartSH}},
		{name: "idle-hold-timer-expires", setup: inConnect, in: ev(IdleHoldTimerExpires), state: Idle, actions: toIdle,
			counter: 1},
		{name: "tcp-connection-valid", setup: inConnect, in: ev(TCPConnectionValid), state: Connect},
		{name: "tcp-connection-invalid", setup: inConnect, in: ev(TCPConnectionInvalid), state: Connect,
			actions: []string{aReject}},
		{name: "tcp-connection-acked", setup: inConnect, in: ev(TCPConnectionAcked), state: OpenSent,
			actions: []string{aStopCR, aOpen, aStartLarge, aStartSH}},
		{name: "tcp-connection-confirmed", setup: inConnect, in: ev(TCPConnectionConfirmed), state: OpenSent,
			actions: []string{aStopCR, aOpen, aStartLarge, aStartSH}},
		{name: "tcp-connection-acked with DelayOpen", setup: inConnect, mod: withDelayOpen(nil), in: ev(TCPConnectionAcked),
			state: Connect, actions: []string{aStopCR, aStartDO}},
		{name: "tcp-connection-confirmed with DelayOpen", setup: inConnect, mod: withDelayOpen(nil),
			in: ev(TCPConnectionConfirmed), state: Connect, actions: []string{aStopCR, aStartDO}},
		{name: "tcp-connection-fails", setup: inConnect, in: ev(TCPConnectionFails), state: Idle, actions: toIdle},
		{name: "bgp-open without DelayOpenTimer", setup: inConnect, in: ev(BGPOpen), state: Idle, actions: toIdle,
			counter: 1},
		{name: "bgp-open-delay-open without DelayOpenTimer is bgp-open", setup: inConnect, in: ev(BGPOpenDelayOpen),
			state: Idle, actions: toIdle, counter: 1},
		{name: "bgp-header-error", setup: inConnect,
			in:    Input{Event: BGPHeaderErr, Notification: message.Notification{Code: 1, Subcode: 2, Data: []byte{0, 5}}},
			state: Idle, actions: []string{"send-notification 1/2 data 0005", aStopCR, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "bgp-header-error without SendNotificationWithoutOpen", setup: inConnect, mod: noNotify,
			in: ev(BGPHeaderErr), state: Idle, actions: toIdle, counter: 1},
		{name: "bgp-open-message-error", setup: inConnect, in: ev(BGPOpenMsgErr), state: Idle,
			actions: []string{"send-notification 2/0", aStopCR, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "open-collision-dump", setup: inConnect, in: ev(OpenCollisionDump), state: Idle, actions: toIdle,
			counter: 1},
		{name: "notification-version-error", setup: inConnect, in: ev(NotifMsgVerErr), state: Idle, actions: toIdle,
			counter: 1},
		{name: "notification", setup: inConnect, in: ev(NotifMsg), state: Idle, actions: toIdle, counter: 1},
		{name: "keepalive", setup: inConnect, in: ev(KeepAliveMsg), state: Idle, actions: toIdle, counter: 1},
		{name: "update", setup: inConnect, in: ev(UpdateMsg), state: Idle, actions: toIdle, counter: 1},
		{name: "update-error", setup: inConnect, in: ev(UpdateMsgErr), state: Idle, actions: toIdle, counter: 1},

		// Connection up, OPEN delayed: the DelayOpenTimer runs.
		{name: "delayed: manual-stop", setup: inConnectDelay, in: ev(ManualStop), state: Idle,
			actions: []string{aStopDO, aRelease, aDrop}},
		{name: "delayed: delay-open-timer-expires", setup: inConnectDelay, in: ev(DelayOpenTimerExpires), state: OpenSent,
			actions: []string{aOpen, aStartLarge, aStartSH}},
		{name: "delayed: connect-retry-timer-expires", setup: inConnectDelay, in: ev(ConnectRetryTimerExpires),
			state: Connect, actions: []string{aDrop, aStartCR, aStopDO, aConnect}},
		{name: "delayed: tcp-connection-fails", setup: inConnectDelay, in: ev(TCPConnectionFails), state: Active,
			actions: []string{aStartCR, aStopDO}},
		{name: "delayed: bgp-open", setup: inConnectDelay, in: ev(BGPOpen), state: OpenConfirm,
			actions: []string{aStopDO, aOpen, aKeepalive, aStartKA, aStartHold, aStartSH}},
		{name: "delayed: bgp-open-delay-open", setup: inConnectDelay, in: ev(BGPOpenDelayOpen), state: OpenConfirm,
			actions: []string{aStopDO, aOpen, aKeepalive, aStartKA, aStartHold, aStartSH}},
		{name: "delayed: bgp-open with hold time 0", setup: inConnectDelay,
			in: Input{Event: BGPOpen, Session: &Session{}}, state: OpenConfirm, actions: []string{aStopDO, aOpen, aKeepalive}},
		{name: "delayed: notification-version-error keeps the counter", setup: inConnectDelay, in: ev(NotifMsgVerErr),
			state: Idle, actions: []string{aStopDO, aRelease, aDrop, aIdleHold}},
		{name: "delayed: bgp-open-message-error", setup: inConnectDelay,
			in:    Input{Event: BGPOpenMsgErr, Notification: message.Notification{Code: 2, Subcode: 2}},
			state: Idle, actions: []string{"send-notification 2/2", aStopDO, aRelease, aDrop, aIdleHold}, counter: 1},
	}
	rows = append(rows, ignored(inConnect, Connect, 0, ManualStart, AutomaticStart, ManualStartPassive,
		AutomaticStartPassive, AutomaticStartDamp, AutomaticStartDampPassive, SendHoldTimerExpires,
		StableTimerExpires, UpdateSent, WriteProgress)...)
	runRows(t, Connect, rows)
}

func TestActive(t *testing.T) {
	toIdle := []string{aStopCR, aRelease, aDrop, aIdleHold}
	shutdown := message.NewShutdown(wire.CeaseAdminShutdown, "maintenance")
	rows := []row{
		{name: "manual-stop", setup: inActive, in: ev(ManualStop), state: Idle, actions: []string{aStopCR, aRelease, aDrop}},
		{name: "automatic-stop", setup: inActive, in: ev(AutomaticStop), state: Idle, actions: toIdle, counter: 1},
		{name: "connect-retry-timer-expires, passive", setup: inActive, in: ev(ConnectRetryTimerExpires), state: Active,
			actions: []string{aStartCR}},
		{name: "connect-retry-timer-expires, active", setup: inActiveAfterConnect, in: ev(ConnectRetryTimerExpires),
			state: Connect, actions: []string{aStartCR, aConnect}},
		{name: "hold-timer-expires", setup: inActive, in: ev(HoldTimerExpires), state: Idle, actions: toIdle, counter: 1},
		{name: "keepalive-timer-expires", setup: inActive, in: ev(KeepaliveTimerExpires), state: Idle, actions: toIdle,
			counter: 1},
		{name: "delay-open-timer-expires", setup: inActive, in: ev(DelayOpenTimerExpires), state: OpenSent,
			actions: []string{aStopCR, aOpen, aStartLarge, aStartSH}},
		{name: "idle-hold-timer-expires", setup: inActive, in: ev(IdleHoldTimerExpires), state: Idle, actions: toIdle,
			counter: 1},
		{name: "tcp-connection-valid", setup: inActive, in: ev(TCPConnectionValid), state: Active},
		{name: "tcp-connection-invalid", setup: inActive, in: ev(TCPConnectionInvalid), state: Active,
			actions: []string{aReject}},
		{name: "tcp-connection-acked", setup: inActive, in: ev(TCPConnectionAcked), state: OpenSent,
			actions: []string{aStopCR, aOpen, aStartLarge, aStartSH}},
		{name: "tcp-connection-confirmed", setup: inActive, in: ev(TCPConnectionConfirmed), state: OpenSent,
			actions: []string{aStopCR, aOpen, aStartLarge, aStartSH}},
		{name: "tcp-connection-confirmed with DelayOpen", setup: inActive, mod: withDelayOpen(nil),
			in: ev(TCPConnectionConfirmed), state: Active, actions: []string{aStopCR, aStartDO}},
		{name: "tcp-connection-fails", setup: inActive, in: ev(TCPConnectionFails), state: Idle, actions: toIdle, counter: 1},
		{name: "bgp-open without DelayOpenTimer", setup: inActive, in: ev(BGPOpen), state: Idle, actions: toIdle, counter: 1},
		{name: "bgp-open-delay-open without DelayOpenTimer is bgp-open", setup: inActive, in: ev(BGPOpenDelayOpen),
			state: Idle, actions: toIdle, counter: 1},
		{name: "bgp-header-error", setup: inActive, in: ev(BGPHeaderErr), state: Idle,
			actions: []string{"send-notification 1/0", aStopCR, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "bgp-open-message-error", setup: inActive, in: ev(BGPOpenMsgErr), state: Idle,
			actions: []string{"send-notification 2/0", aStopCR, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "open-collision-dump", setup: inActive, in: ev(OpenCollisionDump), state: Idle, actions: toIdle, counter: 1},
		{name: "notification-version-error", setup: inActive, in: ev(NotifMsgVerErr), state: Idle, actions: toIdle,
			counter: 1},
		{name: "notification", setup: inActive, in: ev(NotifMsg), state: Idle, actions: toIdle, counter: 1},
		{name: "keepalive", setup: inActive, in: ev(KeepAliveMsg), state: Idle, actions: toIdle, counter: 1},
		{name: "update", setup: inActive, in: ev(UpdateMsg), state: Idle, actions: toIdle, counter: 1},
		{name: "update-error", setup: inActive, in: ev(UpdateMsgErr), state: Idle, actions: toIdle, counter: 1},

		// Connection up, OPEN delayed.
		{name: "delayed: manual-stop sends a Cease", setup: inActiveDelay, in: ev(ManualStop), state: Idle,
			actions: []string{"send-notification 6/2", aStopDO, aRelease, aDrop}},
		{name: "delayed: manual-stop with a shutdown communication", setup: inActiveDelay,
			in:    Input{Event: ManualStop, Notification: shutdown},
			state: Idle, actions: []string{"send-notification 6/2 data 0B6D61696E74656E616E6365", aStopDO, aRelease, aDrop}},
		{name: "delayed: manual-stop without SendNotificationWithoutOpen", setup: inActiveDelay,
			mod: func(c *Config) { c.SendNotificationWithoutOpen = false }, in: ev(ManualStop), state: Idle,
			actions: []string{aStopDO, aRelease, aDrop}},
		{name: "delayed: delay-open-timer-expires", setup: inActiveDelay, in: ev(DelayOpenTimerExpires), state: OpenSent,
			actions: []string{aOpen, aStartLarge, aStartSH}},
		{name: "delayed: bgp-open", setup: inActiveDelay, in: ev(BGPOpen), state: OpenConfirm,
			actions: []string{aStopDO, aOpen, aKeepalive, aStartKA, aStartHold, aStartSH}},
		{name: "delayed: bgp-open, peer's hold time 30s", setup: inActiveDelay,
			in: Input{Event: BGPOpen, Session: &Session{HoldTime: durationOf("30s")}}, state: OpenConfirm,
			actions: []string{aStopDO, aOpen, aKeepalive, "start-timer keepalive 10s", "start-timer hold 30s", aStartSH}},
		{name: "delayed: tcp-connection-fails", setup: inActiveDelay, in: ev(TCPConnectionFails), state: Idle,
			actions: []string{aStopDO, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "delayed: notification-version-error keeps the counter", setup: inActiveDelay, in: ev(NotifMsgVerErr),
			state: Idle, actions: []string{aStopDO, aRelease, aDrop, aIdleHold}},
	}
	rows = append(rows, ignored(inActive, Active, 0, ManualStart, AutomaticStart, ManualStartPassive,
		AutomaticStartPassive, AutomaticStartDamp, AutomaticStartDampPassive, SendHoldTimerExpires,
		StableTimerExpires, UpdateSent, WriteProgress)...)
	runRows(t, Active, rows)
}
