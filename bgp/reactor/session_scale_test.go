package reactor

import (
	"context"
	"log/slog"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/bgp/wire/message"
)

// upCounter counts sessions up and sessions down.
type upCounter struct {
	up, down atomic.Int64
}

func (h *upCounter) SessionState(_ *Session, from, _ fsm.State, _ error) {
	if from == fsm.Established {
		h.down.Add(1)
	}
}
func (h *upCounter) SessionEstablished(*Session, Negotiated)                  { h.up.Add(1) }
func (h *upCounter) SessionUpdate(*Session, []byte, *attr.Verdict)            {}
func (h *upCounter) SessionRouteRefresh(*Session, []byte)                     {}
func (h *upCounter) SessionNotification(*Session, bool, message.Notification) {}

// BenchmarkSessionsScale establishes n session pairs over loopback (the
// active sides from 127.1.x.y, the passive ones behind one listener on
// 127.2.0.1), keeps them up for hold, and reports the time to establish
// them all, the heap and goroutines per session, and the drops (which must
// be none). Run it with -benchtime=1x.
func BenchmarkSessionsScale(b *testing.B) {
	const n, hold = 1000, 10 * time.Second
	log := slog.New(slog.DiscardHandler)
	h := &upCounter{}
	passive := map[netip.Addr]*Session{}
	var mu sync.Mutex
	ln, err := Listen(netip.MustParseAddrPort("127.2.0.1:0"), func(remote netip.Addr) *Session {
		mu.Lock()
		defer mu.Unlock()
		return passive[remote]
	}, ListenOptions{Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	var all []*Session
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()
	start := time.Now()
	for i := range n {
		a := netip.AddrFrom4([4]byte{127, 1, byte(i / 250), byte(1 + i%250)})
		ca := stBaseConfig(a, netip.MustParseAddr("127.2.0.1"), 65001, 65002, "1.1.1.1")
		ca.Peer = ln.Addr()
		ca.HoldTime, ca.ConnectRetry = 9*time.Second, 2*time.Second
		cb := stBaseConfig(netip.MustParseAddr("127.2.0.1"), a, 65002, 65001, "2.2.2.2")
		cb.Passive, cb.HoldTime = true, 9*time.Second
		sb := NewSession(cb, h, SessionOptions{Logger: log})
		mu.Lock()
		passive[a] = sb
		mu.Unlock()
		sa := NewSession(ca, h, SessionOptions{Logger: log})
		if err := sb.Start(); err != nil {
			b.Fatal(err)
		}
		if err := sa.Start(); err != nil {
			b.Fatal(err)
		}
		all = append(all, sa, sb)
	}
	for h.up.Load() < 2*n {
		if time.Since(start) > time.Minute {
			b.Fatalf("%d of %d sessions up after a minute", h.up.Load(), 2*n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	established := time.Since(start)
	time.Sleep(hold)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if d := h.down.Load(); d != 0 {
		b.Errorf("%d sessions went down", d)
	}
	b.ReportMetric(established.Seconds(), "s-to-establish")
	b.ReportMetric(float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse)/float64(2*n), "mem-bytes/session")
	b.ReportMetric(float64(runtime.NumGoroutine()-g0)/float64(2*n), "goroutines/session")
	b.Logf("%d sessions established in %v, held %v without a drop", 2*n, established, hold)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range all {
		_ = s.Stop(ctx, 0, 0, "")
	}
}
