package attr

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

// encoder is what every typed attribute value offers.
type encoder interface {
	Len() int
	WriteTo(buf []byte, off int) int
}

// wantEncoded checks that e writes exactly want, at an offset, and that
// Len agrees.
func wantEncoded(t *testing.T, e encoder, want []byte) {
	t.Helper()
	buf := make([]byte, len(want)+8)
	n := e.WriteTo(buf, 3)
	if !bytes.Equal(buf[3:3+n], want) {
		t.Errorf("encoded %X, want %X", buf[3:3+n], want)
	}
	if e.Len() != len(want) {
		t.Errorf("Len %d, want %d", e.Len(), len(want))
	}
}

func TestScalarAttributes(t *testing.T) {
	o, err := DecodeOrigin([]byte{2})
	if err != nil || o != OriginIncomplete || o.String() != "incomplete" {
		t.Errorf("origin: %v %q %v", o, o, err)
	}
	wantEncoded(t, o, hx("40 01 01 02"))
	for _, s := range []string{"igp", "egp", "incomplete"} {
		if x, err := ParseOrigin(s); err != nil || x.String() != s {
			t.Errorf("origin %q: %v %v", s, x, err)
		}
	}
	if _, err := DecodeOrigin([]byte{3}); err == nil {
		t.Error("origin 3: want an error")
	}

	nh, err := DecodeNextHop(hx("C0000201"))
	if err != nil || nh.String() != "192.0.2.1" {
		t.Errorf("next-hop %v %v", nh, err)
	}
	wantEncoded(t, nh, hx("40 03 04 C0000201"))

	m, err := DecodeMED(hx("00000010"))
	if err != nil || m != 16 {
		t.Errorf("med %v %v", m, err)
	}
	wantEncoded(t, m, hx("80 04 04 00000010"))

	lp, err := DecodeLocalPref(hx("00000064"))
	if err != nil || lp != 100 || lp.String() != "100" {
		t.Errorf("local-pref %v %v", lp, err)
	}
	wantEncoded(t, lp, hx("40 05 04 00000064"))

	aa, err := DecodeAtomicAggregate(nil)
	if err != nil {
		t.Error(err)
	}
	wantEncoded(t, aa, hx("40 06 00"))

	oid, err := DecodeOriginatorID(hx("0A000001"))
	if err != nil || oid.String() != "10.0.0.1" {
		t.Errorf("originator-id %v %v", oid, err)
	}
	wantEncoded(t, oid, hx("80 09 04 0A000001"))

	otc, err := DecodeOTC(hx("0000FDE8"))
	if err != nil || otc != 65000 {
		t.Errorf("otc %v %v", otc, err)
	}
	wantEncoded(t, otc, hx("C0 23 04 0000FDE8"))

	for _, bad := range [][]byte{nil, {1, 2, 3}, {1, 2, 3, 4, 5}} {
		if _, err := DecodeNextHop(bad); err == nil {
			t.Errorf("next-hop %X: want error", bad)
		}
		if _, err := DecodeMED(bad); err == nil {
			t.Errorf("med %X: want error", bad)
		}
		if _, err := DecodeOTC(bad); err == nil {
			t.Errorf("otc %X: want error", bad)
		}
	}
}

func TestExtendedLengthKept(t *testing.T) {
	// A peer sent a short ORIGIN with the extended-length flag: kept.
	a := wire.Attr{Flags: 0x50, Code: wire.AttrOrigin, Value: []byte{0}, Raw: hx("50 01 0001 00")}
	buf := make([]byte, 8)
	n, err := Reencode(a, nil, buf, 0)
	if err != nil || !bytes.Equal(buf[:n], a.Raw) {
		t.Fatalf("got %X %v, want %X", buf[:n], err, a.Raw)
	}
}

func TestAggregator(t *testing.T) {
	a, err := DecodeAggregator(hx("0003 0D40 C0000201"), true)
	if err != nil || a.ASN != 200000 || a.Addr != netip.MustParseAddr("192.0.2.1") || a.String() != "200000:192.0.2.1" {
		t.Fatalf("got %v %v", a, err)
	}
	wantEncoded(t, a, hx("C0 07 08 00030D40 C0000201"))
	buf := make([]byte, 16)
	n := a.WriteAs(buf, 0, 0xC0, false)
	if want := hx("C0 07 06 5BA0 C0000201"); !bytes.Equal(buf[:n], want) {
		t.Errorf("2-octet %X, want %X", buf[:n], want)
	}
	a2, err := DecodeAggregator(hx("FDE8 C0000201"), false)
	if err != nil || a2.ASN != 65000 {
		t.Errorf("2-octet read %v %v", a2, err)
	}
	if _, err := DecodeAggregator(hx("FDE8 C0000201"), true); err == nil {
		t.Error("6 octets on a 4-octet session: want error")
	}
	p, err := ParseAggregator("200000:192.0.2.1")
	if err != nil || p != a {
		t.Errorf("parse %v %v", p, err)
	}
	a4, err := DecodeAS4Aggregator(hx("00030D40 C0000201"))
	if err != nil || a4.ASN != 200000 {
		t.Errorf("as4-aggregator %v %v", a4, err)
	}
	wantEncoded(t, a4, hx("C0 12 08 00030D40 C0000201"))
}

func TestCommunities(t *testing.T) {
	v := hx("FDE80064 FFFFFF01 FFFF029A FFFF0000 0001FFFF")
	c, err := DecodeCommunities(v)
	if err != nil {
		t.Fatal(err)
	}
	if c.Count() != 5 || c.At(0) != 0xFDE80064 || !c.Has(CommunityNoExport) {
		t.Errorf("count %d first %v", c.Count(), c.At(0))
	}
	const text = "65000:100 no-export blackhole graceful-shutdown 1:65535"
	if got := c.String(); got != text {
		t.Errorf("text %q, want %q", got, text)
	}
	l, err := ParseCommunities(text)
	if err != nil {
		t.Fatal(err)
	}
	want := append(hx("C0 08 14"), v...)
	wantEncoded(t, c, want)
	wantEncoded(t, l, want)
	for name, want := range map[string]Community{
		"no-export": 0xFFFFFF01, "no-advertise": 0xFFFFFF02, "no-export-subconfed": 0xFFFFFF03,
		"nopeer": 0xFFFFFF04, "blackhole": 0xFFFF029A, "graceful-shutdown": 0xFFFF0000,
		"planned-shut": 0xFFFF0000, "accept-own": 0xFFFF0001, "llgr-stale": 0xFFFF0006,
		"no-llgr": 0xFFFF0007, "accept-own-nexthop": 0xFFFF0008,
		"route-filter-translated-v4": 0xFFFF0002, "route-filter-v4": 0xFFFF0003,
		"route-filter-translated-v6": 0xFFFF0004, "route-filter-v6": 0xFFFF0005,
		"65000:100": 0xFDE80064, "0xFFFFFF01": 0xFFFFFF01, "4259840100": 0xFDE80064,
	} {
		if got, err := ParseCommunity(name); err != nil || got != want {
			t.Errorf("ParseCommunity(%q) = %X %v, want %X", name, uint32(got), err, uint32(want))
		}
	}
	for _, bad := range []string{"65536:1", "1:65536", "foo", "1:2:3", ""} {
		if _, err := ParseCommunity(bad); err == nil {
			t.Errorf("ParseCommunity(%q): want error", bad)
		}
	}
	for _, bad := range []string{"", "FDE800", "FDE80064 00"} {
		if _, err := DecodeCommunities(hx(bad)); err == nil {
			t.Errorf("DecodeCommunities(%s): want error", bad)
		}
	}
}

func TestLargeCommunities(t *testing.T) {
	v := hx("0000FDE8 00000001 00000002 FBF00001 FFFFFFFF 00000000")
	c, err := DecodeLargeCommunities(v)
	if err != nil {
		t.Fatal(err)
	}
	const text = "65000:1:2 4226809857:4294967295:0"
	if c.Count() != 2 || c.At(0) != (LargeCommunity{65000, 1, 2}) || c.String() != text {
		t.Errorf("got %d %v %q", c.Count(), c.At(0), c.String())
	}
	l, err := ParseLargeCommunities(text)
	if err != nil {
		t.Fatal(err)
	}
	want := append(hx("C0 20 18"), v...)
	wantEncoded(t, c, want)
	wantEncoded(t, l, want)
	if _, err := ParseLargeCommunity("1:2"); err == nil {
		t.Error("1:2: want error")
	}
}

func TestClusterList(t *testing.T) {
	v := hx("0A000001 0A000002")
	c, err := DecodeClusterList(v)
	if err != nil || c.Count() != 2 || c.String() != "10.0.0.1 10.0.0.2" {
		t.Fatalf("got %v %v", c, err)
	}
	wantEncoded(t, c, append(hx("80 0A 08"), v...))
	l, _ := ParseClusterList("10.0.0.1 10.0.0.2")
	wantEncoded(t, l, append(hx("80 0A 08"), v...))
	buf := make([]byte, 32)
	n := c.WritePrepended(buf, 0, netip.MustParseAddr("10.0.0.9"))
	if want := hx("80 0A 0C 0A000009 0A000001 0A000002"); !bytes.Equal(buf[:n], want) {
		t.Errorf("prepended %X, want %X", buf[:n], want)
	}
	if !c.Has(netip.MustParseAddr("10.0.0.2")) {
		t.Error("Has 10.0.0.2 = false")
	}
}

func TestIPv6ExtCommunities(t *testing.T) {
	v := hx("0002 20010DB8000000000000000000000001 0064")
	c, err := DecodeIPv6ExtCommunities(v)
	if err != nil || c.Count() != 1 || c.String() != "target:2001:db8::1:100" {
		t.Fatalf("got %v %v", c, err)
	}
	wantEncoded(t, c, append(hx("C0 19 14"), v...))
	e, err := ParseIPv6ExtCommunity("target:2001:db8::1:100")
	if err != nil || e != c.At(0) {
		t.Errorf("parse %v %v", e, err)
	}
	raw := IPv6ExtCommunity(hx("4002 20010DB8000000000000000000000001 0064"))
	if back, err := ParseIPv6ExtCommunity(raw.String()); err != nil || back != raw {
		t.Errorf("hex round trip %s: %v", raw, err)
	}
}

func TestAIGP(t *testing.T) {
	v := hx("01 000B 0000000000000064")
	a, err := DecodeAIGP(v)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := a.Metric(); !ok || m != 100 || a.String() != "100" {
		t.Errorf("metric %d %v %q", m, ok, a)
	}
	wantEncoded(t, a, append(hx("80 1A 0B"), v...))
	m, err := ParseAIGP("100")
	if err != nil {
		t.Fatal(err)
	}
	wantEncoded(t, m, append(hx("80 1A 0B"), v...))
	for _, bad := range []string{"", "01 000A 00000000000000", "01 0002", "01 000B FFFFFFFFFFFFFFFF", "02"} {
		if _, err := DecodeAIGP(hx(bad)); err == nil {
			t.Errorf("DecodeAIGP(%s): want error", bad)
		}
	}
}

func TestPrefixSID(t *testing.T) {
	v := hx("01 0007 00 0000 00000064", "03 000E 0000 003E80 001F40 0186A0 000064", "05 0004 00 63 0000", "7F 0001 AA")
	p, err := DecodePrefixSID(v)
	if err != nil {
		t.Fatal(err)
	}
	if li, ok := p.LabelIndex(); !ok || li != 100 {
		t.Errorf("label index %d %v", li, ok)
	}
	if s := p.SRGBs(); s.Count() != 2 || s.At(0) != (SRGB{16000, 8000}) || s.At(1) != (SRGB{100000, 100}) {
		t.Errorf("srgb %d %v", s.Count(), s.At(0))
	}
	const text = "label-index:100 srgb:16000:8000 srgb:100000:100 srv6-l3-service:00630000 tlv-127:AA"
	if got := p.String(); got != text {
		t.Errorf("text %q, want %q", got, text)
	}
	back, err := ParsePrefixSID(text)
	if err != nil || !bytes.Equal(back.Raw(), v) {
		t.Errorf("parse %X %v, want %X", back.Raw(), err, v)
	}
	wantEncoded(t, p, append(hx("C0 28"), append([]byte{byte(len(v))}, v...)...))
}

func TestUnknown(t *testing.T) {
	u := Unknown{Flags: 0xC0, Code: 99, Value: hx("0102")}
	wantEncoded(t, u, hx("C0 63 02 0102"))
	if f := u.Forwarded(); f.Flags != 0xE0 {
		t.Errorf("forwarded flags %X, want E0", f.Flags)
	}
	if f := (Unknown{Flags: 0x80}).Forwarded(); f.Flags != 0x80 {
		t.Errorf("non-transitive forwarded flags %X, want 80", f.Flags)
	}
	buf := hx("C0 63 02 0102")
	SetPartial(buf, 0)
	if buf[0] != 0xE0 {
		t.Errorf("SetPartial: %X", buf[0])
	}
	if Forwardable(0x80) || !Forwardable(0xC0) {
		t.Error("Forwardable")
	}
	back, err := ParseUnknown(u.String())
	if err != nil || back.Flags != u.Flags || back.Code != u.Code || !bytes.Equal(back.Value, u.Value) {
		t.Errorf("text %q: %v %v", u, back, err)
	}
}

func TestEncodersAllocs(t *testing.T) {
	buf := make([]byte, 512)
	p, _ := DecodeASPath(hx("02 01 0000FDE8"), true)
	c, _ := DecodeCommunities(hx("FDE80064 FFFFFF01"))
	lc, _ := DecodeLargeCommunities(hx("0000FDE8 00000001 00000002"))
	ec, _ := DecodeExtCommunities(hx("0002FDE800000064"))
	e6, _ := DecodeIPv6ExtCommunities(hx("0002 20010DB8000000000000000000000001 0064"))
	cl, _ := DecodeClusterList(hx("0A000001"))
	ps, _ := DecodePrefixSID(hx("01 0007 00 0000 00000064"))
	ai, _ := DecodeAIGP(hx("01 000B 0000000000000064"))
	id := netip.MustParseAddr("192.0.2.1")
	encoders := []encoder{
		OriginIGP, NextHop{id}, MED(1), LocalPref(100), AtomicAggregate{}, Aggregator{65000, id},
		AS4Aggregator{200000, id}, OriginatorID{id}, OTC(65000), p, AS4Path{p}, c, CommunityList{1, 2},
		lc, LargeCommunityList{{1, 2, 3}}, ec, ExtCommunityList{{0, 2}}, e6, IPv6ExtCommunityList{{}},
		cl, ClusterIDList{id}, ps, ai, AIGPMetric(5), Unknown{0xC0, 99, []byte{1}},
		ASPathList{Segments: []ASPathSegment{{ASSequence, []uint32{1, 2}}}, ASN4: true},
	}
	for _, e := range encoders {
		if n := testing.AllocsPerRun(50, func() { e.WriteTo(buf, 1) }); n != 0 {
			t.Errorf("%T.WriteTo allocates %v times", e, n)
		}
	}
	n := testing.AllocsPerRun(50, func() {
		var sum Community
		for i := 0; i < c.Count(); i++ {
			sum += c.At(i)
		}
		for i := 0; i < lc.Count(); i++ {
			sum += Community(lc.At(i).Local1)
		}
		for i := 0; i < ec.Count(); i++ {
			sum += Community(ec.At(i)[7])
		}
		_ = sum
	})
	if n != 0 {
		t.Errorf("community iteration allocates %v times", n)
	}
	a := wire.Attr{Flags: 0x40, Code: wire.AttrASPath, Value: p.Raw()}
	if n := testing.AllocsPerRun(50, func() { _, _ = Reencode(a, nil, buf, 0) }); n != 0 {
		t.Errorf("Reencode allocates %v times", n)
	}
}
