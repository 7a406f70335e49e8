package reactor

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
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
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// stEvent is one Handler call, recorded.
type stEvent struct {
	kind     string // state, up, update, refresh, notification
	from, to fsm.State
	reason   error
	neg      Negotiated
	msg      []byte
	sent     bool
	n        message.Notification
	action   attr.Action // update: the session's RFC 7606 verdict
}

// stRecorder is a Handler that records every call.
type stRecorder struct {
	mu      sync.Mutex
	events  []stEvent
	changed chan struct{}
	onUp    func(s *Session)
	// onUpdate, when set, runs in SessionUpdate before it returns.
	onUpdate func()
}

func newStRecorder() *stRecorder { return &stRecorder{changed: make(chan struct{}, 1)} }

func (r *stRecorder) add(e stEvent) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *stRecorder) SessionState(_ *Session, from, to fsm.State, reason error) {
	r.add(stEvent{kind: "state", from: from, to: to, reason: reason})
}

func (r *stRecorder) SessionEstablished(s *Session, neg Negotiated) {
	r.add(stEvent{kind: "up", neg: neg})
	if r.onUp != nil {
		r.onUp(s)
	}
}

func (r *stRecorder) SessionUpdate(_ *Session, msg []byte, v *attr.Verdict) {
	r.add(stEvent{kind: "update", msg: bytes.Clone(msg), action: v.Action})
	if r.onUpdate != nil {
		r.onUpdate()
	}
}

func (r *stRecorder) SessionRouteRefresh(_ *Session, msg []byte) {
	r.add(stEvent{kind: "refresh", msg: bytes.Clone(msg)})
}

func (r *stRecorder) SessionNotification(_ *Session, sent bool, n message.Notification) {
	n.Data = bytes.Clone(n.Data)
	r.add(stEvent{kind: "notification", sent: sent, n: n})
}

// wait returns the first stEvent after index from that matches, or fails.
func (r *stRecorder) wait(t *testing.T, what string, match func(e stEvent) bool) stEvent {
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

func (r *stRecorder) dump() string {
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

func (r *stRecorder) count(kind string) int {
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

func (r *stRecorder) waitState(t *testing.T, to fsm.State) stEvent {
	t.Helper()
	return r.wait(t, "state "+to.String(), func(e stEvent) bool { return e.kind == "state" && e.to == to })
}

func (r *stRecorder) waitNotification(t *testing.T, sent bool) stEvent {
	t.Helper()
	return r.wait(t, fmt.Sprintf("notification sent=%v", sent), func(e stEvent) bool {
		return e.kind == "notification" && e.sent == sent
	})
}

// stLogger logs to the test at debug level.
func stLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(&stTLog{t: t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type stTLog struct{ t *testing.T }

func (l *stTLog) Write(p []byte) (int, error) {
	l.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// ip returns a loopback address for this test: 127.<a>.<b>.<c>.
func stIP(s string) netip.Addr { return netip.MustParseAddr(s) }

// stBaseConfig is a session config between loopback addresses.
func stBaseConfig(local, peer netip.Addr, localAS, peerAS uint32, id string) SessionConfig {
	return SessionConfig{
		Name: "p-" + peer.String(), Peer: netip.AddrPortFrom(peer, 0), Local: netip.AddrPortFrom(local, 0),
		LocalAS: localAS, PeerAS: peerAS, RouterID: stIP(id),
		HoldTime: 9 * time.Second, ConnectRetry: 200 * time.Millisecond,
		IdleHoldTime: 50 * time.Millisecond, IdleHoldMax: 200 * time.Millisecond,
		Families: []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}, RouteRefresh: true,
	}
}

// stPair is two Sessions, a dialing b's listener.
type stPair struct {
	a, b   *Session
	ra, rb *stRecorder
	ln     *Listener
}

func newStPair(t *testing.T, aAddr, bAddr netip.Addr, tweak func(a, b *SessionConfig)) *stPair {
	t.Helper()
	p := &stPair{ra: newStRecorder(), rb: newStRecorder()}
	ca := stBaseConfig(aAddr, bAddr, 65001, 65002, "1.1.1.1")
	cb := stBaseConfig(bAddr, aAddr, 65002, 65001, "2.2.2.2")
	cb.Passive = true
	var lopts ListenOptions
	if tweak != nil {
		tweak(&ca, &cb)
		if cb.MD5Password != "" {
			lopts.MD5 = map[netip.Addr]string{aAddr: cb.MD5Password}
		}
	}
	p.b = NewSession(cb, p.rb, SessionOptions{Logger: stLogger(t).With("side", "b")})
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
	p.a = NewSession(ca, p.ra, SessionOptions{Logger: stLogger(t).With("side", "a")})
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

// stRawPeer is a test peer speaking BGP by hand over a net.Conn.
type stRawPeer struct {
	t  *testing.T
	c  net.Conn
	ln net.Listener
}

// stListenRaw listens on addr:0 for a session to dial.
func stListenRaw(t *testing.T, addr netip.Addr) *stRawPeer {
	t.Helper()
	ln, err := net.Listen("tcp", netip.AddrPortFrom(addr, 0).String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return &stRawPeer{t: t, ln: ln}
}

func (p *stRawPeer) port() uint16 { return uint16(p.ln.Addr().(*net.TCPAddr).Port) }

func (p *stRawPeer) accept() {
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
func (p *stRawPeer) read() []byte {
	p.t.Helper()
	m, err := p.tryRead(5 * time.Second)
	if err != nil {
		p.t.Fatalf("raw peer read: %v", err)
	}
	return m
}

func (p *stRawPeer) tryRead(d time.Duration) ([]byte, error) {
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
func (p *stRawPeer) readType(want wire.MsgType) []byte {
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

func (p *stRawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.c.Write(b); err != nil {
		p.t.Fatalf("raw peer write: %v", err)
	}
}

// stOpenMsg builds an OPEN.
func stOpenMsg(version uint8, as uint16, hold uint16, id string, caps ...capability.Capability) []byte {
	o := message.Open{Version: message.Version, MyAS: as, HoldTime: hold, BGPID: stIP(id)}
	b := make([]byte, message.OpenLen(o, caps))
	message.WriteOpen(b, 0, o, caps)
	b[wire.HeaderLen] = version
	return b
}

// stNotificationOf parses a NOTIFICATION message.
func stNotificationOf(t *testing.T, m []byte) message.Notification {
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

// stUpdateMsg builds an UPDATE announcing 10.<i>.0.0/16 with ORIGIN, AS_PATH
// and NEXT_HOP (ASN4 encoding).
func stUpdateMsg(i byte) []byte {
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

// downErr returns the *DownError in a state change's reason.
func downErr(err error) (*DownError, bool) {
	var de *DownError
	ok := errors.As(err, &de)
	return de, ok
}
