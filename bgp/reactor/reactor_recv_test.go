package reactor

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/engine/hub"
)

// TestNeighborFamilies: `show bgp neighbor` has the negotiated families
// from establishment, and only those: an End-of-RIB or an UPDATE without
// NLRI of another family makes none.
func TestNeighborFamilies(t *testing.T) {
	cfg := threePeers()
	v6 := cfg.Peers[1]
	v6.Name, v6.RemoteAddr = "v6", netip.MustParseAddr("2001:db8::2")
	v6.Families = []FamilyConfig{{Family: wire.IPv6Unicast, PrefixLimit: 10}}
	cfg.Peers = append(cfg.Peers, v6)
	fr := newFakeReactor(t, cfg)
	if d, _ := fr.r.Neighbor("v6"); len(d.Families) != 0 {
		t.Errorf("before any session: families %+v, want none", d.Families)
	}
	neg := plainNeg("2001:db8::1", false)
	neg.Families = []wire.Family{wire.IPv6Unicast}
	fr.up(t, "v6", neg)
	h := fr.session("v6").h
	var buf [64]byte
	eor4 := append([]byte(nil), buf[:wire.WriteEndOfRIB(buf[:], 0, wire.IPv4Unicast)]...)
	eor6 := append([]byte(nil), buf[:wire.WriteEndOfRIB(buf[:], 0, wire.IPv6Unicast)]...)
	msgs := [][]byte{eor4, eor6}
	msgs = append(msgs, buildMsgs(t, "update text origin set igp nhop set 2001:db8::2 nlri ipv6/unicast add 2001:db8:9::/48")...)
	for _, m := range msgs {
		h.SessionUpdate(nil, m, &attr.Verdict{})
	}
	d, err := fr.r.Neighbor("v6")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint([]FamilyCounters{{Family: wire.IPv6Unicast, Received: 1, Accepted: 1, Limit: 10}})
	if got := fmt.Sprint(d.Families); got != want || d.UpdatesReceived != 3 {
		t.Errorf("families %s, updates %d; want %s and 3", got, d.UpdatesReceived, want)
	}
	// A peer of both families that negotiated IPv4 alone shows IPv4 alone.
	neg4 := plainNeg("192.0.2.254", false)
	neg4.Families = []wire.Family{wire.IPv4Unicast}
	fr.up(t, "a", neg4)
	fr.session("a").h.SessionUpdate(nil, eor6, &attr.Verdict{})
	if d, _ := fr.r.Neighbor("a"); len(d.Families) != 1 || d.Families[0].Family != wire.IPv4Unicast {
		t.Errorf("peer a: families %+v, want ipv4/unicast alone", d.Families)
	}
}

// TestReceiveUsesSessionVerdict: the reactor acts on the verdict the
// session found and does not check the UPDATE again.
func TestReceiveUsesSessionVerdict(t *testing.T) {
	fr := newFakeReactor(t, threePeers())
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	h := fr.session("a").h
	msg := buildMsgs(t, "update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24")[0]
	h.SessionUpdate(nil, msg, &attr.Verdict{})
	if d, _ := fr.r.Neighbor("a"); d.Prefixes != 1 || d.TreatAsWithdraw != 0 {
		t.Fatalf("valid: prefixes %d treat-as-withdraw %d", d.Prefixes, d.TreatAsWithdraw)
	}
	// The same bytes with the session's verdict treat-as-withdraw.
	h.SessionUpdate(nil, msg, &attr.Verdict{Action: attr.ActionTreatAsWithdraw, Reason: "test"})
	if d, _ := fr.r.Neighbor("a"); d.Prefixes != 0 || d.TreatAsWithdraw != 1 {
		t.Errorf("treat-as-withdraw verdict: prefixes %d treat-as-withdraw %d, want 0 and 1", d.Prefixes, d.TreatAsWithdraw)
	}
}

// TestStalledSubscriber: an internal subscriber of the route topics that
// takes nothing for longer than the hold time holds back the reading of
// the session that publishes (the hub's Lossless back-pressure), but the
// session stays up: keepalives go both ways, and when the subscriber
// drains, every UPDATE is there.
func TestStalledSubscriber(t *testing.T) {
	a := newNode(t, "a", "127.0.73.1")
	b := newNode(t, "b", "127.0.73.2")
	pa := a.peerOf("b", b, 1, 2, false)
	pb := b.peerOf("a", a, 2, 1, true)
	pa.HoldTime, pb.HoldTime = 3*time.Second, 3*time.Second
	b.apply(b.config(2, pb))
	a.apply(a.config(1, pa))
	a.established("b")
	b.established("a")
	b.ev.wait(t, "b: end-of-rib from a", 0, func(v any) bool {
		u, ok := v.(*UpdateEvent)
		return ok && u.Family == wire.IPv6Unicast
	})
	stall, err := b.h.Subscribe(hub.SubscribeConfig{Name: "stalled", Prefixes: []string{TopicUpdate}, QueueLen: 1})
	if err != nil {
		t.Fatal(err)
	}
	const routes = 6
	for i := range routes {
		cmd := fmt.Sprintf("peer b update text origin set igp nhop set 127.0.73.1 nlri ipv4/unicast add 10.73.%d.0/24", i)
		if _, err := a.r.Command(context.Background(), cmd); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := b.r.Neighbor("a")
	beforeA, _ := a.r.Neighbor("b")
	time.Sleep(4500 * time.Millisecond) // 1.5 hold times
	during, _ := b.r.Neighbor("a")
	duringA, _ := a.r.Neighbor("b")
	if during.State != "established" || duringA.State != "established" || during.Established != 1 || duringA.Established != 1 {
		t.Fatalf("a session went down while the subscriber stalled: b sees %s (%d), a sees %s (%d)",
			during.State, during.Established, duringA.State, duringA.Established)
	}
	if during.Prefixes >= routes {
		t.Errorf("b holds %d prefixes with a stalled subscriber: reading was not held back", during.Prefixes)
	}
	if n := during.Sent.Keepalive - before.Sent.Keepalive; n < 3 {
		t.Errorf("b sent %d keepalives in 4.5 s (keepalive 1 s)", n)
	}
	if n := duringA.Received.Keepalive - beforeA.Received.Keepalive; n < 3 {
		t.Errorf("a received %d keepalives in 4.5 s", n)
	}
	if n := duringA.Sent.Keepalive - beforeA.Sent.Keepalive; n < 3 {
		t.Errorf("a sent %d keepalives in 4.5 s", n)
	}
	// The subscriber drains: every route, and the reader goes on.
	got := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for len(got) < routes {
		m, err := stall.Receive(ctx)
		if err != nil {
			t.Fatalf("after %d routes: %v", len(got), err)
		}
		u := m.Value().(*UpdateEvent)
		wu, err := u.Update()
		if err != nil {
			t.Fatal(err)
		}
		it := wu.NLRIIter()
		for n, ok := it.Next(); ok; n, ok = it.Next() {
			got[fmt.Sprintf("% X", n.Bytes)] = true
		}
	}
	_ = stall.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, _ := b.r.Neighbor("a")
		if d.Prefixes == routes && d.Received.Keepalive > during.Received.Keepalive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the drain: %d prefixes, keepalives received %d (was %d)", d.Prefixes, d.Received.Keepalive, during.Received.Keepalive)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
