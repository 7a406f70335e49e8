package reactor

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// countHandler counts UPDATEs and signals each; it allocates nothing.
type countHandler struct {
	updates atomic.Uint64
	bytes   atomic.Uint64
	got     chan struct{}
	up      chan struct{}
}

func (h *countHandler) SessionState(*Session, fsm.State, fsm.State, error) {}
func (h *countHandler) SessionEstablished(*Session, Negotiated) {
	select {
	case h.up <- struct{}{}:
	default:
	}
}
func (h *countHandler) SessionUpdate(_ *Session, msg []byte, _ *attr.Verdict) {
	h.updates.Add(1)
	h.bytes.Add(uint64(msg[20])) // reads the pooled buffer
	select {
	case h.got <- struct{}{}:
	default:
	}
}
func (h *countHandler) SessionRouteRefresh(*Session, []byte)                     {}
func (h *countHandler) SessionNotification(*Session, bool, message.Notification) {}

// countedSession is an Established session to a raw peer with a
// countHandler; the peer's hold time is large so no timer interferes.
func countedSession(tb testing.TB, local, peer string) (*Session, *countHandler, net.Conn) {
	tb.Helper()
	ln, err := net.Listen("tcp", netip.AddrPortFrom(stIP(peer), 0).String())
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	cfg := stBaseConfig(stIP(local), stIP(peer), 65001, 65002, "1.1.1.1")
	cfg.Peer = netip.AddrPortFrom(stIP(peer), uint16(ln.Addr().(*net.TCPAddr).Port))
	cfg.HoldTime = 3600 * time.Second
	h := &countHandler{got: make(chan struct{}, 1), up: make(chan struct{}, 1)}
	s := NewSession(cfg, h, SessionOptions{Logger: slog.New(slog.DiscardHandler)})
	if err := s.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Stop(context.Background(), 0, 0, "") })
	c, err := ln.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	go func() { // drain what the session sends
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	caps := []capability.Capability{capability.ASN4{ASN: 65002},
		capability.Multiprotocol{Family: wire.IPv4Unicast}, capability.Multiprotocol{Family: wire.IPv6Unicast}}
	if _, err := c.Write(append(stOpenMsg(4, 65002, 3600, "2.2.2.2", caps...), keepaliveMsg...)); err != nil {
		tb.Fatal(err)
	}
	select {
	case <-h.up:
	case <-time.After(5 * time.Second):
		tb.Fatal("session not established")
	}
	return s, h, c
}

// TestSessionReceiveAllocs: the steady-state receive path, from the
// socket read to the handler's SessionUpdate, allocates nothing.
func TestSessionReceiveAllocs(t *testing.T) {
	_, h, c := countedSession(t, "127.0.49.1", "127.0.49.2")
	u := stUpdateMsg(9)
	run := func() {
		if _, err := c.Write(u); err != nil {
			t.Fatal(err)
		}
		<-h.got
	}
	for range 100 { // warm the pools
		run()
	}
	if allocs := testing.AllocsPerRun(2000, run); allocs != 0 {
		t.Errorf("%v allocations per UPDATE received, want 0", allocs)
	}
	if got := h.updates.Load(); got != 2101 {
		t.Errorf("%d updates delivered, want 2101", got)
	}
}

// BenchmarkSessionReceive measures UPDATEs read from a socket and handed
// to the handler, written by the peer in batches of 1000.
func BenchmarkSessionReceive(b *testing.B) {
	_, h, c := countedSession(b, "127.0.49.3", "127.0.49.4")
	u := stUpdateMsg(9)
	batch := make([]byte, 0, 1000*len(u))
	for range 1000 {
		batch = append(batch, u...)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(u)))
	b.ResetTimer()
	start := h.updates.Load()
	go func() {
		for left := b.N; left > 0; left -= 1000 {
			n := min(left, 1000)
			if _, err := c.Write(batch[:n*len(u)]); err != nil {
				return
			}
		}
	}()
	for h.updates.Load()-start < uint64(b.N) {
		<-h.got
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkSessionSend measures Send to an Established session whose peer
// reads everything: the copy into the queue and the batched writes.
func BenchmarkSessionSend(b *testing.B) {
	s, _, _ := countedSession(b, "127.0.49.5", "127.0.49.6")
	u := stUpdateMsg(9)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(u)))
	b.ResetTimer()
	for range b.N {
		if err := s.SendWait(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	for s.Stats().Out.Update < uint64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}
