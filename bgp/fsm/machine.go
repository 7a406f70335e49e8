package fsm

import (
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/message"
)

// Machine is the FSM of one BGP connection (RFC 4271 §8.2.1: one per
// configured peering plus one per incoming connection not yet identified).
// It is not safe for concurrent use: one driver goroutine owns it.
type Machine struct {
	cfg   Config
	state State

	running   uint8         // bit t set while Timer t runs
	counter   int           // ConnectRetryCounter
	hold      time.Duration // the hold time in force: ours in OpenSent, then the negotiated one
	keepalive time.Duration // hold / 3

	passive bool // the last start was passive (events 4, 5, 7)
	enabled bool // started and not stopped by the operator: Idle may restart by itself
	flaps   int  // drops since the last stable session (DampPeerOscillations)

	n   int
	buf [maxActions]Action
}

// maxActions bounds the actions of one step: a drop to Idle emits at most a
// NOTIFICATION, a stop per timer, SessionDown, two releases and a start.
const maxActions = 16

// Input is an event with the data some events carry.
type Input struct {
	Event Event
	// Session is CheckOpen's result for BGPOpen: the machine takes the
	// negotiated hold time from it. Nil stands for a peer that proposed a
	// hold time at least ours.
	Session *Session
	// Notification is, for BGPHeaderErr, BGPOpenMsgErr and UpdateMsgErr,
	// the NOTIFICATION the error calls for (a zero Code means the event's
	// error code with subcode 0); for ManualStop and AutomaticStop, the
	// Cease to send (zero: Administrative Shutdown, resp. subcode 0); for
	// NotifMsg and NotifMsgVerErr, the NOTIFICATION received, which
	// SessionDown reports.
	Notification message.Notification
}

// New returns a machine in Idle, or the error of cfg.Validate.
func New(cfg Config) (*Machine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Machine{cfg: cfg}, nil
}

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Config returns the machine's configuration, for CheckOpen and
// OpenMessage. It must not be modified.
func (m *Machine) Config() *Config { return &m.cfg }

// ConnectRetryCounter returns the RFC 4271 §8 ConnectRetryCounter.
func (m *Machine) ConnectRetryCounter() int { return m.counter }

// HoldTime returns the hold time in force: 0 in Idle, Connect and Active,
// ours in OpenSent, the negotiated one from OpenConfirm on.
func (m *Machine) HoldTime() time.Duration { return m.hold }

// Running reports whether the machine has timer t running.
func (m *Machine) Running(t Timer) bool { return t < numTimers && m.running&(1<<t) != 0 }

// Flaps returns the drops to Idle counted by the idle-hold backoff.
func (m *Machine) Flaps() int { return m.flaps }

// Step processes an event that carries no data; see Handle.
func (m *Machine) Step(ev Event) (State, []Action) { return m.Handle(Input{Event: ev}) }

// Handle processes one event and returns the new state and the actions to
// execute in order. The slice is the machine's own and valid until the next
// call. A valid OPEN is BGPOpen; the machine makes it event 20 (BGPOpen with
// DelayOpenTimer running) when its DelayOpenTimer runs, and event 19 when it
// does not, whichever of the two the driver passed. An expiry event marks
// its timer stopped. An Event that is not one of the constants is ignored.
func (m *Machine) Handle(in Input) (State, []Action) {
	m.n = 0
	ev := in.Event
	if ev == 0 || ev > MaxEvent {
		return m.state, nil
	}
	if ev == BGPOpen || ev == BGPOpenDelayOpen {
		ev = BGPOpen
		if m.Running(DelayOpenTimer) {
			ev = BGPOpenDelayOpen
		}
	}
	for t := range numTimers {
		if timerEvents[t] == ev {
			m.running &^= 1 << t
		}
	}
	switch m.state {
	case Idle:
		m.idle(ev)
	case Connect:
		m.connect(ev, &in)
	case Active:
		m.active(ev, &in)
	case OpenSent:
		m.openSent(ev, &in)
	case OpenConfirm:
		m.openConfirm(ev, &in)
	case Established:
		m.established(ev, &in)
	}
	return m.state, m.buf[:m.n]
}

func (m *Machine) emit(a Action) {
	m.buf[m.n] = a
	m.n++
}

func (m *Machine) do(k ActionKind) { m.emit(Action{Kind: k}) }

// startTimer starts (or restarts) timer t.
func (m *Machine) startTimer(t Timer, d time.Duration) {
	m.running |= 1 << t
	m.emit(Action{Kind: StartTimer, Timer: t, Duration: max(d, 0)})
}

// stopTimer stops timer t if it runs.
func (m *Machine) stopTimer(t Timer) {
	if m.Running(t) {
		m.running &^= 1 << t
		m.emit(Action{Kind: StopTimer, Timer: t})
	}
}

// restartIfRunning restarts timer t with d, if it runs.
func (m *Machine) restartIfRunning(t Timer, d time.Duration) {
	if m.Running(t) {
		m.startTimer(t, d)
	}
}

func (m *Machine) send(n message.Notification) {
	m.emit(Action{Kind: SendNotification, Notification: n})
}

// begin is the start of RFC 4271 §8.2.2 Idle: initialize, zero the
// ConnectRetryCounter, start the ConnectRetryTimer and connect (Connect) or
// only listen (Active).
func (m *Machine) begin(passive bool) {
	m.stopTimer(IdleHoldTimer)
	m.do(InitResources)
	m.counter = 0
	m.passive = passive
	m.enabled = true
	m.startTimer(ConnectRetryTimer, m.cfg.jitter(m.cfg.ConnectRetryTime))
	if passive {
		m.state = Active
		return
	}
	m.do(InitiateConnection)
	m.state = Connect
}

// sendOpen sends our OPEN with the large HoldTimer: Connect or Active to
// OpenSent. The SendHoldTimer runs from here on (RFC 9687).
func (m *Machine) sendOpen() {
	m.stopTimer(ConnectRetryTimer)
	m.stopTimer(DelayOpenTimer)
	m.do(SendOpen)
	m.hold = m.cfg.HoldTime
	m.startTimer(HoldTimer, m.cfg.LargeHoldTime)
	m.startTimer(SendHoldTimer, m.cfg.sendHoldTime(m.hold))
	m.state = OpenSent
}

// negotiate sets the session's hold time: the smaller of ours and the
// peer's (RFC 4271 §4.2), and the keepalive interval, a third of it.
func (m *Machine) negotiate(s *Session) {
	hold := m.cfg.HoldTime
	if s != nil {
		hold = min(hold, max(s.HoldTime, 0))
	}
	m.hold, m.keepalive = hold, hold/3
}

// openReceived runs the timers of a received OPEN and moves to
// OpenConfirm: KeepaliveTimer and HoldTimer with the negotiated values, or
// neither when the hold time is zero (and no SendHoldTimer then: with no
// keepalives a quiet session writes nothing).
func (m *Machine) openReceived(s *Session) {
	m.negotiate(s)
	if m.hold > 0 {
		m.startTimer(KeepaliveTimer, m.cfg.jitter(m.keepalive))
		m.startTimer(HoldTimer, m.hold)
	} else {
		m.stopTimer(KeepaliveTimer)
		m.stopTimer(HoldTimer)
		m.stopTimer(SendHoldTimer)
	}
	m.state = OpenConfirm
}

// openDelayed is event 20 in Connect and Active: the peer's OPEN came
// while we delayed ours; answer with OPEN and KEEPALIVE at once.
func (m *Machine) openDelayed(s *Session) {
	m.stopTimer(ConnectRetryTimer)
	m.stopTimer(DelayOpenTimer)
	m.do(SendOpen)
	m.do(SendKeepalive)
	m.openReceived(s)
	if m.hold > 0 {
		m.startTimer(SendHoldTimer, m.cfg.sendHoldTime(m.hold))
	}
}

// sendKeepalive is KeepaliveTimer_Expires in OpenConfirm and Established.
func (m *Machine) sendKeepalive() {
	m.do(SendKeepalive)
	if m.keepalive > 0 {
		m.startTimer(KeepaliveTimer, m.cfg.jitter(m.keepalive))
	}
}

// messageReceived restarts the HoldTimer on a KEEPALIVE or UPDATE.
func (m *Machine) messageReceived() {
	if m.hold > 0 {
		m.startTimer(HoldTimer, m.hold)
	}
}

// exit says what a drop to Idle does to the ConnectRetryCounter.
type exit uint8

const (
	exitCount  exit = iota // increment it (and count a flap)
	exitQuiet              // leave it (still a flap)
	exitManual             // zero it; no automatic restart
)

// toIdle is every transition to Idle: send n if send is set, stop the
// timers, report SessionDown if the session was up, release resources,
// drop the connection, then arm the IdleHoldTimer for the automatic
// restart unless the operator stopped the peer.
func (m *Machine) toIdle(how exit, reason Reason, n message.Notification, send bool) {
	if send {
		m.send(n)
	}
	for t := range numTimers {
		m.stopTimer(t)
	}
	if m.state == Established {
		m.emit(Action{Kind: SessionDown, Reason: reason, Notification: n})
	}
	m.do(ReleaseResources)
	m.do(DropConnection)
	m.state = Idle
	m.hold, m.keepalive = 0, 0
	switch how {
	case exitManual:
		m.counter, m.flaps, m.enabled = 0, 0, false
		return
	case exitCount:
		m.counter++
	}
	// RFC 5492 §3: a peering ended for want of a capability SHOULD NOT be
	// re-established automatically.
	if send && n.Code == wire.NotifyOpen && n.Subcode == wire.OpenUnsupportedCapability {
		m.enabled = false
	}
	m.armIdleHold()
}

// armIdleHold starts the IdleHoldTimer that restarts a peer dropped to
// Idle, doubling its value with each drop under DampPeerOscillations.
func (m *Machine) armIdleHold() {
	if !m.enabled || !m.cfg.AllowAutomaticStart {
		return
	}
	if m.cfg.DampPeerOscillations {
		m.flaps = min(m.flaps+1, 64)
	}
	m.startTimer(IdleHoldTimer, m.idleHoldTime(m.flaps))
}

// idleHoldTime is the IdleHoldTimer value after the given number of flaps:
// IdleHoldTime, doubled per flap beyond the first up to IdleHoldMax under
// DampPeerOscillations.
func (m *Machine) idleHoldTime(flaps int) time.Duration {
	d := m.cfg.IdleHoldTime
	if !m.cfg.DampPeerOscillations {
		return d
	}
	top := m.cfg.IdleHoldMax
	for i := 1; i < flaps && d < top; i++ {
		if d > top/2 {
			d = top
		} else {
			d *= 2
		}
	}
	return min(d, top)
}

// notification returns in's NOTIFICATION, or code/def when it has none.
func notification(in *Input, code wire.NotifyCode, def uint8) message.Notification {
	if in.Notification.Code != 0 {
		return in.Notification
	}
	return message.Notification{Code: code, Subcode: def}
}

// Fixed NOTIFICATIONs.
var (
	holdExpired     = message.Notification{Code: wire.NotifyHoldTimer}
	sendHoldExpired = message.Notification{Code: wire.NotifySendHoldTimer}
	collision       = message.Notification{Code: wire.NotifyCease, Subcode: wire.CeaseCollision}
)

// messageError returns the NOTIFICATION of a message error event.
func messageError(ev Event, in *Input) message.Notification {
	switch ev {
	case BGPHeaderErr:
		return notification(in, wire.NotifyHeader, 0)
	case BGPOpenMsgErr:
		return notification(in, wire.NotifyOpen, 0)
	}
	return notification(in, wire.NotifyUpdate, 0)
}

// fsmError returns the Finite State Machine Error for an unexpected event:
// for a message, the subcode of the state and the message type as data
// (RFC 6608 §4); for anything else, subcode 0 (Unspecified Error).
func (m *Machine) fsmError(ev Event) message.Notification {
	var t wire.MsgType
	switch ev {
	case BGPOpen, BGPOpenDelayOpen, BGPOpenMsgErr:
		t = wire.MsgOpen
	case UpdateMsg, UpdateMsgErr:
		t = wire.MsgUpdate
	case KeepAliveMsg:
		t = wire.MsgKeepalive
	default:
		return message.Notification{Code: wire.NotifyFSM, Subcode: wire.FSMUnspecified}
	}
	var sub uint8
	switch m.state {
	case OpenSent:
		sub = wire.FSMUnexpectedOpenSent
	case OpenConfirm:
		sub = wire.FSMUnexpectedOpenConfirm
	case Established:
		sub = wire.FSMUnexpectedEstablished
	}
	return message.Notification{Code: wire.NotifyFSM, Subcode: sub, Data: msgTypeData[t][:]}
}

// reasonOf names why an event of the "any other event" rows of Connect and
// Active dropped the connection.
func reasonOf(ev Event) Reason {
	switch ev {
	case AutomaticStop:
		return ReasonAutomaticStop
	case HoldTimerExpires:
		return ReasonHoldTimerExpired
	case NotifMsg:
		return ReasonNotificationReceived
	case UpdateMsgErr:
		return ReasonMessageError
	case OpenCollisionDump:
		return ReasonCollision
	}
	return ReasonFSMError
}
