package cdb

import (
	"fmt"
	"time"
)

// Origin says what made a revision.
type Origin uint8

// The origins of a revision.
const (
	OriginCLI              Origin = iota + 1 // a commit from the shell or the ze config commands
	OriginRPC                                // a commit through the NETCONF-like RPC
	OriginRollback                           // a commit of a candidate loaded by rollback
	OriginConfirmedTimeout                   // the restore after an unconfirmed commit confirmed
	OriginFactory                            // the factory default, when the database was made
)

var originNames = [...]string{"invalid", "cli", "rpc", "rollback", "confirmed-timeout", "factory-default"}

// String returns "cli", "rpc", "rollback", "confirmed-timeout" or
// "factory-default".
func (o Origin) String() string {
	if int(o) < len(originNames) {
		return originNames[o]
	}
	return "invalid"
}

// MarshalText returns the name of the origin.
func (o Origin) MarshalText() ([]byte, error) {
	if o == 0 || int(o) >= len(originNames) {
		return nil, fmt.Errorf("cdb: invalid origin %d", uint8(o))
	}
	return []byte(o.String()), nil
}

// UnmarshalText reads the name of an origin.
func (o *Origin) UnmarshalText(b []byte) error {
	for i, n := range originNames[1:] {
		if n == string(b) {
			*o = Origin(i + 1)
			return nil
		}
	}
	return fmt.Errorf("cdb: unknown origin %q", b)
}

// Mode is how a session edits: its own candidate, or the shared one.
type Mode uint8

// The session modes.
const (
	Private   Mode = iota // a candidate of the session's own (the default)
	Shared                // the shared candidate, with the other shared sessions
	Exclusive             // the shared candidate, locked: no one else edits it or commits
)

var modeNames = [...]string{"private", "shared", "exclusive"}

// String returns "private", "shared" or "exclusive".
func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "invalid"
}

// LoadMode says how Load combines a text with the candidate.
type LoadMode uint8

// The load modes.
const (
	LoadMerge    LoadMode = iota + 1 // add the text's nodes to the candidate, replacing values
	LoadOverride                     // the text replaces the candidate
	LoadSet                          // the text is set-form commands applied to the candidate
)

var loadNames = [...]string{"invalid", "merge", "override", "set"}

// String returns "merge", "override" or "set".
func (m LoadMode) String() string {
	if int(m) < len(loadNames) {
		return loadNames[m]
	}
	return "invalid"
}

// Revision describes one committed configuration in the history.
type Revision struct {
	Seq     uint64    `json:"seq"`               // 1 for the factory default, then one more per commit
	Time    time.Time `json:"time"`              // when it was committed
	User    string    `json:"user"`              // who committed it
	Comment string    `json:"comment,omitempty"` // commit comment "…"
	Origin  Origin    `json:"origin"`
	// ConfirmBy is the deadline of a commit confirmed (zero for any other
	// commit): without a confirming commit by then, the configuration
	// before it is restored.
	ConfirmBy time.Time `json:"confirm-by,omitzero"`
}

// Pending is a commit confirmed that waits for its confirmation.
type Pending struct {
	Seq      uint64    `json:"seq"`      // the revision to confirm
	Deadline time.Time `json:"deadline"` // when the configuration is restored
	Restore  uint64    `json:"restore"`  // the revision whose configuration is restored
	User     string    `json:"user"`     // who made the commit confirmed
}
