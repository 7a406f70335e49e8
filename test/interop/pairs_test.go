package interop

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/test/interop/harness"
)

// TestDaemonPairs proves the launchers without ze: for each pair, both daemons announce ten
// IPv4 and ten IPv6 routes with MED, communities and large communities from their
// configuration, each reads the other's through its own CLI with those attributes, then each
// withdraws one route and announces a new one at run time, and the other sees both changes.
func TestDaemonPairs(t *testing.T) {
	pairs := [][2]string{
		{"bird", "gobgp"},
		{"frr", "exabgp"},
		{"openbgpd", "bird"},
		{"gobgp", "openbgpd"},
		{"exabgp", "frr"},
	}
	for _, pr := range pairs {
		t.Run(pr[0]+"-"+pr[1], func(t *testing.T) {
			t.Parallel()
			runPair(t, pr[0], pr[1])
		})
	}
}

// pairSide returns the configuration of side i (1 or 2) of a pair test: AS 6500i, routes under
// 10.i.0.0/16 and 2001:db8:i::/48.
func pairSide(kind string, i int) harness.Side {
	as := uint32(65000 + i)
	return harness.Side{
		Kind:     kind,
		AS:       as,
		RouterID: netip.AddrFrom4([4]byte{10, 255, 0, byte(i)}),
		Routes: append(
			harness.TestRoutes(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), 0, 0}), 16), 24, 10, uint16(as)),
			harness.TestRoutes(netip.MustParsePrefix("2001:db8:"+string(rune('0'+i))+"::/48"), 64, 10, uint16(as))...),
		Peer: harness.Peer{HoldTime: 30},
	}
}

func runPair(t *testing.T, ka, kb string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sa, sb := pairSide(ka, 1), pairSide(kb, 2)
	p, err := harness.StartPair(ctx, t.TempDir(), sa, sb)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", ka, tailLog(p.A.LogText()))
			t.Logf("%s log:\n%s", kb, tailLog(p.B.LogText()))
		}
		if err := p.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	na, nb := p.A.Node(), p.B.Node()
	for _, s := range []struct {
		d    harness.Daemon
		peer netip.Addr
	}{{p.A, nb.V4}, {p.B, na.V4}, {p.A, nb.V6}, {p.B, na.V6}} {
		if err := harness.WaitState(ctx, s.d, s.peer, harness.StateEstablished, 60*time.Second); err != nil {
			t.Fatal(err)
		}
	}

	// check: reader shows routes from the speaker in AS as on node from, as an eBGP peer
	// receives them (AS path [as], next hop the speaker's address, origin as sent), and none of
	// gone.
	check := func(reader harness.Daemon, from *harness.Node, as uint32, routes []harness.Route, gone []netip.Prefix) {
		t.Helper()
		for _, fam := range []harness.Family{harness.IPv4Unicast, harness.IPv6Unicast} {
			peer := from.V4
			if fam == harness.IPv6Unicast {
				peer = from.V6
			}
			var want []harness.Route
			for _, r := range routes {
				if r.Family() == fam {
					want = append(want, r.Received(as, peer))
				}
			}
			var g []netip.Prefix
			for _, x := range gone {
				if harness.FamilyOf(x.Addr()) == fam {
					g = append(g, x)
				}
			}
			if err := harness.Eventually(ctx, 30*time.Second, func(ctx context.Context) error {
				return harness.CheckRoutes(ctx, reader, peer, fam, want, g)
			}); err != nil {
				t.Error(err)
			}
		}
	}
	check(p.B, na, sa.AS, sa.Routes, nil)
	check(p.A, nb, sb.AS, sb.Routes, nil)
	if t.Failed() {
		return
	}
	checkDetects(ctx, t, p.B, na.V4, sa.AS, sa.Routes[:10])

	// Run time: each side withdraws its first IPv4 and first IPv6 route and announces a new one.
	for _, s := range []struct {
		d      harness.Daemon
		side   harness.Side
		reader harness.Daemon
		from   *harness.Node
	}{{p.A, sa, p.B, na}, {p.B, sb, p.A, nb}} {
		w4, w6 := s.side.Routes[0].Prefix, s.side.Routes[10].Prefix
		added := []harness.Route{
			{Prefix: netip.MustParsePrefix("192.0.2.0/24"), Origin: harness.OriginEGP, MED: 7, HasMED: true,
				Communities:      []harness.Community{harness.NewCommunity(65100, 7)},
				LargeCommunities: []harness.LargeCommunity{{Global: 65100, Local1: 7, Local2: 7}}},
			{Prefix: netip.MustParsePrefix("2001:db8:ff::/48"), Origin: harness.OriginIncomplete, MED: 8, HasMED: true,
				Communities:      []harness.Community{harness.NewCommunity(65100, 8)},
				LargeCommunities: []harness.LargeCommunity{{Global: 65100, Local1: 8, Local2: 8}}},
		}
		for _, w := range []netip.Prefix{w4, w6} {
			if err := s.d.Withdraw(ctx, w); err != nil {
				t.Fatalf("%s withdraw %s: %v", s.d.Kind(), w, err)
			}
		}
		for _, r := range added {
			if err := s.d.Announce(ctx, r); err != nil {
				t.Fatalf("%s announce %s: %v", s.d.Kind(), r, err)
			}
		}
		check(s.reader, s.from, s.side.AS, append(added, s.side.Routes[1:10]...), []netip.Prefix{w4, w6})
		// The routes added at run time go again so that the other direction sees its own.
		for _, r := range added {
			if err := s.d.Withdraw(ctx, r.Prefix); err != nil {
				t.Fatalf("%s withdraw %s: %v", s.d.Kind(), r.Prefix, err)
			}
		}
		check(s.reader, s.from, s.side.AS, nil, []netip.Prefix{added[0].Prefix, added[1].Prefix})
	}
}

// checkDetects proves that CheckRoutes cannot pass vacuously: against the routes reader really
// holds (sent by AS as from address from), a wrong MED, a missing community, a wrong large
// community, a wrong next hop, a wrong AS path, a wrong origin and a prefix never announced are
// each reported.
func checkDetects(ctx context.Context, t *testing.T, reader harness.Daemon, from netip.Addr, as uint32, sent []harness.Route) {
	t.Helper()
	want := make([]harness.Route, len(sent))
	for i, r := range sent {
		want[i] = r.Received(as, from)
	}
	want[0].MED++
	want[1].Communities = want[1].Communities[:1]
	want[2].LargeCommunities = []harness.LargeCommunity{{Global: 1, Local1: 2, Local2: 3}}
	want[4].NextHop = netip.MustParseAddr("192.0.2.99")
	want[5].ASPath = []uint32{as, as}
	want[6].Origin = map[harness.Origin]harness.Origin{
		harness.OriginIGP: harness.OriginEGP, harness.OriginEGP: harness.OriginIncomplete, harness.OriginIncomplete: harness.OriginIGP,
	}[want[6].Origin]
	never := netip.MustParsePrefix("203.0.113.0/24")
	want = append(want, harness.Route{Prefix: never})
	err := harness.CheckRoutes(ctx, reader, from, harness.IPv4Unicast, want, []netip.Prefix{sent[3].Prefix})
	if err == nil {
		t.Fatalf("%s: CheckRoutes accepted wrong expectations", reader.Kind())
	}
	for _, part := range []string{
		want[0].Prefix.String() + " from " + from.String() + ": med",
		want[1].Prefix.String() + " from " + from.String() + ": communities",
		want[2].Prefix.String() + " from " + from.String() + ": large communities",
		want[4].Prefix.String() + " from " + from.String() + ": next hop " + from.String() + ", want 192.0.2.99",
		want[5].Prefix.String() + " from " + from.String() + ": as-path",
		want[6].Prefix.String() + " from " + from.String() + ": origin " + string(sent[6].Origin),
		never.String() + " missing",
		sent[3].Prefix.String() + " from " + from.String() + " still present",
	} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("%s: CheckRoutes error %q does not report %q", reader.Kind(), err, part)
		}
	}
}

// tailLog keeps the end of a daemon log for a failure message.
func tailLog(s string) string {
	const n = 3000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
