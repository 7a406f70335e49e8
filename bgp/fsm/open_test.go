package fsm

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// peerOpen returns the OPEN the peer sends, written and parsed back as the
// driver would receive it.
func peerOpen(t *testing.T, myAS, hold uint16, id netip.Addr, caps ...capability.Capability) message.Open {
	t.Helper()
	o := message.Open{Version: message.Version, MyAS: myAS, HoldTime: hold, BGPID: id}
	buf := make([]byte, message.OpenLen(o, caps))
	n := message.WriteOpen(buf, 0, o, caps)
	got, err := message.ParseOpen(buf[wire.HeaderLen:n])
	if err != nil {
		t.Fatalf("ParseOpen of the test OPEN: %v", err)
	}
	return got
}

var (
	mpV4   = capability.Multiprotocol{Family: wire.IPv4Unicast}
	mpV6   = capability.Multiprotocol{Family: wire.IPv6Unicast}
	asn4   = capability.ASN4{ASN: 65002}
	refrsh = capability.RouteRefresh{}
)

func role(r capability.RoleValue) capability.Role { return capability.Role{Role: r} }

func TestCheckOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		open func(*testing.T) message.Open
		// want is "code/subcode" and the data in hex.
		want, data string
	}{
		{name: "version 3", open: func(*testing.T) message.Open {
			return message.Open{Version: 3, MyAS: 65002, HoldTime: 90, BGPID: peerID}
		}, want: "2/1", data: "0004"},
		{name: "version 5", open: func(*testing.T) message.Open {
			return message.Open{Version: 5, MyAS: 65002, HoldTime: 90, BGPID: peerID}
		}, want: "2/1", data: "0004"},
		{name: "unsupported optional parameter", open: func(*testing.T) message.Open {
			return message.Open{Version: 4, MyAS: 65002, HoldTime: 90, BGPID: peerID, Params: []byte{1, 2, 0xAA, 0xBB}}
		}, want: "2/4"},
		{name: "asn4 capability of 3 octets", open: func(*testing.T) message.Open {
			return message.Open{Version: 4, MyAS: 65002, HoldTime: 90, BGPID: peerID,
				Params: []byte{2, 5, 65, 3, 0, 0, 1}}
		}, want: "2/0"},
		{name: "role capability of 2 octets", open: func(*testing.T) message.Open {
			return message.Open{Version: 4, MyAS: 65002, HoldTime: 90, BGPID: peerID, Params: []byte{2, 4, 9, 2, 0, 0}}
		}, want: "2/0"},
		{name: "bad peer AS", open: func(t *testing.T) message.Open {
			return peerOpen(t, 65003, 90, peerID, mpV4)
		}, want: "2/2"},
		{name: "4-octet AS in the capability differs", open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, capability.ASN4{ASN: 65003})
		}, want: "2/2"},
		{name: "AS_TRANS without the capability", mod: func(c *Config) { c.PeerAS = 4200000000 },
			open: func(t *testing.T) message.Open { return peerOpen(t, message.ASTrans, 90, peerID) }, want: "2/2"},
		{name: "AS 0 in the capability", mod: func(c *Config) { c.PeerAS = 0 }, open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, capability.ASN4{ASN: 0})
		}, want: "2/2"},
		{name: "AS 0, any AS accepted", mod: func(c *Config) { c.PeerAS = 0 }, open: func(t *testing.T) message.Open {
			return peerOpen(t, 0, 90, peerID)
		}, want: "2/2"},
		{name: "BGP identifier 0", open: func(*testing.T) message.Open {
			return message.Open{Version: 4, MyAS: 65002, HoldTime: 90, BGPID: netip.IPv4Unspecified()}
		}, want: "2/3"},
		{name: "BGP identifier ours from an internal peer (RFC 6286)", mod: func(c *Config) { c.PeerAS = 65001 },
			open: func(t *testing.T) message.Open { return peerOpen(t, 65001, 90, localID) }, want: "2/3"},
		{name: "hold time 1", open: func(*testing.T) message.Open {
			return message.Open{Version: 4, MyAS: 65002, HoldTime: 1, BGPID: peerID}
		}, want: "2/6"},
		{name: "hold time 2", open: func(*testing.T) message.Open {
			return message.Open{Version: 4, MyAS: 65002, HoldTime: 2, BGPID: peerID}
		}, want: "2/6"},
		{name: "required family missing (RFC 5492 §5)",
			mod:  func(c *Config) { c.Required = []capability.Capability{mpV6} },
			open: func(t *testing.T) message.Open { return peerOpen(t, 65002, 90, peerID, mpV4) },
			want: "2/7", data: "010400020001"},
		{name: "two required capabilities missing",
			mod:  func(c *Config) { c.Required = []capability.Capability{mpV4, capability.ASN4{ASN: 65001}, refrsh} },
			open: func(t *testing.T) message.Open { return peerOpen(t, 65002, 90, peerID, mpV4) },
			want: "2/7", data: "41040000FDE90200"},
		{name: "role mismatch (RFC 9234)", mod: func(c *Config) {
			c.Capabilities = append(c.Capabilities, role(capability.RoleProvider))
		}, open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, role(capability.RoleProvider))
		}, want: "2/11"},
		{name: "unknown role value", mod: func(c *Config) {
			c.Capabilities = append(c.Capabilities, role(capability.RolePeer))
		}, open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, role(9))
		}, want: "2/11"},
		{name: "no role under strict mode", mod: func(c *Config) {
			c.Capabilities = append(c.Capabilities, role(capability.RoleCustomer))
			c.StrictRole = true
		}, open: func(t *testing.T) message.Open { return peerOpen(t, 65002, 90, peerID, mpV4) }, want: "2/11"},
		{name: "two different roles from the peer", mod: func(c *Config) {
			c.Capabilities = append(c.Capabilities, role(capability.RoleCustomer))
		}, open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, role(capability.RoleProvider), role(capability.RolePeer))
		}, want: "2/11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.mod != nil {
				tt.mod(&cfg)
			}
			_, err := cfg.CheckOpen(tt.open(t))
			ne, ok := wire.AsNotify(err)
			if !ok {
				t.Fatalf("got error %v, want NOTIFICATION %s", err, tt.want)
			}
			got := fmt.Sprintf("%d/%d", ne.Code, ne.Subcode)
			if got != tt.want || fmt.Sprintf("%X", ne.Data) != tt.data {
				t.Errorf("got %s data %X, want %s data %s", got, ne.Data, tt.want, tt.data)
			}
		})
	}
}

func TestCheckOpenAccepts(t *testing.T) {
	tests := []struct {
		name     string
		mod      func(*Config)
		open     func(*testing.T) message.Open
		peerAS   uint32
		internal bool
		hold     time.Duration
		families []wire.Family
	}{
		{name: "2-octet AS, no capabilities", open: func(t *testing.T) message.Open { return peerOpen(t, 65002, 90, peerID) },
			peerAS: 65002, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "smaller hold time wins", open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 9, peerID, mpV4, asn4)
		}, peerAS: 65002, hold: 9 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "larger hold time loses", open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 600, peerID, mpV4, asn4)
		}, peerAS: 65002, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "hold time 0", open: func(t *testing.T) message.Open { return peerOpen(t, 65002, 0, peerID, mpV4) },
			peerAS: 65002, families: []wire.Family{wire.IPv4Unicast}},
		{name: "4-octet AS behind AS_TRANS", mod: func(c *Config) { c.PeerAS = 4200000000 },
			open: func(t *testing.T) message.Open {
				return peerOpen(t, message.ASTrans, 90, peerID, mpV4, capability.ASN4{ASN: 4200000000})
			}, peerAS: 4200000000, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "any AS", mod: func(c *Config) { c.PeerAS = 0 },
			open:   func(t *testing.T) message.Open { return peerOpen(t, 64999, 90, peerID) },
			peerAS: 64999, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "internal peer", mod: func(c *Config) { c.PeerAS = 65001 },
			open:   func(t *testing.T) message.Open { return peerOpen(t, 65001, 90, peerID, mpV4) },
			peerAS: 65001, internal: true, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "external peer with our identifier (RFC 6286)",
			open:   func(t *testing.T) message.Open { return peerOpen(t, 65002, 90, localID, mpV4) },
			peerAS: 65002, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "required capabilities present", mod: func(c *Config) {
			c.Capabilities = append(c.Capabilities, mpV6, refrsh)
			c.Required = []capability.Capability{mpV6, refrsh, capability.ASN4{ASN: 65001}}
		}, open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, mpV4, mpV6, refrsh, asn4)
		}, peerAS: 65002, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}},
		{name: "unknown capability ignored (RFC 5492 §3)", open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, mpV4, &capability.Unknown{Type: 200, Value: []byte{1}})
		}, peerAS: 65002, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "roles that pair", mod: func(c *Config) {
			c.Capabilities = append(c.Capabilities, role(capability.RoleCustomer))
			c.StrictRole = true
		}, open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, mpV4, role(capability.RoleProvider))
		}, peerAS: 65002, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "the same role twice", mod: func(c *Config) {
			c.Capabilities = append(c.Capabilities, role(capability.RolePeer))
		}, open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, mpV4, role(capability.RolePeer), role(capability.RolePeer))
		}, peerAS: 65002, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "no role, not strict", mod: func(c *Config) {
			c.Capabilities = append(c.Capabilities, role(capability.RoleRS))
		}, open: func(t *testing.T) message.Open { return peerOpen(t, 65002, 90, peerID, mpV4) },
			peerAS: 65002, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
		{name: "peer's role while we send none", open: func(t *testing.T) message.Open {
			return peerOpen(t, 65002, 90, peerID, mpV4, role(capability.RoleProvider))
		}, peerAS: 65002, hold: 90 * time.Second, families: []wire.Family{wire.IPv4Unicast}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.mod != nil {
				tt.mod(&cfg)
			}
			s, err := cfg.CheckOpen(tt.open(t))
			if err != nil {
				t.Fatalf("CheckOpen: %v", err)
			}
			if s.PeerAS != tt.peerAS || s.Internal != tt.internal || s.HoldTime != tt.hold || s.Keepalive != tt.hold/3 {
				t.Errorf("got AS %d internal %v hold %v keepalive %v, want %d %v %v %v",
					s.PeerAS, s.Internal, s.HoldTime, s.Keepalive, tt.peerAS, tt.internal, tt.hold, tt.hold/3)
			}
			if s.PeerID != tt.open(t).BGPID {
				t.Errorf("PeerID: got %v, want %v", s.PeerID, tt.open(t).BGPID)
			}
			if !slices.Equal(s.Negotiated.Families, tt.families) {
				t.Errorf("families: got %v, want %v", s.Negotiated.Families, tt.families)
			}
			if s.RecvID == 0 || s.SendID == 0 || s.RecvID != s.Negotiated.Recv.ID() {
				t.Errorf("context IDs %d/%d, want the interned IDs", s.RecvID, s.SendID)
			}
		})
	}
}

// TestCheckOpenASN4Context: both sides sending capability 65 gives 4-octet
// encoding contexts.
func TestCheckOpenASN4Context(t *testing.T) {
	cfg := testConfig()
	s, err := cfg.CheckOpen(peerOpen(t, 65002, 90, peerID, mpV4, asn4))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Negotiated.ASN4 || !s.Negotiated.Recv.ASN4 || !s.Negotiated.Send.ASN4 {
		t.Errorf("ASN4 not negotiated: %+v", s.Negotiated)
	}
	s, err = cfg.CheckOpen(peerOpen(t, 65002, 90, peerID, mpV4))
	if err != nil {
		t.Fatal(err)
	}
	if s.Negotiated.ASN4 || s.Negotiated.Recv.ASN4 {
		t.Errorf("ASN4 negotiated with a peer that did not send it")
	}
}

func TestCheckFamily(t *testing.T) {
	cfg := testConfig()
	s, err := cfg.CheckOpen(peerOpen(t, 65002, 90, peerID, mpV4, mpV6))
	if err != nil {
		t.Fatal(err)
	}
	attr := []byte{0x90, 14, 0, 5, 0, 2, 1, 0, 0} // MP_REACH_NLRI for ipv6/unicast
	if ok, ne := s.CheckFamily(wire.IPv4Unicast, attr); !ok || ne != nil {
		t.Errorf("ipv4/unicast negotiated: got %v %v, want true <nil>", ok, ne)
	}
	ok, ne := s.CheckFamily(wire.IPv6Unicast, attr)
	if ok || ne == nil || ne.Code != wire.NotifyUpdate || ne.Subcode != wire.UpdateOptionalAttr ||
		fmt.Sprintf("%X", ne.Data) != "900E00050002010000" {
		t.Errorf("strict, ipv6/unicast not negotiated: got %v %v, want false and 3/9 with the attribute", ok, ne)
	}
	attr[0] = 0 // the NOTIFICATION holds a copy
	if ne.Data[0] != 0x90 {
		t.Errorf("the NOTIFICATION data aliases the attribute")
	}
	s.Families = FamilyIgnore
	if ok, ne := s.CheckFamily(wire.IPv6Unicast, attr); ok || ne != nil {
		t.Errorf("ignore: got %v %v, want false <nil>", ok, ne)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = s.CheckFamily(wire.IPv4Unicast, attr) }); n != 0 {
		t.Errorf("CheckFamily of a negotiated family allocates %v times", n)
	}
}

func TestOpenMessage(t *testing.T) {
	cfg := testConfig()
	o := cfg.OpenMessage()
	if o.Version != 4 || o.MyAS != 65001 || o.HoldTime != 90 || o.BGPID != localID {
		t.Errorf("got %+v", o)
	}
	cfg.LocalAS = 4200000000
	if o := cfg.OpenMessage(); o.MyAS != message.ASTrans {
		t.Errorf("4-octet local AS: My AS %d, want AS_TRANS", o.MyAS)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"local AS 0", func(c *Config) { c.LocalAS = 0 }},
		{"no identifier", func(c *Config) { c.LocalID = netip.Addr{} }},
		{"identifier 0", func(c *Config) { c.LocalID = netip.IPv4Unspecified() }},
		{"IPv6 identifier", func(c *Config) { c.LocalID = netip.MustParseAddr("2001:db8::1") }},
		{"hold time 2s", func(c *Config) { c.HoldTime = 2 * time.Second }},
		{"hold time 1.5s", func(c *Config) { c.HoldTime = 1500 * time.Millisecond }},
		{"hold time 3.5s", func(c *Config) { c.HoldTime = 3500 * time.Millisecond }},
		{"hold time 65536s", func(c *Config) { c.HoldTime = 65536 * time.Second }},
		{"negative hold time", func(c *Config) { c.HoldTime = -time.Second }},
		{"connect retry 0", func(c *Config) { c.ConnectRetryTime = 0 }},
		{"large hold 0", func(c *Config) { c.LargeHoldTime = 0 }},
		{"negative send hold", func(c *Config) { c.SendHoldTime = -1 }},
		{"delay open 0", func(c *Config) { c.DelayOpen, c.DelayOpenTime = true, 0 }},
		{"negative idle hold", func(c *Config) { c.IdleHoldTime = -1 }},
		{"idle hold max below idle hold", func(c *Config) { c.IdleHoldMax = time.Second }},
		{"stable period 0", func(c *Config) { c.StablePeriod = 0 }},
		{"family policy 7", func(c *Config) { c.Families = 7 }},
		{"4-octet AS without asn4", func(c *Config) {
			c.LocalAS, c.Capabilities = 4200000000, []capability.Capability{mpV4}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			tt.mod(&cfg)
			if _, err := New(cfg); err == nil {
				t.Errorf("New accepted the config")
			}
		})
	}
	ok := []func(*Config){
		func(c *Config) { c.HoldTime = 0 },
		func(c *Config) { c.HoldTime = 3 * time.Second },
		func(c *Config) { c.DampPeerOscillations, c.IdleHoldMax, c.StablePeriod = false, 0, 0 },
		func(c *Config) { c.DelayOpenTime = 0 },
	}
	for i, mod := range ok {
		cfg := testConfig()
		mod(&cfg)
		if _, err := New(cfg); err != nil {
			t.Errorf("valid config %d: %v", i, err)
		}
	}
}
