package fsm

import "strconv"

// State is a state of the BGP FSM (RFC 4271 §8.2.2).
type State uint8

// The six states. The zero State is Idle, where every machine starts.
const (
	Idle State = iota
	Connect
	Active
	OpenSent
	OpenConfirm
	Established
	numStates
)

var stateNames = [numStates]string{"idle", "connect", "active", "open-sent", "open-confirm", "established"}

// String returns the state's kebab-case name ("open-confirm").
func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "state-" + strconv.Itoa(int(s))
}

// Event is an input of the FSM. Events 1 to 28 are those of RFC 4271 §8.1
// with the same numbers (Number), 29 is the SendHoldTimer_Expires of RFC
// 9687; the last three are ze's own.
type Event uint8

// Events.
const (
	ManualStart               Event = 1 + iota // Event 1
	ManualStop                                 // Event 2
	AutomaticStart                             // Event 3
	ManualStartPassive                         // Event 4: ManualStart_with_PassiveTcpEstablishment
	AutomaticStartPassive                      // Event 5: AutomaticStart_with_PassiveTcpEstablishment
	AutomaticStartDamp                         // Event 6: AutomaticStart_with_DampPeerOscillations
	AutomaticStartDampPassive                  // Event 7: …_with_DampPeerOscillations_and_PassiveTcpEstablishment
	AutomaticStop                              // Event 8
	ConnectRetryTimerExpires                   // Event 9
	HoldTimerExpires                           // Event 10
	KeepaliveTimerExpires                      // Event 11
	DelayOpenTimerExpires                      // Event 12
	IdleHoldTimerExpires                       // Event 13
	TCPConnectionValid                         // Event 14: TcpConnection_Valid
	TCPConnectionInvalid                       // Event 15: Tcp_CR_Invalid
	TCPConnectionAcked                         // Event 16: Tcp_CR_Acked, our connection attempt succeeded
	TCPConnectionConfirmed                     // Event 17: TcpConnectionConfirmed, the peer's attempt succeeded
	TCPConnectionFails                         // Event 18
	BGPOpen                                    // Event 19: a valid OPEN (see Handle for event 20)
	BGPOpenDelayOpen                           // Event 20: BGPOpen with DelayOpenTimer running
	BGPHeaderErr                               // Event 21
	BGPOpenMsgErr                              // Event 22
	OpenCollisionDump                          // Event 23
	NotifMsgVerErr                             // Event 24
	NotifMsg                                   // Event 25
	KeepAliveMsg                               // Event 26
	UpdateMsg                                  // Event 27
	UpdateMsgErr                               // Event 28
	SendHoldTimerExpires                       // RFC 9687 Event 29: SendHoldTimer_Expires

	// StableTimerExpires: the session stayed Established for
	// Config.StablePeriod, so the idle-hold backoff starts over.
	StableTimerExpires
	// UpdateSent: the driver sent an UPDATE, which restarts the
	// KeepaliveTimer in Established (RFC 4271 §8.2.2).
	UpdateSent
	// WriteProgress: the driver wrote bytes to the connection, which
	// restarts the SendHoldTimer (RFC 9687).
	WriteProgress

	numEvents // one past the last event
)

// MaxEvent is the highest Event, for code that enumerates them.
const MaxEvent = numEvents - 1

var eventNames = [numEvents]string{
	ManualStart:               "manual-start",
	ManualStop:                "manual-stop",
	AutomaticStart:            "automatic-start",
	ManualStartPassive:        "manual-start-passive",
	AutomaticStartPassive:     "automatic-start-passive",
	AutomaticStartDamp:        "automatic-start-damp",
	AutomaticStartDampPassive: "automatic-start-damp-passive",
	AutomaticStop:             "automatic-stop",
	ConnectRetryTimerExpires:  "connect-retry-timer-expires",
	HoldTimerExpires:          "hold-timer-expires",
	KeepaliveTimerExpires:     "keepalive-timer-expires",
	DelayOpenTimerExpires:     "delay-open-timer-expires",
	IdleHoldTimerExpires:      "idle-hold-timer-expires",
	TCPConnectionValid:        "tcp-connection-valid",
	TCPConnectionInvalid:      "tcp-connection-invalid",
	TCPConnectionAcked:        "tcp-connection-acked",
	TCPConnectionConfirmed:    "tcp-connection-confirmed",
	TCPConnectionFails:        "tcp-connection-fails",
	BGPOpen:                   "bgp-open",
	BGPOpenDelayOpen:          "bgp-open-delay-open",
	BGPHeaderErr:              "bgp-header-error",
	BGPOpenMsgErr:             "bgp-open-message-error",
	OpenCollisionDump:         "open-collision-dump",
	NotifMsgVerErr:            "notification-version-error",
	NotifMsg:                  "notification",
	KeepAliveMsg:              "keepalive",
	UpdateMsg:                 "update",
	UpdateMsgErr:              "update-error",
	SendHoldTimerExpires:      "send-hold-timer-expires",
	StableTimerExpires:        "stable-timer-expires",
	UpdateSent:                "update-sent",
	WriteProgress:             "write-progress",
}

// String returns the event's kebab-case name ("tcp-connection-fails").
func (e Event) String() string {
	if e > 0 && e < numEvents {
		return eventNames[e]
	}
	return "event-" + strconv.Itoa(int(e))
}

// Number returns the event number of RFC 4271 §8.1 (1 to 28) or RFC 9687
// (29), and 0 for ze's own events and invalid values.
func (e Event) Number() int {
	if e >= ManualStart && e <= SendHoldTimerExpires {
		return int(e)
	}
	return 0
}

// isStart reports the start events (1, 3-7), which every state but Idle ignores.
func (e Event) isStart() bool {
	return e == ManualStart || (e >= AutomaticStart && e <= AutomaticStartDampPassive)
}

// Timer names one of the machine's timers.
type Timer uint8

// Timers. The first five are RFC 4271's, SendHoldTimer is RFC 9687's and
// StableTimer ze's: it measures how long a session stays up before the
// idle-hold backoff is forgotten.
const (
	ConnectRetryTimer Timer = iota
	HoldTimer
	KeepaliveTimer
	DelayOpenTimer
	IdleHoldTimer
	SendHoldTimer
	StableTimer
	numTimers
)

var timerNames = [numTimers]string{"connect-retry", "hold", "keepalive", "delay-open", "idle-hold", "send-hold", "stable"}

var timerEvents = [numTimers]Event{
	ConnectRetryTimerExpires, HoldTimerExpires, KeepaliveTimerExpires, DelayOpenTimerExpires,
	IdleHoldTimerExpires, SendHoldTimerExpires, StableTimerExpires,
}

// String returns the timer's kebab-case name ("connect-retry").
func (t Timer) String() string {
	if t < numTimers {
		return timerNames[t]
	}
	return "timer-" + strconv.Itoa(int(t))
}

// Expires returns the event the timer's expiry is.
func (t Timer) Expires() Event {
	if t < numTimers {
		return timerEvents[t]
	}
	return 0
}
