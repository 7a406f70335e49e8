package reactor

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
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
			js, err := json.Marshal(ua.neg)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{`"hold-time":9,`, `"keepalive":3,`, `"peer-as":65002`, `"peer-router-id":"2.2.2.2"`,
				`"families":["ipv4/unicast","ipv6/unicast"]`, `"direction":"outgoing"`, `"route-refresh":true`} {
				if !strings.Contains(string(js), want) {
					t.Errorf("a: negotiated JSON %s lacks %s", js, want)
				}
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

// TestSessionCapabilities: what the config offers is negotiated as both
// sides offered it.
func TestSessionCapabilities(t *testing.T) {
	p := newStPair(t, stIP("127.0.41.21"), stIP("127.0.41.22"), func(a, b *SessionConfig) {
		for _, c := range []*SessionConfig{a, b} {
			c.AddPath = map[wire.Family]capability.AddPathMode{wire.IPv4Unicast: capability.AddPathBoth}
			c.GracefulRestart, c.RestartTime = true, 120*time.Second
			c.EnhancedRouteRefresh = true
			c.ExtendedNextHop = []capability.ExtNHTuple{{Family: wire.IPv4Unicast, NextHopAFI: wire.AFIIPv6}}
		}
		a.AddPath[wire.IPv6Unicast] = capability.AddPathReceive
		b.AddPath[wire.IPv6Unicast] = capability.AddPathSend
		a.Hostname, a.DomainName, a.SoftwareVersion = "ze-a", "example.net", "ze/test"
		a.Role, b.Role = "provider", "customer"
	})
	ua := p.ra.wait(t, "a up", func(e stEvent) bool { return e.kind == "up" })
	ub := p.rb.wait(t, "b up", func(e stEvent) bool { return e.kind == "up" })
	na, nb := ua.neg.Capabilities, ub.neg.Capabilities
	if fmt.Sprint(na.AddPathRecv) != "[ipv4/unicast ipv6/unicast]" || fmt.Sprint(na.AddPathSend) != "[ipv4/unicast]" {
		t.Errorf("a add-path receive %v send %v", na.AddPathRecv, na.AddPathSend)
	}
	if !ua.neg.Recv.AddPath(wire.IPv6Unicast) || ua.neg.Send.AddPath(wire.IPv6Unicast) || !ub.neg.Send.AddPath(wire.IPv6Unicast) {
		t.Error("add-path encoding contexts do not follow the negotiation")
	}
	if ua.neg.RecvID == ua.neg.SendID {
		t.Errorf("a: receive and send contexts differ but share ContextID %d", ua.neg.RecvID)
	}
	if nb.PeerGR == nil || nb.PeerGR.RestartTime != 120 || len(nb.PeerGR.Families) != 2 {
		t.Errorf("b: peer graceful restart %+v", nb.PeerGR)
	}
	if !na.EnhancedRouteRefresh || len(na.ExtNextHop) != 1 || !ua.neg.Send.ExtNextHop(wire.IPv4Unicast) {
		t.Errorf("a: enhanced route refresh %v extended next hop %v", na.EnhancedRouteRefresh, na.ExtNextHop)
	}
	if nb.PeerHostname == nil || nb.PeerHostname.HostName != "ze-a" || nb.PeerHostname.DomainName != "example.net" ||
		nb.PeerSoftware == nil || nb.PeerSoftware.Version != "ze/test" {
		t.Errorf("b: peer hostname %+v software %+v", nb.PeerHostname, nb.PeerSoftware)
	}
	if na.PeerRole == nil || na.PeerRole.Role != capability.RoleCustomer || nb.PeerRole == nil || nb.PeerRole.Role != capability.RoleProvider {
		t.Errorf("roles: a sees %+v, b sees %+v", na.PeerRole, nb.PeerRole)
	}
}

// TestSessionConfigErrors: Start refuses what the FSM or the socket
// options cannot work with.
func TestSessionConfigErrors(t *testing.T) {
	base := stBaseConfig(stIP("127.0.41.31"), stIP("127.0.41.32"), 65001, 65002, "1.1.1.1")
	for _, tt := range []struct {
		name  string
		tweak func(*SessionConfig)
		want  string
	}{
		{"hold time 2s", func(c *SessionConfig) { c.HoldTime = 2 * time.Second }, "hold time"},
		{"no router id", func(c *SessionConfig) { c.RouterID = netip.Addr{} }, "identifier"},
		{"unknown role", func(c *SessionConfig) { c.Role = "boss" }, "role"},
		{"ttl security 255", func(c *SessionConfig) { c.TTLSecurity = 255 }, "ttl-security"},
		{"md5 key of 81 bytes", func(c *SessionConfig) { c.MD5Password = string(make([]byte, 81)) }, "md5"},
		{"no peer", func(c *SessionConfig) { c.Peer = netip.AddrPort{} }, "peer address"},
		{"local and peer of different families", func(c *SessionConfig) { c.Local = netip.MustParseAddrPort("[::1]:0") }, "family"},
		{"add-path mode 0", func(c *SessionConfig) { c.AddPath = map[wire.Family]capability.AddPathMode{wire.IPv4Unicast: 0} }, "add-path"},
		{"restart time 5000s", func(c *SessionConfig) { c.GracefulRestart, c.RestartTime = true, 5000*time.Second }, "restart time"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.tweak(&cfg)
			s := NewSession(cfg, newStRecorder(), SessionOptions{Logger: stLogger(t)})
			err := s.Start()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Start: %v, want an error about %q", err, tt.want)
			}
			if st := s.Stats(); st.LastError != err.Error() || st.State != fsm.Idle {
				t.Errorf("stats last error %q state %v", st.LastError, st.State)
			}
		})
	}
}

// TestSessionFixedLocalPort: the configured local address and port are
// bound on outgoing connections.
func TestSessionFixedLocalPort(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.41.41:0")
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(probe.Addr().(*net.TCPAddr).Port)
	_ = probe.Close()
	_, _, raw := dialRaw(t, "127.0.41.41", "127.0.41.42", SessionOptions{}, func(c *SessionConfig) {
		c.Local = netip.AddrPortFrom(stIP("127.0.41.41"), port)
	})
	if got := raw.c.RemoteAddr().(*net.TCPAddr).AddrPort(); got != netip.AddrPortFrom(stIP("127.0.41.41"), port) {
		t.Errorf("connection from %v, want 127.0.41.41:%d", got, port)
	}
}

func TestSessionStatsJSON(t *testing.T) {
	st := SessionStats{State: fsm.Established, In: MessageCounts{Update: 3, Total: 3, Bytes: 150}, QueueBytes: 46, Flaps: 1}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"state":"established"`, `"received":{"open":0,"update":3,`, `"queue-bytes":46`, `"flaps":1`, `"route-refresh":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	if strings.Count(string(b), `"state"`) != 1 {
		t.Errorf("%s has the state twice", b)
	}
}
