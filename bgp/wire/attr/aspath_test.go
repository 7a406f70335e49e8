package attr

import (
	"bytes"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

// segs flattens a path to "type:asn,asn;type:…" for comparison.
func segs(p ASPath) []ASPathSegment { return p.List().Segments }

func eqSegs(a, b []ASPathSegment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || len(a[i].ASNs) != len(b[i].ASNs) {
			return false
		}
		for j := range a[i].ASNs {
			if a[i].ASNs[j] != b[i].ASNs[j] {
				return false
			}
		}
	}
	return true
}

func seq(asns ...uint32) ASPathSegment { return ASPathSegment{ASSequence, asns} }
func set(asns ...uint32) ASPathSegment { return ASPathSegment{ASSet, asns} }

func TestASPathTwoReadings(t *testing.T) {
	// The same bytes read per the negotiated width (RFC 6793 §3).
	p, err := DecodeASPath(hx("02 02 00 01 FD E8"), false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := segs(p), []ASPathSegment{seq(1, 65000)}; !eqSegs(got, want) {
		t.Errorf("2-octet: got %v, want %v", got, want)
	}
	p, err = DecodeASPath(hx("02 01 00 01 FD E8"), true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := segs(p), []ASPathSegment{seq(130536)}; !eqSegs(got, want) {
		t.Errorf("4-octet: got %v, want %v", got, want)
	}
	if _, err := DecodeASPath(hx("02 02 00 01 FD E8"), true); err == nil {
		t.Error("02 02 00 01 FD E8 as 4-octet: want an overrun error")
	}
}

func TestASPathDecode(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		asn4    bool
		want    []ASPathSegment
		text    string
		plen    int
		wantErr bool
	}{
		{"empty", "", true, nil, "", 0, false},
		{"sequence", "02 03 0000FDE8 0000FDE9 FBF00001", true, []ASPathSegment{seq(65000, 65001, 4226809857)}, "65000 65001 4226809857", 3, false},
		{"sequence and set", "02 01 0000FDE8 01 02 00000001 00000002", true, []ASPathSegment{seq(65000), set(1, 2)}, "65000 {1 2}", 2, false},
		{"confederation", "03 01 0000FDE8 04 01 0000FDE9 02 01 00000001", true,
			[]ASPathSegment{{ASConfedSequence, []uint32{65000}}, {ASConfedSet, []uint32{65001}}, seq(1)}, "(65000) [65001] 1", 1, false},
		{"2-octet", "02 02 FDE8 5BA0", false, []ASPathSegment{seq(65000, 23456)}, "65000 23456", 2, false},
		{"unknown segment type", "05 01 0000FDE8", true, nil, "", 0, true},
		{"zero length segment", "02 00", true, nil, "", 0, true},
		{"overrun", "02 02 0000FDE8", true, nil, "", 0, true},
		{"single trailing octet", "02 01 0000FDE8 02", true, nil, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := hx(tt.value)
			p, err := DecodeASPath(v, tt.asn4)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got := segs(p); !eqSegs(got, tt.want) {
				t.Errorf("segments %v, want %v", got, tt.want)
			}
			if got := p.String(); got != tt.text {
				t.Errorf("text %q, want %q", got, tt.text)
			}
			if got := p.PathLength(); got != tt.plen {
				t.Errorf("path length %d, want %d", got, tt.plen)
			}
			buf := make([]byte, p.Len())
			n := p.WriteTo(buf, 0)
			want := append([]byte{0x40, 2, byte(len(v))}, v...)
			if !bytes.Equal(buf[:n], want) {
				t.Errorf("encoded %X, want %X", buf[:n], want)
			}
			// Text parses back to the same segments, which write the same bytes.
			l, err := ParseASPath(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			l.ASN4 = tt.asn4
			buf2 := make([]byte, l.Len())
			if n2 := l.WriteTo(buf2, 0); !bytes.Equal(buf2[:n2], want) {
				t.Errorf("from text %X, want %X", buf2[:n2], want)
			}
		})
	}
}

func TestASPathWidthConversion(t *testing.T) {
	p, _ := DecodeASPath(hx("02 02 0000FDE8 0001FBD0 03 01 00030D40"), true)
	buf := make([]byte, 64)
	n := p.WriteAs(buf, 0, false)
	// 130000 does not fit: AS_TRANS, and the confederation AS too.
	if want := hx("40 02 0A 02 02 FDE8 5BA0 03 01 5BA0"); !bytes.Equal(buf[:n], want) {
		t.Errorf("as 2-octet %X, want %X", buf[:n], want)
	}
	if !p.NeedsAS4Path() {
		t.Error("NeedsAS4Path = false, want true")
	}
	n = p.WriteAS4Path(buf, 0)
	if want := hx("C0 11 0A 02 02 0000FDE8 0001FBD0"); !bytes.Equal(buf[:n], want) {
		t.Errorf("as4_path %X, want %X", buf[:n], want)
	}
	p2, _ := DecodeASPath(hx("02 02 FDE8 5BA0"), false)
	n = p2.WriteAs(buf, 0, true)
	if want := hx("40 02 0A 02 02 0000FDE8 00005BA0"); !bytes.Equal(buf[:n], want) {
		t.Errorf("as 4-octet %X, want %X", buf[:n], want)
	}
}

func TestASPathListLong(t *testing.T) {
	// 300 AS numbers: two segments (255 + 45), extended length.
	asns := make([]uint32, 300)
	for i := range asns {
		asns[i] = uint32(i + 1)
	}
	l := ASPathList{Segments: []ASPathSegment{seq(asns...)}, ASN4: true}
	buf := make([]byte, l.Len())
	n := l.WriteTo(buf, 0)
	if n != l.Len() || n != 4+2+255*4+2+45*4 {
		t.Fatalf("wrote %d, Len %d", n, l.Len())
	}
	if buf[0] != 0x50 || buf[4] != 2 || buf[5] != 255 || buf[6+255*4+1] != 45 {
		t.Fatalf("header %X, segments %X %X", buf[:4], buf[4:6], buf[6+255*4:8+255*4])
	}
	it := wire.NewAttrIter(buf[:n])
	a, _ := it.Next()
	p, err := DecodeASPath(a.Value, true)
	if err != nil || p.PathLength() != 300 {
		t.Fatalf("read back: %v, length %d", err, p.PathLength())
	}
}

func TestParseASPathErrors(t *testing.T) {
	for _, s := range []string{"{1 2", "1 }", "{1 {2}}", "{}", "1 x", "4294967296"} {
		if _, err := ParseASPath(s); err == nil {
			t.Errorf("ParseASPath(%q): want an error", s)
		}
	}
	l, err := ParseASPath("1.10, 65000")
	if err != nil || !eqSegs(l.Segments, []ASPathSegment{seq(65546, 65000)}) {
		t.Errorf("asdot: %v %v", l, err)
	}
}

func TestASPathAllocs(t *testing.T) {
	p, _ := DecodeASPath(hx("02 03 0000FDE8 0000FDE9 FBF00001 01 02 00000001 00000002"), true)
	buf := make([]byte, 64)
	var sum uint32
	n := testing.AllocsPerRun(100, func() {
		for it := p.Segments(); ; {
			s, ok := it.Next()
			if !ok {
				break
			}
			for i := 0; i < s.Count(); i++ {
				sum += s.ASN(i)
			}
		}
		for it := p.ASNs(); ; {
			a, _, ok := it.Next()
			if !ok {
				break
			}
			sum += a
		}
		_ = p.PathLength()
		p.WriteTo(buf, 0)
		p.WriteAs(buf, 0, false)
		p.WriteAS4Path(buf, 0)
	})
	if n != 0 {
		t.Fatalf("AS_PATH iteration and encoding allocate %v times, want 0", n)
	}
	if sum == 0 {
		t.Fatal("iterated nothing")
	}
}
