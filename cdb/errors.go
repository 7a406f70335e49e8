package cdb

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zebgp/ze/cdb/config"
)

// ErrClosed is returned by a database or session that was closed.
var ErrClosed = errors.New("cdb: closed")

// StaleError refuses the commit of a candidate with changes that was made
// from an older running configuration: Rebase brings it up to date.
type StaleError struct {
	Base    uint64 // the revision the candidate was made from
	Running uint64 // the revision running now
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("cdb: running changed since this candidate was made (revision %d, now %d); use rebase", e.Base, e.Running)
}

// LockedError refuses an edit or a commit while another session holds the
// exclusive lock (configure exclusive).
type LockedError struct {
	Session string    // the session that holds the lock
	User    string    // its user
	Since   time.Time // when it took the lock
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("cdb: configuration locked by %s (session %s, exclusive since %s)",
		e.User, e.Session, e.Since.UTC().Format(time.DateTime))
}

// ValidationError is a candidate that is not valid: every problem found.
type ValidationError struct {
	Errors config.ErrorList
}

// Error returns the problems one per line. A candidate made by edits has
// no text of its own, so a problem is shown with its place only when it
// comes from a named file (ze config import FILE).
func (e *ValidationError) Error() string {
	lines := e.Lines()
	if len(lines) == 1 {
		return "cdb: " + lines[0]
	}
	return fmt.Sprintf("cdb: %d errors:\n%s", len(lines), strings.Join(lines, "\n"))
}

// Lines returns the problems, one line each.
func (e *ValidationError) Lines() []string {
	out := make([]string, len(e.Errors))
	for i, x := range e.Errors {
		if x.File != "" {
			out[i] = x.Error()
		} else {
			out[i] = x.Message
		}
	}
	return out
}

// Unwrap returns the config.ErrorList.
func (e *ValidationError) Unwrap() error { return e.Errors }

// VetoError is a commit that an Applier refused at verify: nothing was
// applied and running did not change.
type VetoError struct {
	Applier string // the name it was registered with
	Err     error  // its reason
}

func (e *VetoError) Error() string {
	return fmt.Sprintf("cdb: commit refused by %s: %v", e.Applier, e.Err)
}

// Unwrap returns the applier's error.
func (e *VetoError) Unwrap() error { return e.Err }

// ApplyError is a commit that an Applier failed to apply. Running did not
// change; the appliers that had been given the new configuration were
// given the old one again (Restore says how that went).
type ApplyError struct {
	Applier string // the name of the applier that failed
	Err     error  // its error
	Restore error  // errors of re-applying the old configuration, or nil
	Running uint64 // the revision still running
}

func (e *ApplyError) Error() string {
	msg := fmt.Sprintf("cdb: commit failed: %s could not apply it: %v; running configuration unchanged (revision %d)", e.Applier, e.Err, e.Running)
	if e.Restore != nil {
		msg += fmt.Sprintf("; re-applying it failed too: %v", e.Restore)
	}
	return msg
}

// Unwrap returns the applier's error.
func (e *ApplyError) Unwrap() error { return e.Err }
