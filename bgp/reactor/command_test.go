package reactor

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/view"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
)

// fakeSession records what the reactor asks of a session.
type fakeSession struct {
	mu      sync.Mutex
	cfg     SessionConfig
	h       Handler
	started bool
	stopped string // "code/subcode message"
	resets  []string
	sent    [][]byte
	state   fsm.State
}

func (f *fakeSession) Start() error {
	f.mu.Lock()
	f.started = true
	f.state = fsm.Active
	f.mu.Unlock()
	return nil
}
func (f *fakeSession) Stop(_ context.Context, code, sub uint8, msg string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = fmt.Sprintf("%d/%d %s", code, sub, msg)
	f.state = fsm.Idle
	return nil
}
func (f *fakeSession) Reset(msg string) { f.mu.Lock(); f.resets = append(f.resets, msg); f.mu.Unlock() }
func (f *fakeSession) Send(msg []byte) error {
	f.mu.Lock()
	f.sent = append(f.sent, bytes.Clone(msg))
	f.mu.Unlock()
	return nil
}
func (f *fakeSession) SendWait(_ context.Context, msg []byte) error { return f.Send(msg) }
func (f *fakeSession) State() fsm.State                             { f.mu.Lock(); defer f.mu.Unlock(); return f.state }
func (f *fakeSession) Negotiated() (Negotiated, bool)               { return Negotiated{}, false }
func (f *fakeSession) Stats() SessionStats                          { return SessionStats{State: f.State()} }

// take returns the messages sent so far as JSON lines and forgets them.
func (f *fakeSession) take(t *testing.T) []string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.sent {
		w := view.W{}
		if err := view.AppendMessageJSON(&w, m, wire.NewContext(true, false)); err != nil {
			t.Errorf("sent message does not decode: %v: % X", err, m)
		}
		out = append(out, string(w.B))
	}
	f.sent = nil
	return out
}

// fakeReactor is a started reactor whose sessions are fakes.
type fakeReactor struct {
	r        *Reactor
	mu       sync.Mutex
	sessions map[string]*fakeSession // the latest per peer
	listens  []netip.AddrPort
}

type fakeListener struct{ ap netip.AddrPort }

func (l fakeListener) Addr() netip.AddrPort            { return l.ap }
func (l fakeListener) SetMD5(netip.Addr, string) error { return nil }
func (l fakeListener) Close() error                    { return nil }

func newFakeReactor(t *testing.T, cfg Config) *fakeReactor {
	t.Helper()
	fr := &fakeReactor{sessions: map[string]*fakeSession{}}
	fr.r = New(Options{Logger: testLoggerTB(), StopTimeout: time.Second, PrefixLimitRestart: 50 * time.Millisecond})
	fr.r.newSession = func(cfg SessionConfig, h Handler, _ SessionOptions) session {
		s := &fakeSession{cfg: cfg, h: h}
		fr.mu.Lock()
		fr.sessions[cfg.Name] = s
		fr.mu.Unlock()
		return s
	}
	fr.r.listen = func(ap netip.AddrPort, _ func(netip.Addr) *Session, _ ListenOptions) (listener, error) {
		fr.mu.Lock()
		defer fr.mu.Unlock()
		fr.listens = append(fr.listens, ap)
		return fakeListener{ap}, nil
	}
	if err := fr.r.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	if err := fr.r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return fr
}

func (fr *fakeReactor) session(name string) *fakeSession {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	return fr.sessions[name]
}

// up makes the peer's session established and waits for its initial table.
func (fr *fakeReactor) up(t *testing.T, name string, neg Negotiated) {
	t.Helper()
	s := fr.session(name)
	s.mu.Lock()
	s.state = fsm.Established
	s.mu.Unlock()
	s.h.SessionState(nil, fsm.OpenConfirm, fsm.Established, nil)
	s.h.SessionEstablished(nil, neg)
	fr.r.mu.RLock()
	p := fr.r.peers[name]
	fr.r.mu.RUnlock()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		synced := p.out.synced
		p.mu.Unlock()
		if synced {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%s: initial table not sent", name)
}

func plainNeg(local string, internal bool) Negotiated {
	ctx := wire.NewContext(true, false)
	return Negotiated{
		Send: ctx, Recv: ctx, SendID: ctx.ID(), RecvID: ctx.ID(), Internal: internal,
		Families:     []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast},
		Capabilities: capability.Negotiated{RouteRefresh: true, Families: []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}},
		Local:        netip.AddrPortFrom(netip.MustParseAddr(local), 40000),
		HoldTime:     90 * time.Second, Keepalive: 30 * time.Second,
	}
}

func threePeers() Config {
	mk := func(name, addr string, as uint32) PeerConfig {
		return PeerConfig{Name: name, RemoteAddr: netip.MustParseAddr(addr), RemotePort: 179, RemoteAS: as, LocalAS: 65000,
			HoldTime: 90 * time.Second, Families: []FamilyConfig{{Family: wire.IPv4Unicast}, {Family: wire.IPv6Unicast}},
			Capabilities: CapabilityConfig{RouteRefresh: true}}
	}
	return Config{RouterID: netip.MustParseAddr("192.0.2.254"), LocalAS: 65000, Peers: []PeerConfig{
		mk("a", "192.168.1.1", 65001), mk("b", "192.168.1.2", 65002), mk("c", "10.0.0.1", 65000),
	}}
}

func TestSelectors(t *testing.T) {
	fr := newFakeReactor(t, threePeers())
	tests := []struct{ sel, want, err string }{
		{"*", "a b c", ""},
		{"192.168.1.2", "b", ""},
		{"c", "c", ""},
		{"192.168.*.*", "a b", ""},
		{"192.168.1.?", "a b", ""},
		{"!192.168.1.1", "b c", ""},
		{"a,c", "a c", ""},
		{"[ab]", "a b", ""},
		{"192.168.*.*,!b", "a", ""},
		{"!*", "", `reactor: no peer matches "!*"`},
		{"10.9.9.9", "", `reactor: no peer matches "10.9.9.9"`},
		{"a,,b", "", `reactor: selector "a,,b": empty item`},
		{"!", "", `reactor: selector "!": '!' without an address`},
		{"[", "", `reactor: selector "[": bad pattern "["`},
	}
	for _, tt := range tests {
		peers, err := fr.r.selectPeers(tt.sel)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: got error %v want %q", tt.sel, err, tt.err)
			}
			continue
		}
		var names []string
		for _, p := range peers {
			names = append(names, p.name())
		}
		if got := strings.Join(names, " "); got != tt.want || err != nil {
			t.Errorf("%q: got %q (%v) want %q", tt.sel, got, err, tt.want)
		}
	}
}

func TestCommandRoutes(t *testing.T) {
	cfg := threePeers()
	cfg.Peers[0].Static = []StaticRoute{{Prefix: netip.MustParsePrefix("10.9.0.0/16"), Origin: "igp", MED: 3, HasMED: true}}
	cfg.Peers[2].Static = []StaticRoute{{Prefix: netip.MustParsePrefix("10.8.0.0/16"), Origin: "igp"}}
	fr := newFakeReactor(t, cfg)
	ctx := context.Background()

	// Before the session is up the routes are kept.
	res, err := fr.r.Command(ctx, "peer a update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24 10.0.1.0/24")
	if err != nil || len(res.Peers) != 1 || !res.Peers[0].Kept || res.Peers[0].Messages != 0 {
		t.Fatalf("kept: %+v %v", res, err)
	}
	if _, err := fr.r.Command(ctx, "peer a withdraw text nlri ipv4/unicast 10.0.1.0/24"); err != nil {
		t.Fatal(err)
	}

	// Up: the static route (AS prepended on this external session, next
	// hop self), the kept route, End-of-RIB per family.
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	got := fr.session("a").take(t)
	want := []string{
		`{"type":"update","length":53,"update":{"attributes":{"origin":"igp","as-path":[{"type":"as-sequence","asns":[65000]}],"med":3},"announce":{"ipv4/unicast":{"next-hop":"192.0.2.254","nlri":[{"prefix":"10.9.0.0/16"}]}}}}`,
		`{"type":"update","length":47,"update":{"attributes":{"origin":"igp","as-path":[{"type":"as-sequence","asns":[65000]}]},"announce":{"ipv4/unicast":{"next-hop":"192.0.2.1","nlri":[{"prefix":"10.0.0.0/24"}]}}}}`,
		`{"type":"update","length":23,"update":{"eor":"ipv4/unicast"}}`,
		`{"type":"update","length":30,"update":{"eor":"ipv6/unicast"}}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("initial table:\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Up: an announcement goes out at once; to every peer the selector names.
	fr.up(t, "c", plainNeg("192.0.2.254", true))
	if got := fr.session("c").take(t); len(got) != 3 || !strings.Contains(got[0], `"local-preference":100`) || !strings.Contains(got[0], `"as-path":[]`) {
		t.Errorf("internal peer's initial table: %v", got)
	}
	res, err = fr.r.Command(ctx, "peer a,c update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add 10.5.0.0/24")
	if err != nil || len(res.Peers) != 2 || res.Peers[0].Messages != 1 || res.Peers[1].Messages != 1 || res.Peers[0].Kept {
		t.Fatalf("announce: %+v %v", res, err)
	}
	if got := fr.session("a").take(t); len(got) != 1 || !strings.Contains(got[0], `"prefix":"10.5.0.0/24"`) {
		t.Errorf("announce at a: %v", got)
	}
	fr.session("c").take(t)

	// A ROUTE-REFRESH received: the family's routes again.
	s := fr.session("a")
	rr := make([]byte, 64)
	n := writeRefresh(rr, wire.IPv4Unicast, 0)
	s.h.SessionRouteRefresh(nil, rr[:n])
	deadline := time.Now().Add(2 * time.Second)
	var again []string
	for len(again) < 3 && time.Now().Before(deadline) {
		again = append(again, s.take(t)...)
		time.Sleep(time.Millisecond)
	}
	if len(again) != 3 || !strings.Contains(again[0], "10.9.0.0/16") || !strings.Contains(again[1], "10.0.0.0/24") || !strings.Contains(again[2], "10.5.0.0/24") {
		t.Errorf("after a route refresh: %v", again)
	}

	// The session goes down and comes back: everything again.
	s.h.SessionState(nil, fsm.Established, fsm.Idle, nil)
	if _, err := fr.r.Command(ctx, "peer a update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast del 10.0.0.0/24"); err != nil {
		t.Fatal(err)
	}
	if got := s.take(t); len(got) != 0 {
		t.Errorf("sent while down: %v", got)
	}
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	if got := s.take(t); len(got) != 4 || !strings.Contains(got[0], "10.9.0.0/16") || !strings.Contains(got[1], "10.5.0.0/24") {
		t.Errorf("after the session came back:\n%s", strings.Join(got, "\n"))
	}

	// Route refresh requests.
	res, err = fr.r.Command(ctx, "peer a refresh ipv6/unicast")
	if err != nil || res.Peers[0].Messages != 1 {
		t.Fatalf("refresh: %+v %v", res, err)
	}
	if got := s.take(t); len(got) != 1 || got[0] != `{"type":"route-refresh","length":23,"route-refresh":{"family":"ipv6/unicast","subtype":"refresh"}}` {
		t.Errorf("refresh sent: %v", got)
	}
	if _, err := fr.r.Command(ctx, "peer b refresh ipv4/unicast"); err == nil || err.Error() != "reactor: peer b: session: not established" {
		t.Errorf("refresh to a peer not up: %v", err)
	}
}

func TestCommandErrors(t *testing.T) {
	fr := newFakeReactor(t, threePeers())
	ctx := context.Background()
	tests := []struct{ line, want string }{
		{"", `reactor: want "peer SELECTOR update|withdraw|shutdown|start|reset|refresh …"`},
		{"peer a", `reactor: want "peer SELECTOR update|withdraw|shutdown|start|reset|refresh …"`},
		{"peer a dance", `reactor: unknown peer command "dance": want update, withdraw, shutdown, start, reset or refresh`},
		{"peer a update text orign set igp nlri ipv4/unicast add 10.0.0.0/24", `reactor: route: column 6 "orign": unknown attribute; did you mean "origin"?`},
		{"peer a withdraw 10.0.0.0/24", `reactor: want "withdraw text|hex nlri FAMILY NLRI…"`},
		{"peer a refresh", `reactor: refresh "": want a family such as ipv4/unicast`},
		{"peer z reset", `reactor: no peer matches "z"`},
	}
	for _, tt := range tests {
		_, err := fr.r.Command(ctx, tt.line)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.line, err, tt.want)
		}
	}
}

func TestCommandShutdownStartReset(t *testing.T) {
	fr := newFakeReactor(t, threePeers())
	ctx := context.Background()
	old := fr.session("b")
	if _, err := fr.r.Command(ctx, `peer 192.168.1.2 shutdown "planned work"`); err != nil {
		t.Fatal(err)
	}
	if old.stopped != "6/2 planned work" {
		t.Errorf("stop: got %q want 6/2 with the message", old.stopped)
	}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, netip.MustParseAddr("192.0.2.254"), 65000, fr.r.Summary()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Idle (Admin)  b") {
		t.Errorf("summary after shutdown:\n%s", buf.String())
	}
	if _, err := fr.r.Command(ctx, "peer b reset"); err == nil || !strings.Contains(err.Error(), "shut down") {
		t.Errorf("reset of a peer shut down: %v", err)
	}
	if _, err := fr.r.Command(ctx, "peer b start"); err != nil {
		t.Fatal(err)
	}
	if s := fr.session("b"); s == old || !s.started {
		t.Error("start: no new session started")
	}
	if _, err := fr.r.Command(ctx, "peer * reset clearing"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c"} {
		if s := fr.session(n); len(s.resets) != 1 || s.resets[0] != "clearing" {
			t.Errorf("%s: resets %v", n, s.resets)
		}
	}
}

func TestApplyFake(t *testing.T) {
	cfg := threePeers()
	fr := newFakeReactor(t, cfg)
	a, b, c := fr.session("a"), fr.session("b"), fr.session("c")

	// The same config again: nothing happens.
	if err := fr.r.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	if fr.session("a") != a || a.stopped != "" {
		t.Error("re-applying the same config touched a")
	}
	next := cloneConfig(cfg)
	next.Peers[0].HoldTime = 30 * time.Second // a: reset
	next.Peers[1].Shutdown, next.Peers[1].ShutdownMessage = true, "bye"
	next.Peers = next.Peers[:2] // c: removed
	next.Peers = append(next.Peers, PeerConfig{Name: "d", RemoteAddr: netip.MustParseAddr("10.0.0.4"), RemoteAS: 65004, LocalAS: 65000,
		Families: []FamilyConfig{{Family: wire.IPv4Unicast}}, HoldTime: 90 * time.Second})
	if err := fr.r.Apply(next); err != nil {
		t.Fatal(err)
	}
	if a.stopped != "6/6 configuration changed" || fr.session("a") == a || fr.session("a").cfg.HoldTime != 30*time.Second {
		t.Errorf("a: stopped %q, new session %v", a.stopped, fr.session("a") != a)
	}
	if b.stopped != "6/2 bye" {
		t.Errorf("b: stopped %q", b.stopped)
	}
	if c.stopped != "6/3 peer removed from the configuration" {
		t.Errorf("c: stopped %q", c.stopped)
	}
	if d := fr.session("d"); d == nil || !d.started {
		t.Error("d: not started")
	}
	var names []string
	for _, s := range fr.r.Summary() {
		names = append(names, s.Name)
	}
	if strings.Join(names, " ") != "a b d" {
		t.Errorf("peers: %v", names)
	}

	// Back to the first config (as after a failed commit elsewhere).
	if err := fr.r.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	if fr.session("b") == b || !fr.session("b").started || fr.session("c") == c || fr.session("d").stopped == "" {
		t.Error("re-applying the old config did not bring b and c back and remove d")
	}

	// Verify refuses what cannot be applied.
	bad := cloneConfig(cfg)
	bad.Peers[1].RemoteAddr = bad.Peers[0].RemoteAddr
	bad.Peers[2].HoldTime = 2 * time.Second
	err := fr.r.Verify(bad)
	if err == nil || !strings.Contains(err.Error(), "reactor: peer b: remote ip 192.168.1.1 is peer a's too") ||
		!strings.Contains(err.Error(), "reactor: peer c: hold-time 2s: want 0 or at least 3s") {
		t.Errorf("verify: %v", err)
	}
	if err := fr.r.Apply(bad); err == nil {
		t.Error("Apply took a config Verify refuses")
	}
}

func TestWriteSummaryAndNeighbor(t *testing.T) {
	peers := []PeerSummary{
		{Name: "east", Address: netip.MustParseAddr("192.0.2.1"), RemoteAS: 65001, LocalAS: 65000, State: "established",
			UpDown: 3*time.Hour + 2*time.Minute + time.Second, MessagesIn: 120, MessagesOut: 99, Prefixes: 42},
		{Name: "west", Address: netip.MustParseAddr("2001:db8::2"), RemoteAS: 4200000000, LocalAS: 65000, State: "active",
			UpDown: 2*24*time.Hour + 5*time.Hour + 7*time.Minute},
		{Name: "off", Address: netip.MustParseAddr("192.0.2.9"), RemoteAS: 65009, LocalAS: 65000, State: "idle", Shutdown: true,
			UpDown: 15 * 24 * time.Hour},
	}
	var b bytes.Buffer
	if err := WriteSummary(&b, netip.MustParseAddr("192.0.2.254"), 65000, peers); err != nil {
		t.Fatal(err)
	}
	want := `BGP router identifier 192.0.2.254, local AS number 65000
Peers 3, established 1

Neighbor     V  AS          MsgRcvd  MsgSent  Up/Down   State/PfxRcd  Name
192.0.2.1    4  65001       120      99       03:02:01  42            east
2001:db8::2  4  4200000000  0        0        2d05h07m  Active        west
192.0.2.9    4  65009       0        0        2w1d00h   Idle (Admin)  off
`
	if b.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteSummaryJSON(&b, netip.MustParseAddr("192.0.2.254"), 65000, peers[:1]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"router-id":"192.0.2.254","local-as":65000,"peers":[{"name":"east","address":"192.0.2.1","remote-as":65001,`) ||
		!strings.Contains(b.String(), `"prefixes-accepted":42`) {
		t.Errorf("summary JSON: %s", b.String())
	}

	d := PeerDetail{PeerSummary: peers[0], Group: "transit", RemotePort: 179, HoldTime: 90 * time.Second,
		Families:  []FamilyCounters{{Family: wire.IPv4Unicast, Received: 50, Withdrawn: 8, Accepted: 42, Limit: 1000}},
		Session:   SessionStats{In: MessageCounts{Open: 1, Update: 100, Keepalive: 19, Total: 120}, Out: MessageCounts{Open: 1, Update: 80, Keepalive: 18, Total: 99}},
		RoutesOut: 2, StaticRoutes: 1, LastNotification: `sent 6/4 administrative-reset "clearing"`,
		Negotiated: &NegotiatedSummary{PeerRouterID: netip.MustParseAddr("192.0.2.1"), HoldTime: 90 * time.Second, Keepalive: 30 * time.Second,
			Families: []wire.Family{wire.IPv4Unicast}, Local: netip.MustParseAddrPort("192.0.2.254:179"), Remote: netip.MustParseAddrPort("192.0.2.1:40000"), SendContext: 1, RecvContext: 1},
	}
	b.Reset()
	if err := WriteNeighbor(&b, d); err != nil {
		t.Fatal(err)
	}
	wantN := `BGP neighbor 192.0.2.1, remote AS 65001, local AS 65000, external link
  Name: east, group transit
  State: established, up for 03:02:01, flaps 0
  Remote port 179, configured hold time 90s
  Negotiated: router-id 192.0.2.1, hold time 90s, keepalive 30s, 192.0.2.254:179 -> 192.0.2.1:40000
  Families: ipv4/unicast (context ids send 1, receive 1)
  Messages:              Sent       Rcvd
    Opens                   1          1
    Updates                80        100
    Keepalives             18         19
    Notifications           0          0
    Route Refresh           0          0
    Total                  99        120
  Prefixes:          Accepted   Received  Withdrawn      Limit
    ipv4/unicast           42         50          8       1000
  Routes out: 1 static, 2 from commands
  Last notification: sent 6/4 administrative-reset "clearing"
`
	if b.String() != wantN {
		t.Errorf("neighbor:\n%s\nwant:\n%s", b.String(), wantN)
	}
	b.Reset()
	if err := WriteNeighborJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"families":[{"family":"ipv4/unicast","received":50,"withdrawn":8,"accepted":42,"prefix-limit":1000}]`) {
		t.Errorf("neighbor JSON: %s", b.String())
	}
}

func TestNeighborLookup(t *testing.T) {
	fr := newFakeReactor(t, threePeers())
	for _, key := range []string{"b", "192.168.1.2"} {
		d, err := fr.r.Neighbor(key)
		if err != nil || d.Name != "b" || d.RemoteAS != 65002 || d.State != "active" {
			t.Errorf("Neighbor(%q): %+v %v", key, d, err)
		}
	}
	if _, err := fr.r.Neighbor("nobody"); err == nil || err.Error() != "reactor: no such peer: nobody" {
		t.Errorf("unknown: %v", err)
	}
}

func TestPrefixLimit(t *testing.T) {
	cfg := threePeers()
	cfg.Peers[0].Families[0].PrefixLimit = 2
	cfg.Peers[0].Families[0].PrefixLimitWarning = 50
	fr := newFakeReactor(t, cfg)
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	s := fr.session("a")
	fr.r.mu.RLock()
	p := fr.r.peers["a"]
	fr.r.mu.RUnlock()
	stopped := func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.stopped
	}
	for _, m := range buildMsgs(t, "update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24 10.0.1.0/24") {
		p.receive(m, nil)
	}
	time.Sleep(20 * time.Millisecond)
	if got := stopped(); got != "" {
		t.Fatalf("stopped at the limit: %q", got)
	}
	for _, m := range buildMsgs(t, "update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.2.0/24 10.0.3.0/24") {
		p.receive(m, nil)
	}
	deadline := time.Now().Add(2 * time.Second)
	for stopped() == "" && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := stopped(); got != "6/1 prefix limit 2 of ipv4/unicast exceeded" {
		t.Errorf("stop: %q, want Cease 6/1 with the reason", got)
	}
	if d, _ := fr.r.Neighbor("a"); d.LastError != "prefix limit 2 of ipv4/unicast exceeded" || d.Families[0].Limit != 2 {
		t.Errorf("detail: last error %q, families %+v", d.LastError, d.Families)
	}
	// A new session after Options.PrefixLimitRestart.
	deadline = time.Now().Add(2 * time.Second)
	for fr.session("a") == s && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	n := fr.session("a")
	time.Sleep(10 * time.Millisecond) // its Start runs after it is made
	n.mu.Lock()
	started := n.started
	n.mu.Unlock()
	if n == s || !started {
		t.Error("no new session after the prefix limit's restart time")
	}
}

func TestVerifyFSM(t *testing.T) {
	fr := newFakeReactor(t, Config{})
	cfg := threePeers()
	cfg.Peers[0].MD5Password = strings.Repeat("k", 81)
	err := fr.r.Verify(cfg)
	if err == nil || err.Error() != "reactor: peer a: session: md5 password longer than 80 bytes" {
		t.Errorf("verify: %v", err)
	}
	cfg = threePeers()
	cfg.RouterID = netip.Addr{}
	if err := fr.r.Verify(cfg); err == nil || !strings.Contains(err.Error(), "reactor: no router-id: set bgp router-id") {
		t.Errorf("verify without router-id: %v", err)
	}
}

func TestCommandNextHopSelf(t *testing.T) {
	fr := newFakeReactor(t, threePeers())
	ctx := context.Background()
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	fr.session("a").take(t)
	res, err := fr.r.Command(ctx, "peer a,b update text origin set igp nhop set self nlri ipv4/unicast add 10.0.0.0/24")
	if err != nil || res.Peers[0].Messages != 1 || !res.Peers[1].Kept {
		t.Fatalf("announce: %+v %v", res, err)
	}
	if got := fr.session("a").take(t); len(got) != 1 || !strings.Contains(got[0], `"ipv4/unicast":{"next-hop":"192.0.2.254","nlri":[{"prefix":"10.0.0.0/24"}]}`) {
		t.Errorf("a: %v", got)
	}
	fr.up(t, "b", plainNeg("192.0.2.253", false))
	if got := fr.session("b").take(t); len(got) != 3 || !strings.Contains(got[0], `"next-hop":"192.0.2.253"`) {
		t.Errorf("b's initial table: %v", got)
	}
	if _, err := fr.r.Command(ctx, "peer a update text origin set igp next-hop set self nlri ipv6/unicast add 2001:db8::/32"); err != nil {
		t.Fatal(err)
	}
	if got := fr.session("a").take(t); len(got) != 1 || !strings.Contains(got[0], `"ipv6/unicast":{"next-hop":"::ffff:192.0.2.254"`) {
		t.Errorf("a, IPv6 route: %v", got)
	}
}
