package reactor

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
)

// TestSessionCollision: the session dials the raw peer, and the raw peer
// connects to the session too; the OPEN on the second connection decides
// which one stays (RFC 4271 §6.8): the one opened by the higher BGP
// identifier.
func TestSessionCollision(t *testing.T) {
	for i, tt := range []struct {
		name   string
		peerID string
		keep   fsm.Direction
	}{
		{"peer id higher keeps the incoming", "2.2.2.2", fsm.Incoming},
		{"our id higher keeps the outgoing", "0.0.0.9", fsm.Outgoing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			local := stIP("127.0.46." + string(rune('1'+2*i)))
			peer := stIP("127.0.46." + string(rune('2'+2*i)))
			var sp atomic.Pointer[Session]
			ln, err := Listen(netip.AddrPortFrom(local, 0), func(remote netip.Addr) *Session {
				if remote == peer {
					return sp.Load()
				}
				return nil
			}, ListenOptions{Logger: stLogger(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = ln.Close() }()
			s, rec, out := dialRaw(t, local.String(), peer.String(), SessionOptions{}, nil)
			sp.Store(s)
			out.readType(wire.MsgOpen)

			d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(peer, 0)), Timeout: 5 * time.Second}
			c2, err := d.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			in := &stRawPeer{t: t, c: c2}
			defer func() { _ = c2.Close() }()
			in.readType(wire.MsgOpen)
			open := stOpenMsg(4, 65002, 90, tt.peerID, capability.ASN4{ASN: 65002})
			in.write(open)

			loser, winner := out, in
			if tt.keep == fsm.Outgoing {
				loser, winner = in, out
			}
			n := stNotificationOf(t, loser.readType(wire.MsgNotification))
			if n.Code != wire.NotifyCease || n.Subcode != wire.CeaseCollision {
				t.Fatalf("loser got %v, want cease/connection-collision-resolution", n)
			}
			if winner == out {
				out.write(open)
			}
			winner.readType(wire.MsgKeepalive)
			winner.write(keepaliveMsg)
			up := rec.wait(t, "up", func(e stEvent) bool { return e.kind == "up" })
			if up.neg.Direction != tt.keep {
				t.Errorf("established on the %v connection, want %v", up.neg.Direction, tt.keep)
			}
			if s.State() != fsm.Established {
				t.Errorf("state %v", s.State())
			}
			// The session stays on the winner: an UPDATE flows.
			winner.write(stUpdateMsg(5))
			rec.wait(t, "update", func(e stEvent) bool { return e.kind == "update" })
			if _, err := loser.tryRead(time.Second); err == nil {
				t.Error("the losing connection is still open")
			}
		})
	}
}

// TestSessionIncomingWhileConnecting: a connection from the peer while our
// dial is pending is taken by the session (the dial is abandoned).
func TestSessionPassiveAccept(t *testing.T) {
	local, peer := stIP("127.0.46.11"), stIP("127.0.46.12")
	rec := newStRecorder()
	cfg := stBaseConfig(local, peer, 65001, 65002, "1.1.1.1")
	cfg.Passive = true
	s := NewSession(cfg, rec, SessionOptions{Logger: stLogger(t)})
	ln, err := Listen(netip.AddrPortFrom(local, 0), func(remote netip.Addr) *Session {
		if remote == peer {
			return s
		}
		return nil
	}, ListenOptions{Logger: stLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()

	// Before Start, and from an unknown address, connections are refused.
	for _, from := range []netip.Addr{peer, stIP("127.0.46.13")} {
		d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(from, 0))}
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if n, err := c.Read(make([]byte, 1)); err == nil || n != 0 {
			t.Errorf("connection from %v not refused", from)
		}
		_ = c.Close()
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Stop(context.Background(), 0, 0, "") }()
	rec.waitState(t, fsm.Active)
	d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(peer, 0))}
	c, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	raw := &stRawPeer{t: t, c: c}
	defer func() { _ = c.Close() }()
	establishRaw(t, s, rec, raw, 90)
	if neg, _ := s.Negotiated(); neg.Direction != fsm.Incoming || neg.Remote.Addr() != peer {
		t.Errorf("negotiated direction %v remote %v", neg.Direction, neg.Remote)
	}
}

// TestSessionFlapBackoff: a peer that refuses with a NOTIFICATION each time
// is retried after an idle hold that doubles up to its maximum.
func TestSessionFlapBackoff(t *testing.T) {
	s, _, raw := dialRaw(t, "127.0.46.21", "127.0.46.22", SessionOptions{}, func(c *SessionConfig) {
		c.IdleHoldTime, c.IdleHoldMax = 100*time.Millisecond, 200*time.Millisecond
	})
	refuse := []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 21, 3, 6, 5}
	var times []time.Time
	for i := 0; ; i++ {
		times = append(times, time.Now())
		raw.readType(wire.MsgOpen)
		raw.write(refuse)
		_, _ = raw.tryRead(2 * time.Second) // until closed
		_ = raw.c.Close()
		if i == 4 {
			break
		}
		raw.accept()
	}
	var gaps []time.Duration
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	t.Logf("reconnect gaps %v", gaps)
	// Idle holds of 100, 200, 200, 200 ms (capped; 400 and 800 without the cap).
	if gaps[0] < 90*time.Millisecond || gaps[1] < 190*time.Millisecond || gaps[3] < 190*time.Millisecond {
		t.Errorf("gaps %v, want at least 100, 200, -, 200 ms", gaps)
	}
	if gaps[3] > 390*time.Millisecond {
		t.Errorf("gaps %v: the fourth is over the 200 ms cap", gaps)
	}
	if st := s.Stats(); st.Flaps < 4 || st.LastNotification == "" {
		t.Errorf("flaps %d last notification %q", st.Flaps, st.LastNotification)
	}
}

func TestSessionReset(t *testing.T) {
	p := newStPair(t, stIP("127.0.46.31"), stIP("127.0.46.32"), nil)
	p.ra.wait(t, "a up", func(e stEvent) bool { return e.kind == "up" })
	p.rb.wait(t, "b up", func(e stEvent) bool { return e.kind == "up" })
	p.a.Reset("config change")
	n := p.rb.waitNotification(t, false).n
	if n.Code != wire.NotifyCease || n.Subcode != wire.CeaseAdminReset {
		t.Fatalf("b got %v, want cease/administrative-reset", n)
	}
	if c, _ := n.Communication(); c != "config change" {
		t.Errorf("communication %q", c)
	}
	waitFor(t, "re-established", func() bool { return p.ra.count("up") == 2 && p.rb.count("up") == 2 })
	if p.a.State() != fsm.Established || p.b.State() != fsm.Established {
		t.Errorf("states a %v b %v", p.a.State(), p.b.State())
	}
}

// TestSessionsBothActive: two sessions that both dial and both listen end
// up on one connection, whichever way the race between the dials goes.
func TestSessionsBothActive(t *testing.T) {
	for i := range 5 {
		a, b := stIP(fmt.Sprintf("127.0.46.%d", 101+2*i)), stIP(fmt.Sprintf("127.0.46.%d", 102+2*i))
		ra, rb := newStRecorder(), newStRecorder()
		var sa, sb atomic.Pointer[Session]
		la, err := Listen(netip.AddrPortFrom(a, 0), func(netip.Addr) *Session { return sa.Load() }, ListenOptions{Logger: stLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		lb, err := Listen(netip.AddrPortFrom(b, 0), func(netip.Addr) *Session { return sb.Load() }, ListenOptions{Logger: stLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		ca := stBaseConfig(a, b, 65001, 65002, "1.1.1.1")
		ca.Peer = lb.Addr()
		cb := stBaseConfig(b, a, 65002, 65001, "2.2.2.2")
		cb.Peer = la.Addr()
		sa.Store(NewSession(ca, ra, SessionOptions{Logger: stLogger(t).With("side", "a")}))
		sb.Store(NewSession(cb, rb, SessionOptions{Logger: stLogger(t).With("side", "b")}))
		go func() { _ = sb.Load().Start() }()
		if err := sa.Load().Start(); err != nil {
			t.Fatal(err)
		}
		ua := ra.wait(t, "a up", func(e stEvent) bool { return e.kind == "up" })
		ub := rb.wait(t, "b up", func(e stEvent) bool { return e.kind == "up" })
		if ua.neg.Direction == ub.neg.Direction || ua.neg.Local != ub.neg.Remote || ua.neg.Remote != ub.neg.Local {
			t.Errorf("round %d: a on %v %v→%v, b on %v %v→%v", i, ua.neg.Direction, ua.neg.Local, ua.neg.Remote,
				ub.neg.Direction, ub.neg.Local, ub.neg.Remote)
		}
		if err := sa.Load().Send(stUpdateMsg(byte(i))); err != nil {
			t.Fatal(err)
		}
		rb.wait(t, "update at b", func(e stEvent) bool { return e.kind == "update" })
		time.Sleep(100 * time.Millisecond)
		if sa.Load().State() != fsm.Established || sb.Load().State() != fsm.Established || ra.count("up") != 1 || rb.count("up") != 1 {
			t.Errorf("round %d: states %v %v, ups %d %d; a: %s", i, sa.Load().State(), sb.Load().State(),
				ra.count("up"), rb.count("up"), ra.dump())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = sa.Load().Stop(ctx, 0, 0, "")
		_ = sb.Load().Stop(ctx, 0, 0, "")
		cancel()
		_ = la.Close()
		_ = lb.Close()
	}
}
