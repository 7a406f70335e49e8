package fsm

import (
	"fmt"
	"strconv"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/message"
)

// ActionKind says what an Action asks the driver to do.
type ActionKind uint8

// Actions, in the words of RFC 4271 §8.2.2.
const (
	// InitResources: initialize the peer's resources and accept the
	// connections it initiates ("listens for a connection").
	InitResources ActionKind = iota + 1
	// InitiateConnection: open a TCP connection to the peer.
	InitiateConnection
	// RejectConnection: refuse the connection request of
	// TCPConnectionInvalid.
	RejectConnection
	// DropConnection: close the TCP connection, after writing a
	// NOTIFICATION sent in the same step. Nothing to do without one.
	DropConnection
	// ReleaseResources: release the peer's resources and stop accepting
	// its connections.
	ReleaseResources
	// SendOpen: send our OPEN.
	SendOpen
	// SendKeepalive: send a KEEPALIVE.
	SendKeepalive
	// SendNotification: send Action.Notification.
	SendNotification
	// StartTimer: start Action.Timer to expire after Action.Duration,
	// replacing its deadline if it runs (the RFC's start, restart and set).
	StartTimer
	// StopTimer: stop Action.Timer (the RFC's stop, clear and "set to zero").
	StopTimer
	// DeliverUpdate: the UPDATE just received is accepted; process it.
	DeliverUpdate
	// SessionUp: the session is Established.
	SessionUp
	// SessionDown: the session left Established; delete the routes learned
	// from the peer. Action.Reason says why; Action.Notification is the
	// NOTIFICATION sent or received, if any.
	SessionDown
	numActionKinds
)

var actionNames = [numActionKinds]string{
	InitResources: "init-resources", InitiateConnection: "initiate-connection", RejectConnection: "reject-connection",
	DropConnection: "drop-connection", ReleaseResources: "release-resources", SendOpen: "send-open",
	SendKeepalive: "send-keepalive", SendNotification: "send-notification", StartTimer: "start-timer",
	StopTimer: "stop-timer", DeliverUpdate: "deliver-update", SessionUp: "session-up", SessionDown: "session-down",
}

// String returns the kind's kebab-case name ("send-notification").
func (k ActionKind) String() string {
	if k > 0 && k < numActionKinds {
		return actionNames[k]
	}
	return "action-" + strconv.Itoa(int(k))
}

// Reason says why a session went down.
type Reason uint8

// Reasons of SessionDown.
const (
	ReasonNone Reason = iota
	// ReasonManualStop: the operator stopped the peer (Event 2).
	ReasonManualStop
	// ReasonAutomaticStop: the local system stopped it (Event 8).
	ReasonAutomaticStop
	// ReasonHoldTimerExpired: nothing received for the hold time.
	ReasonHoldTimerExpired
	// ReasonSendHoldTimerExpired: nothing could be written for the send
	// hold time (RFC 9687).
	ReasonSendHoldTimerExpired
	// ReasonConnectionFailed: the TCP connection failed or was closed.
	ReasonConnectionFailed
	// ReasonNotificationReceived: the peer sent a NOTIFICATION.
	ReasonNotificationReceived
	// ReasonMessageError: a message from the peer was in error and we sent
	// the NOTIFICATION it calls for.
	ReasonMessageError
	// ReasonFSMError: an event the state does not expect (RFC 6608).
	ReasonFSMError
	// ReasonCollision: the connection lost a collision (RFC 4271 §6.8).
	ReasonCollision
	numReasons
)

var reasonNames = [numReasons]string{
	"none", "manual-stop", "automatic-stop", "hold-timer-expired", "send-hold-timer-expired",
	"connection-failed", "notification-received", "message-error", "fsm-error", "collision",
}

// String returns the reason's kebab-case name ("hold-timer-expired").
func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return "reason-" + strconv.Itoa(int(r))
}

// Action is one thing the driver must do, in the order Step returns them.
// It is a value: Kind says which of the other fields mean something.
type Action struct {
	Kind ActionKind
	// Timer and Duration: StartTimer and StopTimer (Duration is zero for
	// StopTimer and never negative).
	Timer    Timer
	Duration time.Duration
	// Notification: SendNotification, and SessionDown when one was sent or
	// received. Its Data aliases the Input's or read-only package memory.
	Notification message.Notification
	// Reason: SessionDown.
	Reason Reason
}

// String shows the action for logs and tests: "start-timer hold 4m0s",
// "send-notification 5/1 data 04", "session-down hold-timer-expired 4/0".
func (a Action) String() string {
	s := a.Kind.String()
	switch a.Kind {
	case StartTimer:
		return s + " " + a.Timer.String() + " " + a.Duration.String()
	case StopTimer:
		return s + " " + a.Timer.String()
	case SendNotification:
		return s + " " + notifyString(a.Notification)
	case SessionDown:
		s += " " + a.Reason.String()
		if a.Notification.Code != 0 {
			s += " " + notifyString(a.Notification)
		}
	}
	return s
}

func notifyString(n message.Notification) string {
	s := strconv.Itoa(int(n.Code)) + "/" + strconv.Itoa(int(n.Subcode))
	if len(n.Data) > 0 {
		s += fmt.Sprintf(" data %X", n.Data)
	}
	return s
}

// msgTypeData holds the 1-octet data of RFC 6608 FSM errors, the type of
// the unexpected message, so that building one does not allocate.
var msgTypeData = [5][1]byte{{0}, {byte(wire.MsgOpen)}, {byte(wire.MsgUpdate)}, {3}, {byte(wire.MsgKeepalive)}}
