package reactor

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/message"
)

func TestSessionsEstablish(t *testing.T) {
	for _, tt := range []struct{ name, a, b string }{
		{"ipv4", "127.0.41.1", "127.0.41.2"},
		{"ipv6", "::1", "::1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newStPair(t, stIP(tt.a), stIP(tt.b), nil)
			ua := p.ra.wait(t, "a up", func(e stEvent) bool { return e.kind == "up" })
			ub := p.rb.wait(t, "b up", func(e stEvent) bool { return e.kind == "up" })
			if got, want := ua.neg.PeerAS, uint32(65002); got != want {
				t.Errorf("a: peer AS %d, want %d", got, want)
			}
			if got, want := ub.neg.PeerRouterID, stIP("1.1.1.1"); got != want {
				t.Errorf("b: peer id %v, want %v", got, want)
			}
			if ua.neg.HoldTime != 9*time.Second || ua.neg.Keepalive != 3*time.Second {
				t.Errorf("a: hold %v keepalive %v, want 9s 3s", ua.neg.HoldTime, ua.neg.Keepalive)
			}
			if len(ua.neg.Families) != 2 || ua.neg.Families[0] != wire.IPv4Unicast || ua.neg.Families[1] != wire.IPv6Unicast {
				t.Errorf("a: families %v", ua.neg.Families)
			}
			if !ua.neg.Capabilities.ASN4 || !ua.neg.Capabilities.RouteRefresh {
				t.Errorf("a: asn4 %v route-refresh %v, want both", ua.neg.Capabilities.ASN4, ua.neg.Capabilities.RouteRefresh)
			}
			if ua.neg.SendID == 0 || ua.neg.SendID != ub.neg.RecvID {
				t.Errorf("context ids: a send %d, b recv %d", ua.neg.SendID, ub.neg.RecvID)
			}
			if ua.neg.Direction != fsm.Outgoing || ub.neg.Direction != fsm.Incoming {
				t.Errorf("directions a %v b %v", ua.neg.Direction, ub.neg.Direction)
			}
			if ua.neg.Local.Addr() != stIP(tt.a) || ua.neg.Remote != p.a.Config().Peer {
				t.Errorf("a: local %v remote %v", ua.neg.Local, ua.neg.Remote)
			}
			if p.a.State() != fsm.Established || p.b.State() != fsm.Established {
				t.Errorf("states a %v b %v", p.a.State(), p.b.State())
			}
			if _, ok := p.a.Negotiated(); !ok {
				t.Error("a: Negotiated not ok")
			}

			// UPDATE passthrough, both ways, bytes unchanged.
			u := stUpdateMsg(7)
			if err := p.a.Send(u); err != nil {
				t.Fatal(err)
			}
			got := p.rb.wait(t, "update at b", func(e stEvent) bool { return e.kind == "update" })
			if !bytes.Equal(got.msg, u) {
				t.Errorf("b got % X, want % X", got.msg, u)
			}
			// ROUTE-REFRESH.
			rr := make([]byte, message.RouteRefreshLen)
			message.RouteRefresh{Family: wire.IPv6Unicast}.WriteTo(rr, 0)
			if err := p.b.Send(rr); err != nil {
				t.Fatal(err)
			}
			gr := p.ra.wait(t, "refresh at a", func(e stEvent) bool { return e.kind == "refresh" })
			if !bytes.Equal(gr.msg, rr) {
				t.Errorf("a got refresh % X, want % X", gr.msg, rr)
			}
			waitFor(t, "a's update written", func() bool { return p.a.Stats().Out.Update == 1 })
			st := p.a.Stats()
			if st.Out.Update != 1 || st.Out.Open != 1 || st.In.Open != 1 || st.In.RouteRefresh != 1 || st.Established != 1 {
				t.Errorf("a stats %+v", st)
			}
			if st.EstablishedSince.IsZero() || st.State != fsm.Established {
				t.Errorf("a stats state %v since %v", st.State, st.EstablishedSince)
			}

			// Stop a with a shutdown communication: b receives Cease 6/2 with it.
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := p.a.Stop(ctx, 0, 0, "maintenance window"); err != nil {
				t.Fatal(err)
			}
			n := p.rb.waitNotification(t, false).n
			if n.Code != wire.NotifyCease || n.Subcode != wire.CeaseAdminShutdown {
				t.Fatalf("b got %v, want cease/administrative-shutdown", n)
			}
			if c, err := n.Communication(); err != nil || c != "maintenance window" {
				t.Errorf("communication %q %v, want %q", c, err, "maintenance window")
			}
			down := p.rb.wait(t, "b down", func(e stEvent) bool { return e.kind == "state" && e.from == fsm.Established })
			de, ok := downErr(down.reason)
			if !ok || de.Reason != fsm.ReasonNotificationReceived || de.Notification == nil || de.Sent {
				t.Errorf("b down reason %#v", down.reason)
			}
			if p.a.State() != fsm.Idle {
				t.Errorf("a state after stop %v", p.a.State())
			}
			if err := p.a.Send(u); !errors.Is(err, ErrNotEstablished) {
				t.Errorf("send after stop: %v, want ErrNotEstablished", err)
			}
			if err := p.a.Start(); !errors.Is(err, ErrStopped) {
				t.Errorf("start after stop: %v, want ErrStopped", err)
			}
		})
	}
}

// TestSessionExtendedMessage: with RFC 8654 negotiated, messages up to
// 65535 bytes go both ways; without it, Send refuses one over 4096.
func TestSessionExtendedMessage(t *testing.T) {
	big := make([]byte, 20000)
	copy(big, stUpdateMsg(1))
	wire.BackfillLength(big, 0, len(big))
	binary.BigEndian.PutUint16(big[21:], uint16(len(big)-23)) // attributes to the end…
	// …as one optional transitive attribute with an extended length.
	copy(big[23:], []byte{0xD0, 99, byte((len(big) - 27) >> 8), byte(len(big) - 27)})

	p := newStPair(t, stIP("127.0.41.11"), stIP("127.0.41.12"), func(a, b *SessionConfig) {
		a.ExtendedMessage, b.ExtendedMessage = true, true
	})
	ua := p.ra.wait(t, "a up", func(e stEvent) bool { return e.kind == "up" })
	p.rb.waitState(t, fsm.Established)
	if !ua.neg.Capabilities.ExtendedMessage || ua.neg.Send.MaxLen() != wire.ExtMaxMsgLen {
		t.Fatalf("extended message not negotiated: %+v", ua.neg.Capabilities)
	}
	for range 3 {
		if err := p.a.Send(big); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "three big updates", func() bool { return p.rb.count("update") == 3 })
	got := p.rb.wait(t, "update", func(e stEvent) bool { return e.kind == "update" })
	if !bytes.Equal(got.msg, big) {
		t.Errorf("b got %d bytes, want the %d sent", len(got.msg), len(big))
	}

	q := newStPair(t, stIP("127.0.41.13"), stIP("127.0.41.14"), func(a, b *SessionConfig) { a.ExtendedMessage = true })
	q.ra.waitState(t, fsm.Established)
	if err := q.a.Send(big); !errors.Is(err, ErrBadMessage) {
		t.Errorf("send of %d bytes without extended message: %v, want ErrBadMessage", len(big), err)
	}
	if err := q.a.Send(big[:30]); !errors.Is(err, ErrBadMessage) {
		t.Errorf("send of a cut message: %v, want ErrBadMessage", err)
	}
}
