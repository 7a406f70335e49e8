package reactor

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/route"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/engine/hub"
)

// buildMsgs builds a route command for a plain session (ASN4, no ADD-PATH).
func buildMsgs(t testing.TB, cmd string) [][]byte {
	t.Helper()
	u, err := route.Parse(cmd)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	if err := u.Build(wire.NewContext(true, false), func(m []byte) error {
		out = append(out, append([]byte(nil), m...))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// recvPeer is a peer of a reactor that is not started, with a hub
// subscription, to drive the receive path by hand.
func recvPeer(t testing.TB) (*peer, *hub.Subscription) {
	t.Helper()
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := h.Subscribe(hub.SubscribeConfig{Name: "t", Prefixes: []string{"bgp"}})
	if err != nil {
		t.Fatal(err)
	}
	r := New(Options{Hub: h, Logger: testLoggerTB()})
	pc := PeerConfig{Name: "east", RemoteAddr: netip.MustParseAddr("192.0.2.1"), RemoteAS: 65001, LocalAS: 65000,
		Families: []FamilyConfig{{Family: wire.IPv4Unicast, PrefixLimit: 1000}, {Family: wire.IPv6Unicast}}}
	p := newPeer(r, pc)
	p.in.up(Negotiated{Families: []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}})
	return p, sub
}

func TestReceivePublishes(t *testing.T) {
	p, sub := recvPeer(t)
	msgs := buildMsgs(t, "update text origin set igp as-path set [65001] nhop set 192.0.2.1 med set 7 nlri ipv4/unicast add 10.0.0.0/24 10.0.1.0/24")
	msgs = append(msgs, buildMsgs(t, "update text origin set igp nhop set 2001:db8::1 nlri ipv6/unicast add 2001:db8:1::/48")...)
	msgs = append(msgs, buildMsgs(t, "update text nlri ipv4/unicast del 10.0.0.0/24")...)
	for _, m := range msgs {
		p.receive(m, nil)
	}
	wantTopics := []string{"bgp/update/ipv4/unicast", "bgp/update/ipv6/unicast", "bgp/update/ipv4/unicast"}
	for i, want := range wantTopics {
		m, ok := sub.TryReceive()
		if !ok {
			t.Fatalf("event %d: none", i)
		}
		if m.Topic() != want {
			t.Errorf("event %d: topic %s want %s", i, m.Topic(), want)
		}
		ev := m.Value().(*UpdateEvent)
		if string(ev.Message) != string(msgs[i]) {
			t.Errorf("event %d: message % X want % X", i, ev.Message, msgs[i])
		}
		if &ev.Message[0] == &msgs[i][0] {
			t.Errorf("event %d: the message is not copied", i)
		}
		enc, err := m.Encoded()
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := json.Unmarshal(enc, &obj); err != nil {
			t.Fatalf("event %d: %v: %s", i, err, enc)
		}
		if obj["type"] != "update" || obj["direction"] != "received" || obj["peer"].(map[string]any)["name"] != "east" {
			t.Errorf("event %d: %s", i, enc)
		}
		if i == 0 && !strings.Contains(string(enc), `"message":{"type":"update","length":`) ||
			i == 0 && !strings.Contains(string(enc), `"announce":{"ipv4/unicast":{"next-hop":"192.0.2.1","nlri":[{"prefix":"10.0.0.0/24"},{"prefix":"10.0.1.0/24"}]}}`) {
			t.Errorf("event 0 JSON: %s", enc)
		}
	}
	d := p.detail(time.Now())
	want := []FamilyCounters{
		{Family: wire.IPv4Unicast, Received: 2, Withdrawn: 1, Accepted: 1, Limit: 1000},
		{Family: wire.IPv6Unicast, Received: 1, Accepted: 1},
	}
	if len(d.Families) != 2 || d.Families[0] != want[0] || d.Families[1] != want[1] {
		t.Errorf("families:\n got %+v\nwant %+v", d.Families, want)
	}
	if d.UpdatesReceived != 3 || d.Prefixes != 2 {
		t.Errorf("updates %d prefixes %d, want 3 and 2", d.UpdatesReceived, d.Prefixes)
	}
	p.in.clear()
	if d := p.detail(time.Now()); d.Prefixes != 0 {
		t.Errorf("after clear: %d prefixes", d.Prefixes)
	}
}

func TestReceiveTreatAsWithdraw(t *testing.T) {
	p, sub := recvPeer(t)
	for _, m := range buildMsgs(t, "update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24") {
		p.receive(m, nil)
	}
	// The same route with an ORIGIN of length 2: RFC 7606 §7.1 treat-as-withdraw.
	bad := buildMsgs(t, "update hex attr set 4001020000400200 nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000")[0]
	p.receive(bad, nil)
	var last *UpdateEvent
	for m, ok := sub.TryReceive(); ok; m, ok = sub.TryReceive() {
		last = m.Value().(*UpdateEvent)
	}
	if last == nil || last.Action != attr.ActionTreatAsWithdraw {
		t.Fatalf("event of the malformed UPDATE: %+v", last)
	}
	if j, err := last.AppendExternal(nil); err != nil || !strings.Contains(string(j), `"rfc7606":{"action":"treat-as-withdraw"`) {
		t.Errorf("JSON of the malformed UPDATE: %s, %v", j, err)
	}
	d := p.detail(time.Now())
	if d.TreatAsWithdraw != 1 || d.Prefixes != 0 || d.Families[0].Withdrawn != 1 {
		t.Errorf("treat-as-withdraw: %d, prefixes %d, families %+v", d.TreatAsWithdraw, d.Prefixes, d.Families)
	}
}

func TestStateEventJSON(t *testing.T) {
	ev := &StateEvent{
		Peer: PeerRef{Name: "east", Address: netip.MustParseAddr("2001:db8::1"), AS: 65001},
		From: fsm.Established, To: fsm.Idle, Reason: "session: notification-received", Notification: `received 6/2 administrative-shutdown "bye"`,
		Time: time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC),
	}
	got, err := ev.AppendExternal(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"state","peer":{"name":"east","address":"2001:db8::1","as":65001},"from":"established","to":"idle",` +
		`"reason":"session: notification-received","notification":"received 6/2 administrative-shutdown \"bye\"","time":"2026-11-23T23:00:00Z"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	up := &StateEvent{Peer: ev.Peer, From: fsm.OpenConfirm, To: fsm.Established, Time: ev.Time,
		Negotiated: &NegotiatedSummary{PeerRouterID: netip.MustParseAddr("192.0.2.1"), HoldTime: 90 * time.Second, Keepalive: 30 * time.Second,
			Families: []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}, Local: netip.MustParseAddrPort("[2001:db8::2]:179"),
			Remote: netip.MustParseAddrPort("[2001:db8::1]:40000"), SendContext: 1, RecvContext: 2}}
	got, _ = up.AppendExternal(nil)
	want = `{"type":"state","peer":{"name":"east","address":"2001:db8::1","as":65001},"from":"openconfirm","to":"established",` +
		`"negotiated":{"peer-router-id":"192.0.2.1","hold-time":90,"keepalive":30,"internal":false,"families":["ipv4/unicast","ipv6/unicast"],` +
		`"local":"[2001:db8::2]:179","remote":"[2001:db8::1]:40000","send-context-id":1,"receive-context-id":2},"time":"2026-11-23T23:00:00Z"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestReceiveAllocs(t *testing.T) {
	p, sub := recvPeer(t)
	msg := buildMsgs(t, "update text origin set igp as-path set [65001 65002] nhop set 192.0.2.1 community set [65000:1] nlri ipv4/unicast add 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24")[0]
	v := sessionVerdict(t, msg)
	p.receive(msg, &v)
	_, _ = sub.TryReceive()
	allocs := testing.AllocsPerRun(1000, func() {
		p.receive(msg, &v)
		_, _ = sub.TryReceive()
	})
	// The event and the one copy of the message.
	if allocs > 2 {
		t.Errorf("receive and publish: %.1f allocations per UPDATE, want at most 2", allocs)
	}
}

// BenchmarkReceive is the reactor's receive path of an UPDATE: parse,
// per-family counting into the set of received routes, and the publish on
// the hub to one subscriber that takes it. The RFC 7606 verdict is the
// session's (it checked the UPDATE already), given as the session gives it.
func BenchmarkReceive(b *testing.B) {
	p, sub := recvPeer(b)
	msg := buildMsgs(b, "update text origin set igp as-path set [65001 65002] nhop set 192.0.2.1 community set [65000:1] nlri ipv4/unicast add 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24")[0]
	v := sessionVerdict(b, msg)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		p.receive(msg, &v)
		if _, err := sub.Receive(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// sessionVerdict is the verdict the session hands over with msg.
func sessionVerdict(tb testing.TB, msg []byte) attr.Verdict {
	tb.Helper()
	u, err := wire.ParseUpdateMessage(msg, wire.NewContext(true, false))
	if err != nil {
		tb.Fatal(err)
	}
	return attr.CheckUpdate(&u)
}
