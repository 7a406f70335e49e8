package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// plug is one configured plugin and its supervisor's state. Each run of the
// plugin is a session.
type plug struct {
	h    *Host
	spec Spec
	key  string

	mu       sync.Mutex
	name     string // the declared name once registered, else the configured one
	state    State
	reason   string
	since    time.Time
	pid      int
	restarts int
	reg      *Registration
	caps     json.RawMessage
	sess     *session // the ready session, which RPCs and events go to
	recent   []time.Time
	config   json.RawMessage // the subtree of the last commit applied, for later starts
	rev      uint64          // its revision
	applyMu  sync.Mutex      // orders config-apply calls and the configure stage's reading of config
	unowner  func()          // unregisters the plugin's commit owner

	stopOnce   sync.Once
	stop       chan struct{} // closed to stop the plugin
	stopReason string
	firstOnce  sync.Once
	first      chan struct{} // closed when the first run is ready or over
	firstErr   error         // why the first run is over; nil when it became ready
	done       chan struct{} // closed when the supervisor returns
}

func newPlug(h *Host, sp Spec) *plug {
	name := sp.Name
	if name == "" {
		name = sp.Run
	}
	return &plug{h: h, spec: sp, key: sp.key(), name: name,
		stop: make(chan struct{}), first: make(chan struct{}), done: make(chan struct{})}
}

func (p *plug) displayName() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.name
}

func (p *plug) logger() *slog.Logger { return p.h.log.With("plugin", p.displayName()) }

func (p *plug) requestStop(reason string) {
	p.stopOnce.Do(func() {
		p.mu.Lock()
		p.stopReason = reason
		p.mu.Unlock()
		close(p.stop)
	})
}

func (p *plug) stopping() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// settleFirst marks the first run ready (err nil) or over.
func (p *plug) settleFirst(err error) {
	p.firstOnce.Do(func() {
		p.firstErr = err
		close(p.first)
	})
}

// fatalError marks an error that ends the plugin rather than restarting it:
// restarting would not help (a refused registration or config, no such
// built-in plugin).
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func fatalf(format string, args ...any) error {
	return &fatalError{fmt.Errorf(format, args...)}
}

// errStopped ends a run because the plugin is being stopped.
var errStopped = errors.New("host: stopping")

// errAborted ends a barrier wait because the plugin's run ended.
var errAborted = errors.New("host: run ended")

// supervise runs the plugin until it is stopped or given up on: each run is
// a session; after a crash it waits the backoff and starts again.
func (p *plug) supervise(st *seat) {
	defer close(p.done)
	defer p.settleFirst(errStopped)
	defer p.h.releaseRoutes(p)
	defer p.disown()
	for {
		p.setState(StateStarting, "", 0)
		err := newSession(p).run(st)
		st = nil // a restart goes through the stages alone
		if p.stopping() {
			p.mu.Lock()
			reason := p.stopReason
			p.mu.Unlock()
			p.setState(StateStopped, reason, 0)
			return
		}
		if fe := (*fatalError)(nil); errors.As(err, &fe) {
			p.setState(StateFailed, err.Error(), 0)
			p.settleFirst(fmt.Errorf("failed: %w", err))
			return
		}
		p.setState(StateCrashed, err.Error(), 0)
		p.settleFirst(fmt.Errorf("crashed: %w", err))
		d, ok := p.nextRestart(err)
		if !ok {
			return
		}
		select {
		case <-p.h.clock.After(d):
		case <-p.stop:
			p.mu.Lock()
			reason := p.stopReason
			p.mu.Unlock()
			p.setState(StateStopped, reason, 0)
			return
		}
		p.mu.Lock()
		p.restarts++
		p.mu.Unlock()
	}
}

// nextRestart applies the restart policy after a crash: it returns the
// backoff and reports restarting, or reports failed and returns false.
func (p *plug) nextRestart(err error) (time.Duration, bool) {
	pol := p.spec.Restart
	if pol.MaxRestarts < 0 {
		p.setState(StateFailed, "not restarted (restarts disabled): "+err.Error(), 0)
		return 0, false
	}
	now := p.h.clock.Now()
	p.mu.Lock()
	p.recent = slices.DeleteFunc(p.recent, func(t time.Time) bool { return now.Sub(t) >= pol.Window })
	n := len(p.recent)
	if n >= pol.MaxRestarts {
		p.mu.Unlock()
		p.setState(StateFailed, fmt.Sprintf("gave up after %d restarts within %s: %s", n, pol.Window, err), 0)
		return 0, false
	}
	p.recent = append(p.recent, now)
	p.mu.Unlock()
	d := pol.Backoff(n)
	p.setState(StateRestarting, fmt.Sprintf("in %s", d), 0)
	return d, true
}

// setState records a change of state and publishes it on plugin/state/NAME.
// pid, when not 0, is the plugin's new process id.
func (p *plug) setState(s State, reason string, pid int) {
	p.mu.Lock()
	p.state, p.reason, p.since = s, reason, time.Now()
	switch {
	case pid != 0:
		p.pid = pid
	case s == StateStarting || s.final() || s == StateCrashed || s == StateRestarting:
		p.pid = 0
	}
	ev := &StateEvent{Name: p.name, Mode: p.spec.Mode.String(), State: s, Reason: reason,
		PID: p.pid, Restarts: p.restarts, Time: p.since}
	p.mu.Unlock()
	p.h.notify()
	level := slog.LevelInfo
	if s == StateCrashed || s == StateFailed {
		level = slog.LevelWarn
	}
	p.h.log.Log(context.Background(), level, "plugin "+s.String(), "plugin", ev.Name, "mode", ev.Mode,
		"reason", reason, "pid", ev.PID, "restarts", ev.Restarts)
	p.h.publishHost(context.Background(), TopicState+"/"+topicSegment(ev.Name), ev)
}

// setPID records the plugin's process id, shown in its status and events.
func (p *plug) setPID(pid int) {
	p.mu.Lock()
	p.pid = pid
	p.mu.Unlock()
}

func (p *plug) status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := Status{Name: p.name, Mode: p.spec.Mode.String(), State: p.state, Reason: p.reason,
		PID: p.pid, Restarts: p.restarts, Since: p.since, Capabilities: p.caps,
		RPCs: []string{}, Topics: []string{}}
	if p.reg != nil {
		st.Version, st.Module = p.reg.Version, p.reg.Module
		st.RPCs = append(st.RPCs, p.reg.RPCs...)
		st.Topics = append(st.Topics, p.reg.Topics...)
	}
	return st
}

func (p *plug) entry() (RegistryEntry, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reg == nil {
		return RegistryEntry{}, false
	}
	return RegistryEntry{Name: p.reg.Name, Version: p.reg.Version, Mode: p.spec.Mode.String(),
		Module: p.reg.Module, State: p.state,
		RPCs: append([]string{}, p.reg.RPCs...), Topics: append([]string{}, p.reg.Topics...)}, true
}

// ready returns the session RPCs and events go to, or nil with the state.
func (p *plug) ready() (*session, State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sess, p.state
}

// topicSegment makes a plugin name usable as a topic segment (a path
// plugin's name is its program until it registers).
func topicSegment(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c <= ' ' || c > '~' || c == '/' {
			b[i] = '_'
		}
	}
	for len(b) > 0 && b[0] == '_' {
		b = b[1:]
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}
