package fsm

import (
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/message"
)

// The six functions below are RFC 4271 §8.2.2, one per state, with the
// RFC's event numbers in the comments. docs/fsm.md lists where they differ
// from the letter of the RFC and why.

// idle: nothing is allocated; only start events (and ze's automatic
// restart when the IdleHoldTimer expires) leave it.
func (m *Machine) idle(ev Event) {
	switch ev {
	case ManualStart: // 1
		m.begin(false)
	case ManualStartPassive: // 4
		m.begin(true)
	case AutomaticStart, AutomaticStartPassive: // 3, 5
		if m.cfg.AllowAutomaticStart {
			m.begin(ev == AutomaticStartPassive)
		}
	case AutomaticStartDamp, AutomaticStartDampPassive: // 6, 7
		// Damped: while the IdleHoldTimer runs the start waits for it.
		if !m.cfg.AllowAutomaticStart {
			return
		}
		if m.Running(IdleHoldTimer) {
			m.enabled, m.passive = true, ev == AutomaticStartDampPassive
			return
		}
		m.begin(ev == AutomaticStartDampPassive)
	case IdleHoldTimerExpires: // 13
		if m.enabled && m.cfg.AllowAutomaticStart {
			m.begin(m.passive)
		}
	case ManualStop: // 2: ignored by the RFC; ze also cancels the automatic restart
		m.stopTimer(IdleHoldTimer)
		m.enabled, m.flaps = false, 0
	}
	// 8-12, 14-29 and ze's events: no change.
}

// connect: waiting for the TCP connection we initiated.
func (m *Machine) connect(ev Event, in *Input) {
	switch ev {
	case ManualStop: // 2
		m.toIdle(exitManual, ReasonManualStop, message.Notification{}, false)
	case ConnectRetryTimerExpires: // 9
		m.do(DropConnection)
		m.startTimer(ConnectRetryTimer, m.cfg.jitter(m.cfg.ConnectRetryTime))
		m.stopTimer(DelayOpenTimer)
		m.do(InitiateConnection)
	case DelayOpenTimerExpires: // 12
		m.sendOpen()
	case TCPConnectionValid: // 14: processed, stays
	case TCPConnectionInvalid: // 15
		m.do(RejectConnection)
	case TCPConnectionAcked, TCPConnectionConfirmed: // 16, 17
		m.tcpUp()
	case TCPConnectionFails: // 18
		if m.Running(DelayOpenTimer) {
			m.startTimer(ConnectRetryTimer, m.cfg.jitter(m.cfg.ConnectRetryTime))
			m.stopTimer(DelayOpenTimer)
			m.state = Active
			return
		}
		m.toIdle(exitQuiet, ReasonConnectionFailed, message.Notification{}, false)
	case BGPOpenDelayOpen: // 20
		m.openDelayed(in.Session)
	case BGPHeaderErr, BGPOpenMsgErr: // 21, 22
		m.toIdle(exitCount, ReasonMessageError, messageError(ev, in), m.cfg.SendNotificationWithoutOpen)
	case NotifMsgVerErr: // 24
		m.toIdle(m.verErrExit(), ReasonNotificationReceived, in.Notification, false)
	case AutomaticStop, HoldTimerExpires, KeepaliveTimerExpires, IdleHoldTimerExpires, BGPOpen,
		OpenCollisionDump, NotifMsg, KeepAliveMsg, UpdateMsg, UpdateMsgErr: // 8, 10-11, 13, 19, 23, 25-28
		m.toIdle(exitCount, reasonOf(ev), message.Notification{}, false)
	}
	// Start events (1, 3-7), 29 and ze's events: ignored.
}

// active: listening for the peer's connection.
func (m *Machine) active(ev Event, in *Input) {
	switch ev {
	case ManualStop: // 2
		cease := notification(in, wire.NotifyCease, wire.CeaseAdminShutdown)
		m.toIdle(exitManual, ReasonManualStop, cease,
			m.Running(DelayOpenTimer) && m.cfg.SendNotificationWithoutOpen)
	case ConnectRetryTimerExpires: // 9
		m.startTimer(ConnectRetryTimer, m.cfg.jitter(m.cfg.ConnectRetryTime))
		if !m.passive { // a passive peer never initiates
			m.do(InitiateConnection)
			m.state = Connect
		}
	case DelayOpenTimerExpires: // 12
		m.sendOpen()
	case TCPConnectionValid: // 14
	case TCPConnectionInvalid: // 15
		m.do(RejectConnection)
	case TCPConnectionAcked, TCPConnectionConfirmed: // 16, 17
		m.tcpUp()
	case TCPConnectionFails: // 18
		m.toIdle(exitCount, ReasonConnectionFailed, message.Notification{}, false)
	case BGPOpenDelayOpen: // 20
		m.openDelayed(in.Session)
	case BGPHeaderErr, BGPOpenMsgErr: // 21, 22
		m.toIdle(exitCount, ReasonMessageError, messageError(ev, in), m.cfg.SendNotificationWithoutOpen)
	case NotifMsgVerErr: // 24
		m.toIdle(m.verErrExit(), ReasonNotificationReceived, in.Notification, false)
	case AutomaticStop, HoldTimerExpires, KeepaliveTimerExpires, IdleHoldTimerExpires, BGPOpen,
		OpenCollisionDump, NotifMsg, KeepAliveMsg, UpdateMsg, UpdateMsgErr: // 8, 10-11, 13, 19, 23, 25-28
		m.toIdle(exitCount, reasonOf(ev), message.Notification{}, false)
	}
}

// tcpUp is events 16 and 17 in Connect and Active: wait DelayOpenTime for
// the peer's OPEN, or send ours now.
func (m *Machine) tcpUp() {
	if m.cfg.DelayOpen {
		m.stopTimer(ConnectRetryTimer)
		m.startTimer(DelayOpenTimer, m.cfg.DelayOpenTime)
		return
	}
	m.sendOpen()
}

// verErrExit: a version error NOTIFICATION while the OPEN was delayed
// leaves the ConnectRetryCounter alone (RFC 4271 §8.2.2, event 24).
func (m *Machine) verErrExit() exit {
	if m.Running(DelayOpenTimer) {
		return exitQuiet
	}
	return exitCount
}

// openSent: our OPEN is out, waiting for the peer's.
func (m *Machine) openSent(ev Event, in *Input) {
	switch ev {
	case TCPConnectionValid, TCPConnectionInvalid, TCPConnectionAcked, TCPConnectionConfirmed: // 14-17
		// A second connection is the driver's, with a machine of its own.
	case TCPConnectionFails: // 18
		m.do(DropConnection)
		m.stopTimer(HoldTimer)
		m.stopTimer(SendHoldTimer)
		m.hold = 0
		m.startTimer(ConnectRetryTimer, m.cfg.jitter(m.cfg.ConnectRetryTime))
		m.state = Active
	case BGPOpen: // 19
		m.stopTimer(DelayOpenTimer)
		m.stopTimer(ConnectRetryTimer)
		m.do(SendKeepalive)
		m.openReceived(in.Session)
	case NotifMsgVerErr: // 24
		m.toIdle(exitQuiet, ReasonNotificationReceived, in.Notification, false)
	case NotifMsg: // 25: closed by the peer; a NOTIFICATION is not answered
		m.toIdle(exitCount, ReasonNotificationReceived, in.Notification, false)
	default:
		m.common(ev, in)
	}
}

// openConfirm: OPENs exchanged, waiting for the peer's KEEPALIVE.
func (m *Machine) openConfirm(ev Event, in *Input) {
	switch ev {
	case KeepaliveTimerExpires: // 11
		m.sendKeepalive()
	case TCPConnectionValid, TCPConnectionInvalid, TCPConnectionAcked, TCPConnectionConfirmed: // 14-17
	case TCPConnectionFails: // 18
		m.toIdle(exitCount, ReasonConnectionFailed, message.Notification{}, false)
	case NotifMsgVerErr: // 24
		m.toIdle(exitQuiet, ReasonNotificationReceived, in.Notification, false)
	case NotifMsg: // 25
		m.toIdle(exitCount, ReasonNotificationReceived, in.Notification, false)
	case KeepAliveMsg: // 26
		m.messageReceived()
		m.state = Established
		m.do(SessionUp)
		if m.cfg.DampPeerOscillations && m.flaps > 0 {
			m.startTimer(StableTimer, m.cfg.StablePeriod)
		}
	default:
		// 19 falls here too: an OPEN on this connection in OpenConfirm is
		// an unexpected message (RFC 6608 §4). A colliding OPEN on another
		// connection reaches this one as OpenCollisionDump.
		m.common(ev, in)
	}
}

// established: the session is up.
func (m *Machine) established(ev Event, in *Input) {
	switch ev {
	case KeepaliveTimerExpires: // 11
		m.sendKeepalive()
	case UpdateSent:
		if m.keepalive > 0 {
			m.startTimer(KeepaliveTimer, m.cfg.jitter(m.keepalive))
		}
	case TCPConnectionValid, TCPConnectionInvalid, TCPConnectionAcked, TCPConnectionConfirmed: // 14-17
	case OpenCollisionDump: // 23
		if m.cfg.CollisionDetectEstablished {
			m.toIdle(exitCount, ReasonCollision, collision, true)
		}
	case TCPConnectionFails: // 18
		m.toIdle(exitCount, ReasonConnectionFailed, message.Notification{}, false)
	case NotifMsgVerErr, NotifMsg: // 24, 25
		m.toIdle(exitCount, ReasonNotificationReceived, in.Notification, false)
	case KeepAliveMsg: // 26
		m.messageReceived()
	case UpdateMsg: // 27
		m.do(DeliverUpdate)
		m.messageReceived()
	case UpdateMsgErr: // 28
		m.toIdle(exitCount, ReasonMessageError, messageError(ev, in), true)
	case BGPHeaderErr: // 21: the Message Header Error of RFC 4271 §6.1
		m.toIdle(exitCount, ReasonMessageError, messageError(ev, in), true)
	case StableTimerExpires:
		m.flaps = 0
	default:
		m.common(ev, in)
	}
}

// common is what OpenSent, OpenConfirm and Established share: the stops,
// the expiry of the hold timers, message errors, a lost collision, the
// SendHoldTimer's restart, and a Finite State Machine Error for anything
// unexpected.
func (m *Machine) common(ev Event, in *Input) {
	switch {
	case ev.isStart(), ev == UpdateSent, ev == StableTimerExpires: // 1, 3-7: ignored
	case ev == ManualStop: // 2
		m.toIdle(exitManual, ReasonManualStop, notification(in, wire.NotifyCease, wire.CeaseAdminShutdown), true)
	case ev == AutomaticStop: // 8
		m.toIdle(exitCount, ReasonAutomaticStop, notification(in, wire.NotifyCease, 0), true)
	case ev == HoldTimerExpires: // 10
		m.toIdle(exitCount, ReasonHoldTimerExpired, holdExpired, true)
	case ev == SendHoldTimerExpires: // 29 (RFC 9687)
		m.toIdle(exitCount, ReasonSendHoldTimerExpired, sendHoldExpired, true)
	case ev == WriteProgress:
		m.restartIfRunning(SendHoldTimer, m.cfg.sendHoldTime(m.hold))
	case ev == OpenCollisionDump: // 23
		m.toIdle(exitCount, ReasonCollision, collision, true)
	case (ev == BGPHeaderErr || ev == BGPOpenMsgErr) && m.state != Established: // 21, 22
		m.toIdle(exitCount, ReasonMessageError, messageError(ev, in), true)
	default: // OpenSent 9, 11-13, 20, 26-28; OpenConfirm 9, 12-13, 19-20, 27-28; Established 9, 12-13, 19-20, 22
		m.toIdle(exitCount, ReasonFSMError, m.fsmError(ev), true)
	}
}
