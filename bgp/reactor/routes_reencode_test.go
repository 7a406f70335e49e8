package reactor

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/route"
	"github.com/zebgp/ze/bgp/view"
	"github.com/zebgp/ze/bgp/wire"
)

func buildWith(t testing.TB, ctx *wire.EncodingContext, cmd string) []byte {
	t.Helper()
	u, err := route.Parse(cmd)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	if err := u.Build(ctx, func(m []byte) error {
		if out != nil {
			t.Fatal("more than one message")
		}
		out = append([]byte(nil), m...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func reencode(t *testing.T, msg []byte, src, dst *wire.EncodingContext) ([]byte, error) {
	t.Helper()
	u, err := wire.ParseUpdateMessage(msg, src)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, wire.ExtMaxMsgLen)
	n, err := Reencode(&u, dst, buf)
	return buf[:n], err
}

func jsonOf(t *testing.T, msg []byte, ctx *wire.EncodingContext) string {
	t.Helper()
	w := view.W{}
	if err := view.AppendMessageJSON(&w, msg, ctx); err != nil {
		t.Errorf("%v: %s", err, w.B)
	}
	return string(w.B)
}

func TestReencode(t *testing.T) {
	asn4 := wire.NewContext(true, false)
	two := wire.NewContext(false, false)
	two.SetAddPath(wire.IPv4Unicast, true)
	two.SetAddPath(wire.IPv6Unicast, true)

	v4 := buildWith(t, asn4, "update text origin set igp as-path set [65001 200000 (65010 4200000000)] nhop set 192.0.2.1 aggregator set 200000:192.0.2.9 community set [65000:1] nlri ipv4/unicast add 10.0.0.0/24 10.0.1.0/24")
	v6 := buildWith(t, asn4, "update text origin set igp as-path set [65001] nhop set 2001:db8::1 nlri ipv6/unicast add 2001:db8:1::/48 2001:db8:2::/48")
	wd4 := buildWith(t, asn4, "update text nlri ipv4/unicast del 10.0.0.0/24")
	wd6 := buildWith(t, asn4, "update text nlri ipv6/unicast del 2001:db8:1::/48")

	for i, msg := range [][]byte{v4, v6, wd4, wd6} {
		same, err := reencode(t, msg, asn4, wire.NewContext(true, false))
		if err != nil || !bytes.Equal(same, msg) {
			t.Errorf("%d: same context: %v\n got % X\nwant % X", i, err, same, msg)
		}
		down, err := reencode(t, msg, asn4, two)
		if err != nil {
			t.Fatalf("%d: to 2-octet with ADD-PATH: %v", i, err)
		}
		back, err := reencode(t, down, two, asn4)
		if err != nil || !bytes.Equal(back, msg) {
			t.Errorf("%d: round trip: %v\n got % X\nwant % X", i, err, back, msg)
		}
		if i == 0 {
			j := jsonOf(t, down, two)
			for _, want := range []string{
				`"as-path":[{"type":"as-sequence","asns":[65001,200000]},{"type":"as-set","asns":[65010,4200000000]}]`,
				`"aggregator":{"asn":200000,"address":"192.0.2.9"}`,
				`"as4-path":[{"type":"as-sequence","asns":[65001,200000]},{"type":"as-set","asns":[65010,4200000000]}]`,
				`"as4-aggregator":{"asn":200000,"address":"192.0.2.9"}`,
				`"nlri":[{"prefix":"10.0.0.0/24","path-id":0},{"prefix":"10.0.1.0/24","path-id":0}]`,
				`"community":["65000:1"]`,
			} {
				if !strings.Contains(j, want) {
					t.Errorf("2-octet form lacks %s:\n%s", want, j)
				}
			}
			// AS_PATH with AS_TRANS (5BA0) in 2 octets, AS4_PATH after COMMUNITIES (8), before nothing else.
			if !bytes.Contains(down, []byte{0x40, 0x02, 0x0C, 0x02, 0x02, 0xFD, 0xE9, 0x5B, 0xA0, 0x01, 0x02, 0xFD, 0xF2, 0x5B, 0xA0}) ||
				!bytes.Contains(down, []byte{0xC0, 0x08, 0x04, 0xFD, 0xE8, 0x00, 0x01, 0xC0, 0x11}) {
				t.Errorf("2-octet form: % X", down)
			}
		}
		if i == 2 && !strings.Contains(jsonOf(t, down, two), `"withdraw":{"ipv4/unicast":[{"prefix":"10.0.0.0/24","path-id":0}]}`) {
			t.Errorf("withdrawal: %s", jsonOf(t, down, two))
		}
		if i == 3 && !strings.Contains(jsonOf(t, down, two), `"withdraw":{"ipv6/unicast":[{"prefix":"2001:db8:1::/48","path-id":0}]}`) {
			t.Errorf("withdrawal: %s", jsonOf(t, down, two))
		}
	}
}

func TestReencodeErrors(t *testing.T) {
	asn4 := wire.NewContext(true, false)
	enh := wire.NewContext(true, false)
	enh.SetExtNextHop(wire.IPv4Unicast, true)
	msg := buildWith(t, enh, "update text origin set igp nhop set 2001:db8::1 nlri ipv4/unicast add 10.0.0.0/24")
	if _, err := reencode(t, msg, enh, asn4); !errors.Is(err, ErrReencodeNextHop) {
		t.Errorf("IPv6 next hop to a session without extended next hop: %v", err)
	}
	ext := wire.NewContext(true, true)
	var b strings.Builder
	b.WriteString("update text origin set igp nhop set 192.0.2.1 community set [")
	for i := range 1500 {
		b.WriteString(" 65000:")
		b.WriteString(itoa(uint32(i + 1)))
	}
	b.WriteString("] nlri ipv4/unicast add 10.0.0.0/24")
	big := buildWith(t, ext, b.String())
	if len(big) <= wire.MaxMsgLen {
		t.Fatalf("test message of %d octets", len(big))
	}
	if _, err := reencode(t, big, ext, asn4); !errors.Is(err, ErrReencodeTooLong) {
		t.Errorf("%d octets to a session without extended message: %v", len(big), err)
	}
}

func BenchmarkReencode(b *testing.B) {
	asn4 := wire.NewContext(true, false)
	two := wire.NewContext(false, false)
	two.SetAddPath(wire.IPv4Unicast, true)
	msg := buildWith(b, asn4, "update text origin set igp as-path set [65001 200000] nhop set 192.0.2.1 community set [65000:1] nlri ipv4/unicast add 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24")
	u, err := wire.ParseUpdateMessage(msg, asn4)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, wire.ExtMaxMsgLen)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Reencode(&u, two, buf); err != nil {
			b.Fatal(err)
		}
	}
}

func TestReencodeAllocs(t *testing.T) {
	asn4 := wire.NewContext(true, false)
	two := wire.NewContext(false, false)
	two.SetAddPath(wire.IPv4Unicast, true)
	msg := buildWith(t, asn4, "update text origin set igp as-path set [65001 200000] nhop set 192.0.2.1 aggregator set 200000:192.0.2.9 nlri ipv4/unicast add 10.0.0.0/24 10.0.1.0/24")
	u, err := wire.ParseUpdateMessage(msg, asn4)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, wire.ExtMaxMsgLen)
	if _, err := Reencode(&u, two, buf); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(200, func() { _, _ = Reencode(&u, two, buf) }); a != 0 {
		t.Errorf("Reencode: %.1f allocations, want 0", a)
	}
}
