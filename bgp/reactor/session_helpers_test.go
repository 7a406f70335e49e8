package reactor

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// event is one Handler call, recorded.
type event struct {
	kind     string // state, up, update, refresh, notification
	from, to fsm.State
	reason   error
	neg      Negotiated
	msg      []byte
	sent     bool
	n        message.Notification
}

// recorder is a Handler that records every call.
type recorder struct {
	mu      sync.Mutex
	events  []event
	changed chan struct{}
	onUp    func(s *Session)
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) add(e event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) SessionState(_ *Session, from, to fsm.State, reason error) {
	r.add(event{kind: "state", from: from, to: to, reason: reason})
}

func (r *recorder) SessionEstablished(s *Session, neg Negotiated) {
	r.add(event{kind: "up", neg: neg})
	if r.onUp != nil {
		r.onUp(s)
	}
}

func (r *recorder) SessionUpdate(_ *Session, msg []byte) {
	r.add(event{kind: "update", msg: bytes.Clone(msg)})
}

func (r *recorder) SessionRouteRefresh(_ *Session, msg []byte) {
	r.add(event{kind: "refresh", msg: bytes.Clone(msg)})
}

func (r *recorder) SessionNotification(_ *Session, sent bool, n message.Notification) {
	n.Data = bytes.Clone(n.Data)
	r.add(event{kind: "notification", sent: sent, n: n})
}

// wait returns the first event after index from that matches, or fails.
func (r *recorder) wait(t *testing.T, what string, match func(e event) bool) event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		r.mu.Lock()
		for _, e := range r.events {
			if match(e) {
				r.mu.Unlock()
				return e
			}
		}
		r.mu.Unlock()
		select {
		case <-r.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timeout waiting for %s; events: %s", what, r.dump())
		}
	}
}

func (r *recorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b bytes.Buffer
	for _, e := range r.events {
		switch e.kind {
		case "state":
			fmt.Fprintf(&b, "[state %v->%v %v] ", e.from, e.to, e.reason)
		case "notification":
			fmt.Fprintf(&b, "[notification sent=%v %v] ", e.sent, e.n)
		default:
			fmt.Fprintf(&b, "[%s] ", e.kind)
		}
	}
	return b.String()
}

func (r *recorder) count(kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.kind == kind {
			n++
		}
	}
	return n
}

func (r *recorder) waitState(t *testing.T, to fsm.State) event {
	t.Helper()
	return r.wait(t, "state "+to.String(), func(e event) bool { return e.kind == "state" && e.to == to })
}

func (r *recorder) waitNotification(t *testing.T, sent bool) event {
	t.Helper()
	return r.wait(t, fmt.Sprintf("notification sent=%v", sent), func(e event) bool {
		return e.kind == "notification" && e.sent == sent
	})
}

// testLogger logs to the test at debug level.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(&tlog{t: t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tlog struct{ t *testing.T }

func (l *tlog) Write(p []byte) (int, error) {
	l.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// ip returns a loopback address for this test: 127.<a>.<b>.<c>.
func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

// baseConfig is a session config between loopback addresses.
func baseConfig(local, peer netip.Addr, localAS, peerAS uint32, id string) SessionConfig {
	return SessionConfig{
		Name: "p-" + peer.String(), Peer: netip.AddrPortFrom(peer, 0), Local: netip.AddrPortFrom(local, 0),
		LocalAS: localAS, PeerAS: peerAS, RouterID: ip(id),
		HoldTime: 9 * time.Second, ConnectRetry: 200 * time.Millisecond,
		IdleHoldTime: 50 * time.Millisecond, IdleHoldMax: 200 * time.Millisecond,
		Families: []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}, RouteRefresh: true,
	}
}

// pair is two Sessions, a dialing b's listener.
type pair struct {
	a, b   *Session
	ra, rb *recorder
	ln     *Listener
}

func newPair(t *testing.T, aAddr, bAddr netip.Addr, tweak func(a, b *SessionConfig)) *pair {
	t.Helper()
	p := &pair{ra: newRecorder(), rb: newRecorder()}
	ca := baseConfig(aAddr, bAddr, 65001, 65002, "1.1.1.1")
	cb := baseConfig(bAddr, aAddr, 65002, 65001, "2.2.2.2")
	cb.Passive = true
	var lopts ListenOptions
	if tweak != nil {
		tweak(&ca, &cb)
		if cb.MD5Password != "" {
			lopts.MD5 = map[netip.Addr]string{aAddr: cb.MD5Password}
		}
	}
	p.b = NewSession(cb, p.rb, SessionOptions{Logger: testLogger(t).With("side", "b")})
	ln, err := Listen(netip.AddrPortFrom(bAddr, 0), func(remote netip.Addr) *Session {
		if remote == aAddr {
			return p.b
		}
		return nil
	}, lopts)
	if err != nil {
		t.Fatal(err)
	}
	p.ln = ln
	ca.Peer = netip.AddrPortFrom(bAddr, ln.Addr().Port())
	p.a = NewSession(ca, p.ra, SessionOptions{Logger: testLogger(t).With("side", "a")})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = p.a.Stop(ctx, 0, 0, "")
		_ = p.b.Stop(ctx, 0, 0, "")
		_ = ln.Close()
	})
	if err := p.b.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.a.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// rawPeer is a test peer speaking BGP by hand over a net.Conn.
type rawPeer struct {
	t  *testing.T
	c  net.Conn
	ln net.Listener
}

// listenRaw listens on addr:0 for a session to dial.
func listenRaw(t *testing.T, addr netip.Addr) *rawPeer {
	t.Helper()
	ln, err := net.Listen("tcp", netip.AddrPortFrom(addr, 0).String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return &rawPeer{t: t, ln: ln}
}

func (p *rawPeer) port() uint16 { return uint16(p.ln.Addr().(*net.TCPAddr).Port) }

func (p *rawPeer) accept() {
	p.t.Helper()
	_ = p.ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	c, err := p.ln.Accept()
	if err != nil {
		p.t.Fatalf("raw peer accept: %v", err)
	}
	p.c = c
	p.t.Cleanup(func() { _ = c.Close() })
}

// read returns the next message, failing on timeout or EOF.
func (p *rawPeer) read() []byte {
	p.t.Helper()
	m, err := p.tryRead(5 * time.Second)
	if err != nil {
		p.t.Fatalf("raw peer read: %v", err)
	}
	return m
}

func (p *rawPeer) tryRead(d time.Duration) ([]byte, error) {
	_ = p.c.SetReadDeadline(time.Now().Add(d))
	h := make([]byte, wire.HeaderLen)
	if _, err := io.ReadFull(p.c, h); err != nil {
		return nil, err
	}
	l := int(binary.BigEndian.Uint16(h[16:18]))
	if l < wire.HeaderLen {
		return nil, fmt.Errorf("bad length %d", l)
	}
	m := make([]byte, l)
	copy(m, h)
	if _, err := io.ReadFull(p.c, m[wire.HeaderLen:]); err != nil {
		return nil, err
	}
	return m, nil
}

// readType reads messages until one of type want, skipping KEEPALIVEs.
func (p *rawPeer) readType(want wire.MsgType) []byte {
	p.t.Helper()
	for {
		m := p.read()
		if wire.MsgType(m[18]) == want {
			return m
		}
		if wire.MsgType(m[18]) != wire.MsgKeepalive {
			p.t.Fatalf("raw peer: got %v, want %v: % X", wire.MsgType(m[18]), want, m)
		}
	}
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.c.Write(b); err != nil {
		p.t.Fatalf("raw peer write: %v", err)
	}
}

// openMsg builds an OPEN.
func openMsg(version uint8, as uint16, hold uint16, id string, caps ...capability.Capability) []byte {
	o := message.Open{Version: message.Version, MyAS: as, HoldTime: hold, BGPID: ip(id)}
	b := make([]byte, message.OpenLen(o, caps))
	message.WriteOpen(b, 0, o, caps)
	b[wire.HeaderLen] = version
	return b
}

// notificationOf parses a NOTIFICATION message.
func notificationOf(t *testing.T, m []byte) message.Notification {
	t.Helper()
	if wire.MsgType(m[18]) != wire.MsgNotification {
		t.Fatalf("got %v, want a notification: % X", wire.MsgType(m[18]), m)
	}
	n, err := message.ParseNotification(m[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// updateMsg builds an UPDATE announcing 10.<i>.0.0/16 with ORIGIN, AS_PATH
// and NEXT_HOP (ASN4 encoding).
func updateMsg(i byte) []byte {
	attrs := []byte{
		0x40, 1, 1, 0, // ORIGIN IGP
		0x40, 2, 6, 2, 1, 0, 0, 0xFD, 0xE9, // AS_PATH 65001
		0x40, 3, 4, 10, 0, 0, 1, // NEXT_HOP
	}
	nlri := []byte{16, 10, i}
	l := wire.HeaderLen + 2 + 2 + len(attrs) + len(nlri)
	b := make([]byte, l)
	wire.WriteHeader(b, 0, l, wire.MsgUpdate)
	binary.BigEndian.PutUint16(b[21:], uint16(len(attrs)))
	copy(b[23:], attrs)
	copy(b[23+len(attrs):], nlri)
	return b
}
