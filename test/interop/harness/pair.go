package harness

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// Factory builds a launcher; Register adds one for a kind New does not know (ze's own).
type Factory func(node *Node, dir string, cfg Config) (Daemon, error)

var (
	regMu    sync.Mutex
	registry = map[string]Factory{}
)

// Register makes kind available to New and StartPair. The speaker under test (ze) registers
// itself this way; registering a kind twice panics (a programming error at start-up).
func Register(kind string, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[kind]; dup {
		panic("harness: launcher " + kind + " registered twice")
	}
	registry[kind] = f
}

// Registered reports whether kind was registered.
func Registered(kind string) bool {
	regMu.Lock()
	defer regMu.Unlock()
	_, ok := registry[kind]
	return ok
}

func lookup(kind string) Factory {
	regMu.Lock()
	defer regMu.Unlock()
	return registry[kind]
}

// Side describes one end of a Pair.
type Side struct {
	Kind     string
	AS       uint32
	RouterID netip.Addr
	Routes   []Route
	// Peer is the template of the session with the other side; Addr and AS are filled in.
	Peer Peer
	// V4Only leaves out the IPv6 session.
	V4Only bool
}

// Pair is two daemons on one private segment, each with an IPv4 and an IPv6 session to the other.
type Pair struct {
	Net  *Network
	A, B Daemon
}

// StartPair creates a network with a node for each side, writes their configurations and starts
// both daemons concurrently. Close stops them and removes the network.
func StartPair(ctx context.Context, dir string, a, b Side) (*Pair, error) {
	n, err := NewNetwork(ctx)
	if err != nil {
		return nil, err
	}
	p := &Pair{Net: n}
	na, err := n.AddNode(ctx, "a")
	if err != nil {
		_ = p.Close()
		return nil, err
	}
	nb, err := n.AddNode(ctx, "b")
	if err != nil {
		_ = p.Close()
		return nil, err
	}
	build := func(s Side, self, other *Node, otherSide Side) (Daemon, error) {
		cfg := Config{AS: s.AS, RouterID: s.RouterID, Routes: s.Routes}
		v4 := s.Peer
		v4.Addr, v4.AS = other.V4, otherSide.AS
		cfg.Peers = append(cfg.Peers, v4)
		if !s.V4Only && !otherSide.V4Only {
			v6 := s.Peer
			v6.Addr, v6.AS = other.V6, otherSide.AS
			cfg.Peers = append(cfg.Peers, v6)
		}
		if f := lookup(s.Kind); f != nil {
			return f(self, dir, cfg)
		}
		return New(s.Kind, self, dir, cfg)
	}
	if p.A, err = build(a, na, nb, b); err != nil {
		_ = p.Close()
		return nil, err
	}
	if p.B, err = build(b, nb, na, a); err != nil {
		_ = p.Close()
		return nil, err
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, d := range []Daemon{p.A, p.B} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Start(ctx); err != nil {
				errs[i] = fmt.Errorf("starting %s: %w", d.Kind(), err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		_ = p.Close()
		return nil, err
	}
	return p, nil
}

// Close stops both daemons and removes the network.
func (p *Pair) Close() error {
	var errs []error
	for _, d := range []Daemon{p.A, p.B} {
		if d != nil {
			errs = append(errs, d.Stop())
		}
	}
	errs = append(errs, p.Net.Close())
	return errors.Join(errs...)
}

// WaitState waits until d's session with peer is in state want.
func WaitState(ctx context.Context, d Daemon, peer netip.Addr, want State, timeout time.Duration) error {
	return Eventually(ctx, timeout, func(ctx context.Context) error {
		got, err := d.State(ctx, peer)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s: session with %s is %s, want %s", d.Kind(), peer, got, want)
		}
		return nil
	})
}

// CheckRoutes compares what d received from peer in the routes' family with want (every route
// present with its attributes) and gone (every prefix absent). Other prefixes are ignored.
func CheckRoutes(ctx context.Context, d Daemon, peer netip.Addr, family Family, want []Route, gone []netip.Prefix) error {
	got, err := d.Received(ctx, peer, family)
	if err != nil {
		return err
	}
	var errs []error
	for _, w := range want {
		g, ok := FindRoute(got, w.Prefix)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: %s missing from %s (has %d routes)", d.Kind(), w.Prefix, peer, len(got)))
			continue
		}
		if m := Mismatch(w, g); m != "" {
			errs = append(errs, fmt.Errorf("%s: %s from %s: %s", d.Kind(), w.Prefix, peer, m))
		}
	}
	for _, p := range gone {
		if _, ok := FindRoute(got, p); ok {
			errs = append(errs, fmt.Errorf("%s: %s from %s still present after withdraw", d.Kind(), p, peer))
		}
	}
	return errors.Join(errs...)
}
