package wire

import "testing"

func TestFamilyText(t *testing.T) {
	tests := []struct {
		in   string
		want Family
		text string
	}{
		{"ipv4/unicast", IPv4Unicast, "ipv4/unicast"},
		{"ipv6/multicast", IPv6Multicast, "ipv6/multicast"},
		{"l2vpn/evpn", Family{AFIL2VPN, SAFIEVPN}, "l2vpn/evpn"},
		{"ipv4/flowspec-vpn", Family{AFIIPv4, SAFIFlowSpecVPN}, "ipv4/flowspec-vpn"},
		{"bgp-ls/bgp-ls", Family{AFIBGPLS, SAFIBGPLS}, "bgp-ls/bgp-ls"},
		{"1/1", IPv4Unicast, "ipv4/unicast"},
		{"3/200", Family{3, 200}, "3/200"},
	}
	for _, tt := range tests {
		got, err := ParseFamily(tt.in)
		if err != nil || got != tt.want || got.String() != tt.text {
			t.Errorf("ParseFamily(%q) = %v (%s), %v; want %v (%s)", tt.in, got, got, err, tt.want, tt.text)
		}
	}
	for _, bad := range []string{"", "ipv4", "ipv5/unicast", "ipv4/bogus", "0/1", "1/0", "ipv4/256"} {
		if f, err := ParseFamily(bad); err == nil {
			t.Errorf("ParseFamily(%q) = %v, want error", bad, f)
		}
	}
}

func TestContextID(t *testing.T) {
	a := NewContext(true, false)
	a.SetAddPath(IPv6Unicast, true)
	a.SetAddPath(IPv4Unicast, true)
	b := NewContext(true, false)
	b.SetAddPath(IPv4Unicast, true)
	b.SetAddPath(IPv6Unicast, true)
	if a.ID() != b.ID() || a.ID() == 0 {
		t.Fatalf("equal contexts got IDs %d and %d", a.ID(), b.ID())
	}
	b.SetAddPath(IPv6Unicast, false)
	if a.ID() == b.ID() {
		t.Fatal("different contexts share an ID")
	}
	if NewContext(false, false).ID() == NewContext(true, false).ID() {
		t.Fatal("asn4 does not change the ID")
	}
	c := NewContext(true, true)
	c.SetExtNextHop(IPv4Unicast, true)
	if c.ID() == NewContext(true, true).ID() {
		t.Fatal("extended next hop does not change the ID")
	}
	if !a.AddPath(IPv4Unicast) || b.AddPath(IPv6Unicast) || !c.ExtNextHop(IPv4Unicast) {
		t.Fatal("lookups wrong")
	}
	var nilCtx *EncodingContext
	if nilCtx.AddPath(IPv4Unicast) || !nilCtx.ASN4Enabled() || nilCtx.MaxLen() != MaxMsgLen || c.MaxLen() != ExtMaxMsgLen {
		t.Fatal("nil/extended context defaults wrong")
	}
}
