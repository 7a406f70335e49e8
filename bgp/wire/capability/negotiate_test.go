package capability

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

var (
	v4    = wire.IPv4Unicast
	v6    = wire.IPv6Unicast
	v4vpn = wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIVPN}
)

func TestNegotiate(t *testing.T) {
	localGR := &GracefulRestart{RestartTime: 120, Families: []GRFamily{{v4, true}}}
	peerGR := &GracefulRestart{Restarting: true, RestartTime: 90}
	peerLLGR := &LLGR{Families: []LLGRFamily{{v4, false, 86400}}}
	host := &Hostname{HostName: "pe1", DomainName: "example.net"}
	local := []Capability{
		Multiprotocol{v4}, Multiprotocol{v6}, Multiprotocol{v4vpn}, Multiprotocol{v4},
		ASN4{65001}, RouteRefresh{}, EnhancedRouteRefresh{}, ExtendedMessage{}, LinkLocalNextHop{},
		&AddPath{Families: []AddPathFamily{{v4, AddPathBoth}, {v6, AddPathReceive}, {v4vpn, AddPathSend}}},
		&ExtendedNextHop{Tuples: []ExtNHTuple{{v4, wire.AFIIPv6}, {v4vpn, wire.AFIIPv6}}},
		localGR, Role{RoleProvider},
	}
	remote := []Capability{
		Multiprotocol{v6}, Multiprotocol{v4}, Multiprotocol{ipv4Flow},
		ASN4{65002}, RouteRefresh{}, ExtendedMessage{},
		// Split over two capabilities: modes per family add up.
		&AddPath{Families: []AddPathFamily{{v4, AddPathSend}, {v6, AddPathSend}}},
		&AddPath{Families: []AddPathFamily{{v4, AddPathReceive}}},
		&ExtendedNextHop{Tuples: []ExtNHTuple{{v4, wire.AFIIPv6}, {v4vpn, wire.AFIIPv6}}},
		peerGR, &GracefulRestart{RestartTime: 1}, peerLLGR, Role{RoleCustomer}, host,
		&Unknown{Type: 131},
	}
	n := Negotiate(local, remote)
	want := Negotiated{
		Families:             []wire.Family{v4, v6}, // v4vpn and flowspec only on one side
		ASN4:                 true,
		ExtendedMessage:      true,
		RouteRefresh:         true,
		EnhancedRouteRefresh: false,
		LinkLocalNextHop:     false,
		AddPathRecv:          []wire.Family{v4, v6},
		AddPathSend:          []wire.Family{v4},
		ExtNextHop:           []ExtNHTuple{{v4, wire.AFIIPv6}}, // v4vpn not negotiated
		LocalGR:              localGR,
		PeerGR:               peerGR, // the first one counts
		PeerLLGR:             peerLLGR,
		LocalRole:            &Role{RoleProvider},
		PeerRole:             &Role{RoleCustomer},
		PeerHostname:         host,
	}
	got := n
	got.Recv, got.Send = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Negotiate =\n%+v\nwant\n%+v", got, want)
	}
	if n.RoleMismatch() {
		t.Error("provider/customer reported as a role mismatch")
	}
	checkCtx(t, "Recv", n.Recv, true, true, []wire.Family{v4, v6}, []wire.Family{v4})
	checkCtx(t, "Send", n.Send, true, true, []wire.Family{v4}, []wire.Family{v4})
	if n.Recv.ID() == n.Send.ID() {
		t.Error("Recv and Send differ in ADD-PATH but share a ContextID")
	}
	again := Negotiate(local, remote)
	if again.Recv.ID() != n.Recv.ID() || again.Send.ID() != n.Send.ID() {
		t.Error("the same negotiation gave other ContextIDs")
	}
	// Seen from the peer, the directions swap.
	swap := Negotiate(remote, local)
	if swap.Recv.ID() != n.Send.ID() || swap.Send.ID() != n.Recv.ID() {
		t.Error("swapping local and remote did not swap the contexts")
	}
}

func checkCtx(t *testing.T, name string, c *wire.EncodingContext, asn4, ext bool, addPath, extNH []wire.Family) {
	t.Helper()
	if c == nil {
		t.Fatalf("%s context is nil", name)
	}
	if c.ASN4 != asn4 || c.ExtMessage != ext {
		t.Errorf("%s: ASN4 %v ExtMessage %v, want %v %v", name, c.ASN4, c.ExtMessage, asn4, ext)
	}
	if got := c.AddPathFamilies(); !reflect.DeepEqual(got, addPath) && len(got)+len(addPath) > 0 {
		t.Errorf("%s: ADD-PATH %v, want %v", name, got, addPath)
	}
	for _, f := range []wire.Family{v4, v6, v4vpn, ipv4Flow} {
		want := false
		for _, x := range extNH {
			want = want || x == f
		}
		if c.ExtNextHop(f) != want {
			t.Errorf("%s: ExtNextHop(%s) = %v, want %v", name, f, c.ExtNextHop(f), want)
		}
	}
}

func TestNegotiateDefaults(t *testing.T) {
	tests := []struct {
		name          string
		local, remote []Capability
		families      []wire.Family
		asn4          bool
	}{
		{"no capabilities at all", nil, nil, []wire.Family{v4}, false},
		{"peer without multiprotocol implies ipv4/unicast",
			[]Capability{Multiprotocol{v6}, Multiprotocol{v4}, ASN4{1}}, []Capability{ASN4{2}},
			[]wire.Family{v4}, true},
		{"we without multiprotocol, peer ipv6 only",
			[]Capability{RouteRefresh{}}, []Capability{Multiprotocol{v6}, ASN4{2}},
			nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := Negotiate(tt.local, tt.remote)
			if !reflect.DeepEqual(n.Families, tt.families) {
				t.Errorf("Families = %v, want %v", n.Families, tt.families)
			}
			if n.ASN4 != tt.asn4 || n.Recv.ASN4 != tt.asn4 || n.Send.ASN4 != tt.asn4 {
				t.Errorf("ASN4 = %v (recv %v, send %v), want %v", n.ASN4, n.Recv.ASN4, n.Send.ASN4, tt.asn4)
			}
			if n.Recv.MaxLen() != wire.MaxMsgLen || n.AddPathRecv != nil || n.AddPathSend != nil {
				t.Errorf("unexpected extras: max %d, add-path %v %v", n.Recv.MaxLen(), n.AddPathRecv, n.AddPathSend)
			}
			if n.HasFamily(v6) != (len(tt.families) > 0 && tt.families[0] == v6) {
				t.Errorf("HasFamily(ipv6/unicast) = %v", n.HasFamily(v6))
			}
		})
	}
}

func TestNegotiateAddPathDirections(t *testing.T) {
	modes := []AddPathMode{0, AddPathReceive, AddPathSend, AddPathBoth}
	for _, l := range modes {
		for _, r := range modes {
			local := []Capability{&AddPath{Families: []AddPathFamily{{v4, l}}}}
			remote := []Capability{&AddPath{Families: []AddPathFamily{{v4, r}}}}
			n := Negotiate(local, remote)
			wantRecv := (l == AddPathReceive || l == AddPathBoth) && (r == AddPathSend || r == AddPathBoth)
			wantSend := (l == AddPathSend || l == AddPathBoth) && (r == AddPathReceive || r == AddPathBoth)
			if n.Recv.AddPath(v4) != wantRecv || n.Send.AddPath(v4) != wantSend ||
				(len(n.AddPathRecv) == 1) != wantRecv || (len(n.AddPathSend) == 1) != wantSend {
				t.Errorf("local %s, peer %s: recv %v send %v, want %v %v",
					l, r, n.Recv.AddPath(v4), n.Send.AddPath(v4), wantRecv, wantSend)
			}
		}
	}
}

func TestRoleMismatch(t *testing.T) {
	tests := []struct {
		local, peer *Role
		mismatch    bool
	}{
		{&Role{RoleProvider}, &Role{RoleCustomer}, false},
		{&Role{RoleCustomer}, &Role{RoleProvider}, false},
		{&Role{RoleRS}, &Role{RoleRSClient}, false},
		{&Role{RoleRSClient}, &Role{RoleRS}, false},
		{&Role{RolePeer}, &Role{RolePeer}, false},
		{&Role{RoleProvider}, &Role{RoleProvider}, true},
		{&Role{RolePeer}, &Role{RoleCustomer}, true},
		{&Role{RoleRS}, &Role{RoleRS}, true},
		{&Role{RolePeer}, &Role{9}, true},
		{&Role{9}, &Role{RolePeer}, true},
		{&Role{RolePeer}, nil, false},
		{nil, &Role{RolePeer}, false},
	}
	for _, tt := range tests {
		var local, remote []Capability
		if tt.local != nil {
			local = append(local, *tt.local)
		}
		if tt.peer != nil {
			remote = append(remote, *tt.peer)
		}
		n := Negotiate(local, remote)
		if got := n.RoleMismatch(); got != tt.mismatch {
			t.Errorf("local %v peer %v: mismatch %v, want %v", tt.local, tt.peer, got, tt.mismatch)
		}
	}
}

func TestNegotiatedJSON(t *testing.T) {
	n := Negotiate(
		[]Capability{Multiprotocol{v4}, Multiprotocol{v6}, ASN4{1}, &AddPath{Families: []AddPathFamily{{v6, AddPathBoth}}}},
		[]Capability{Multiprotocol{v6}, ASN4{2}, &AddPath{Families: []AddPathFamily{{v6, AddPathSend}}}, Role{RolePeer}})
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"asn4":true,"extended-message":false,"route-refresh":false,"enhanced-route-refresh":false,` +
		`"link-local-next-hop":false,"peer-role":{"role":"peer"},"families":["ipv6/unicast"],` +
		`"add-path-receive":["ipv6/unicast"],"add-path-send":[],"extended-next-hop":[]}`
	if string(b) != want {
		t.Errorf("json =\n%s\nwant\n%s", b, want)
	}
}
