package fsm

import (
	"testing"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/message"
)

func TestOpenSent(t *testing.T) {
	// Running in OpenSent: the large HoldTimer and the SendHoldTimer.
	drop := func(notify string) []string {
		return []string{"send-notification " + notify, aStopHold, aStopSH, aRelease, aDrop, aIdleHold}
	}
	unsupported := message.Notification{Code: wire.NotifyOpen, Subcode: wire.OpenUnsupportedCapability,
		Data: []byte{1, 4, 0, 2, 0, 1}}
	rows := []row{
		{name: "manual-stop", setup: inOpenSent, in: ev(ManualStop), state: Idle,
			actions: []string{"send-notification 6/2", aStopHold, aStopSH, aRelease, aDrop}},
		{name: "automatic-stop", setup: inOpenSent, in: ev(AutomaticStop), state: Idle, actions: drop("6/0"), counter: 1},
		{name: "automatic-stop, maximum prefixes", setup: inOpenSent,
			in:    Input{Event: AutomaticStop, Notification: message.Notification{Code: 6, Subcode: 1}},
			state: Idle, actions: drop("6/1"), counter: 1},
		{name: "connect-retry-timer-expires", setup: inOpenSent, in: ev(ConnectRetryTimerExpires), state: Idle,
			actions: drop("5/0"), counter: 1},
		{name: "hold-timer-expires", setup: inOpenSent, in: ev(HoldTimerExpires), state: Idle,
			actions: []string{"send-notification 4/0", aStopSH, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "keepalive-timer-expires", setup: inOpenSent, in: ev(KeepaliveTimerExpires), state: Idle,
			actions: drop("5/0"), counter: 1},
		{name: "delay-open-timer-expires", setup: inOpenSent, in: ev(DelayOpenTimerExpires), state: Idle,
			actions: drop("5/0"), counter: 1},
		{name: "idle-hold-timer-expires", setup: inOpenSent, in: ev(IdleHoldTimerExpires), state: Idle,
			actions: drop("5/0"), counter: 1},
		{name: "tcp-connection-fails", setup: inOpenSent, in: ev(TCPConnectionFails), state: Active,
			actions: []string{aDrop, aStopHold, aStopSH, aStartCR}},
		{name: "bgp-open", setup: inOpenSent, in: ev(BGPOpen), state: OpenConfirm,
			actions: []string{aKeepalive, aStartKA, aStartHold}},
		{name: "bgp-open, peer's hold time 9s", setup: inOpenSent,
			in: Input{Event: BGPOpen, Session: &Session{HoldTime: durationOf("9s")}}, state: OpenConfirm,
			actions: []string{aKeepalive, "start-timer keepalive 3s", "start-timer hold 9s"}},
		{name: "bgp-open, hold time 0", setup: inOpenSent, in: Input{Event: BGPOpen, Session: &Session{}},
			state: OpenConfirm, actions: []string{aKeepalive, aStopHold, aStopSH}},
		{name: "bgp-open, our hold time 0", setup: inOpenSent, mod: func(c *Config) { c.HoldTime = 0 },
			in: Input{Event: BGPOpen, Session: &Session{HoldTime: durationOf("90s")}}, state: OpenConfirm,
			actions: []string{aKeepalive, aStopHold, aStopSH}},
		{name: "bgp-open-delay-open is bgp-open", setup: inOpenSent, in: ev(BGPOpenDelayOpen), state: OpenConfirm,
			actions: []string{aKeepalive, aStartKA, aStartHold}},
		{name: "bgp-header-error", setup: inOpenSent,
			in:    Input{Event: BGPHeaderErr, Notification: message.Notification{Code: 1, Subcode: 1}},
			state: Idle, actions: drop("1/1"), counter: 1},
		{name: "bgp-open-message-error", setup: inOpenSent,
			in:    Input{Event: BGPOpenMsgErr, Notification: message.Notification{Code: 2, Subcode: 2}},
			state: Idle, actions: drop("2/2"), counter: 1},
		{name: "bgp-open-message-error, unsupported capability: no automatic restart", setup: inOpenSent,
			in: Input{Event: BGPOpenMsgErr, Notification: unsupported}, state: Idle, counter: 1,
			actions: []string{"send-notification 2/7 data 010400020001", aStopHold, aStopSH, aRelease, aDrop}},
		{name: "open-collision-dump", setup: inOpenSent, in: ev(OpenCollisionDump), state: Idle, actions: drop("6/7"),
			counter: 1},
		{name: "notification-version-error keeps the counter", setup: inOpenSent, in: ev(NotifMsgVerErr), state: Idle,
			actions: []string{aStopHold, aStopSH, aRelease, aDrop, aIdleHold}},
		{name: "notification is not answered", setup: inOpenSent, in: ev(NotifMsg), state: Idle,
			actions: []string{aStopHold, aStopSH, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "keepalive", setup: inOpenSent, in: ev(KeepAliveMsg), state: Idle, actions: drop("5/1 data 04"), counter: 1},
		{name: "update", setup: inOpenSent, in: ev(UpdateMsg), state: Idle, actions: drop("5/1 data 02"), counter: 1},
		{name: "update-error", setup: inOpenSent, in: ev(UpdateMsgErr), state: Idle, actions: drop("5/1 data 02"),
			counter: 1},
		{name: "send-hold-timer-expires", setup: inOpenSent, in: ev(SendHoldTimerExpires), state: Idle,
			actions: []string{"send-notification 8/0", aStopHold, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "write-progress", setup: inOpenSent, in: ev(WriteProgress), state: OpenSent, actions: []string{aStartSH}},
		{name: "without automatic start", setup: inOpenSent, mod: func(c *Config) { c.AllowAutomaticStart = false },
			in: ev(HoldTimerExpires), state: Idle, actions: []string{"send-notification 4/0", aStopSH, aRelease, aDrop},
			counter: 1},
	}
	rows = append(rows, ignored(inOpenSent, OpenSent, 0, ManualStart, AutomaticStart, ManualStartPassive,
		AutomaticStartPassive, AutomaticStartDamp, AutomaticStartDampPassive, TCPConnectionValid,
		TCPConnectionInvalid, TCPConnectionAcked, TCPConnectionConfirmed, StableTimerExpires, UpdateSent)...)
	runRows(t, OpenSent, rows)
}

func TestOpenConfirm(t *testing.T) {
	// Running in OpenConfirm: HoldTimer, KeepaliveTimer, SendHoldTimer.
	stops := []string{aStopHold, aStopKA, aStopSH}
	drop := func(notify string) []string {
		return append(append([]string{"send-notification " + notify}, stops...), aRelease, aDrop, aIdleHold)
	}
	quiet := append(append([]string{}, stops...), aRelease, aDrop, aIdleHold)
	rows := []row{
		{name: "manual-stop", setup: inOpenConfirm, in: ev(ManualStop), state: Idle,
			actions: []string{"send-notification 6/2", aStopHold, aStopKA, aStopSH, aRelease, aDrop}},
		{name: "automatic-stop", setup: inOpenConfirm, in: ev(AutomaticStop), state: Idle, actions: drop("6/0"), counter: 1},
		{name: "connect-retry-timer-expires", setup: inOpenConfirm, in: ev(ConnectRetryTimerExpires), state: Idle,
			actions: drop("5/0"), counter: 1},
		{name: "hold-timer-expires", setup: inOpenConfirm, in: ev(HoldTimerExpires), state: Idle,
			actions: []string{"send-notification 4/0", aStopKA, aStopSH, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "keepalive-timer-expires", setup: inOpenConfirm, in: ev(KeepaliveTimerExpires), state: OpenConfirm,
			actions: []string{aKeepalive, aStartKA}},
		{name: "keepalive-timer-expires, hold time 0", setup: inOpenConfirmHold0, in: ev(KeepaliveTimerExpires),
			state: OpenConfirm, actions: []string{aKeepalive}},
		{name: "delay-open-timer-expires", setup: inOpenConfirm, in: ev(DelayOpenTimerExpires), state: Idle,
			actions: drop("5/0"), counter: 1},
		{name: "idle-hold-timer-expires", setup: inOpenConfirm, in: ev(IdleHoldTimerExpires), state: Idle,
			actions: drop("5/0"), counter: 1},
		{name: "tcp-connection-fails", setup: inOpenConfirm, in: ev(TCPConnectionFails), state: Idle, actions: quiet,
			counter: 1},
		{name: "bgp-open is unexpected (RFC 6608)", setup: inOpenConfirm, in: ev(BGPOpen), state: Idle,
			actions: drop("5/2 data 01"), counter: 1},
		{name: "bgp-open-delay-open is unexpected", setup: inOpenConfirm, in: ev(BGPOpenDelayOpen), state: Idle,
			actions: drop("5/2 data 01"), counter: 1},
		{name: "bgp-header-error", setup: inOpenConfirm, in: ev(BGPHeaderErr), state: Idle, actions: drop("1/0"),
			counter: 1},
		{name: "bgp-open-message-error", setup: inOpenConfirm, in: ev(BGPOpenMsgErr), state: Idle, actions: drop("2/0"),
			counter: 1},
		{name: "open-collision-dump", setup: inOpenConfirm, in: ev(OpenCollisionDump), state: Idle,
			actions: drop("6/7"), counter: 1},
		{name: "notification-version-error keeps the counter", setup: inOpenConfirm, in: ev(NotifMsgVerErr),
			state: Idle, actions: quiet},
		{name: "notification", setup: inOpenConfirm, in: ev(NotifMsg), state: Idle, actions: quiet, counter: 1},
		{name: "keepalive", setup: inOpenConfirm, in: ev(KeepAliveMsg), state: Established,
			actions: []string{aStartHold, aUp}},
		{name: "keepalive, hold time 0", setup: inOpenConfirmHold0, in: ev(KeepAliveMsg), state: Established,
			actions: []string{aUp}},
		{name: "update", setup: inOpenConfirm, in: ev(UpdateMsg), state: Idle, actions: drop("5/2 data 02"), counter: 1},
		{name: "update-error", setup: inOpenConfirm, in: ev(UpdateMsgErr), state: Idle, actions: drop("5/2 data 02"),
			counter: 1},
		{name: "send-hold-timer-expires", setup: inOpenConfirm, in: ev(SendHoldTimerExpires), state: Idle,
			actions: []string{"send-notification 8/0", aStopHold, aStopKA, aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "write-progress", setup: inOpenConfirm, in: ev(WriteProgress), state: OpenConfirm,
			actions: []string{aStartSH}},
		{name: "write-progress, hold time 0: no send hold timer", setup: inOpenConfirmHold0, in: ev(WriteProgress),
			state: OpenConfirm},
	}
	rows = append(rows, ignored(inOpenConfirm, OpenConfirm, 0, ManualStart, AutomaticStart, ManualStartPassive,
		AutomaticStartPassive, AutomaticStartDamp, AutomaticStartDampPassive, TCPConnectionValid,
		TCPConnectionInvalid, TCPConnectionAcked, TCPConnectionConfirmed, StableTimerExpires, UpdateSent)...)
	runRows(t, OpenConfirm, rows)
}

func TestEstablished(t *testing.T) {
	stops := []string{aStopHold, aStopKA, aStopSH}
	// drop: a NOTIFICATION sent, the timers stopped, the session down.
	drop := func(notify, reason string) []string {
		return append(append([]string{"send-notification " + notify}, stops...),
			"session-down "+reason+" "+notify, aRelease, aDrop, aIdleHold)
	}
	// quiet: the peer ended it.
	quiet := func(reason string) []string {
		return append(append([]string{}, stops...), "session-down "+reason, aRelease, aDrop, aIdleHold)
	}
	cease := message.Notification{Code: wire.NotifyCease, Subcode: wire.CeaseAdminReset}
	shutdown := message.NewShutdown(wire.CeaseAdminShutdown, "bye")
	detect := func(c *Config) { c.CollisionDetectEstablished = true }
	rows := []row{
		{name: "manual-stop", setup: inEstablished, in: ev(ManualStop), state: Idle,
			actions: []string{"send-notification 6/2", aStopHold, aStopKA, aStopSH, "session-down manual-stop 6/2",
				aRelease, aDrop}},
		{name: "manual-stop with a shutdown communication", setup: inEstablished,
			in: Input{Event: ManualStop, Notification: shutdown}, state: Idle,
			actions: []string{"send-notification 6/2 data 03627965", aStopHold, aStopKA, aStopSH,
				"session-down manual-stop 6/2 data 03627965", aRelease, aDrop}},
		{name: "automatic-stop", setup: inEstablished, in: ev(AutomaticStop), state: Idle,
			actions: drop("6/0", "automatic-stop"), counter: 1},
		{name: "connect-retry-timer-expires", setup: inEstablished, in: ev(ConnectRetryTimerExpires), state: Idle,
			actions: drop("5/0", "fsm-error"), counter: 1},
		{name: "hold-timer-expires", setup: inEstablished, in: ev(HoldTimerExpires), state: Idle,
			actions: []string{"send-notification 4/0", aStopKA, aStopSH, "session-down hold-timer-expired 4/0",
				aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "keepalive-timer-expires", setup: inEstablished, in: ev(KeepaliveTimerExpires), state: Established,
			actions: []string{aKeepalive, aStartKA}},
		{name: "keepalive-timer-expires, hold time 0", setup: inEstablishedHold0, in: ev(KeepaliveTimerExpires),
			state: Established, actions: []string{aKeepalive}},
		{name: "delay-open-timer-expires", setup: inEstablished, in: ev(DelayOpenTimerExpires), state: Idle,
			actions: drop("5/0", "fsm-error"), counter: 1},
		{name: "idle-hold-timer-expires", setup: inEstablished, in: ev(IdleHoldTimerExpires), state: Idle,
			actions: drop("5/0", "fsm-error"), counter: 1},
		{name: "tcp-connection-fails", setup: inEstablished, in: ev(TCPConnectionFails), state: Idle,
			actions: quiet("connection-failed"), counter: 1},
		{name: "bgp-open is unexpected (RFC 6608)", setup: inEstablished, in: ev(BGPOpen), state: Idle,
			actions: drop("5/3 data 01", "fsm-error"), counter: 1},
		{name: "bgp-open-delay-open", setup: inEstablished, in: ev(BGPOpenDelayOpen), state: Idle,
			actions: drop("5/3 data 01", "fsm-error"), counter: 1},
		{name: "bgp-header-error sends the header error", setup: inEstablished,
			in:    Input{Event: BGPHeaderErr, Notification: message.Notification{Code: 1, Subcode: 3, Data: []byte{9}}},
			state: Idle, actions: drop("1/3 data 09", "message-error"), counter: 1},
		{name: "bgp-open-message-error", setup: inEstablished, in: ev(BGPOpenMsgErr), state: Idle,
			actions: drop("5/3 data 01", "fsm-error"), counter: 1},
		{name: "open-collision-dump ignored", setup: inEstablished, in: ev(OpenCollisionDump), state: Established},
		{name: "open-collision-dump with CollisionDetectEstablished", setup: inEstablished, mod: detect,
			in: ev(OpenCollisionDump), state: Idle, actions: drop("6/7", "collision"), counter: 1},
		{name: "notification-version-error", setup: inEstablished,
			in:    Input{Event: NotifMsgVerErr, Notification: message.Notification{Code: 2, Subcode: 1, Data: []byte{0, 4}}},
			state: Idle, actions: quiet("notification-received 2/1 data 0004"), counter: 1},
		{name: "notification", setup: inEstablished, in: Input{Event: NotifMsg, Notification: cease}, state: Idle,
			actions: quiet("notification-received 6/4"), counter: 1},
		{name: "keepalive", setup: inEstablished, in: ev(KeepAliveMsg), state: Established, actions: []string{aStartHold}},
		{name: "keepalive, hold time 0", setup: inEstablishedHold0, in: ev(KeepAliveMsg), state: Established},
		{name: "update", setup: inEstablished, in: ev(UpdateMsg), state: Established,
			actions: []string{aDeliver, aStartHold}},
		{name: "update, hold time 0", setup: inEstablishedHold0, in: ev(UpdateMsg), state: Established,
			actions: []string{aDeliver}},
		{name: "update-error", setup: inEstablished,
			in:    Input{Event: UpdateMsgErr, Notification: message.Notification{Code: 3, Subcode: 1}},
			state: Idle, actions: drop("3/1", "message-error"), counter: 1},
		{name: "update-error without a notification", setup: inEstablished, in: ev(UpdateMsgErr), state: Idle,
			actions: drop("3/0", "message-error"), counter: 1},
		{name: "send-hold-timer-expires", setup: inEstablished, in: ev(SendHoldTimerExpires), state: Idle,
			actions: []string{"send-notification 8/0", aStopHold, aStopKA, "session-down send-hold-timer-expired 8/0",
				aRelease, aDrop, aIdleHold}, counter: 1},
		{name: "stable-timer-expires", setup: inEstablished, in: ev(StableTimerExpires), state: Established},
		{name: "update-sent", setup: inEstablished, in: ev(UpdateSent), state: Established, actions: []string{aStartKA}},
		{name: "update-sent, hold time 0", setup: inEstablishedHold0, in: ev(UpdateSent), state: Established},
		{name: "write-progress", setup: inEstablished, in: ev(WriteProgress), state: Established,
			actions: []string{aStartSH}},
		{name: "write-progress, hold time 0", setup: inEstablishedHold0, in: ev(WriteProgress), state: Established},
	}
	rows = append(rows, ignored(inEstablished, Established, 0, ManualStart, AutomaticStart, ManualStartPassive,
		AutomaticStartPassive, AutomaticStartDamp, AutomaticStartDampPassive, TCPConnectionValid,
		TCPConnectionInvalid, TCPConnectionAcked, TCPConnectionConfirmed)...)
	runRows(t, Established, rows)
}
