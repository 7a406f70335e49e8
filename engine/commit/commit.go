package commit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/zebgp/ze/engine/hub"
)

// Handler is an owner's side of a commit. Verify must change nothing;
// Apply brings the owner to r.New from wherever it stands (after a failed
// apply it is given the old configuration with r.Restore set). Both are
// called with a context that ends at the phase's timeout; an owner that
// returns later is too late: the coordinator has moved on.
type Handler interface {
	Verify(ctx context.Context, r *Request) error
	Apply(ctx context.Context, r *Request) error
}

// Funcs makes a Handler of two functions; a nil one accepts.
type Funcs struct {
	VerifyFunc func(ctx context.Context, r *Request) error
	ApplyFunc  func(ctx context.Context, r *Request) error
}

// Verify calls VerifyFunc.
func (f Funcs) Verify(ctx context.Context, r *Request) error {
	if f.VerifyFunc == nil {
		return nil
	}
	return f.VerifyFunc(ctx, r)
}

// Apply calls ApplyFunc.
func (f Funcs) Apply(ctx context.Context, r *Request) error {
	if f.ApplyFunc == nil {
		return nil
	}
	return f.ApplyFunc(ctx, r)
}

// The defaults of Config.
const (
	DefaultVerifyTimeout = 10 * time.Second
	DefaultApplyTimeout  = 30 * time.Second
)

// Config sets up a Coordinator; the zero value is usable.
type Config struct {
	// Hub, when set, receives the phases and results (TopicVerify,
	// TopicApply, TopicResult).
	Hub *hub.Hub
	// VerifyTimeout bounds each owner's Verify (default 10s), ApplyTimeout
	// each owner's Apply (default 30s).
	VerifyTimeout time.Duration
	ApplyTimeout  time.Duration
	// Logger (default slog.Default()).
	Logger *slog.Logger
}

// Coordinator drives commits through the registered owners. Its methods are
// safe for concurrent use; commits run one at a time.
type Coordinator struct {
	cfg Config
	log *slog.Logger
	pub *hub.Publisher

	mu     sync.Mutex
	owners []*owner
	seq    uint64

	run     sync.Mutex // one commit at a time
	applied []*owner   // the owners the last apply reached, for a Restore
}

type owner struct {
	name string
	path string
	p    Path
	h    Handler
	id   uint64
}

// New returns a Coordinator with no owner.
func New(cfg Config) *Coordinator {
	if cfg.VerifyTimeout <= 0 {
		cfg.VerifyTimeout = DefaultVerifyTimeout
	}
	if cfg.ApplyTimeout <= 0 {
		cfg.ApplyTimeout = DefaultApplyTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Coordinator{cfg: cfg, log: cfg.Logger.With("component", "commit")}
	if cfg.Hub != nil {
		c.pub = cfg.Hub.NewPublisher("commit")
	}
	return c
}

// Register makes h the owner called name of the subtree at path (see
// ParsePath: "bgp", "ze-example-counter:", "" for everything). Owners are
// applied in the order they registered. The returned function unregisters
// it; a commit under way still completes with it. A name registered twice,
// or a path that does not parse, panics: both are programming errors.
func (c *Coordinator) Register(name, path string, h Handler) (unregister func()) {
	p, err := ParsePath(path)
	if err != nil {
		panic(err.Error())
	}
	if name == "" || h == nil {
		panic("commit: Register without a name or a handler")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.owners {
		if o.name == name {
			panic(fmt.Sprintf("commit: owner %q registered twice", name))
		}
	}
	c.seq++
	o := &owner{name: name, path: path, p: p, h: h, id: c.seq}
	c.owners = append(c.owners, o)
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.owners = slices.DeleteFunc(c.owners, func(x *owner) bool { return x == o })
	}
}

// Owners returns the names and paths of the owners, in registration order:
// {"bgp", "bgp"}, {"plugin/counter", "ze-example-counter:"}.
func (c *Coordinator) Owners() [][2]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([][2]string, len(c.owners))
	for i, o := range c.owners {
		out[i] = [2]string{o.name, o.path}
	}
	return out
}

// concerned returns a copy of r for each owner concerned by its changes, in
// registration order.
func (c *Coordinator) concerned(r *Request) ([]*owner, []*Request) {
	c.mu.Lock()
	owners := slices.Clone(c.owners)
	c.mu.Unlock()
	var os []*owner
	var rs []*Request
	for _, o := range owners {
		var mine []Change
		for _, ch := range r.Changes {
			if o.p.Concerns(ch) {
				mine = append(mine, ch)
			}
		}
		if len(mine) == 0 {
			continue
		}
		cp := *r
		cp.Changes, cp.owner = mine, o
		os = append(os, o)
		rs = append(rs, &cp)
	}
	return os, rs
}

// Commit verifies r, then applies it: Verify, then Apply.
func (c *Coordinator) Commit(ctx context.Context, r *Request) error {
	if err := c.Verify(ctx, r); err != nil {
		return err
	}
	return c.Apply(ctx, r)
}

// Verify asks every owner concerned whether it accepts r, all at once. The
// first veto in registration order is returned as a *VetoError (a timeout
// is a veto). Nothing is applied.
func (c *Coordinator) Verify(ctx context.Context, r *Request) error {
	c.run.Lock()
	defer c.run.Unlock()
	start := time.Now()
	owners, reqs := c.concerned(r)
	c.publish(TopicVerify, &PhaseEvent{Revision: r.Revision, Restore: r.Restore, Phase: PhaseVerify, Owners: names(owners), Changes: r.Paths()})
	errs := make([]error, len(owners))
	var wg sync.WaitGroup
	for i, o := range owners {
		wg.Go(func() {
			errs[i] = c.call(ctx, PhaseVerify, o, reqs[i], c.cfg.VerifyTimeout)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			verr := &VetoError{Owner: owners[i].name, Err: err}
			c.result(r, PhaseVerify, owners[i].name, err, nil, nil, start)
			c.log.Info("commit vetoed", "revision", r.Revision, "owner", owners[i].name, "reason", err.Error())
			return verr
		}
	}
	return nil
}

// Apply gives r to every owner concerned, one after the other in
// registration order. When one fails (or times out), those that were given
// r, the failing one included, are given the old configuration back, the
// last first, and Apply returns an *ApplyError. A Restore request goes to
// the owners the last successful Apply reached, whatever its changes.
func (c *Coordinator) Apply(ctx context.Context, r *Request) error {
	c.run.Lock()
	defer c.run.Unlock()
	start := time.Now()
	if r.Restore {
		return c.restoreLast(ctx, r, start)
	}
	owners, reqs := c.concerned(r)
	c.applied = nil
	c.publish(TopicApply, &PhaseEvent{Revision: r.Revision, Phase: PhaseApply, Owners: names(owners), Changes: r.Paths()})
	for i, o := range owners {
		if err := c.call(ctx, PhaseApply, o, reqs[i], c.cfg.ApplyTimeout); err != nil {
			back := reverse(r)
			restored, rerr := c.restore(ctx, owners[:i+1], back)
			c.result(r, PhaseApply, o.name, err, restored, rerr, start)
			c.log.Warn("commit apply failed", "revision", r.Revision, "owner", o.name, "error", err.Error(),
				"restored", restored)
			return &ApplyError{Owner: o.name, Err: err, Restored: restored, Restore: rerr}
		}
	}
	c.applied = owners
	c.result(r, PhaseApply, "", nil, nil, nil, start)
	return nil
}

// restoreLast gives r (a Restore) to the owners the last Apply reached.
func (c *Coordinator) restoreLast(ctx context.Context, r *Request, start time.Time) error {
	owners := c.applied
	c.applied = nil
	c.publish(TopicApply, &PhaseEvent{Revision: r.Revision, Restore: true, Phase: PhaseApply, Owners: names(owners), Changes: r.Paths()})
	restored, err := c.restore(ctx, owners, r)
	c.result(r, PhaseApply, "", err, restored, nil, start)
	return err
}

// restore applies r (with Restore set) to owners, the last first; it
// returns those it reached and their errors.
func (c *Coordinator) restore(ctx context.Context, owners []*owner, r *Request) ([]string, error) {
	var errs []error
	var done []string
	for i := len(owners) - 1; i >= 0; i-- {
		o := owners[i]
		cp := *r
		cp.owner = o
		done = append(done, o.name)
		if err := c.call(ctx, PhaseApply, o, &cp, c.cfg.ApplyTimeout); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o.name, err))
			c.log.Error("re-applying the running configuration failed", "owner", o.name, "error", err.Error())
		}
	}
	return done, errors.Join(errs...)
}

// reverse returns the request that undoes r.
func reverse(r *Request) *Request {
	back := *r
	back.Old, back.New, back.Restore = r.New, r.Old, true
	back.owner = nil
	return &back
}

// call runs one phase of one owner within d; a panic is an error, a late
// answer a timeout.
func (c *Coordinator) call(ctx context.Context, phase Phase, o *owner, r *Request, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				c.log.Error("commit owner panicked", "owner", o.name, "phase", phase.String(), "panic", p)
				done <- fmt.Errorf("%s panicked: %v", phase, p)
			}
		}()
		if phase == PhaseVerify {
			done <- o.h.Verify(ctx, r)
		} else {
			done <- o.h.Apply(ctx, r)
		}
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &TimeoutError{Phase: phase, Timeout: d}
		}
		return ctx.Err()
	}
}

func names(owners []*owner) []string {
	out := make([]string, len(owners))
	for i, o := range owners {
		out[i] = o.name
	}
	return out
}
