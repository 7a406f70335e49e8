package harness

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]Origin{
		"IGP": OriginIGP, "i": OriginIGP, "0": OriginIGP, "EGP": OriginEGP, "e": OriginEGP,
		"1": OriginEGP, "incomplete": OriginIncomplete, "Incomplete": OriginIncomplete, "?": OriginIncomplete, "2": OriginIncomplete,
	} {
		if got, err := ParseOrigin(in); err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "3", "bgp"} {
		if _, err := ParseOrigin(bad); err == nil {
			t.Errorf("ParseOrigin(%q) accepted", bad)
		}
	}
}

func TestReceivedExpectation(t *testing.T) {
	self := netip.MustParseAddr("172.30.0.2")
	sent := Route{Prefix: netip.MustParsePrefix("10.1.0.0/24"), MED: 5, HasMED: true}
	got := sent.Received(65001, self)
	if got.NextHop != self || len(got.ASPath) != 1 || got.ASPath[0] != 65001 || got.Origin != OriginIGP {
		t.Errorf("plain route: %s, want next hop %s as-path [65001] origin igp", got, self)
	}
	given := Route{Prefix: sent.Prefix, NextHop: netip.MustParseAddr("192.0.2.1"), ASPath: []uint32{65100, 65200}, Origin: OriginEGP}
	got = given.Received(65001, self)
	if got.NextHop != given.NextHop || len(got.ASPath) != 3 || got.ASPath[0] != 65001 || got.ASPath[2] != 65200 || got.Origin != OriginEGP {
		t.Errorf("route with attributes: %s, want next hop 192.0.2.1 as-path [65001 65100 65200] origin egp", got)
	}
	if len(given.ASPath) != 2 {
		t.Errorf("Received changed the announced as-path to %v", given.ASPath)
	}
}

func TestMismatchPathAttributes(t *testing.T) {
	nh := netip.MustParseAddr("172.30.0.2")
	got := Route{Prefix: netip.MustParsePrefix("10.1.0.0/24"), NextHop: nh, ASPath: []uint32{65001, 65100}, Origin: OriginEGP}
	if m := Mismatch(Route{Prefix: got.Prefix}, got); m != "" {
		t.Errorf("unset next hop, as-path, origin compared: %s", m)
	}
	want := got
	if m := Mismatch(want, got); m != "" {
		t.Errorf("equal routes differ: %s", m)
	}
	for _, tt := range []struct {
		change func(*Route)
		report string
	}{
		{func(r *Route) { r.NextHop = netip.MustParseAddr("172.30.0.3") }, "next hop 172.30.0.2, want 172.30.0.3"},
		{func(r *Route) { r.ASPath = []uint32{65001} }, "as-path [65001 65100], want [65001]"},
		{func(r *Route) { r.ASPath = []uint32{65100, 65001} }, "as-path [65001 65100], want [65100 65001]"},
		{func(r *Route) { r.ASPath = []uint32{} }, "as-path [65001 65100], want []"},
		{func(r *Route) { r.Origin = OriginIGP }, "origin egp, want igp"},
	} {
		w := want
		tt.change(&w)
		if m := Mismatch(w, got); !strings.Contains(m, tt.report) {
			t.Errorf("Mismatch(%s, %s) = %q, want it to report %q", w, got, m, tt.report)
		}
	}
	// A parser that drops the fields cannot pass.
	if m := Mismatch(want, Route{Prefix: got.Prefix}); !strings.Contains(m, "next hop none") || !strings.Contains(m, "as-path []") || !strings.Contains(m, "origin none") {
		t.Errorf("route without next hop, as-path, origin: %q", m)
	}
}

func TestGoBGPOriginAttr(t *testing.T) {
	var r Route
	for _, raw := range []string{`{"type":1,"value":1}`, `{"type":2,"as_paths":[{"type":2,"num":2,"asns":[65001,65500]}]}`, `{"type":3,"nexthop":"172.30.0.2"}`} {
		if err := r.setGoBGPAttr([]byte(raw)); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
	}
	want := Route{Origin: OriginEGP, ASPath: []uint32{65001, 65500}, NextHop: netip.MustParseAddr("172.30.0.2")}
	if m := Mismatch(want, r); m != "" {
		t.Errorf("gobgp attributes: %s", m)
	}
	for _, bad := range []string{`{"type":1,"value":3}`, `{"type":1,"value":"igp"}`} {
		if err := (&Route{}).setGoBGPAttr([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestExaBGPAttrsOrigin(t *testing.T) {
	if got := exabgpAttrs(Route{Prefix: netip.MustParsePrefix("10.0.0.0/24")}); !strings.Contains(got, " origin igp") {
		t.Errorf("route without origin: %q, want origin igp", got)
	}
	if got := exabgpAttrs(Route{Prefix: netip.MustParsePrefix("10.0.0.0/24"), Origin: OriginIncomplete}); !strings.Contains(got, " origin incomplete") {
		t.Errorf("route with origin incomplete: %q", got)
	}
}
