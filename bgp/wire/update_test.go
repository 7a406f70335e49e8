package wire

import (
	"fmt"
	"strings"
	"testing"
)

// exaUpdate is ExaBGP's vector ipv4-unicast-1: origin igp, as-path empty,
// next-hop 101.1.101.1, med 200, local-pref 100, NLRI 0.0.0.0/0 ×4 and 1.1.1.1/32.
const exaUpdate = marker + "003C020000001C4001010040020040030465016501800404000000C840050400000064000000002001010101"

func TestWireUpdateAccessors(t *testing.T) {
	u, err := ParseUpdateMessage(mustHex(t, exaUpdate), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Withdrawn()) != 0 || len(u.Attrs()) != 0x1C || len(u.NLRI()) != 9 {
		t.Fatalf("fields: withdrawn %d attrs %d nlri %d", len(u.Withdrawn()), len(u.Attrs()), len(u.NLRI()))
	}
	var codes []string
	it := u.AttrIter()
	for {
		a, ok := it.Next()
		if !ok {
			break
		}
		codes = append(codes, a.Code.String())
	}
	if it.Err() != nil || strings.Join(codes, ",") != "origin,as-path,next-hop,med,local-preference" {
		t.Fatalf("attributes %v, err %v", codes, it.Err())
	}
	nh, ok := u.Attr(AttrNextHop)
	if !ok || !nh.Transitive() || nh.Optional() || string(nh.Value) != "\x65\x01\x65\x01" {
		t.Fatalf("next-hop %+v", nh)
	}
	got, err := collect(t, IPv4Unicast, u.NLRI(), false)
	if err != nil || got != "0.0.0.0/0,0.0.0.0/0,0.0.0.0/0,0.0.0.0/0,1.1.1.1/32" {
		t.Fatalf("nlri %q %v", got, err)
	}
	if _, ok := u.EndOfRIB(); ok {
		t.Fatal("an update with NLRI is not End-of-RIB")
	}
}

func TestWireUpdateMP(t *testing.T) {
	// MP_REACH ipv6/unicast, next hop global + link-local, 2001:db8::/32;
	// MP_UNREACH ipv6/unicast 2001:db8:1::/48.
	mp := "800E2A" + "000201" + "20" + "20010DB8000000000000000000000001" + "FE800000000000000000000000000001" + "00" + "2020010DB8"
	mu := "800F0A" + "000201" + "3020010DB80001"
	attrs := "400101004002" + "00" + mp + mu
	body := "0000" + hex16(len(attrs)/2) + attrs
	u, err := ParseUpdate(mustHex(t, body), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, ok, err := u.MPReach()
	if !ok || err != nil || r.Family != IPv6Unicast {
		t.Fatalf("mp-reach %+v %v %v", r, ok, err)
	}
	g, ll, ok := r.NextHops()
	if !ok || g.String() != "2001:db8::1" || ll.String() != "fe80::1" {
		t.Fatalf("next hops %v %v %v", g, ll, ok)
	}
	it := r.Iter(nil)
	got, err := collect(t, r.Family, r.NLRI, false)
	if n, _ := it.Count(); err != nil || got != "2001:db8::/32" || n != 1 {
		t.Fatalf("mp-reach nlri %q %v", got, err)
	}
	w, ok, err := u.MPUnreach()
	if !ok || err != nil || w.Family != IPv6Unicast {
		t.Fatalf("mp-unreach %+v %v %v", w, ok, err)
	}
	got, err = collect(t, w.Family, w.NLRI, false)
	if err != nil || got != "2001:db8:1::/48" {
		t.Fatalf("mp-unreach nlri %q %v", got, err)
	}
	if _, _, err := (&WireUpdate{attrs: mustHex(t, "800E03000201")}).MPReach(); err == nil {
		t.Fatal("short MP_REACH accepted")
	}
}

func hex16(n int) string { return fmt.Sprintf("%04X", n) }

func TestNextHopForms(t *testing.T) {
	tests := []struct{ nh, g, ll string }{
		{"C0000201", "192.0.2.1", "invalid IP"},
		{"0000000000000000C0000201", "192.0.2.1", "invalid IP"},
		{"000000000000000020010DB8000000000000000000000001", "2001:db8::1", "invalid IP"},
	}
	for _, tt := range tests {
		g, ll, ok := MPReach{NextHop: mustHex(t, tt.nh)}.NextHops()
		if !ok || g.String() != tt.g || ll.String() != tt.ll {
			t.Errorf("%s: got %v %v %v", tt.nh, g, ll, ok)
		}
	}
	if _, _, ok := (MPReach{NextHop: []byte{1, 2, 3}}).NextHops(); ok {
		t.Error("3-octet next hop accepted")
	}
}

func TestEndOfRIB(t *testing.T) {
	buf := make([]byte, 64)
	for _, f := range []Family{IPv4Unicast, IPv6Unicast, {AFIL2VPN, SAFIEVPN}} {
		n := WriteEndOfRIB(buf, 0, f)
		u, err := ParseUpdateMessage(buf[:n], nil)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := u.EndOfRIB()
		if !ok || got != f {
			t.Fatalf("EoR %v: got %v %v", f, got, ok)
		}
	}
	// ExaBGP's IPv6 End-of-RIB uses the extended-length form.
	n := WriteEndOfRIB(buf, 0, IPv6Unicast)
	if got, want := hexUpper(buf[:n]), marker+"001E0200000007900F0003000201"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func hexUpper(b []byte) string { return fmt.Sprintf("%X", b) }

func TestParseUpdateErrors(t *testing.T) {
	for _, body := range []string{"", "00", "000100", "0005000000", "00000005400101"} {
		_, err := ParseUpdate(mustHex(t, body), nil)
		ne, ok := AsNotify(err)
		if !ok || ne.Code != NotifyUpdate || ne.Subcode != UpdateMalformedAttrList {
			t.Errorf("body %q: got %v, want update-message-error/malformed-attribute-list", body, err)
		}
	}
	// A truncated attribute stops the iterator with the malformed-attribute-list error.
	u, err := ParseUpdate(mustHex(t, "00000004400105FF"), nil)
	if err != nil {
		t.Fatal(err)
	}
	it := u.AttrIter()
	if _, ok := it.Next(); ok || it.Err() == nil {
		t.Fatal("truncated attribute yielded")
	}
}

func TestWireUpdateIterAllocs(t *testing.T) {
	msg := mustHex(t, exaUpdate)
	allocs := testing.AllocsPerRun(200, func() {
		u, err := ParseUpdateMessage(msg, nil)
		if err != nil {
			t.Fatal(err)
		}
		ai := u.AttrIter()
		for {
			if _, ok := ai.Next(); !ok {
				break
			}
		}
		for _, it := range []NLRIIter{u.WithdrawnIter(), u.NLRIIter()} {
			for {
				if _, ok := it.Next(); !ok {
					break
				}
			}
		}
		if r, ok, _ := u.MPReach(); ok {
			it := r.Iter(u.Context())
			it.Next()
		}
	})
	if allocs != 0 {
		t.Fatalf("allocates %.1f per update, want 0", allocs)
	}
}

func FuzzParseUpdate(f *testing.F) {
	f.Add(mustHex(f, exaUpdate)[HeaderLen:])
	f.Add(mustHex(f, "0000001A800E160002012010000000000000000000000000000001002020010DB8"))
	f.Add(mustHex(f, "00000007900F0003000201"))
	f.Add(mustHex(f, "0004180A0000000000"))
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := NewContext(len(body)%2 == 0, false)
		if len(body)%3 == 0 {
			ctx.SetAddPath(IPv4Unicast, true)
			ctx.SetAddPath(IPv6Unicast, true)
		}
		u, err := ParseUpdate(body, ctx)
		if err != nil {
			return
		}
		if len(u.Withdrawn())+len(u.Attrs())+len(u.NLRI())+4 != len(body) {
			t.Fatalf("fields do not add up to the body")
		}
		ai := u.AttrIter()
		for {
			a, ok := ai.Next()
			if !ok {
				break
			}
			if len(a.Raw) < len(a.Value)+3 {
				t.Fatalf("attribute raw shorter than value")
			}
		}
		for _, it := range []NLRIIter{u.WithdrawnIter(), u.NLRIIter()} {
			_, _ = it.Count()
		}
		if r, ok, _ := u.MPReach(); ok {
			_, _ = r.Iter(ctx).Count()
			r.NextHops()
		}
		if w, ok, _ := u.MPUnreach(); ok {
			_, _ = w.Iter(ctx).Count()
		}
		u.EndOfRIB()
	})
}
