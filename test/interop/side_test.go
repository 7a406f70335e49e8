package interop

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/zebgp/ze/test/interop/harness"
)

// TestSideForPathAttributes: the scenario routes exercise every origin, and the SUT announces an
// AS path of its own on one route per family and on its run-time IPv4 route, which the peer must
// see after the SUT's AS.
func TestSideForPathAttributes(t *testing.T) {
	sut, peer := SideFor("ze", 1), SideFor("bird", 2)
	seen := map[harness.Origin]bool{}
	for i, r := range sut.Routes {
		seen[r.Origin] = true
		wantPath := i == 9 || i == 19
		if got := slices.Equal(r.ASPath, SUTASPath); got != wantPath {
			t.Errorf("SUT route %d %s: carries SUTASPath %v, want %v", i, r, got, wantPath)
		}
	}
	if len(seen) != 3 {
		t.Errorf("SUT routes use origins %v, want igp, egp and incomplete", seen)
	}
	for _, r := range peer.Routes {
		if r.ASPath != nil {
			t.Errorf("peer route %s announces an AS path", r)
		}
	}
	want := sut.Routes[9].Received(sut.AS, netip.MustParseAddr("172.30.0.2"))
	if !slices.Equal(want.ASPath, []uint32{65001, 65500, 65501}) {
		t.Errorf("expected AS path %v, want [65001 65500 65501]", want.ASPath)
	}
	rt := runtimeRoutes(1)
	if !slices.Equal(rt[0].ASPath, SUTASPath) || rt[0].Origin != harness.OriginEGP || rt[1].Origin != harness.OriginIncomplete {
		t.Errorf("SUT run-time routes %v, want the IPv4 one with SUTASPath and origin egp, the IPv6 one incomplete", rt)
	}
	if runtimeRoutes(2)[0].ASPath != nil {
		t.Error("the peer's run-time route announces an AS path")
	}
}
