package reactor

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/engine/hub"
)

// rtNode is a Reactor under test with its hub and a recorder of its events.
type rtNode struct {
	t    *testing.T
	name string
	r    *Reactor
	h    *hub.Hub
	ev   *evRecorder
	addr netip.Addr
	id   netip.Addr // the router-id: addr, or 10.255.0.X for an IPv6 node
}

// evRecorder keeps every event a reactor published.
type evRecorder struct {
	mu      sync.Mutex
	events  []any
	changed chan struct{}
}

func (e *evRecorder) all() []any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]any(nil), e.events...)
}

// wait returns the first event at index >= from that matches, and its index.
func (e *evRecorder) wait(t *testing.T, what string, from int, match func(v any) bool) (any, int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		evs := e.all()
		for i := from; i < len(evs); i++ {
			if match(evs[i]) {
				return evs[i], i
			}
		}
		select {
		case <-e.changed:
		case <-deadline:
			var b strings.Builder
			for i, v := range evs {
				j, _ := v.(hub.ExternalAppender).AppendExternal(nil)
				b.WriteString("\n  ")
				b.WriteString(string(rune('0' + i%10)))
				b.WriteString(" ")
				b.Write(j)
			}
			t.Fatalf("timed out waiting for %s; events:%s", what, b.String())
			return nil, 0
		}
	}
}

func (e *evRecorder) len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.events)
}

// updateJSON is the JSON of an UpdateEvent, for content checks.
func updateJSON(v any) string {
	u, ok := v.(*UpdateEvent)
	if !ok {
		return ""
	}
	j, _ := u.AppendExternal(nil)
	return string(j)
}

func isState(v any, peer, to string) bool {
	s, ok := v.(*StateEvent)
	return ok && s.Peer.Name == peer && stateName(s.To) == to
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// newNode starts a reactor on addr that listens on addr:0 and has no peers.
func newNode(t *testing.T, name, addr string) *rtNode {
	t.Helper()
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := h.Subscribe(hub.SubscribeConfig{Name: "test", Prefixes: []string{"bgp"}, QueueLen: 4096})
	if err != nil {
		t.Fatal(err)
	}
	ev := &evRecorder{changed: make(chan struct{}, 1)}
	go func() {
		for {
			m, err := sub.Receive(context.Background())
			if err != nil {
				return
			}
			ev.mu.Lock()
			ev.events = append(ev.events, m.Value())
			ev.mu.Unlock()
			select {
			case ev.changed <- struct{}{}:
			default:
			}
		}
	}()
	n := &rtNode{t: t, name: name, h: h, ev: ev, addr: netip.MustParseAddr(addr)}
	n.id = n.addr
	if n.addr.Is6() {
		n.id = netip.AddrFrom4([4]byte{10, 255, 0, name[0]})
	}
	n.r = New(Options{
		Hub: h, Logger: testLogger(t).With("node", name), StopTimeout: 2 * time.Second,
		Tune: func(sc *SessionConfig) { sc.IdleHoldTime, sc.IdleHoldMax = 50*time.Millisecond, 200*time.Millisecond },
	})
	if err := n.r.Apply(Config{RouterID: n.id, LocalAS: 1, Listen: []netip.AddrPort{netip.AddrPortFrom(n.addr, 0)}}); err != nil {
		t.Fatal(err)
	}
	if err := n.r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = n.r.Stop(ctx, "test over")
		_ = h.Close()
	})
	return n
}

// port is the port the node listens on.
func (n *rtNode) port() uint16 {
	for _, ap := range n.r.ListenAddrs() {
		if ap.Addr() == n.addr || ap.Addr().IsUnspecified() {
			return ap.Port()
		}
	}
	n.t.Fatalf("%s: not listening on %s", n.name, n.addr)
	return 0
}

// peerOf is a PeerConfig from n to other (AS numbers given).
func (n *rtNode) peerOf(name string, other *rtNode, localAS, remoteAS uint32, passive bool) PeerConfig {
	return PeerConfig{
		Name: name, RemoteAddr: other.addr, RemotePort: other.port(), RemoteAS: remoteAS, LocalAS: localAS,
		LocalAddr: n.addr, HoldTime: 30 * time.Second, ConnectRetry: time.Second, Passive: passive,
		Families:     []FamilyConfig{{Family: wire.IPv4Unicast}, {Family: wire.IPv6Unicast}},
		Capabilities: CapabilityConfig{RouteRefresh: true, ExtendedMessage: true},
	}
}

func (n *rtNode) config(localAS uint32, peers ...PeerConfig) Config {
	return Config{RouterID: n.id, LocalAS: localAS, Listen: []netip.AddrPort{netip.AddrPortFrom(n.addr, 0)}, Peers: peers}
}

func (n *rtNode) apply(cfg Config) {
	n.t.Helper()
	if err := n.r.Apply(cfg); err != nil {
		n.t.Fatalf("%s: Apply: %v", n.name, err)
	}
}

// established waits until peer is established on n.
func (n *rtNode) established(peer string) {
	n.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		d, err := n.r.Neighbor(peer)
		if err == nil && d.State == "established" && d.Negotiated != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	d, _ := n.r.Neighbor(peer)
	n.t.Fatalf("%s: peer %s not established: %+v", n.name, peer, d)
}

// testLoggerTB discards logs (benchmarks and unit tests of one peer).
func testLoggerTB() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
