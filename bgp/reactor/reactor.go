package reactor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/engine/hub"
)

// Options are what a Reactor needs besides its Config.
type Options struct {
	// Hub receives the events (events.go); nil publishes nothing.
	Hub *hub.Hub
	// Logger gets the reactor's logs, with component=bgp-reactor; nil is
	// slog.Default().
	Logger *slog.Logger
	// Session is the template of every session's options (its Logger is
	// replaced by one naming the peer).
	Session SessionOptions
	// Tune, when set, adjusts every session's config before it starts
	// (tests shorten the idle hold; nothing else should need it).
	Tune func(*SessionConfig)
	// PrefixLimitRestart is how long a peer stays down after it sent more
	// routes than its prefix-limit (Cease 6/1); 0 is one minute.
	PrefixLimitRestart time.Duration
	// StopTimeout bounds the Cease and flush of one peer when it is
	// removed, shut down or reset by Apply; 0 is 5 s.
	StopTimeout time.Duration
	// ListenRetry is how often a listen address that could not be bound
	// (its port taken) is tried again; 0 is 30 s.
	ListenRetry time.Duration
}

// session is what the reactor uses of a Session; tests put fakes behind it.
type session interface {
	Start() error
	Stop(ctx context.Context, code, subcode uint8, message string) error
	Reset(message string)
	Send(msg []byte) error
	SendWait(ctx context.Context, msg []byte) error
	State() fsm.State
	Negotiated() (Negotiated, bool)
	Stats() SessionStats
}

var _ session = (*Session)(nil)

// listener is what the reactor uses of a Listener.
type listener interface {
	Addr() netip.AddrPort
	SetMD5(peer netip.Addr, key string) error
	Close() error
}

// Reactor runs the configured peers: one Session per peer, the listeners,
// the routes each peer is sent, the events and the counters.
type Reactor struct {
	opts Options
	log  *slog.Logger
	pub  *hub.Publisher

	// newSession makes a session; tests replace it.
	newSession func(cfg SessionConfig, h Handler, opts SessionOptions) session
	// listen opens a listener; tests replace it.
	listen func(addr netip.AddrPort, lookup func(netip.Addr) *Session, opts ListenOptions) (listener, error)

	applyMu sync.Mutex // one Apply, Start or Stop at a time

	mu        sync.RWMutex
	cfg       Config
	peers     map[string]*peer // by name
	byAddr    map[netip.Addr]*peer
	order     []string // peer names in config order
	listeners map[netip.AddrPort]listener
	// listenErr holds the listen addresses that could not be bound, and
	// why; retry tries them again.
	listenErr map[netip.AddrPort]error
	retry     *time.Timer
	started   bool
	stopped   bool
	ctx       context.Context // the run context: publishing and route sending
	cancel    context.CancelFunc

	topics topicCache
}

// New returns a reactor that runs nothing until Start and Apply.
func New(opts Options) *Reactor {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if opts.PrefixLimitRestart == 0 {
		opts.PrefixLimitRestart = time.Minute
	}
	if opts.StopTimeout == 0 {
		opts.StopTimeout = 5 * time.Second
	}
	if opts.ListenRetry <= 0 {
		opts.ListenRetry = 30 * time.Second
	}
	r := &Reactor{
		opts:      opts,
		log:       log.With("component", "bgp-reactor"),
		peers:     map[string]*peer{},
		byAddr:    map[netip.Addr]*peer{},
		listeners: map[netip.AddrPort]listener{},
		listenErr: map[netip.AddrPort]error{},
		ctx:       context.Background(),
	}
	r.newSession = func(cfg SessionConfig, h Handler, o SessionOptions) session { return NewSession(cfg, h, o) }
	r.listen = func(ap netip.AddrPort, lookup func(netip.Addr) *Session, o ListenOptions) (listener, error) {
		return Listen(ap, lookup, o)
	}
	if opts.Hub != nil {
		r.pub = opts.Hub.NewPublisher("bgp-reactor")
		r.topics.hub = opts.Hub
	}
	return r
}

// Start brings up what the last Apply configured (listeners and sessions)
// and what later ones will. ctx bounds the reactor's life: when it ends,
// publishing stops waiting; call Stop to close the sessions.
func (r *Reactor) Start(ctx context.Context) error {
	r.applyMu.Lock()
	defer r.applyMu.Unlock()
	r.mu.Lock()
	if r.started {
		r.mu.Unlock()
		return errors.New("reactor: already started")
	}
	if r.stopped {
		r.mu.Unlock()
		return errors.New("reactor: stopped")
	}
	r.started = true
	r.ctx, r.cancel = context.WithCancel(ctx)
	cfg := r.cfg
	r.mu.Unlock()
	return r.apply(cfg)
}

// Stop sends every peer a Cease / Administrative Shutdown with message,
// waits (until ctx ends) for the NOTIFICATIONs to be written, and closes
// the sessions and the listeners. The reactor cannot be started again.
func (r *Reactor) Stop(ctx context.Context, message string) error {
	r.applyMu.Lock()
	defer r.applyMu.Unlock()
	r.mu.Lock()
	r.stopped = true
	peers := r.peerList()
	lns := r.listeners
	r.listeners = map[netip.AddrPort]listener{}
	clear(r.listenErr)
	if r.retry != nil {
		r.retry.Stop()
	}
	r.mu.Unlock()
	var errs []error
	for _, ln := range lns {
		if err := ln.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	var wg sync.WaitGroup
	var emu sync.Mutex
	for _, p := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.stopSession(ctx, uint8(wire.NotifyCease), wire.CeaseAdminShutdown, message); err != nil {
				emu.Lock()
				errs = append(errs, fmt.Errorf("reactor: stopping %s: %w", p.name(), err))
				emu.Unlock()
			}
		}()
	}
	wg.Wait()
	if r.cancel != nil {
		r.cancel()
	}
	return errors.Join(errs...)
}

// Verify reports whether cfg can be applied, with what refuses it: the
// global settings, every peer's session settings (as the FSM checks them),
// unique names and addresses, static routes of negotiated families, and
// listen addresses that are the system's (a port taken for now is not a
// reason: Apply tries it again until it binds).
func (r *Reactor) Verify(cfg Config) error {
	var errs []error
	if len(cfg.Peers) > 0 && !cfg.RouterID.IsValid() {
		errs = append(errs, errors.New("reactor: no router-id: set bgp router-id"))
	} else if len(cfg.Peers) > 0 && (!cfg.RouterID.Is4() || cfg.RouterID.IsUnspecified()) {
		errs = append(errs, fmt.Errorf("reactor: router-id %v: want a non-zero IPv4 address", cfg.RouterID))
	}
	names := map[string]bool{}
	addrs := map[netip.Addr]string{}
	for i := range cfg.Peers {
		p := &cfg.Peers[i]
		if p.Name == "" {
			errs = append(errs, fmt.Errorf("reactor: peer %s has no name", p.RemoteAddr))
			continue
		}
		if names[p.Name] {
			errs = append(errs, fmt.Errorf("reactor: peer %s: configured twice", p.Name))
		}
		names[p.Name] = true
		if !p.RemoteAddr.IsValid() {
			errs = append(errs, fmt.Errorf("reactor: peer %s: no remote ip", p.Name))
		} else if other, dup := addrs[p.RemoteAddr]; dup {
			errs = append(errs, fmt.Errorf("reactor: peer %s: remote ip %s is peer %s's too", p.Name, p.RemoteAddr, other))
		}
		addrs[p.RemoteAddr] = p.Name
		if err := verifyPeer(cfg.RouterID, p); err != nil {
			errs = append(errs, err)
		}
	}
	r.mu.RLock()
	bound := r.listeners
	r.mu.RUnlock()
	for _, ap := range listenSet(cfg) {
		if _, ok := bound[ap]; ok {
			continue
		}
		if err := localAddr(ap.Addr()); err != nil {
			errs = append(errs, fmt.Errorf("reactor: listen %s: %w", ap, err))
		}
	}
	return errors.Join(errs...)
}

// verifyPeer checks one peer the way its session will.
func verifyPeer(routerID netip.Addr, p *PeerConfig) error {
	var errs []error
	if p.RemoteAS == 0 {
		errs = append(errs, fmt.Errorf("reactor: peer %s: no remote as", p.Name))
	}
	if p.LocalAS == 0 {
		errs = append(errs, fmt.Errorf("reactor: peer %s: no local-as", p.Name))
	}
	if p.HoldTime != 0 && p.HoldTime < 3*time.Second {
		errs = append(errs, fmt.Errorf("reactor: peer %s: hold-time %s: want 0 or at least 3s", p.Name, p.HoldTime))
	}
	if len(errs) == 0 {
		// What the session and its FSM will refuse (capabilities, a 4-octet
		// local AS, MD5 key length, …).
		sc := p.SessionConfig(routerID)
		if _, err := sc.FSMConfig(); err != nil {
			errs = append(errs, fmt.Errorf("reactor: peer %s: %w", p.Name, err))
		}
	}
	for _, r := range p.Static {
		f := wire.IPv4Unicast
		if r.Prefix.Addr().Is6() {
			f = wire.IPv6Unicast
		}
		if _, ok := p.Family(f); !ok {
			errs = append(errs, fmt.Errorf("reactor: peer %s: static route %s: family %s is not negotiated", p.Name, r.Prefix, f))
		}
		if _, err := staticUpdate(&r, p, nil); err != nil {
			errs = append(errs, fmt.Errorf("reactor: peer %s: static route %s: %w", p.Name, r.Prefix, err))
		}
	}
	return errors.Join(errs...)
}

// localAddr reports whether a is an address of the system (or the
// wildcard), by binding a free port on it for a moment: the port of a
// listen address may be taken now and free later, its address may not.
func localAddr(a netip.Addr) error {
	if a.IsUnspecified() {
		return nil
	}
	ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(a, 0)))
	if err != nil {
		return err
	}
	return ln.Close()
}

// listenSet is every address cfg listens on: the configured ones, and the
// local address of a peer that none of them covers (port 179).
func listenSet(cfg Config) []netip.AddrPort {
	set := slices.Clone(cfg.Listen)
	covered := func(a netip.Addr) bool {
		for _, l := range set {
			if l.Addr() == a || l.Addr().IsUnspecified() && (l.Addr().Is6() || a.Is4()) {
				return true
			}
		}
		return false
	}
	for i := range cfg.Peers {
		p := &cfg.Peers[i]
		if p.LocalAddr.IsValid() && !p.Shutdown && !covered(p.LocalAddr) {
			set = append(set, netip.AddrPortFrom(p.LocalAddr, DefaultPort))
		}
	}
	return set
}

// Apply brings the reactor to cfg from wherever it stands: peers that are
// gone get a Cease (6/3 Peer De-configured) and go, new ones start, a
// peer whose session settings changed is reset alone (6/6 Other
// Configuration Change), a peer shut down gets 6/2 with its message, and a
// change that needs no new session (description, static routes, prefix
// limits) applies in place, static routes by sending the UPDATEs and
// withdrawals the change implies. Listeners follow the listen addresses.
// Before Start, Apply only records cfg.
func (r *Reactor) Apply(cfg Config) error {
	if err := r.Verify(cfg); err != nil {
		return err
	}
	r.applyMu.Lock()
	defer r.applyMu.Unlock()
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return errors.New("reactor: stopped")
	}
	started := r.started
	if !started {
		r.cfg = cloneConfig(cfg)
	}
	r.mu.Unlock()
	if !started {
		return nil
	}
	return r.apply(cloneConfig(cfg))
}

func (r *Reactor) apply(cfg Config) error {
	var errs []error
	want := map[string]*PeerConfig{}
	for i := range cfg.Peers {
		want[cfg.Peers[i].Name] = &cfg.Peers[i]
	}

	// Removed peers first, so that their addresses are free.
	r.mu.RLock()
	oldRouterID := r.cfg.RouterID
	var gone []*peer
	for _, name := range r.order {
		if _, ok := want[name]; !ok {
			gone = append(gone, r.peers[name])
		}
	}
	r.mu.RUnlock()
	// Their Ceases go out in parallel: a thousand peers removed do not wait
	// for each other's flush.
	var wg sync.WaitGroup
	stopErrs := make([]error, len(gone))
	for i, p := range gone {
		r.log.Info("peer removed", "peer", p.name())
		wg.Add(1)
		go func() {
			defer wg.Done()
			stopErrs[i] = r.stopPeer(p, wire.CeasePeerDeconfigured, "peer removed from the configuration")
		}()
	}
	wg.Wait()
	errs = append(errs, stopErrs...)
	for _, p := range gone {
		r.mu.Lock()
		delete(r.peers, p.name())
		if r.byAddr[p.cfg().RemoteAddr] == p {
			delete(r.byAddr, p.cfg().RemoteAddr)
		}
		r.mu.Unlock()
		p.removed()
	}

	// Listeners before sessions, so that a peer that connects at once finds one.
	if err := r.applyListeners(cfg); err != nil {
		errs = append(errs, err)
	}

	for i := range cfg.Peers {
		pc := &cfg.Peers[i]
		r.mu.RLock()
		p := r.peers[pc.Name]
		r.mu.RUnlock()
		if p == nil {
			p = newPeer(r, *pc)
			r.mu.Lock()
			r.peers[pc.Name] = p
			r.byAddr[pc.RemoteAddr] = p
			r.mu.Unlock()
			r.log.Info("peer added", "peer", pc.Name, "remote-address", pc.RemoteAddr, "remote-as", pc.RemoteAS)
			if !pc.Shutdown {
				if err := p.startSession(cfg.RouterID); err != nil {
					errs = append(errs, err)
				}
			}
			continue
		}
		old := p.cfg()
		switch {
		case pc.Shutdown && !old.Shutdown:
			r.log.Info("peer shut down", "peer", pc.Name, "message", pc.ShutdownMessage)
			if err := r.stopPeer(p, wire.CeaseAdminShutdown, pc.ShutdownMessage); err != nil {
				errs = append(errs, err)
			}
			r.rekey(p, old, *pc)
			p.setConfig(*pc)
		case pc.Shutdown:
			r.rekey(p, old, *pc)
			p.setConfig(*pc)
		case old.Shutdown || !p.hasSession():
			r.rekey(p, old, *pc)
			p.setConfig(*pc)
			if err := p.startSession(cfg.RouterID); err != nil {
				errs = append(errs, err)
			}
		case NeedsReset(oldRouterID, cfg.RouterID, &old, pc):
			r.log.Info("peer reset: session settings changed", "peer", pc.Name)
			if err := r.stopPeer(p, wire.CeaseConfigChange, "configuration changed"); err != nil {
				errs = append(errs, err)
			}
			r.rekey(p, old, *pc)
			p.setConfig(*pc)
			if err := p.startSession(cfg.RouterID); err != nil {
				errs = append(errs, err)
			}
		default:
			if err := p.update(*pc); err != nil {
				errs = append(errs, err)
			}
		}
	}

	r.mu.Lock()
	r.cfg = cfg
	r.order = r.order[:0]
	for i := range cfg.Peers {
		r.order = append(r.order, cfg.Peers[i].Name)
	}
	r.mu.Unlock()
	return errors.Join(errs...)
}

// rekey moves a peer to its new remote address in the lookup map.
func (r *Reactor) rekey(p *peer, old, cur PeerConfig) {
	if old.RemoteAddr == cur.RemoteAddr {
		return
	}
	r.mu.Lock()
	if r.byAddr[old.RemoteAddr] == p {
		delete(r.byAddr, old.RemoteAddr)
	}
	r.byAddr[cur.RemoteAddr] = p
	r.mu.Unlock()
}

func (r *Reactor) stopPeer(p *peer, subcode uint8, message string) error {
	ctx, cancel := context.WithTimeout(r.runCtx(), r.opts.StopTimeout)
	defer cancel()
	if err := p.stopSession(ctx, uint8(wire.NotifyCease), subcode, message); err != nil {
		return fmt.Errorf("reactor: stopping %s: %w", p.name(), err)
	}
	return nil
}

func (r *Reactor) applyListeners(cfg Config) error {
	want := listenSet(cfg)
	md5 := map[netip.Addr]string{}
	for i := range cfg.Peers {
		if cfg.Peers[i].MD5Password != "" {
			md5[cfg.Peers[i].RemoteAddr] = cfg.Peers[i].MD5Password
		}
	}
	r.mu.RLock()
	oldMD5 := map[netip.Addr]string{}
	for i := range r.cfg.Peers {
		if r.cfg.Peers[i].MD5Password != "" {
			oldMD5[r.cfg.Peers[i].RemoteAddr] = r.cfg.Peers[i].MD5Password
		}
	}
	current := make(map[netip.AddrPort]listener, len(r.listeners))
	for k, v := range r.listeners {
		current[k] = v
	}
	r.mu.RUnlock()

	var errs []error
	for ap, ln := range current {
		if !slices.Contains(want, ap) {
			r.log.Info("listener closed", "address", ap)
			_ = ln.Close()
			delete(current, ap)
			continue
		}
		for a, key := range md5 {
			if oldMD5[a] != key {
				if err := ln.SetMD5(a, key); err != nil {
					errs = append(errs, fmt.Errorf("reactor: listener %s: md5 for %s: %w", ap, a, err))
				}
			}
		}
		for a := range oldMD5 {
			if _, ok := md5[a]; !ok {
				_ = ln.SetMD5(a, "")
			}
		}
	}
	// A bind that fails (the port taken by another program, or not ours
	// to take) fails neither the commit nor the start: it is logged,
	// shown by Listening and tried again every Options.ListenRetry.
	failed := map[netip.AddrPort]error{}
	for _, ap := range want {
		if _, ok := current[ap]; ok {
			continue
		}
		ln, err := r.listen(ap, r.lookup, ListenOptions{Logger: r.log, MD5: md5})
		if err != nil {
			r.log.Error("listen failed", "address", ap, "error", err, "retry", r.opts.ListenRetry)
			failed[ap] = err
			continue
		}
		r.log.Info("listening", "address", ln.Addr())
		current[ap] = ln
	}
	r.mu.Lock()
	r.listeners = current
	r.listenErr = failed
	if len(failed) > 0 && !r.stopped {
		if r.retry == nil {
			r.retry = time.AfterFunc(r.opts.ListenRetry, r.retryListeners)
		} else {
			r.retry.Reset(r.opts.ListenRetry)
		}
	}
	r.mu.Unlock()
	return errors.Join(errs...)
}

// retryListeners tries again the listen addresses that could not be bound.
func (r *Reactor) retryListeners() {
	r.applyMu.Lock()
	defer r.applyMu.Unlock()
	r.mu.RLock()
	cfg, stopped, pending := r.cfg, r.stopped, len(r.listenErr)
	r.mu.RUnlock()
	if stopped || pending == 0 {
		return
	}
	if err := r.applyListeners(cfg); err != nil {
		r.log.Warn("listeners", "error", err)
	}
}

// ListenStatus is one address the reactor is to listen on: as bound (a
// configured port 0 shows the port picked), or with the reason it is not.
type ListenStatus struct {
	Address netip.AddrPort `json:"address"`
	// Error is why the address could not be bound (it is tried again);
	// empty when it listens.
	Error string `json:"error,omitempty"`
	// Retry is how often it is tried again.
	Retry time.Duration `json:"retry-ns,omitempty"`
}

// Listening returns every listen address with its state, in config order.
func (r *Reactor) Listening() []ListenStatus {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []ListenStatus
	for _, ap := range listenSet(r.cfg) {
		switch ln, err := r.listeners[ap], r.listenErr[ap]; {
		case ln != nil:
			out = append(out, ListenStatus{Address: ln.Addr()})
		case err != nil:
			out = append(out, ListenStatus{Address: ap, Error: errnoText(err), Retry: r.opts.ListenRetry})
		}
	}
	return out
}

// errnoText is the system's words for a bind error ("address already in
// use"), or the whole error.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

// lookup finds the session of a remote address for a Listener.
func (r *Reactor) lookup(remote netip.Addr) *Session {
	r.mu.RLock()
	p := r.byAddr[remote.Unmap()]
	r.mu.RUnlock()
	if p == nil {
		return nil
	}
	s, _ := p.currentSession().(*Session)
	return s
}

// ListenAddrs returns the addresses the reactor listens on, as bound (a
// configured port 0 shows the port picked).
func (r *Reactor) ListenAddrs() []netip.AddrPort {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]netip.AddrPort, 0, len(r.listeners))
	for _, ln := range r.listeners {
		out = append(out, ln.Addr())
	}
	slices.SortFunc(out, func(a, b netip.AddrPort) int { return a.Compare(b) })
	return out
}

// Config returns the configuration last applied (or recorded before Start).
func (r *Reactor) Config() Config {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return cloneConfig(r.cfg)
}

func (r *Reactor) runCtx() context.Context {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.ctx
}

// peerList returns the peers in config order; r.mu must be held.
func (r *Reactor) peerList() []*peer {
	out := make([]*peer, 0, len(r.peers))
	for _, name := range r.order {
		if p := r.peers[name]; p != nil {
			out = append(out, p)
		}
	}
	return out
}

// peersInOrder is peerList under the lock.
func (r *Reactor) peersInOrder() []*peer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.peerList()
}

func cloneConfig(c Config) Config {
	c.Listen = slices.Clone(c.Listen)
	c.Peers = slices.Clone(c.Peers)
	for i := range c.Peers {
		c.Peers[i].Families = slices.Clone(c.Peers[i].Families)
		c.Peers[i].Static = slices.Clone(c.Peers[i].Static)
	}
	return c
}
