package reactor

import (
	"context"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"golang.org/x/sys/unix"
)

// TestSessionMD5: the same key on both sides establishes (RFC 2385); a
// wrong key or none on one side does not: Linux drops the segments, so
// the passive side never even sees the connection.
func TestSessionMD5(t *testing.T) {
	for i, tt := range []struct {
		name   string
		ka, kb string
		up     bool
	}{
		{"same key", "s3cret", "s3cret", true},
		{"same key ipv6", "s3cret", "s3cret", true},
		{"wrong key", "s3cret", "other", false},
		{"no key on the dialing side", "", "s3cret", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := stIP("127.0.47."+string(rune('1'+2*i))), stIP("127.0.47."+string(rune('2'+2*i)))
			if tt.name == "same key ipv6" {
				a, b = stIP("::1"), stIP("::1")
			}
			p := newStPair(t, a, b, func(ca, cb *SessionConfig) { ca.MD5Password, cb.MD5Password = tt.ka, tt.kb })
			if tt.up {
				p.ra.waitState(t, fsm.Established)
				p.rb.waitState(t, fsm.Established)
				return
			}
			time.Sleep(1500 * time.Millisecond)
			if p.a.State() == fsm.Established || p.rb.count("up") != 0 {
				t.Fatalf("established with keys %q and %q", tt.ka, tt.kb)
			}
			if st := p.b.Stats(); st.In.Total != 0 || st.State != fsm.Active {
				t.Errorf("passive side saw %d messages, state %v", st.In.Total, st.State)
			}
		})
	}
}

// TestListenerSetMD5: a key set after Listen applies to the next
// connection; removing it makes the signed connection fail.
func TestListenerSetMD5(t *testing.T) {
	ln, err := Listen(netip.AddrPortFrom(stIP("127.0.47.21"), 0), func(netip.Addr) *Session { return nil }, ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	if err := ln.SetMD5(stIP("127.0.47.22"), "k1"); err != nil {
		t.Fatal(err)
	}
	if err := ln.SetMD5(stIP("127.0.47.22"), ""); err != nil {
		t.Fatalf("removing the key: %v", err)
	}
	if err := ln.SetMD5(stIP("127.0.47.23"), ""); err != nil {
		t.Fatalf("removing a key never set: %v", err)
	}
	if err := ln.SetMD5(stIP("::1"), "k"); err == nil {
		t.Error("an IPv6 key on an IPv4 socket was accepted")
	}
	long := make([]byte, 81)
	if err := ln.SetMD5(stIP("127.0.47.22"), string(long)); err == nil {
		t.Error("an 81-byte key was accepted")
	}
}

// ttlsOf returns the TTL and minimum TTL of a connection's socket.
func ttlsOf(t *testing.T, c net.Conn) (int, int) {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var ttl, minTTL int
	if err := control(rc, func(fd int) (err error) { ttl, minTTL, err = getTTLs(fd); return err }); err != nil {
		t.Fatal(err)
	}
	return ttl, minTTL
}

// TestSessionGTSM: with ttl-security both sides send with TTL 255 and
// require at least 255 from a directly connected peer (RFC 5082); a peer
// sending with TTL 64 is not heard.
func TestSessionGTSM(t *testing.T) {
	p := newStPair(t, stIP("127.0.48.1"), stIP("127.0.48.2"), func(a, b *SessionConfig) { a.TTLSecurity, b.TTLSecurity = 1, 1 })
	p.ra.waitState(t, fsm.Established)
	p.rb.waitState(t, fsm.Established)
	for _, s := range []*Session{p.a, p.b} {
		s.mu.Lock()
		nc := s.st.main.c.nc
		s.mu.Unlock()
		if ttl, minTTL := ttlsOf(t, nc); ttl != 255 || minTTL != 255 {
			t.Errorf("%s: ttl %d min ttl %d, want 255 and 255", s, ttl, minTTL)
		}
	}

	// A passive session with ttl-security 2 and raw peers dialing it.
	local, peer := stIP("127.0.48.3"), stIP("127.0.48.4")
	rec := newStRecorder()
	cfg := stBaseConfig(local, peer, 65001, 65002, "1.1.1.1")
	cfg.Passive, cfg.TTLSecurity = true, 2
	s := NewSession(cfg, rec, SessionOptions{Logger: stLogger(t)})
	var sp atomic.Pointer[Session]
	sp.Store(s)
	ln, err := Listen(netip.AddrPortFrom(local, 0), func(netip.Addr) *Session { return sp.Load() }, ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sp.Load().Stop(context.Background(), 0, 0, "") }()
	rec.waitState(t, fsm.Active)
	for _, ttl := range []int{64, 255} {
		d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(peer, 0)),
			Control: func(_, _ string, rc syscall.RawConn) error {
				return control(rc, func(fd int) error { return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL, ttl) })
			}}
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		raw := &stRawPeer{t: t, c: c}
		raw.readType(wire.MsgOpen) // ours arrives: we send with TTL 255
		raw.write(stOpenMsg(4, 65002, 90, "2.2.2.2"))
		if ttl == 64 {
			time.Sleep(500 * time.Millisecond)
			if st := s.Stats(); st.In.Open != 0 || s.State() != fsm.OpenSent {
				t.Fatalf("ttl 64: the OPEN was heard (in %d opens, state %v)", st.In.Open, s.State())
			}
			_ = c.Close()
			// The session gives up the silent connection only on its timers;
			// stop and start it again for the next peer.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = s.Stop(ctx, 0, 0, "")
			cancel()
			s = NewSession(cfg, rec, SessionOptions{Logger: stLogger(t)})
			sp.Store(s)
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		raw.readType(wire.MsgKeepalive)
		_ = c.Close()
	}
}

// TestSessionDualStackListener: an IPv4 peer reaches a listener on [::]
// (IPv4-mapped), with its MD5 key set on the IPv6 socket.
func TestSessionDualStackListener(t *testing.T) {
	a, b := stIP("127.0.47.31"), stIP("127.0.47.32")
	rb := newStRecorder()
	cb := stBaseConfig(netip.Addr{}, a, 65002, 65001, "2.2.2.2")
	cb.Passive, cb.MD5Password = true, "dual"
	sb := NewSession(cb, rb, SessionOptions{Logger: stLogger(t)})
	ln, err := Listen(netip.MustParseAddrPort("[::]:0"), func(remote netip.Addr) *Session {
		if remote == a {
			return sb
		}
		return nil
	}, ListenOptions{Logger: stLogger(t), MD5: map[netip.Addr]string{a: "dual"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sb.Stop(context.Background(), 0, 0, "") }()
	ra := newStRecorder()
	ca := stBaseConfig(a, b, 65001, 65002, "1.1.1.1")
	ca.Peer, ca.MD5Password = netip.AddrPortFrom(b, ln.Addr().Port()), "dual"
	sa := NewSession(ca, ra, SessionOptions{Logger: stLogger(t)})
	if err := sa.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sa.Stop(context.Background(), 0, 0, "") }()
	ub := rb.wait(t, "b up", func(e stEvent) bool { return e.kind == "up" })
	if ub.neg.Remote.Addr() != a || ub.neg.Local.Addr() != b {
		t.Errorf("b: local %v remote %v, want %v and %v unmapped", ub.neg.Local, ub.neg.Remote, b, a)
	}
	ra.waitState(t, fsm.Established)
}
