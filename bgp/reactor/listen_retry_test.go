package reactor

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestListenBusy: a listen address whose port is taken does not fail
// Verify, Apply or Start: the bind failure is logged, shown in the
// summary's header and tried again (Options.ListenRetry) until it works.
// An address that is not the system's is refused by Verify.
func TestListenBusy(t *testing.T) {
	blocker, err := net.Listen("tcp", "127.0.74.1:0")
	if err != nil {
		t.Fatal(err)
	}
	busy := netip.MustParseAddrPort(blocker.Addr().String())
	var logs lockedBuf
	r := New(Options{Logger: slogText(&logs), ListenRetry: 50 * time.Millisecond})
	cfg := Config{RouterID: netip.MustParseAddr("127.0.74.1"), LocalAS: 1, Listen: []netip.AddrPort{busy}}
	if err := r.Verify(cfg); err != nil {
		t.Fatalf("verify of a busy port: %v", err)
	}
	if err := r.Apply(cfg); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("start with a busy port: %v", err)
	}
	defer func() { _ = r.Stop(context.Background(), "") }()
	ls := r.Listening()
	if len(ls) != 1 || ls[0].Address != busy || ls[0].Error != "address already in use" {
		t.Fatalf("listening: %+v", ls)
	}
	var b bytes.Buffer
	if err := WriteSummary(&b, cfg.RouterID, 1, r.Summary(), ls...); err != nil {
		t.Fatal(err)
	}
	wantHead := "BGP router identifier 127.0.74.1, local AS number 1\nlisten " + busy.String() + ": address already in use (tried again every 50ms)\nPeers 0, established 0\n"
	if !strings.HasPrefix(b.String(), wantHead) {
		t.Errorf("summary:\n%s\nwant it to start with\n%s", b.String(), wantHead)
	}
	b.Reset()
	if err := WriteSummaryJSON(&b, cfg.RouterID, 1, r.Summary(), ls...); err != nil {
		t.Fatal(err)
	}
	if want := `"listen":[{"address":"` + busy.String() + `","error":"address already in use","retry-ns":50000000}]`; !strings.Contains(b.String(), want) {
		t.Errorf("summary JSON %s, want %s", b.String(), want)
	}
	if !strings.Contains(logs.String(), "level=ERROR msg=\"listen failed\"") {
		t.Errorf("no error logged:\n%s", logs.String())
	}
	// A commit that changes nothing else applies; the port frees up and
	// the retry binds it.
	if err := r.Apply(cfg); err != nil {
		t.Fatalf("apply again: %v", err)
	}
	_ = blocker.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ls := r.Listening()
		if len(ls) == 1 && ls[0].Error == "" && len(r.ListenAddrs()) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not bound after the port was freed: %+v\n%s", ls, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, err := net.Dial("tcp", busy.String())
	if err != nil {
		t.Fatalf("the retried listener does not accept: %v", err)
	}
	_ = c.Close()

	// Not a local address: refused by Verify, and so by Apply.
	bad := cfg
	bad.Listen = []netip.AddrPort{netip.MustParseAddrPort("192.0.2.77:1790")}
	if err := r.Verify(bad); err == nil || !strings.Contains(err.Error(), "reactor: listen 192.0.2.77:1790: ") {
		t.Errorf("verify of an address not on the system: %v", err)
	}
	if err := r.Apply(bad); err == nil {
		t.Error("apply of an address not on the system")
	}
}

func slogText(w *lockedBuf) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
