package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// Config sets up a Host. Hub is required; the rest has defaults.
type Config struct {
	// Hub carries the plugins' subscriptions and publications and the
	// host's plugin/state and plugin/refused events. Give "plugin" a
	// DropOldest policy so that a slow reader of those events never holds
	// up supervision.
	Hub *hub.Hub
	// Secrets keeps the TLS material (default: a MemStore, so a new CA at
	// every start).
	Secrets SecretStore
	// Listen is the TLS listener's address (default "127.0.0.1:0": a port
	// chosen at run time on the loopback).
	Listen string
	// Self is the ze binary forked plugins run (default os.Executable()),
	// with the arguments SelfArgs returns (default: plugin run NAME).
	Self     string
	SelfArgs func(name string) []string
	// Configure returns a plugin's config subtree (RFC 7951 JSON) for stage
	// 2, knowing what it declared; nil uses Spec.Config.
	Configure func(ctx context.Context, spec Spec, reg *Registration) (json.RawMessage, error)
	// Commit, when set, makes every plugin that declares a YANG module the
	// owner "plugin/NAME" of the module's subtree ("MODULE:") in the
	// commit coordinator: commits that change it are sent to the plugin as
	// config-verify and config-apply. The host itself becomes the owner
	// "plugin-host" of the plugins' declarations ("ze-plugin:"): a commit
	// that adds, removes or changes a plugin starts, stops or restarts it
	// (see Configure).
	Commit *commit.Coordinator
	// Engine serves the methods that no plugin declared, when a plugin or
	// Host.Call asks for one; nil answers "no plugin serves METHOD".
	Engine rpc.Handler
	// Modules are the modules of the configuration schema beyond the core
	// and ShippedYANG (what the daemon loaded from cdb.ReadModules): a
	// plugin that declares one of them, with the same text, does not call
	// OnModules.
	Modules map[string]string
	// OnModules, when set, is called at a plugin's registration (stage 1)
	// when it declares a module the schema does not have (not shipped, not
	// in Modules, not accepted before, or with another text), with every
	// module the schema must have beyond the core and ShippedYANG:
	// Modules, those accepted since and the new one. The daemon loads the
	// schema with them (LoadSchema) and installs it (cdb's SetSchema, the
	// shell's). An error refuses the registration: the plugin fails with
	// it (plugin/state). Calls are one at a time. See schema.go.
	OnModules func(ctx context.Context, modules map[string]string) error
	// Complete, when set, completes a plugin's config subtree with the
	// defaults of its module before stage 2 (configure): module is the
	// plugin's module, config its members in RFC 7951 JSON, and the result
	// the members of module completed (cdb's DB.CompleteJSON). An error is
	// logged and the subtree sent as it is.
	Complete func(ctx context.Context, module string, config json.RawMessage) (json.RawMessage, error)
	// StopTimeout is each wait of a graceful stop: after the shutdown call,
	// after SIGTERM (default 5s).
	StopTimeout time.Duration
	// EventBatch is the most hub messages sent in one event call (default
	// 512).
	EventBatch int
	// Logger (default slog.Default()).
	Logger *slog.Logger
	// Clock times the restart backoff (default the real clock).
	Clock Clock
}

// Host runs plugins. Its methods are safe for concurrent use.
type Host struct {
	cfg   Config
	self  bool // cfg.Self is this very binary: its built-in plugins are the child's
	log   *slog.Logger
	hub   *hub.Hub
	pub   *hub.Publisher
	clock Clock
	mat   *Material
	ln    *listener

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc

	mu      sync.RWMutex
	plugs   map[string]*plug // by Spec.key()
	order   []*plug
	routes  map[string]*plug // method → the plugin that declared it
	closed  bool
	changed chan struct{} // closed and replaced at every change of state

	refused atomic.Uint64
	wg      sync.WaitGroup // supervisors

	smods schemaMods // the modules the schema has (schema.go)

	cmu     sync.Mutex // Configure, one at a time
	doc     map[string]json.RawMessage
	unowner func() // unregisters plugin-host from cfg.Commit
}

// New loads or generates the TLS material, starts the listener and returns a
// Host with no plugin.
func New(cfg Config) (*Host, error) {
	if cfg.Hub == nil {
		return nil, errors.New("host: no hub")
	}
	if cfg.Secrets == nil {
		cfg.Secrets = &MemStore{}
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	selfDefault := cfg.Self == ""
	if selfDefault {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("host: finding the ze binary: %w", err)
		}
		cfg.Self = self
	}
	if cfg.SelfArgs == nil {
		cfg.SelfArgs = func(name string) []string { return []string{"plugin", "run", name} }
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 5 * time.Second
	}
	if cfg.EventBatch <= 0 {
		cfg.EventBatch = 512
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	mat, err := LoadMaterial(cfg.Secrets, time.Now())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Host{
		cfg:     cfg,
		self:    selfDefault,
		log:     cfg.Logger.With("component", "plugin-host"),
		hub:     cfg.Hub,
		pub:     cfg.Hub.NewPublisher("plugin-host"),
		clock:   cfg.Clock,
		mat:     mat,
		ctx:     ctx,
		cancel:  cancel,
		plugs:   make(map[string]*plug),
		routes:  make(map[string]*plug),
		changed: make(chan struct{}),
	}
	h.smods.known = maps.Clone(cfg.Modules)
	h.ln, err = newListener(h, cfg.Listen, mat.ServerConfig())
	if err != nil {
		cancel()
		return nil, err
	}
	if cfg.Commit != nil {
		h.unowner = cfg.Commit.Register(OwnerHost, "ze-plugin:", hostOwner{h})
	}
	return h, nil
}

// Addr returns the address of the TLS listener.
func (h *Host) Addr() string { return h.ln.addr() }

// CAPEM returns the PEM of the CA plugins must trust.
func (h *Host) CAPEM() []byte { return h.mat.CAPEM }

// Refused returns how many connections the listener refused.
func (h *Host) Refused() uint64 { return h.refused.Load() }

// Start starts plugins together: they go through each stage as a group, none
// starting stage N+1 before all have finished stage N (a plugin that fails on
// the way drops out and the others go on). Start returns when each has either
// reached ready or failed its first run; those that failed are restarted
// under their RestartPolicy, and the error names them. Names must be new.
func (h *Host) Start(ctx context.Context, specs ...Spec) error {
	plugs := make([]*plug, 0, len(specs))
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return errors.New("host: closed")
	}
	seen := map[string]bool{}
	for _, sp := range specs {
		if err := sp.check(); err != nil {
			h.mu.Unlock()
			return err
		}
		k := sp.key()
		if h.plugs[k] != nil || seen[k] {
			h.mu.Unlock()
			return fmt.Errorf("host: plugin %s is already running", k)
		}
		seen[k] = true
		plugs = append(plugs, newPlug(h, sp.withDefaults()))
	}
	for _, p := range plugs {
		h.plugs[p.key] = p
		h.order = append(h.order, p)
	}
	h.mu.Unlock()

	bar := newBarrier(len(plugs))
	for _, p := range plugs {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			p.supervise(bar.seat())
		}()
	}
	var errs []error
	for _, p := range plugs {
		select {
		case <-p.first:
		case <-ctx.Done():
			return ctx.Err()
		}
		if p.firstErr != nil {
			errs = append(errs, fmt.Errorf("plugin %s: %w", p.displayName(), p.firstErr))
		}
	}
	return errors.Join(errs...)
}

// Stop stops one plugin gracefully (shutdown call, SIGTERM, SIGKILL) and
// forgets it; its RPCs are no longer routed.
func (h *Host) Stop(ctx context.Context, name string) error {
	p := h.lookup(name)
	if p == nil {
		return fmt.Errorf("host: no plugin %s", name)
	}
	p.requestStop("stopped by request")
	select {
	case <-p.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	h.mu.Lock()
	if h.plugs[p.key] == p {
		delete(h.plugs, p.key)
		h.order = slices.DeleteFunc(h.order, func(q *plug) bool { return q == p })
	}
	h.mu.Unlock()
	return nil
}

// Close stops every plugin gracefully, at once, then the listener.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	plugs := slices.Clone(h.order)
	h.mu.Unlock()
	for _, p := range plugs {
		p.requestStop("engine shutting down")
	}
	h.wg.Wait()
	h.cancel()
	h.ln.close()
	if h.unowner != nil {
		h.unowner()
	}
	return nil
}

// Status returns the status of the plugin named name.
func (h *Host) Status(name string) (Status, bool) {
	p := h.lookup(name)
	if p == nil {
		return Status{}, false
	}
	return p.status(), true
}

// Statuses returns the status of every plugin, in start order.
func (h *Host) Statuses() []Status {
	h.mu.RLock()
	plugs := slices.Clone(h.order)
	h.mu.RUnlock()
	out := make([]Status, 0, len(plugs))
	for _, p := range plugs {
		out = append(out, p.status())
	}
	return out
}

// Wait waits until the plugin named name satisfies cond, and returns its
// status then.
func (h *Host) Wait(ctx context.Context, name string, cond func(Status) bool) (Status, error) {
	for {
		h.mu.RLock()
		ch := h.changed
		h.mu.RUnlock()
		p := h.lookup(name)
		if p != nil {
			if st := p.status(); cond(st) {
				return st, nil
			}
		}
		select {
		case <-ch:
		case <-ctx.Done():
			if p == nil {
				return Status{}, fmt.Errorf("host: no plugin %s: %w", name, ctx.Err())
			}
			st := p.status()
			return st, fmt.Errorf("host: plugin %s is %s: %w", name, st.State, ctx.Err())
		}
	}
}

// Registry returns every plugin that registered, with its RPCs and topics.
func (h *Host) Registry() []RegistryEntry {
	h.mu.RLock()
	plugs := slices.Clone(h.order)
	h.mu.RUnlock()
	out := make([]RegistryEntry, 0, len(plugs))
	for _, p := range plugs {
		if e, ok := p.entry(); ok {
			out = append(out, e)
		}
	}
	return out
}

// Modules returns the YANG module text of every registered plugin, by
// module name.
func (h *Host) Modules() map[string]string {
	h.mu.RLock()
	plugs := slices.Clone(h.order)
	h.mu.RUnlock()
	out := map[string]string{}
	for _, p := range plugs {
		p.mu.Lock()
		if p.reg != nil && p.reg.Module != "" {
			out[p.reg.Module] = p.reg.YANG
		}
		p.mu.Unlock()
	}
	return out
}

// lookup finds a plugin by name (declared or configured) or key.
func (h *Host) lookup(name string) *plug {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if p := h.plugs[name]; p != nil {
		return p
	}
	for _, p := range h.order {
		if p.displayName() == name {
			return p
		}
	}
	return nil
}

// notify wakes Wait callers.
func (h *Host) notify() {
	h.mu.Lock()
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
}

// publishHost publishes one of the host's own events; a subscriber that
// holds the topic up for more than a few seconds costs the event, logged.
func (h *Host) publishHost(ctx context.Context, topic string, v any) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := h.pub.Publish(ctx, topic, v); err != nil && !errors.Is(err, hub.ErrHubClosed) {
		h.log.Warn("publishing a plugin event", "topic", topic, "error", err)
	}
}
