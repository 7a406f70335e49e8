package reactor

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
)

// TestCommandOriginated: run-time routes go out as ze originates them
// (RFC 4271 §5.1.2, §5.1.5): the local AS prepended toward an external
// peer, whatever AS_PATH the command gave, LOCAL_PREF 100 by default
// toward an internal one; the same when they are sent again after a flap.
func TestCommandOriginated(t *testing.T) {
	fr := newFakeReactor(t, threePeers())
	ctx := context.Background()
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	fr.up(t, "c", plainNeg("192.0.2.254", true))
	fr.session("a").take(t)
	fr.session("c").take(t)

	cmds := []string{
		"peer a,c update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add 10.1.0.0/24",
		"peer a,c update text origin set igp as-path set [65100 (65200 65201)] local-preference set 70 nhop set 192.0.2.1 nlri ipv4/unicast add 10.2.0.0/24",
		"peer a,c update text origin set igp nhop set 2001:db8::1 nlri ipv6/unicast add 2001:db8:1::/48",
	}
	for _, c := range cmds {
		if _, err := fr.r.Command(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	wantA := []string{
		`"as-path":[{"type":"as-sequence","asns":[65000]}]},"announce":{"ipv4/unicast":{"next-hop":"192.0.2.1","nlri":[{"prefix":"10.1.0.0/24"}]}}`,
		`"as-path":[{"type":"as-sequence","asns":[65000,65100]},{"type":"as-set","asns":[65200,65201]}]},"announce":{"ipv4/unicast"`,
		`"as-path":[{"type":"as-sequence","asns":[65000]}]},"announce":{"ipv6/unicast"`,
	}
	wantC := []string{
		`"as-path":[],"local-preference":100},"announce":{"ipv4/unicast":{"next-hop":"192.0.2.1","nlri":[{"prefix":"10.1.0.0/24"}]}}`,
		`"as-path":[{"type":"as-sequence","asns":[65100]},{"type":"as-set","asns":[65200,65201]}],"local-preference":70}`,
		`"as-path":[],"local-preference":100},"announce":{"ipv6/unicast"`,
	}
	check := func(when, peer string, got, want []string) {
		t.Helper()
		if len(got) < len(want) {
			t.Fatalf("%s: %s got %d messages, want at least %d:\n%s", when, peer, len(got), len(want), strings.Join(got, "\n"))
		}
		for i, w := range want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: %s message %d:\n got %s\nwant it to contain %s", when, peer, i, got[i], w)
			}
		}
		if peer == "a" {
			for i, g := range got {
				if strings.Contains(g, "local-preference") {
					t.Errorf("%s: message %d to the external peer has LOCAL_PREF: %s", when, i, g)
				}
			}
		}
	}
	check("sent now", "a", fr.session("a").take(t), wantA)
	check("sent now", "c", fr.session("c").take(t), wantC)

	// After a flap the kept routes go again, originated the same way.
	for _, name := range []string{"a", "c"} {
		s := fr.session(name)
		s.h.SessionState(nil, fsm.Established, fsm.Idle, nil) // Established → Idle
	}
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	fr.up(t, "c", plainNeg("192.0.2.254", true))
	check("after a flap", "a", fr.session("a").take(t), wantA)
	check("after a flap", "c", fr.session("c").take(t), wantC)
}

// TestCommandWithdrawRestoresStatic: withdrawing the run-time route that
// had replaced a static route announces the static route again (and
// withdraws nothing).
func TestCommandWithdrawRestoresStatic(t *testing.T) {
	cfg := threePeers()
	cfg.Peers[0].Static = []StaticRoute{
		{Prefix: netip.MustParsePrefix("10.9.0.0/16"), Origin: "igp", MED: 3, HasMED: true},
		{Prefix: netip.MustParsePrefix("10.8.0.0/16"), Origin: "igp"},
	}
	fr := newFakeReactor(t, cfg)
	ctx := context.Background()
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	s := fr.session("a")
	s.take(t)

	if _, err := fr.r.Command(ctx, "peer a update text origin set igp med set 99 nhop set 192.0.2.1 nlri ipv4/unicast add 10.9.0.0/16"); err != nil {
		t.Fatal(err)
	}
	if got := s.take(t); len(got) != 1 || !strings.Contains(got[0], `"med":99`) || !strings.Contains(got[0], "10.9.0.0/16") {
		t.Fatalf("replacement: %v", got)
	}
	res, err := fr.r.Command(ctx, "peer a withdraw text nlri ipv4/unicast 10.9.0.0/16 10.7.0.0/16")
	if err != nil || res.Peers[0].Messages != 2 {
		t.Fatalf("withdraw: %+v %v", res, err)
	}
	want := []string{
		`{"type":"update","length":26,"update":{"withdraw":{"ipv4/unicast":[{"prefix":"10.7.0.0/16"}]}}}`,
		`{"type":"update","length":53,"update":{"attributes":{"origin":"igp","as-path":[{"type":"as-sequence","asns":[65000]}],"med":3},"announce":{"ipv4/unicast":{"next-hop":"192.0.2.254","nlri":[{"prefix":"10.9.0.0/16"}]}}}}`,
	}
	if got := s.take(t); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after the withdraw:\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The static route alone: withdrawing it sends the withdrawal.
	if _, err := fr.r.Command(ctx, "peer a withdraw text nlri ipv4/unicast 10.8.0.0/16"); err != nil {
		t.Fatal(err)
	}
	if got := s.take(t); len(got) != 1 || !strings.Contains(got[0], `"withdraw":{"ipv4/unicast":[{"prefix":"10.8.0.0/16"}]}`) {
		t.Errorf("withdraw of a static prefix no command announced: %v", got)
	}
	// A replacement and its withdrawal before the session is up: the
	// initial table has the static route.
	s.h.SessionState(nil, fsm.Established, fsm.Idle, nil)
	for _, c := range []string{
		"peer a update text origin set igp med set 99 nhop set 192.0.2.1 nlri ipv4/unicast add 10.9.0.0/16",
		"peer a withdraw text nlri ipv4/unicast 10.9.0.0/16",
	} {
		if _, err := fr.r.Command(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(10 * time.Millisecond)
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	if got := s.take(t); len(got) < 2 || !strings.Contains(got[0], `"med":3`) || !strings.Contains(got[1], "10.8.0.0/16") {
		t.Errorf("initial table: %v", got)
	}
}
