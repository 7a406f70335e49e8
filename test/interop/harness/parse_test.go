package harness

import (
	"context"
	"net/netip"
	"os"
	"strings"
	"testing"
)

func TestParseBirdRoutes(t *testing.T) {
	out := "Table master4:\n" +
		"10.1.0.0/24          unicast [p0 23:20:35.717] * (100) [AS65002i]\n" +
		"\tvia 172.30.0.3 on eth0\n" +
		"\tType: BGP univ\n" +
		"\tBGP.origin: IGP\n" +
		"\tBGP.as_path: 65002 65010\n" +
		"\tBGP.next_hop: 172.30.0.3\n" +
		"\tBGP.med: 10\n" +
		"\tBGP.local_pref: 100\n" +
		"\tBGP.community: (65000,1) (65000,2)\n" +
		"\tBGP.large_community: (65000, 1, 2) (65000, 3, 4)\n" +
		"                     unicast [p0 23:20:36.000] (100) [AS65002i]\n" +
		"\tBGP.med: 20\n" +
		"10.2.0.0/24          unicast [p0 23:20:35.717] * (100) [AS65002i]\n" +
		"\tBGP.origin: Incomplete\n" +
		"\tBGP.as_path: 65002\n"
	got, err := parseBirdRoutes(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d routes, want 3: %v", len(got), got)
	}
	want := Route{
		Prefix: netip.MustParsePrefix("10.1.0.0/24"), MED: 10, HasMED: true,
		Communities:      []Community{NewCommunity(65000, 1), NewCommunity(65000, 2)},
		LargeCommunities: []LargeCommunity{{65000, 1, 2}, {65000, 3, 4}},
	}
	if m := Mismatch(want, got[0]); m != "" {
		t.Errorf("first route: %s", m)
	}
	full := want
	full.NextHop, full.ASPath, full.Origin = netip.MustParseAddr("172.30.0.3"), []uint32{65002, 65010}, OriginIGP
	if m := Mismatch(full, got[0]); m != "" {
		t.Errorf("first route: %s", m)
	}
	if got[1].Prefix != want.Prefix || got[1].MED != 20 {
		t.Errorf("second path: %s, want %s med 20", got[1], want.Prefix)
	}
	if got[2].Prefix != netip.MustParsePrefix("10.2.0.0/24") || got[2].HasMED || got[2].Origin != OriginIncomplete {
		t.Errorf("third route: %s, want 10.2.0.0/24 origin incomplete without MED", got[2])
	}
	if _, err := parseBirdRoutes("10.3.0.0/24 unicast [p0 23:20:35.717] * (100) [AS65002i]\n\tBGP.origin: sometimes\n"); err == nil {
		t.Error("an origin that is none of IGP, EGP, Incomplete was accepted")
	}
	if _, err := parseBirdRoutes("garbage line\n"); err == nil {
		t.Error("a line that is no prefix was accepted")
	}
}

func TestShutdownFromPacketLog(t *testing.T) {
	log := strings.Join([]string{
		"Mon, 23 Nov 2026 23:31:23 24611  reactor       connected to peer-1 with outgoing-2 172.30.0.3-172.30.0.2",
		"Mon, 23 Nov 2026 23:31:23 24611  reactor       connected to peer-2 with outgoing-1 fd00:172:30::3-fd00:172:30::2",
		"Mon, 23 Nov 2026 23:31:35 24611  outgoing-2    received complete TCP payload (  19) FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF 0021 03",
		"Mon, 23 Nov 2026 23:31:35 24611  outgoing-2    received complete TCP payload (  14) 0602 0B68 656C 6C6F 2074 6865 7265",
		"Mon, 23 Nov 2026 23:31:35 24611  outgoing-1    received complete TCP payload (  19) FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF 001B 03",
		"Mon, 23 Nov 2026 23:31:35 24611  outgoing-1    received complete TCP payload (   8) 0602 0573 6978 2121",
		"Mon, 23 Nov 2026 23:43:06 31528  incoming-1    received complete TCP payload (  19) FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF 0019 03",
		"Mon, 23 Nov 2026 23:43:06 31528  incoming-1    received complete TCP payload (   6) 0604 0369 6E21",
		"Mon, 23 Nov 2026 23:43:06 31528  incoming-1    incoming-1 172.30.0.7-172.30.0.3, closing connection",
	}, "\n")
	for _, tt := range []struct {
		peer, want string
		ok         bool
	}{
		{"172.30.0.2", "hello there", true},
		{"fd00:172:30::2", "six!!", true},
		{"172.30.0.7", "in!", true},
		{"172.30.0.9", "", false},
	} {
		got, ok := shutdownFromPacketLog(log, netip.MustParseAddr(tt.peer))
		if got != tt.want || ok != tt.ok {
			t.Errorf("peer %s: got %q %v, want %q %v", tt.peer, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDecodeShutdownData(t *testing.T) {
	if got, err := decodeShutdownData("0568656c6c6f"); err != nil || got != "hello" {
		t.Errorf("got %q, %v; want hello", got, err)
	}
	if _, err := decodeShutdownData("0968656c6c6f"); err == nil {
		t.Error("a length octet longer than the data was accepted")
	}
}

func TestGoBGPNotificationLog(t *testing.T) {
	log := `time="2026-11-23T23:33:46Z" level=warning msg="received notification" Code=6 Communicated-Reason="ze interop: \"maintenance\"" Data="[]" Key=172.30.0.2 Subcode=2 Topic=Peer` + "\n" +
		`time="2026-11-23T23:33:47Z" level=warning msg="received notification" Code=6 Communicated-Reason=short Data="[]" Key="fd00::2" Subcode=2 Topic=Peer` + "\n"
	ms := gobgpNotification.FindAllStringSubmatch(log, -1)
	if len(ms) != 2 {
		t.Fatalf("got %d matches, want 2", len(ms))
	}
	if ms[0][1] != `"ze interop: \"maintenance\""` || ms[0][2] != "172.30.0.2" {
		t.Errorf("first: reason %s key %s", ms[0][1], ms[0][2])
	}
	if ms[1][1] != "short" || ms[1][2] != "fd00::2" {
		t.Errorf("second: reason %s key %s", ms[1][1], ms[1][2])
	}
}

func TestTestRoutes(t *testing.T) {
	rs := TestRoutes(netip.MustParsePrefix("10.1.0.0/16"), 24, 3, 65001)
	want := []string{"10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24"}
	for i, r := range rs {
		if r.Prefix.String() != want[i] || r.MED != uint32(100+i) || r.Communities[0] != NewCommunity(65001, uint16(i+1)) {
			t.Errorf("route %d: %s", i, r)
		}
	}
	rs = TestRoutes(netip.MustParsePrefix("2001:db8:1::/48"), 64, 2, 65001)
	if rs[1].Prefix.String() != "2001:db8:1:1::/64" {
		t.Errorf("second IPv6 route %s, want 2001:db8:1:1::/64", rs[1].Prefix)
	}
	if got := nextSubnet(netip.MustParseAddr("10.0.255.0"), 24); got.String() != "10.1.0.0" {
		t.Errorf("carry: got %s, want 10.1.0.0", got)
	}
}

func TestCommunities(t *testing.T) {
	c, err := ParseCommunity("65000:1")
	if err != nil || c.String() != "65000:1" {
		t.Errorf("got %v, %v", c, err)
	}
	for _, bad := range []string{"65000", "70000:1", "a:b"} {
		if _, err := ParseCommunity(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	l, err := ParseLargeCommunity("(65000, 1, 2)")
	if err != nil || l != (LargeCommunity{65000, 1, 2}) {
		t.Errorf("got %v, %v", l, err)
	}
	if _, err := ParseLargeCommunity("1:2"); err == nil {
		t.Error("two numbers accepted as a large community")
	}
}

func TestNormState(t *testing.T) {
	for in, want := range map[string]State{
		"Established": StateEstablished, "up": StateEstablished, "OpenSent": StateOpenSent,
		"Active": StateActive, "Down": StateIdle, "Idle": StateIdle, "Connect": StateConnect,
	} {
		if got := normState(in); got != want {
			t.Errorf("normState(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestZeEventsReplay(t *testing.T) {
	node := &Node{Name: "a", V4: netip.MustParseAddr("172.30.0.2"), V6: netip.MustParseAddr("fd00:172:30::2")}
	d, err := NewZe(node, t.TempDir(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	events := strings.Join([]string{
		`{"type":"state","peer":{"name":"p0","address":"172.30.0.3","as":65002},"from":"idle","to":"connect"}`,
		`{"type":"state","peer":{"name":"p0","address":"172.30.0.3","as":65002},"from":"open-confirm","to":"established"}`,
		`{"type":"update","direction":"received","peer":{"name":"p0","address":"172.30.0.3","as":65002},"family":"ipv4/unicast","message":{"type":"update","update":{"attributes":{"origin":"igp","as-path":[{"type":"as-sequence","asns":[65002]}],"med":10,"community":["65002:1","no-export"],"large-community":["65002:1:2"]},"announce":{"ipv4/unicast":{"next-hop":"172.30.0.3","nlri":[{"prefix":"10.2.0.0/24"},{"prefix":"10.2.1.0/24"}]}}}}}`,
		`{"type":"update","direction":"received","peer":{"name":"p0","address":"172.30.0.3","as":65002},"family":"ipv4/unicast","message":{"type":"update","update":{"withdraw":{"ipv4/unicast":[{"prefix":"10.2.0.0/24"}]}}}}`,
		`{"type":"update","direction":"received","peer":{"name":"p1","address":"172.30.0.4","as":65003},"family":"ipv4/unicast","message":{"type":"update","update":{"announce":{"ipv4/unicast":{"next-hop":"172.30.0.4","nlri":[{"prefix":"10.3.0.0/24"}]}}}}}`,
		`{"type":"state","peer":{"name":"p1","address":"172.30.0.4","as":65003},"from":"established","to":"idle","notification":"sent 4/0 hold-timer-expired"}`,
		`{"type":"state","peer":{"name":"p0","address":"172.30.0.3","as":65002},"from":"established","to":"idle","notification":"received 6/2 administrative-shutdown \"bye \\\"now\\\"\""}`,
	}, "\n")
	if err := os.WriteFile(d.path("events.json"), []byte(events+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p0, p1 := netip.MustParseAddr("172.30.0.3"), netip.MustParseAddr("172.30.0.4")
	// p0 went down last: its routes are forgotten; p1's are forgotten too.
	for _, p := range []netip.Addr{p0, p1} {
		if rs, err := d.Received(ctx, p, IPv4Unicast); err != nil || len(rs) != 0 {
			t.Errorf("%s after down: %v, %v; want no routes", p, rs, err)
		}
	}
	if msg, err := d.LastShutdownMessage(ctx, p0); err != nil || msg != `bye "now"` {
		t.Errorf("shutdown message %q, %v; want %q", msg, err, `bye "now"`)
	}
	if ok, err := d.SentNotification(ctx, p1, 4, 0); err != nil || !ok {
		t.Errorf("4/0 to p1: %v, %v; want true", ok, err)
	}
	if ok, _ := d.SentNotification(ctx, p0, 4, 0); ok {
		t.Error("4/0 to p0 reported, but none was sent")
	}
	// Without the last line, p0's route that was not withdrawn is there, with its attributes.
	lines := strings.Split(events, "\n")
	if err := os.WriteFile(d.path("events.json"), []byte(strings.Join(lines[:4], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err := d.Received(ctx, p0, IPv4Unicast)
	if err != nil || len(rs) != 1 {
		t.Fatalf("got %v, %v; want one route", rs, err)
	}
	want := Route{Prefix: netip.MustParsePrefix("10.2.1.0/24"), MED: 10, HasMED: true,
		Communities: []Community{NewCommunity(65002, 1), 0xFFFFFF01}, LargeCommunities: []LargeCommunity{{65002, 1, 2}},
		NextHop: p0, ASPath: []uint32{65002}, Origin: OriginIGP}
	if m := Mismatch(want, rs[0]); m != "" {
		t.Errorf("route: %s", m)
	}
}
