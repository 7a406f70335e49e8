package reactor

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogKeysOnce: every log line of a reactor and its sessions names the
// component once and the peer once (peer=NAME address=ADDR on the
// session's lines).
func TestLogKeysOnce(t *testing.T) {
	var buf lockedBuf
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := newNode(t, "b", "127.0.72.2")
	r := New(Options{Logger: log, StopTimeout: time.Second})
	me := netip.MustParseAddr("127.0.72.1")
	cfg := Config{RouterID: me, LocalAS: 1, Listen: []netip.AddrPort{netip.AddrPortFrom(me, 0)}, Peers: []PeerConfig{{
		Name: "b10", RemoteAddr: b.addr, RemotePort: b.port(), RemoteAS: 2, LocalAS: 1, LocalAddr: me,
		HoldTime: 30 * time.Second, ConnectRetry: time.Second, Families: []FamilyConfig{{Family: wire.IPv4Unicast}},
	}}}
	if err := r.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.apply(b.config(2, PeerConfig{Name: "a", RemoteAddr: me, RemoteAS: 1, LocalAS: 2, LocalAddr: b.addr,
		HoldTime: 30 * time.Second, Passive: true, Families: []FamilyConfig{{Family: wire.IPv4Unicast}}}))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if d, err := r.Neighbor("b10"); err == nil && d.State == "established" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not established; log:\n%s", buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := r.Stop(ctx, "bye"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	sessionLines := 0
	for _, l := range lines {
		if n := strings.Count(l, " component="); n != 1 {
			t.Errorf("%d component keys: %s", n, l)
		}
		if n := strings.Count(l, " peer="); n > 1 {
			t.Errorf("%d peer keys: %s", n, l)
		}
		if strings.Contains(l, " name=") {
			t.Errorf("a name key: %s", l)
		}
		if strings.Contains(l, `msg="session state"`) {
			sessionLines++
			if !strings.Contains(l, " peer=b10 address=127.0.72.2") {
				t.Errorf("session line without peer=b10 address=127.0.72.2: %s", l)
			}
		}
	}
	if sessionLines < 3 {
		t.Errorf("%d session state lines, want the way up and down:\n%s", sessionLines, buf.String())
	}
}
