package host

import (
	"encoding/json"
	"fmt"
	"time"
)

// State is where a plugin is in its life, as published on plugin/state.
type State uint8

// The states of a plugin. A run goes starting → registered → ready; a crash
// gives crashed, then restarting (waiting out the backoff) and starting again,
// or failed when the host gives up. stopped is the end of a plugin the host
// was asked to stop.
const (
	StateStarting State = iota + 1
	StateRegistered
	StateReady
	StateCrashed
	StateRestarting
	StateFailed
	StateStopped
)

var stateNames = [...]string{"none", "starting", "registered", "ready", "crashed", "restarting", "failed", "stopped"}

// String returns the state's name ("ready").
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// MarshalText makes a State a JSON string.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state name.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if i > 0 && n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("host: unknown plugin state %q", b)
}

// final reports whether the supervisor is done with the plugin.
func (s State) final() bool { return s == StateFailed || s == StateStopped }

// TopicState is the prefix of the topics of plugin state events: the event
// of plugin NAME is published on plugin/state/NAME.
const TopicState = "plugin/state"

// TopicRefused is the topic of a RefusedEvent: a connection to the plugin
// listener that was turned away.
const TopicRefused = "plugin/refused"

// StateEvent is published on plugin/state/NAME at every change of state.
type StateEvent struct {
	Name     string    `json:"name"`
	Mode     string    `json:"mode"`
	State    State     `json:"state"`
	Reason   string    `json:"reason,omitempty"`
	PID      int       `json:"pid,omitempty"`
	Restarts int       `json:"restarts"`
	Time     time.Time `json:"time"`
}

// RefusedEvent is published on plugin/refused for a connection the listener
// refused: a TLS handshake that failed, no or a wrong token, a token already
// used, a declared name that is not the expected one.
type RefusedEvent struct {
	Remote string `json:"remote"`
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason"`
}

// Status describes one plugin.
type Status struct {
	Name         string          `json:"name"`
	Mode         string          `json:"mode"`
	State        State           `json:"state"`
	Reason       string          `json:"reason,omitempty"`
	PID          int             `json:"pid,omitempty"`
	Restarts     int             `json:"restarts"`
	Since        time.Time       `json:"since"`
	Version      string          `json:"version,omitempty"`
	Module       string          `json:"module,omitempty"`
	RPCs         []string        `json:"rpcs"`
	Topics       []string        `json:"topics"`
	Capabilities json.RawMessage `json:"capabilities,omitempty"`
}
