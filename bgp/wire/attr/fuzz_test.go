package attr

import (
	"bytes"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

// seed adds the value of every corpus attribute with code c, and extra.
func seed(f *testing.F, c wire.AttrCode, extra ...string) {
	for _, a := range corpusAttrs(f) {
		if a.Code == c {
			f.Add(a.Value)
		}
	}
	for _, e := range extra {
		f.Add(hx(e))
	}
}

// roundTrip checks that a decoded value writes back header + v.
func roundTrip(t *testing.T, e interface{ WriteTo([]byte, int) int }, flags wire.AttrFlags, code wire.AttrCode, v []byte) {
	t.Helper()
	buf := make([]byte, len(v)+4)
	n := e.WriteTo(buf, 0)
	want := make([]byte, len(v)+4)
	h := wire.WriteAttrHeader(want, 0, flags, code, len(v))
	copy(want[h:], v)
	if !bytes.Equal(buf[:n], want[:h+len(v)]) {
		t.Fatalf("re-encoded %X, want %X", buf[:n], want[:h+len(v)])
	}
}

func FuzzASPath(f *testing.F) {
	for _, a := range corpusAttrs(f) {
		if a.Code == wire.AttrASPath {
			f.Add(a.Value, true)
			f.Add(a.Value, false)
		}
	}
	f.Add(hx("02 02 00 01 FD E8"), false)
	f.Add(hx("03 01 0000FDE8 01 02 00000001 00000002"), true)
	f.Fuzz(func(t *testing.T, v []byte, asn4 bool) {
		p, err := DecodeASPath(v, asn4)
		if err != nil {
			return
		}
		roundTrip(t, p, 0x40, wire.AttrASPath, v)
		for _, w := range []bool{false, true} {
			buf := make([]byte, 4+2*len(v)+4)
			if n := p.WriteAs(buf, 0, w); n != Size(0x40, p.ValueLenAs(w)) {
				t.Fatalf("WriteAs(%v) wrote %d, ValueLenAs %d", w, n, p.ValueLenAs(w))
			}
			p.WriteAS4Path(buf, 0)
		}
		// The text names the same segments.
		l, err := ParseASPath(p.String())
		if err != nil {
			t.Fatalf("text %q does not parse: %v", p, err)
		}
		if l.String() != p.String() || l.valueLen(true, false) > p.ValueLenAs(true) {
			t.Fatalf("text %q parsed to %q", p, l)
		}
		MergeAS4Path(nil, p, AS4Path{p})
	})
}

func FuzzMergeAS4(f *testing.F) {
	f.Add(hx("02 03 FDE8 5BA0 5BA0"), hx("02 02 00030D40 00030D41"))
	f.Add(hx("03 01 FDE9 02 02 FDE8 5BA0"), hx("03 01 00000001 02 01 00030D40"))
	f.Fuzz(func(t *testing.T, v2, v4 []byte) {
		p, err := DecodeASPath(v2, false)
		if err != nil {
			return
		}
		as4, err := DecodeAS4Path(v4)
		if err != nil {
			return
		}
		m := MergeAS4Path(nil, p, as4)
		if _, err := DecodeASPath(m.Raw(), true); err != nil {
			t.Fatalf("merged %X does not decode: %v", m.Raw(), err)
		}
		if m.PathLength() != p.PathLength() && p.PathLength() >= as4.PathLength() {
			t.Fatalf("merged length %d, want the AS_PATH's %d", m.PathLength(), p.PathLength())
		}
	})
}

func FuzzCommunity(f *testing.F) {
	seed(f, wire.AttrCommunity, "FFFFFF01", "FDE80064 FFFF029A")
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := DecodeCommunities(v)
		if err != nil {
			return
		}
		roundTrip(t, c, 0xC0, wire.AttrCommunity, v)
		l, err := ParseCommunities(c.String())
		if err != nil || len(l) != c.Count() {
			t.Fatalf("text %q: %v", c, err)
		}
		for i := range l {
			if l[i] != c.At(i) {
				t.Fatalf("text %q: %d is %v, want %v", c, i, l[i], c.At(i))
			}
		}
	})
}

func FuzzExtCommunity(f *testing.F) {
	seed(f, wire.AttrExtCommunity, "0002FDE800000064", "8006000049742400", "0601000000000640")
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := DecodeExtCommunities(v)
		if err != nil {
			return
		}
		roundTrip(t, c, 0xC0, wire.AttrExtCommunity, v)
		for i := 0; i < c.Count(); i++ {
			e := c.At(i)
			back, err := ParseExtCommunity(e.String())
			if err != nil || back != e {
				t.Fatalf("%X -> %q -> %X (%v)", e[:], e, back[:], err)
			}
		}
	})
}

func FuzzIPv6ExtCommunity(f *testing.F) {
	seed(f, wire.AttrIPv6ExtCommunity, "0002 20010DB8000000000000000000000001 0064")
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := DecodeIPv6ExtCommunities(v)
		if err != nil {
			return
		}
		roundTrip(t, c, 0xC0, wire.AttrIPv6ExtCommunity, v)
		for i := 0; i < c.Count(); i++ {
			e := c.At(i)
			if back, err := ParseIPv6ExtCommunity(e.String()); err != nil || back != e {
				t.Fatalf("%X -> %q -> %X (%v)", e[:], e, back[:], err)
			}
		}
	})
}

func FuzzLargeCommunity(f *testing.F) {
	seed(f, wire.AttrLargeCommunity, "0000FDE8 00000001 00000002")
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := DecodeLargeCommunities(v)
		if err != nil {
			return
		}
		roundTrip(t, c, 0xC0, wire.AttrLargeCommunity, v)
		l, err := ParseLargeCommunities(c.String())
		if err != nil || len(l) != c.Count() || l[0] != c.At(0) {
			t.Fatalf("text %q: %v", c, err)
		}
	})
}

func FuzzAggregator(f *testing.F) {
	for _, a := range corpusAttrs(f) {
		if a.Code == wire.AttrAggregator {
			f.Add(a.Value, len(a.Value) == 8)
		}
	}
	f.Add(hx("FDE8 C0000201"), false)
	f.Add(hx("00030D40 C0000201"), true)
	f.Fuzz(func(t *testing.T, v []byte, asn4 bool) {
		a, err := DecodeAggregator(v, asn4)
		if err != nil {
			return
		}
		buf := make([]byte, 16)
		n := a.WriteAs(buf, 0, 0xC0, asn4)
		if !bytes.Equal(buf[3:n], v) {
			t.Fatalf("re-encoded %X, want %X", buf[3:n], v)
		}
		if back, err := ParseAggregator(a.String()); err != nil || back != a {
			t.Fatalf("text %q: %v %v", a, back, err)
		}
	})
}

func FuzzClusterList(f *testing.F) {
	seed(f, wire.AttrClusterList, "0A000001 0A000002")
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := DecodeClusterList(v)
		if err != nil {
			return
		}
		roundTrip(t, c, 0x80, wire.AttrClusterList, v)
		if l, err := ParseClusterList(c.String()); err != nil || len(l) != c.Count() {
			t.Fatalf("text %q: %v", c, err)
		}
	})
}

func FuzzPrefixSID(f *testing.F) {
	seed(f, wire.AttrPrefixSID, "01 0007 00 0000 00000064", "03 0008 0000 003E80 001F40",
		"05 0022 00 01 001E 00 20010DB8000000000000000000000001 00 0041 00 01 0006 202020000000")
	f.Fuzz(func(t *testing.T, v []byte) {
		p, err := DecodePrefixSID(v)
		if err != nil {
			return
		}
		roundTrip(t, p, 0xC0, wire.AttrPrefixSID, v)
		back, err := ParsePrefixSID(p.String())
		if err != nil || back.String() != p.String() {
			t.Fatalf("text %q -> %q (%v)", p, back, err)
		}
	})
}

func FuzzAIGP(f *testing.F) {
	seed(f, wire.AttrAIGP, "01 000B 0000000000000064", "01 000B 0000000000000064 07 0003")
	f.Fuzz(func(t *testing.T, v []byte) {
		a, err := DecodeAIGP(v)
		if err != nil {
			return
		}
		roundTrip(t, a, 0x80, wire.AttrAIGP, v)
		if m, ok := a.Metric(); ok && len(v) == 11 {
			buf := make([]byte, 14)
			AIGPMetric(m).WriteTo(buf, 0)
			if !bytes.Equal(buf[3:], v) {
				t.Fatalf("metric %d wrote %X, want %X", m, buf[3:], v)
			}
		}
	})
}

func FuzzReencode(f *testing.F) {
	for _, a := range corpusAttrs(f) {
		f.Add(a.Raw, true)
	}
	f.Fuzz(func(t *testing.T, raw []byte, asn4 bool) {
		it := wire.NewAttrIter(raw)
		a, ok := it.Next()
		if !ok {
			return
		}
		buf := make([]byte, len(a.Raw)+1)
		n, err := Reencode(a, wire.NewContext(asn4, false), buf, 0)
		if err == nil && !bytes.Equal(buf[:n], a.Raw) {
			t.Fatalf("re-encoded %X, want %X", buf[:n], a.Raw)
		}
		_, _ = AppendText(nil, a, wire.NewContext(asn4, false))
	})
}

func FuzzCheck(f *testing.F) {
	for _, body := range corpusUpdates(f) {
		if u, err := wire.ParseUpdate(body, nil); err == nil {
			f.Add(u.Attrs(), true, len(u.NLRI()) > 0)
		}
	}
	f.Add(hx(base), true, true)
	f.Fuzz(func(t *testing.T, attrs []byte, asn4, hasNLRI bool) {
		ctx := wire.NewContext(asn4, false)
		v := Check(attrs, ctx, hasNLRI)
		if (v.Action == ActionNone) != (v.Notify == nil) {
			t.Fatalf("action %s with notify %v", v.Action, v.Notify)
		}
		buf := make([]byte, len(attrs))
		if n := v.WriteKept(buf, 0, attrs); n > len(attrs) {
			t.Fatalf("kept %d of %d octets", n, len(attrs))
		}
		if v.Action != ActionNone {
			return
		}
		// A valid field: every attribute re-encodes to its bytes.
		out := make([]byte, 0, len(attrs))
		for it := wire.NewAttrIter(attrs); ; {
			a, ok := it.Next()
			if !ok {
				break
			}
			tmp := make([]byte, len(a.Raw)+1)
			n, err := Reencode(a, ctx, tmp, 0)
			if err != nil {
				t.Fatalf("%s passed Check but does not decode: %v", a.Code, err)
			}
			out = append(out, tmp[:n]...)
		}
		if !bytes.Equal(out, attrs) {
			t.Fatalf("re-encoded\n%X\nwant\n%X", out, attrs)
		}
	})
}

func FuzzScalar(f *testing.F) {
	for _, a := range corpusAttrs(f) {
		if len(a.Value) <= 8 {
			f.Add(byte(a.Code), a.Value)
		}
	}
	f.Fuzz(func(t *testing.T, code byte, v []byte) {
		type enc = interface {
			WriteAttr([]byte, int, wire.AttrFlags) int
			AppendText([]byte) []byte
		}
		var e enc
		var err error
		switch wire.AttrCode(code) {
		case wire.AttrOrigin:
			e, err = DecodeOrigin(v)
		case wire.AttrNextHop:
			e, err = DecodeNextHop(v)
		case wire.AttrMED:
			e, err = DecodeMED(v)
		case wire.AttrLocalPref:
			e, err = DecodeLocalPref(v)
		case wire.AttrAtomicAggregate:
			e, err = DecodeAtomicAggregate(v)
		case wire.AttrOriginatorID:
			e, err = DecodeOriginatorID(v)
		case wire.AttrOTC:
			e, err = DecodeOTC(v)
		case wire.AttrAS4Aggregator:
			e, err = DecodeAS4Aggregator(v)
		default:
			return
		}
		if err != nil {
			return
		}
		buf := make([]byte, 16)
		n := e.WriteAttr(buf, 0, DefaultFlags(wire.AttrCode(code)))
		if !bytes.Equal(buf[3:n], v) || buf[1] != code {
			t.Fatalf("code %d: re-encoded %X, want value %X", code, buf[:n], v)
		}
		_ = e.AppendText(nil)
	})
}

func FuzzAS4Path(f *testing.F) {
	seed(f, wire.AttrAS4Path, "02 02 00030D40 00030D41")
	f.Fuzz(func(t *testing.T, v []byte) {
		p, err := DecodeAS4Path(v)
		if err != nil {
			return
		}
		roundTrip(t, p, 0xC0, wire.AttrAS4Path, v)
	})
}

// FuzzParseText feeds command-line text to every text parser: what parses
// prints to a text that parses to the same value.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"65000:100", "no-export", "target:65000:100", "redirect:1.2.3.4:10",
		"rate-limit:1000", "65000:1:2", "65001 {1 2} (3)", "200000:192.0.2.1",
		"label-index:100 srgb:16000:8000", "target:2001:db8::1:100", "0xC0 99 0102"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := ParseCommunity(s); err == nil {
			if back, err := ParseCommunity(c.String()); err != nil || back != c {
				t.Fatalf("community %q -> %q -> %v", s, c, back)
			}
		}
		if e, err := ParseExtCommunity(s); err == nil {
			if back, err := ParseExtCommunity(e.String()); err != nil || back != e {
				t.Fatalf("ext community %q -> %q -> %v", s, e, back)
			}
		}
		if e, err := ParseIPv6ExtCommunity(s); err == nil {
			if back, err := ParseIPv6ExtCommunity(e.String()); err != nil || back != e {
				t.Fatalf("ipv6 ext community %q -> %q -> %v", s, e, back)
			}
		}
		if c, err := ParseLargeCommunity(s); err == nil {
			if back, err := ParseLargeCommunity(c.String()); err != nil || back != c {
				t.Fatalf("large community %q -> %q -> %v", s, c, back)
			}
		}
		if l, err := ParseASPath(s); err == nil {
			if back, err := ParseASPath(l.String()); err != nil || back.String() != l.String() {
				t.Fatalf("as-path %q -> %q -> %q", s, l, back)
			}
		}
		if a, err := ParseAggregator(s); err == nil {
			if back, err := ParseAggregator(a.String()); err != nil || back != a {
				t.Fatalf("aggregator %q -> %q -> %v", s, a, back)
			}
		}
		if p, err := ParsePrefixSID(s); err == nil {
			if back, err := ParsePrefixSID(p.String()); err != nil || back.String() != p.String() {
				t.Fatalf("prefix-sid %q -> %q -> %q", s, p, back)
			}
		}
		if u, err := ParseUnknown(s); err == nil {
			if back, err := ParseUnknown(u.String()); err != nil || back.String() != u.String() {
				t.Fatalf("attribute %q -> %q -> %q", s, u, back)
			}
		}
	})
}
