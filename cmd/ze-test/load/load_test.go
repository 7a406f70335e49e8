package load

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/reactor"
	"github.com/zebgp/ze/bgp/wire"
)

// zeSide is a reactor with one passive peer per source address, of AS
// peerAS, listening on addr:0.
func allActive(r *reactor.Reactor) bool {
	for _, p := range r.Summary() {
		if p.State != "active" {
			return false
		}
	}
	return true
}

func zeSide(t *testing.T, addr string, sources []netip.Addr, peerAS uint32) netip.AddrPort {
	t.Helper()
	r := reactor.New(reactor.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), StopTimeout: 2 * time.Second})
	la := netip.MustParseAddr(addr)
	cfg := reactor.Config{RouterID: netip.MustParseAddr("192.0.2.1"), LocalAS: 65000,
		Listen: []netip.AddrPort{netip.AddrPortFrom(la, 0)}}
	for i, s := range sources {
		cfg.Peers = append(cfg.Peers, reactor.PeerConfig{
			Name: "p" + string(rune('a'+i)), RemoteAddr: s, RemotePort: 179, RemoteAS: peerAS, LocalAS: 65000,
			LocalAddr: la, HoldTime: 3 * time.Second, ConnectRetry: time.Second, Passive: true,
			Families: []reactor.FamilyConfig{{Family: wire.IPv4Unicast}},
		})
	}
	if err := r.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = r.Stop(ctx, "test over")
	})
	// A passive session takes connections once it has left Idle for
	// Active: before that, a connection is closed without an OPEN.
	deadline := time.Now().Add(10 * time.Second)
	for !allActive(r) {
		if time.Now().After(deadline) {
			t.Fatalf("the passive sessions did not reach Active: %+v", r.Summary())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, ap := range r.ListenAddrs() {
		if ap.Addr() == la {
			return ap
		}
	}
	t.Fatalf("reactor not listening on %s", addr)
	return netip.AddrPort{}
}

func TestRunHoldsSessions(t *testing.T) {
	src, err := addrs(netip.MustParseAddr("127.74.1.10"), 5)
	if err != nil {
		t.Fatal(err)
	}
	ze := zeSide(t, "127.74.1.1", src, 65100)
	rep, err := Run(context.Background(), Options{Connect: ze, Sources: src, AS: 65100,
		ID: netip.MustParseAddr("10.1.0.1"), Hold: 3, Duration: 2500 * time.Millisecond,
		EstablishTimeout: 10 * time.Second, PID: os.Getpid()})
	if err != nil {
		t.Fatalf("Run: %v (%+v)", err, rep)
	}
	if rep.Sessions != 5 || rep.Established != 5 || rep.Up != 5 || len(rep.Lost) != 0 {
		t.Fatalf("report %+v, want 5 sessions established and up, none lost", rep)
	}
	// The hold time is 3 s, so each side sends a KEEPALIVE every second:
	// 2.5 s held gives at least 2 per session beyond the OPEN's.
	if rep.KeepalivesSent < 10 || rep.KeepalivesReceived < 15 {
		t.Errorf("keepalives sent %d, received %d: want at least 10 and 15", rep.KeepalivesSent, rep.KeepalivesReceived)
	}
	// The reactor sends End-of-RIB for ipv4/unicast on each session.
	if rep.UpdatesReceived != 5 {
		t.Errorf("updates received %d, want 5 End-of-RIBs", rep.UpdatesReceived)
	}
	if rep.HeldNS < int64(2500*time.Millisecond) {
		t.Errorf("held %v, want 2.5s", time.Duration(rep.HeldNS))
	}
	if rep.Process == nil || rep.Process.PID != os.Getpid() || rep.Process.RSSKiB == 0 || rep.Process.PeakRSSKiB < rep.Process.RSSKiB {
		t.Errorf("process stats %+v", rep.Process)
	}
}

func TestRunReportsRefusal(t *testing.T) {
	src, err := addrs(netip.MustParseAddr("127.74.2.10"), 2)
	if err != nil {
		t.Fatal(err)
	}
	ze := zeSide(t, "127.74.2.1", src, 65200) // expects AS 65200, we are 65100
	rep, err := Run(context.Background(), Options{Connect: ze, Sources: src, AS: 65100,
		ID: netip.MustParseAddr("10.1.0.1"), Hold: 3, Duration: time.Second, EstablishTimeout: 3 * time.Second})
	if err == nil {
		t.Fatalf("Run succeeded against a peer that refuses our AS: %+v", rep)
	}
	if rep.Established != 0 || rep.Lost["received open-message-error/bad-peer-as"] < 2 {
		t.Fatalf("report %+v, want none established and 2 lost to bad-peer-as", rep)
	}
	if !strings.Contains(err.Error(), "0 of 2 sessions established") || !strings.Contains(err.Error(), "bad-peer-as") {
		t.Errorf("error %q", err)
	}
}

func TestSessionsCommand(t *testing.T) {
	src, err := addrs(netip.MustParseAddr("127.74.3.10"), 3)
	if err != nil {
		t.Fatal(err)
	}
	ze := zeSide(t, "127.74.3.1", src, 65100)
	var out, errb bytes.Buffer
	code := Main([]string{"sessions", "--connect", ze.String(), "--from", "127.74.3.10", "--count", "3",
		"--hold", "3", "--duration", "500ms", "--pid", "1"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\n%s", err, out.String())
	}
	if rep.Sessions != 3 || rep.Established != 3 || rep.Up != 3 || rep.Process == nil || rep.Process.PID != 1 {
		t.Fatalf("report %+v", rep)
	}
	for _, k := range []string{`"establish-ns"`, `"keepalives-received"`, `"peak-rss-kib"`, `"cpu-seconds"`, `"process-at-established"`} {
		if !strings.Contains(out.String(), k) {
			t.Errorf("report has no %s: %s", k, out.String())
		}
	}
}

func TestCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage: ze-test load"},
		{[]string{"bogus"}, `unknown mode "bogus"`},
		{[]string{"sessions"}, "--connect ADDR:PORT"},
		{[]string{"sessions", "--connect", "127.0.0.1:1", "--hold", "2"}, "--hold must be 3 to 65535"},
		{[]string{"sessions", "--connect", "127.0.0.1:1", "--count", "0"}, "--count must be at least 1"},
		{[]string{"sessions", "--connect", "127.0.0.1:1", "--from", "255.255.255.255", "--count", "2"}, "run past the end"},
		{[]string{"sessions", "--connect", "127.0.0.1:1", "--id", "::1"}, "--id must be an IPv4 address"},
		{[]string{"sessions", "--connect", "127.0.0.1:1", "extra"}, `unexpected argument "extra"`},
		{[]string{"config", "--listen", "127.0.0.1"}, "give --listen ADDR and --port PORT"},
		{[]string{"config", "--listen", "127.0.0.1", "--port", "1", "--from", "x"}, "--from"},
	} {
		var out, errb bytes.Buffer
		if code := Main(tc.args, &out, &errb); code != 1 {
			t.Errorf("%v: exit %d, want 1", tc.args, code)
		}
		if !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: stderr %q, want %q in it", tc.args, errb.String(), tc.want)
		}
	}
}

func TestConfigCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main([]string{"config", "--from", "127.1.0.254", "--count", "3", "--as", "65100", "--listen", "127.73.1.1",
		"--port", "1790", "--hold", "30", "--ssh-port", "2300"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want := `system { ssh { address 127.0.0.1; port 2300; } }
bgp {
    router-id 192.0.2.1;
    local-as 65000;
    listen 127.73.1.1 { port 1790; }
    local-address 127.73.1.1;
    passive true;
    hold-time 30;
    remote { as 65100; }
    peer p1 { remote { ip 127.1.0.254; } }
    peer p2 { remote { ip 127.1.0.255; } }
    peer p3 { remote { ip 127.1.1.0; } }
}
`
	if out.String() != want {
		t.Errorf("config:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestParseStat(t *testing.T) {
	// The command name may hold blanks and parentheses.
	stat := []byte("4242 (ze (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9 0 100 800000000 3000 18446744073709551615\n")
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 3.25 {
		t.Errorf("parseStatCPU = %v, %v; want 3.25", cpu, err)
	}
	if _, err := parseStatCPU([]byte("4242 (ze) S 1 2")); err == nil || !strings.Contains(err.Error(), "want at least 13") {
		t.Errorf("short stat: %v", err)
	}
	if _, err := parseStatCPU([]byte("no parenthesis")); err == nil {
		t.Error("stat without ')' accepted")
	}
	var p ProcStats
	status := []byte("Name:\tze\nVmHWM:\t  20480 kB\nVmRSS:\t  10240 kB\nThreads:\t9\n")
	if err := parseStatus(status, &p); err != nil || p.RSSKiB != 10240 || p.PeakRSSKiB != 20480 || p.Threads != 9 {
		t.Errorf("parseStatus = %+v, %v", p, err)
	}
	if err := parseStatus([]byte("Name:\tze\n"), &p); err == nil {
		t.Error("status without VmRSS accepted")
	}
	if _, err := ReadProc(-1); err == nil {
		t.Error("ReadProc(-1) succeeded")
	}
}
