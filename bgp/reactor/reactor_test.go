package reactor

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
)

// hasAll reports whether s holds every part.
func hasAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// Three reactors: A (AS 65001) with passive peers b and c; B (AS 65002)
// and C (AS 65003) dial A. Static routes, run-time commands, and each kind
// of reconciliation, checked on the other side.
func TestReactorsPeer(t *testing.T) {
	a := newNode(t, "A", "127.0.61.1")
	b := newNode(t, "B", "127.0.61.2")
	c := newNode(t, "C", "127.0.61.3")

	ab := a.peerOf("b", b, 65001, 65002, true)
	ab.Description = "peer B"
	ab.Static = []StaticRoute{
		{Prefix: netip.MustParsePrefix("10.1.0.0/24"), Origin: "igp", MED: 10, HasMED: true, Community: []string{"65001:7", "no-export"},
			ASPath: []ASSegment{{ASNs: []uint32{65100}}}},
		{Prefix: netip.MustParsePrefix("2001:db8:1::/48"), Origin: "egp", NextHop: netip.MustParseAddr("2001:db8::1"), LargeCommunity: []string{"65001:1:2"}},
	}
	ac := a.peerOf("c", c, 65001, 65003, true)
	cfgA := a.config(65001, ab, ac)
	a.apply(cfgA)
	b.apply(b.config(65002, b.peerOf("a", a, 65002, 65001, false)))
	cfgC := c.config(65003, c.peerOf("a", a, 65003, 65001, false))
	c.apply(cfgC)
	a.established("b")
	a.established("c")
	b.established("a")
	c.established("a")

	// The static routes reach B with their attributes, then End-of-RIB.
	v4, _ := b.ev.wait(t, "static ipv4 route at B", 0, func(v any) bool {
		return strings.Contains(updateJSON(v), `"prefix":"10.1.0.0/24"`)
	})
	if j := updateJSON(v4); !hasAll(j, `"peer":{"name":"a","address":"127.0.61.1","as":65001}`, `"direction":"received"`,
		`"as-path":[{"type":"as-sequence","asns":[65001,65100]}]`, `"next-hop":"127.0.61.1"`, `"med":10`,
		`"community":["65001:7","no-export"]`, `"origin":"igp"`, `"family":"ipv4/unicast"`) {
		t.Errorf("ipv4 static route at B: %s", j)
	}
	v6, _ := b.ev.wait(t, "static ipv6 route at B", 0, func(v any) bool {
		return strings.Contains(updateJSON(v), `"prefix":"2001:db8:1::/48"`)
	})
	if j := updateJSON(v6); !hasAll(j, `"origin":"egp"`, `"next-hop":"2001:db8::1"`, `"large-community":["65001:1:2"]`, `"family":"ipv6/unicast"`) {
		t.Errorf("ipv6 static route at B: %s", j)
	}
	if ev := v6.(*UpdateEvent); ev.Peer.Name != "a" || ev.ContextID == 0 || ev.Family != wire.IPv6Unicast {
		t.Errorf("ipv6 event: peer %q context %d family %s", ev.Peer.Name, ev.ContextID, ev.Family)
	}
	for _, f := range []string{"ipv4/unicast", "ipv6/unicast"} {
		b.ev.wait(t, "end-of-rib "+f, 0, func(v any) bool { return strings.Contains(updateJSON(v), `"eor":"`+f+`"`) })
	}
	waitPrefixes(t, b, "a", 2)

	// A run-time command announces, then withdraws.
	mark := b.ev.len()
	res, err := a.r.Command(context.Background(), "peer 127.0.61.2 update text origin set igp nhop set 127.0.61.1 med set 5 nlri ipv4/unicast add 10.2.0.0/24 10.2.1.0/24")
	if err != nil || len(res.Peers) != 1 || res.Peers[0].Name != "b" || res.Peers[0].Messages != 1 {
		t.Fatalf("announce: %+v %v", res, err)
	}
	ann, _ := b.ev.wait(t, "announce at B", mark, func(v any) bool { return strings.Contains(updateJSON(v), `"prefix":"10.2.0.0/24"`) })
	if j := updateJSON(ann); !hasAll(j, `"prefix":"10.2.1.0/24"`, `"med":5`) {
		t.Errorf("announce at B: %s", j)
	}
	waitPrefixes(t, b, "a", 4)
	mark = b.ev.len()
	if _, err := a.r.Command(context.Background(), "peer b withdraw text nlri ipv4/unicast 10.2.0.0/24"); err != nil {
		t.Fatal(err)
	}
	wd, _ := b.ev.wait(t, "withdraw at B", mark, func(v any) bool { return strings.Contains(updateJSON(v), `"withdraw"`) })
	if j := updateJSON(wd); !hasAll(j, `"withdraw":{"ipv4/unicast":[{"prefix":"10.2.0.0/24"}]}`) {
		t.Errorf("withdraw at B: %s", j)
	}
	waitPrefixes(t, b, "a", 3)
	if d, _ := a.r.Neighbor("b"); d.RoutesOut != 1 {
		t.Errorf("A's adj-rib-out for b: %d routes, want 1", d.RoutesOut)
	}

	// A new description resets nothing: same session, no state event.
	before, _ := a.r.Neighbor("b")
	beforeB, _ := b.r.Neighbor("a")
	markA, markB := a.ev.len(), b.ev.len()
	cfgA.Peers[0].Description = "peer B, renamed"
	a.apply(cfgA)
	time.Sleep(300 * time.Millisecond)
	after, _ := a.r.Neighbor("b")
	afterB, _ := b.r.Neighbor("a")
	if after.Description != "peer B, renamed" || after.State != "established" ||
		!after.Session.EstablishedSince.Equal(before.Session.EstablishedSince) || afterB.Session.Established != beforeB.Session.Established {
		t.Errorf("description change: before %v/%d after %v/%d %q", before.Session.EstablishedSince, beforeB.Session.Established,
			after.Session.EstablishedSince, afterB.Session.Established, after.Description)
	}
	for _, v := range a.ev.all()[markA:] {
		if _, ok := v.(*StateEvent); ok {
			t.Errorf("state event after a description change: %+v", v)
		}
	}
	for _, v := range b.ev.all()[markB:] {
		t.Errorf("B got an event after a description change: %s", updateJSON(v))
	}

	// A static route added: just its UPDATE; one removed: just its withdrawal.
	mark = b.ev.len()
	cfgA.Peers[0].Static = append(cfgA.Peers[0].Static[:1:1], StaticRoute{Prefix: netip.MustParsePrefix("10.3.0.0/16"), Origin: "igp"})
	a.apply(cfgA)
	wd6, i := b.ev.wait(t, "ipv6 static withdrawn", mark, func(v any) bool {
		return strings.Contains(updateJSON(v), `"withdraw":{"ipv6/unicast":[{"prefix":"2001:db8:1::/48"}]}`)
	})
	_ = wd6
	b.ev.wait(t, "10.3.0.0/16 announced", mark, func(v any) bool { return strings.Contains(updateJSON(v), `"prefix":"10.3.0.0/16"`) })
	waitPrefixes(t, b, "a", 3) // 10.1/24, 10.2.1/24, 10.3/16
	time.Sleep(100 * time.Millisecond)
	if got := len(b.ev.all()[mark:]); got != 2 {
		t.Errorf("static change: B got %d events, want 2 (one UPDATE, one withdrawal; last at %d)", got, i)
	}

	// A new remote AS for c (and C's local AS to match) resets c alone.
	bUp, _ := b.r.Neighbor("a")
	markA = a.ev.len()
	cfgA.Peers[1].RemoteAS = 65004
	a.apply(cfgA)
	cfgC.LocalAS = 65004
	cfgC.Peers[0].LocalAS = 65004
	c.apply(cfgC)
	a.ev.wait(t, "c down", markA, func(v any) bool {
		s, ok := v.(*StateEvent)
		return ok && s.Peer.Name == "c" && stateName(s.From) == "established"
	})
	upAgain, _ := a.ev.wait(t, "c up again", markA, func(v any) bool { return isState(v, "c", "established") })
	if n := upAgain.(*StateEvent).Negotiated; n == nil || n.HoldTime != 30*time.Second || len(n.Families) != 2 || n.Remote.Addr() != c.addr {
		t.Errorf("c's established event: negotiated %+v", n)
	}
	c.established("a") // C's side too, before c is removed
	if d, _ := a.r.Neighbor("c"); d.RemoteAS != 65004 || d.Negotiated == nil {
		t.Errorf("c after the reset: %+v", d)
	}
	for _, v := range a.ev.all()[markA:] {
		if s, ok := v.(*StateEvent); ok && s.Peer.Name != "c" {
			t.Errorf("a reset of c changed %s: %+v", s.Peer.Name, s)
		}
	}
	if bNow, _ := b.r.Neighbor("a"); bNow.Session.Established != bUp.Session.Established || bNow.State != "established" {
		t.Errorf("B's session went down with c's reset: %+v", bNow.Session)
	}

	// c removed: C gets Cease 6/3; A's own event says it sent it.
	markC := c.ev.len()
	markA = a.ev.len()
	cfgA.Peers = cfgA.Peers[:1]
	a.apply(cfgA)
	gone, _ := a.ev.wait(t, "c down at A", markA, func(v any) bool {
		s, ok := v.(*StateEvent)
		return ok && s.Peer.Name == "c" && stateName(s.From) == "established"
	})
	if s := gone.(*StateEvent); !strings.HasPrefix(s.Notification, "sent 6/3") {
		t.Errorf("c down at A: notification %q, want a sent 6/3", s.Notification)
	}
	down, _ := c.ev.wait(t, "C down", markC, func(v any) bool {
		s, ok := v.(*StateEvent)
		return ok && stateName(s.From) == "established"
	})
	if s := down.(*StateEvent); !strings.HasPrefix(s.Notification, "received 6/3") {
		t.Errorf("C down: notification %q, want a received 6/3", s.Notification)
	}
	if _, err := a.r.Neighbor("c"); err == nil {
		t.Error("c still known to A after removal")
	}

	// A stops: B gets Cease 6/2 with the message.
	markB = b.ev.len()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := a.r.Stop(ctx, "going away"); err != nil {
		t.Fatal(err)
	}
	bd, _ := b.ev.wait(t, "B down", markB, func(v any) bool {
		s, ok := v.(*StateEvent)
		return ok && stateName(s.From) == "established"
	})
	if s := bd.(*StateEvent); !strings.Contains(s.Notification, `6/2`) || !strings.Contains(s.Notification, `"going away"`) {
		t.Errorf("B down: notification %q", s.Notification)
	}
}

// waitPrefixes waits until n holds want routes from peer.
func waitPrefixes(t *testing.T, n *rtNode, peer string, want uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var got uint64
	for time.Now().Before(deadline) {
		d, err := n.r.Neighbor(peer)
		if err != nil {
			t.Fatal(err)
		}
		if got = d.Prefixes; got == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: %d prefixes from %s, want %d", n.name, got, peer, want)
}

// A reset from a command: the peer gets Cease 6/4 with the message, the
// session comes back, and the routes of earlier commands are sent again;
// a route refresh asked by B gets A's routes again. Over IPv6.
func TestReactorsReconnectAndRefresh(t *testing.T) {
	a := newNode(t, "A", "::1")
	b := newNode(t, "B", "::1")
	ab := a.peerOf("b", b, 65001, 65002, true)
	ab.Static = []StaticRoute{{Prefix: netip.MustParsePrefix("2001:db8:5::/48"), Origin: "igp"}}
	a.apply(a.config(65001, ab))
	b.apply(b.config(65002, b.peerOf("a", a, 65002, 65001, false)))
	a.established("b")
	b.ev.wait(t, "static route", 0, func(v any) bool { return strings.Contains(updateJSON(v), `"prefix":"2001:db8:5::/48"`) })

	ctx := context.Background()
	if _, err := a.r.Command(ctx, "peer ::1 update text origin set igp nhop set 2001:db8::99 nlri ipv6/unicast add 2001:db8:6::/48"); err != nil {
		t.Fatal(err)
	}
	b.ev.wait(t, "command route", 0, func(v any) bool { return strings.Contains(updateJSON(v), `"prefix":"2001:db8:6::/48"`) })
	waitPrefixes(t, b, "a", 2)

	mark := b.ev.len()
	if _, err := a.r.Command(ctx, `peer b reset "clearing now"`); err != nil {
		t.Fatal(err)
	}
	down, _ := b.ev.wait(t, "B down", mark, func(v any) bool {
		s, ok := v.(*StateEvent)
		return ok && stateName(s.From) == "established"
	})
	if s := down.(*StateEvent); !strings.HasPrefix(s.Notification, `received 6/4`) || !strings.Contains(s.Notification, `"clearing now"`) {
		t.Errorf("B down: %q", s.Notification)
	}
	b.ev.wait(t, "B up again", mark, func(v any) bool { return isState(v, "a", "established") })
	again, _ := b.ev.wait(t, "command route again", mark, func(v any) bool { return strings.Contains(updateJSON(v), `"prefix":"2001:db8:6::/48"`) })
	if j := updateJSON(again); !strings.Contains(j, `"next-hop":"2001:db8::99"`) {
		t.Errorf("route sent again: %s", j)
	}
	b.ev.wait(t, "static route again", mark, func(v any) bool { return strings.Contains(updateJSON(v), `"prefix":"2001:db8:5::/48"`) })
	waitPrefixes(t, b, "a", 2)
	b.established("a")

	mark = b.ev.len()
	res, err := b.r.Command(ctx, "peer a refresh ipv6/unicast")
	if err != nil || res.Peers[0].Messages != 1 {
		t.Fatalf("refresh: %+v %v", res, err)
	}
	b.ev.wait(t, "static route after refresh", mark, func(v any) bool { return strings.Contains(updateJSON(v), `"prefix":"2001:db8:5::/48"`) })
	b.ev.wait(t, "command route after refresh", mark, func(v any) bool { return strings.Contains(updateJSON(v), `"prefix":"2001:db8:6::/48"`) })
	if d, _ := a.r.Neighbor("b"); d.RefreshReceived != 1 {
		t.Errorf("A: %d route refresh received, want 1", d.RefreshReceived)
	}
}

// Listeners follow the listen addresses; Verify refuses one the system
// cannot bind, and a peer's local address that no listen address covers
// gets its own listener (port 179: checked on a fake listen function).
func TestListeners(t *testing.T) {
	n := newNode(t, "L", "127.0.62.1")
	cfg := n.config(65000)
	cfg.Listen = []netip.AddrPort{netip.MustParseAddrPort("127.0.62.2:0"), netip.MustParseAddrPort("127.0.62.3:0")}
	n.apply(cfg)
	got := n.r.ListenAddrs()
	if len(got) != 2 || got[0].Addr() != netip.MustParseAddr("127.0.62.2") || got[1].Addr() != netip.MustParseAddr("127.0.62.3") || got[0].Port() == 0 {
		t.Errorf("listening on %v, want 127.0.62.2 and 127.0.62.3 on ports picked", got)
	}
	bad := cfg
	bad.Listen = []netip.AddrPort{netip.MustParseAddrPort("192.0.2.77:1790")}
	err := n.r.Verify(bad)
	if err == nil || !strings.Contains(err.Error(), "reactor: listen 192.0.2.77:1790: ") {
		t.Errorf("verify of an address not on the system: %v", err)
	}
	if got2 := n.r.ListenAddrs(); len(got2) != 2 || got2[0] != got[0] {
		t.Errorf("Verify changed the listeners: %v", got2)
	}

	want := []netip.AddrPort{netip.MustParseAddrPort("127.0.62.2:0"), netip.MustParseAddrPort("127.0.62.9:179")}
	set := listenSet(Config{Listen: want[:1], Peers: []PeerConfig{
		{Name: "x", LocalAddr: netip.MustParseAddr("127.0.62.9")},
		{Name: "y", LocalAddr: netip.MustParseAddr("127.0.62.2")},
		{Name: "z", LocalAddr: netip.MustParseAddr("127.0.62.10"), Shutdown: true},
	}})
	if len(set) != 2 || set[0] != want[0] || set[1] != want[1] {
		t.Errorf("listen set %v, want %v", set, want)
	}
	if set := listenSet(Config{Listen: []netip.AddrPort{netip.MustParseAddrPort("[::]:179")}, Peers: []PeerConfig{{LocalAddr: netip.MustParseAddr("127.0.62.9")}}}); len(set) != 1 {
		t.Errorf("[::] covers IPv4 local addresses: %v", set)
	}
}

// 100 peers between two reactors, from 127.1.0.1–100 to 127.2.0.1–100
// (both listen on a wildcard address, a port picked at run time): all
// establish, each gets its static route, and removing them all sends 100
// Ceases at once.
func TestManyPeers(t *testing.T) {
	const n = 100
	a := newNode(t, "A", "127.0.63.1")
	b := newNode(t, "B", "127.0.63.2")
	wild := []netip.AddrPort{netip.MustParseAddrPort("0.0.0.0:0")}
	cfgA, cfgB := a.config(65001), b.config(65002)
	cfgA.Listen, cfgB.Listen = wild, wild
	a.apply(cfgA)
	portA := a.r.ListenAddrs()[0].Port()
	for i := range n {
		addrA := netip.AddrFrom4([4]byte{127, 2, 0, byte(i + 1)})
		addrB := netip.AddrFrom4([4]byte{127, 1, 0, byte(i + 1)})
		pa := a.peerOf(fmt.Sprintf("b%d", i), b, 65001, 65002, true)
		pa.RemoteAddr, pa.LocalAddr = addrB, addrA
		pa.Static = []StaticRoute{{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 7, byte(i), 0}), 24), Origin: "igp"}}
		cfgA.Peers = append(cfgA.Peers, pa)
		pb := b.peerOf(fmt.Sprintf("a%d", i), a, 65002, 65001, false)
		pb.RemoteAddr, pb.RemotePort, pb.LocalAddr = addrA, portA, addrB
		cfgB.Peers = append(cfgB.Peers, pb)
	}
	start := time.Now()
	a.apply(cfgA)
	b.apply(cfgB)
	deadline := time.Now().Add(30 * time.Second)
	for {
		up, routes := 0, uint64(0)
		for _, s := range b.r.Summary() {
			if s.State == "established" {
				up++
			}
			routes += s.Prefixes
		}
		if up == n && routes == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s: %d of %d established, %d routes", up, n, routes)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%d sessions established and their routes received in %v", n, time.Since(start))

	start = time.Now()
	mark := b.ev.len()
	a.apply(Config{RouterID: a.id, LocalAS: 65001, Listen: wild})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("removing %d peers took %v", n, d)
	}
	t.Logf("%d peers removed in %v", n, time.Since(start))
	downs := 0
	deadline = time.Now().Add(10 * time.Second)
	for downs < n && time.Now().Before(deadline) {
		downs = 0
		for _, v := range b.ev.all()[mark:] {
			if s, ok := v.(*StateEvent); ok && stateName(s.From) == "established" && strings.HasPrefix(s.Notification, "received 6/3") {
				downs++
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if downs != n {
		t.Errorf("%d of %d peers got Cease 6/3", downs, n)
	}
}

// TCP MD5 (RFC 2385) through the reactor: the listener gets the key of
// each peer, a new key on both sides resets that peer and it comes back.
func TestReactorsMD5(t *testing.T) {
	a := newNode(t, "A", "127.0.64.1")
	b := newNode(t, "B", "127.0.64.2")
	ab := a.peerOf("b", b, 65001, 65002, true)
	ab.MD5Password = "first secret"
	ba := b.peerOf("a", a, 65002, 65001, false)
	ba.MD5Password = "first secret"
	cfgA, cfgB := a.config(65001, ab), b.config(65002, ba)
	a.apply(cfgA)
	b.apply(cfgB)
	a.established("b")
	first, _ := a.r.Neighbor("b")

	cfgA.Peers[0].MD5Password = "second secret"
	cfgB.Peers[0].MD5Password = "second secret"
	mark := a.ev.len()
	a.apply(cfgA)
	b.apply(cfgB)
	a.ev.wait(t, "b up with the new key", mark, func(v any) bool { return isState(v, "b", "established") })
	a.established("b")
	b.established("a") // both sides, before B changes again
	if d, _ := a.r.Neighbor("b"); !d.EstablishedSince.After(first.EstablishedSince) {
		t.Errorf("not a new session: %v then %v", first.EstablishedSince, d.EstablishedSince)
	}

	// A wrong key on B: no session (after the reset the key change causes).
	cfgB.Peers[0].MD5Password = "wrong"
	markB := b.ev.len()
	b.apply(cfgB)
	_, reset := b.ev.wait(t, "B's reset", markB, func(v any) bool {
		s, ok := v.(*StateEvent)
		return ok && stateName(s.To) == "idle" && strings.HasPrefix(s.Notification, "sent 6/6")
	})
	markB = reset + 1
	time.Sleep(1500 * time.Millisecond)
	for _, v := range b.ev.all()[markB:] {
		if isState(v, "a", "established") {
			var all []string
			for _, e := range b.ev.all()[markB:] {
				if s, ok := e.(*StateEvent); ok {
					all = append(all, fmt.Sprintf("%s->%s %s %s", stateName(s.From), stateName(s.To), s.Reason, s.Notification))
				}
			}
			t.Fatalf("established with a wrong MD5 key; B's state events:\n%s", strings.Join(all, "\n"))
		}
	}
}
