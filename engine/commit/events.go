package commit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zebgp/ze/engine/hub"
)

// The hub topics of commits.
const (
	TopicVerify = "commit/verify" // a *PhaseEvent when verify starts
	TopicApply  = "commit/apply"  // a *PhaseEvent when apply (or a restore) starts
	TopicResult = "commit/result" // a *ResultEvent when a phase ends in failure or the apply succeeds
)

// Phase is verify or apply.
type Phase uint8

// The phases.
const (
	PhaseVerify Phase = iota + 1
	PhaseApply
)

// String returns "verify" or "apply".
func (p Phase) String() string {
	switch p {
	case PhaseVerify:
		return "verify"
	case PhaseApply:
		return "apply"
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

// MarshalText makes a Phase a JSON string.
func (p Phase) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// PhaseEvent is published when a phase starts.
type PhaseEvent struct {
	Revision uint64   `json:"revision"`
	Restore  bool     `json:"restore,omitempty"`
	Phase    Phase    `json:"phase"`
	Owners   []string `json:"owners"`  // the owners concerned, in order
	Changes  []string `json:"changes"` // "module:path"
}

// ResultEvent is published when a commit is refused, fails or is applied.
type ResultEvent struct {
	Revision uint64   `json:"revision"`
	Restore  bool     `json:"restore,omitempty"`
	Phase    Phase    `json:"phase"`           // where it ended
	OK       bool     `json:"ok"`              // applied (or restored) by every owner
	Owner    string   `json:"owner,omitempty"` // who refused or failed
	Error    string   `json:"error,omitempty"` // its message
	Restored []string `json:"restored,omitempty"`
	// RestoreError is the failure of giving the old configuration back.
	RestoreError string `json:"restore-error,omitempty"`
	TookNS       int64  `json:"took-ns"`
}

// publish sends an event on the hub, if any; a watcher that holds the
// topic up for a second costs the event, logged, never the commit.
func (c *Coordinator) publish(topic string, v any) {
	if c.pub == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.pub.Publish(ctx, topic, v); err != nil && !errors.Is(err, hub.ErrHubClosed) {
		c.log.Warn("publishing a commit event", "topic", topic, "error", err)
	}
}

func (c *Coordinator) result(r *Request, phase Phase, owner string, err error, restored []string, rerr error, start time.Time) {
	ev := &ResultEvent{Revision: r.Revision, Restore: r.Restore, Phase: phase, OK: err == nil, Owner: owner,
		Restored: restored, TookNS: time.Since(start).Nanoseconds()}
	if err != nil {
		ev.Error = err.Error()
	}
	if rerr != nil {
		ev.RestoreError = rerr.Error()
	}
	c.publish(TopicResult, ev)
}
