package commit

import (
	"fmt"
	"time"
)

// VetoError is a commit an owner refused at verify: nothing was applied.
type VetoError struct {
	Owner string // the owner's name
	Err   error  // its reason
}

func (e *VetoError) Error() string {
	return fmt.Sprintf("commit refused by %s: %v", e.Owner, e.Err)
}

// Unwrap returns the owner's reason.
func (e *VetoError) Unwrap() error { return e.Err }

// ApplyError is a commit an owner failed to apply. The owners given the
// new configuration, the failing one included, were given the old one
// back.
type ApplyError struct {
	Owner    string   // the owner that failed
	Err      error    // its error
	Restored []string // the owners given the old configuration, in that order
	Restore  error    // errors of giving it back, or nil
}

func (e *ApplyError) Error() string {
	msg := fmt.Sprintf("%s could not apply the commit: %v", e.Owner, e.Err)
	if e.Restore != nil {
		msg += fmt.Sprintf("; re-applying the old configuration failed: %v", e.Restore)
	}
	return msg
}

// Unwrap returns the owner's error.
func (e *ApplyError) Unwrap() error { return e.Err }

// TimeoutError is an owner that did not answer a phase in time.
type TimeoutError struct {
	Phase   Phase
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no answer to %s within %s", e.Phase, e.Timeout)
}
