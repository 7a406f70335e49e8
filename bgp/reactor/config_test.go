package reactor

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

func loadTree(t *testing.T, src string) *config.Tree {
	t.Helper()
	y, err := yang.Core()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := config.Load(y, []byte(src), config.Options{File: "test.conf"})
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	return tr
}

const fullConf = `bgp {
    router-id 192.0.2.254;
    local-as 65000;
    listen 127.0.0.1 { port 1790; }
    listen ::1;
    hold-time 180;
    family { ipv4 unicast; }
    group transit {
        description "upstreams";
        remote { as 65001; }
        hold-time 60;
        capability { extended-next-hop true; graceful-restart { restart-time 90; } role customer; }
        peer east {
            remote { ip 192.0.2.1; port 1179; }
            local-address 192.0.2.100;
            md5-password s3cret;
            ttl-security 1;
            passive true;
            keepalive 10;
            family { ipv6 unicast { add-path { send; receive; } prefix-limit 1000; prefix-limit-warning 80; } }
            static {
                route 10.0.0.0/24 { med 5; community [ 65000:1 no-export ]; as-path "65010 {65011 65012}"; next-hop 192.0.2.100; }
                route 2001:db8::/32 { local-preference 200; large-community [ 65000:1:2 ]; origin egp; }
            }
        }
    }
    peer solo {
        description "lonely";
        remote { ip 2001:db8::2; as 4200000000; }
        shutdown { message "maintenance"; }
        capability { route-refresh false; extended-message false; }
    }
}
`

func TestConfigFromTree(t *testing.T) {
	cfg, err := ConfigFromTree(loadTree(t, fullConf))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.RouterID, netip.MustParseAddr("192.0.2.254"); got != want {
		t.Errorf("router-id: got %s want %s", got, want)
	}
	if cfg.LocalAS != 65000 {
		t.Errorf("local-as: got %d want 65000", cfg.LocalAS)
	}
	wantListen := []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:1790"), netip.MustParseAddrPort("[::1]:179")}
	if !reflect.DeepEqual(cfg.Listen, wantListen) {
		t.Errorf("listen: got %v want %v", cfg.Listen, wantListen)
	}
	if len(cfg.Peers) != 2 {
		t.Fatalf("peers: got %d want 2", len(cfg.Peers))
	}
	east := cfg.Peer("east")
	want := PeerConfig{
		Name: "east", Group: "transit", Description: "upstreams",
		RemoteAddr: netip.MustParseAddr("192.0.2.1"), RemotePort: 1179, RemoteAS: 65001, LocalAS: 65000,
		LocalAddr: netip.MustParseAddr("192.0.2.100"),
		HoldTime:  60 * time.Second, Keepalive: 10 * time.Second, KeepaliveSet: true, ConnectRetry: 120 * time.Second,
		Passive: true, MD5Password: "s3cret", TTLSecurity: 1,
		Families: []FamilyConfig{
			{Family: wire.IPv4Unicast},
			{Family: wire.IPv6Unicast, AddPathSend: true, AddPathReceive: true, PrefixLimit: 1000, PrefixLimitWarning: 80},
		},
		Capabilities: CapabilityConfig{RouteRefresh: true, GracefulRestart: true, RestartTime: 90, ExtendedMessage: true, ExtendedNextHop: true, Role: "customer"},
		Static: []StaticRoute{
			{Prefix: netip.MustParsePrefix("10.0.0.0/24"), NextHop: netip.MustParseAddr("192.0.2.100"), Origin: "igp",
				ASPath: []ASSegment{{ASNs: []uint32{65010}}, {Set: true, ASNs: []uint32{65011, 65012}}},
				MED:    5, HasMED: true, Community: []string{"65000:1", "no-export"}},
			{Prefix: netip.MustParsePrefix("2001:db8::/32"), Origin: "egp", LocalPref: 200, HasLocalPref: true, LargeCommunity: []string{"65000:1:2"}},
		},
	}
	if !reflect.DeepEqual(*east, want) {
		t.Errorf("east:\n got %+v\nwant %+v", *east, want)
	}
	solo := cfg.Peer("solo")
	if solo.Group != "" || solo.RemoteAS != 4200000000 || !solo.Shutdown || solo.ShutdownMessage != "maintenance" || solo.HoldTime != 180*time.Second {
		t.Errorf("solo: got %+v", *solo)
	}
	if solo.Capabilities.RouteRefresh || solo.Capabilities.ExtendedMessage {
		t.Errorf("solo capabilities: got %+v, want route-refresh and extended-message off", solo.Capabilities)
	}

	sc := east.SessionConfig(cfg.RouterID)
	if sc.Peer != netip.MustParseAddrPort("192.0.2.1:1179") || sc.Local != netip.MustParseAddrPort("192.0.2.100:0") {
		t.Errorf("session addresses: got peer %s local %s", sc.Peer, sc.Local)
	}
	if sc.Role != "customer" || sc.RestartTime != 90*time.Second || !sc.EnhancedRouteRefresh || sc.PeerAS != 65001 || sc.RouterID != cfg.RouterID {
		t.Errorf("session config: got %+v", sc)
	}
	if got := sc.AddPath[wire.IPv6Unicast]; got != capability.AddPathBoth {
		t.Errorf("add-path ipv6/unicast: got %v want both", got)
	}
	if want := []capability.ExtNHTuple{{Family: wire.IPv4Unicast, NextHopAFI: wire.AFIIPv6}}; !reflect.DeepEqual(sc.ExtendedNextHop, want) {
		t.Errorf("extended next hop: got %v want %v", sc.ExtendedNextHop, want)
	}
}

func TestConfigFromTreeDefaults(t *testing.T) {
	cfg, err := ConfigFromTree(loadTree(t, `bgp { router-id 10.0.0.1; local-as 1; peer p { remote { ip 10.0.0.2; as 2; } } }`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []netip.AddrPort{netip.MustParseAddrPort("[::]:179")}; !reflect.DeepEqual(cfg.Listen, want) {
		t.Errorf("listen: got %v want %v", cfg.Listen, want)
	}
	p := cfg.Peers[0]
	if want := []FamilyConfig{{Family: wire.IPv4Unicast}}; !reflect.DeepEqual(p.Families, want) {
		t.Errorf("families: got %v want %v", p.Families, want)
	}
	if p.HoldTime != 90*time.Second || p.RemotePort != 179 || p.Passive || p.KeepaliveSet {
		t.Errorf("defaults: got %+v", p)
	}
	empty, err := ConfigFromTree(loadTree(t, `environment { log { level info; } }`))
	if err != nil || len(empty.Peers) != 0 || len(empty.Listen) != 0 {
		t.Errorf("no bgp: got %+v, %v; want nothing", empty, err)
	}
}

func TestConfigFromTreeInactive(t *testing.T) {
	cfg, err := ConfigFromTree(loadTree(t, `bgp { router-id 10.0.0.1; local-as 1;
		peer a { remote { ip 10.0.0.2; as 2; } }
		inactive: peer b { remote { ip 10.0.0.3; as 2; } } }`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Peers) != 1 || cfg.Peers[0].Name != "a" {
		t.Errorf("peers: got %+v, want only a", cfg.Peers)
	}
}

func TestConfigFromTreeErrors(t *testing.T) {
	saved := systemRouterID
	defer func() { systemRouterID = saved }()
	systemRouterID = func() (netip.Addr, bool) { return netip.Addr{}, false }

	tests := []struct{ name, conf, want string }{
		{"no remote as", `bgp { router-id 10.0.0.1; local-as 1; peer p { remote { ip 10.0.0.2; } } }`,
			"reactor: bgp peer p: no remote as: set remote as in the peer, its group or bgp"},
		{"no local as", `bgp { router-id 10.0.0.1; group g { peer p { remote { ip 10.0.0.2; as 2; } } } }`,
			"reactor: bgp group g peer p: no local-as: set local-as in the peer, its group or bgp"},
		{"no router id", `bgp { local-as 1; peer p { remote { ip 10.0.0.2; as 2; } } }`,
			"reactor: no router-id: set bgp router-id (the system has no IPv4 address to take it from)"},
		{"duplicate address", `bgp { router-id 10.0.0.1; local-as 1; group g { peer a { remote { ip 10.0.0.2; as 2; } } } peer b { remote { ip 10.0.0.2; as 3; } } }`,
			"reactor: bgp peer b: remote ip 10.0.0.2 is used by bgp group g peer a too"},
		{"duplicate name", `bgp { router-id 10.0.0.1; local-as 1; group g { peer a { remote { ip 10.0.0.2; as 2; } } } peer a { remote { ip 10.0.0.3; as 3; } } }`,
			"reactor: bgp peer a: peer name a is used by bgp group g peer a too"},
		{"mixed families", `bgp { router-id 10.0.0.1; local-as 1; peer p { remote { ip 10.0.0.2; as 2; } local-address 2001:db8::1; } }`,
			"reactor: bgp peer p: local-address 2001:db8::1 and remote ip 10.0.0.2 are not of the same address family"},
		{"static family not negotiated", `bgp { router-id 10.0.0.1; local-as 1; peer p { remote { ip 10.0.0.2; as 2; } static { route 2001:db8::/32; } } }`,
			"reactor: bgp peer p: static route 2001:db8::/32: family ipv6/unicast is not negotiated with the peer (add family ipv6 unicast)"},
		{"ipv6 next hop for ipv4", `bgp { router-id 10.0.0.1; local-as 1; peer p { remote { ip 10.0.0.2; as 2; } static { route 10.1.0.0/16 { next-hop 2001:db8::1; } } } }`,
			"reactor: bgp peer p: static route 10.1.0.0/16: next-hop 2001:db8::1 is IPv6: IPv4 routes need extended-next-hop (RFC 8950)"},
		{"self over ipv6", `bgp { router-id 10.0.0.1; local-as 1; peer p { remote { ip 2001:db8::2; as 2; } static { route 10.1.0.0/16; } } }`,
			"reactor: bgp peer p: static route 10.1.0.0/16: next-hop self is an IPv6 address on this session: set an IPv4 next-hop, or extended-next-hop (RFC 8950)"},
		{"confederation path", `bgp { router-id 10.0.0.1; local-as 1; peer p { remote { ip 10.0.0.2; as 2; } static { route 10.1.0.0/16 { as-path "(1 2) 3"; } } } }`,
			`reactor: bgp peer p: static route 10.1.0.0/16 as-path: as-path "(1 2) 3": confederation segments are not supported in static routes`},
		{"keepalive too long", `bgp { router-id 10.0.0.1; local-as 1; peer p { remote { ip 10.0.0.2; as 2; } hold-time 30; keepalive 20; } }`,
			"reactor: bgp peer p: keepalive 20s is more than a third of hold-time 30s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConfigFromTree(loadTree(t, tt.conf))
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q\nwant %q", err, tt.want)
			}
		})
	}
}

func TestParseASPath(t *testing.T) {
	tests := []struct {
		in   string
		want []ASSegment
		err  string
	}{
		{"", nil, ""},
		{"65001 65002", []ASSegment{{ASNs: []uint32{65001, 65002}}}, ""},
		{"1.10 {2 3} 4", []ASSegment{{ASNs: []uint32{65546}}, {Set: true, ASNs: []uint32{2, 3}}, {ASNs: []uint32{4}}}, ""},
		{"{1", nil, `as-path "{1": '{' without '}'`},
		{"1}", nil, `as-path "1}": '}' without '{'`},
		{"{}", nil, `as-path "{}": empty AS_SET`},
		{"0", nil, `as-path "0": AS number "0": want 1 to 4294967295`},
	}
	for _, tt := range tests {
		got, err := ParseASPath(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseASPath(%q): got error %v want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseASPath(%q): got %v, %v want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestNeedsReset(t *testing.T) {
	cfg, err := ConfigFromTree(loadTree(t, fullConf))
	if err != nil {
		t.Fatal(err)
	}
	base := *cfg.Peer("east")
	tests := []struct {
		name   string
		change func(p *PeerConfig)
		want   bool
	}{
		{"nothing", func(*PeerConfig) {}, false},
		{"description", func(p *PeerConfig) { p.Description = "other" }, false},
		{"static routes", func(p *PeerConfig) { p.Static = p.Static[:1] }, false},
		{"prefix limit", func(p *PeerConfig) {
			p.Families = []FamilyConfig{{Family: wire.IPv4Unicast}, {Family: wire.IPv6Unicast, AddPathSend: true, AddPathReceive: true}}
		}, false},
		{"remote as", func(p *PeerConfig) { p.RemoteAS = 65099 }, true},
		{"hold time", func(p *PeerConfig) { p.HoldTime = 30 * time.Second }, true},
		{"families", func(p *PeerConfig) { p.Families = p.Families[:1] }, true},
		{"md5", func(p *PeerConfig) { p.MD5Password = "other" }, true},
		{"local address", func(p *PeerConfig) { p.LocalAddr = netip.MustParseAddr("192.0.2.101") }, true},
		{"capability", func(p *PeerConfig) { p.Capabilities.ExtendedMessage = false }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			p.Families = append([]FamilyConfig(nil), base.Families...)
			p.Static = append([]StaticRoute(nil), base.Static...)
			tt.change(&p)
			if got := NeedsReset(cfg.RouterID, cfg.RouterID, &base, &p); got != tt.want {
				t.Errorf("got %v want %v", got, tt.want)
			}
		})
	}
	if !NeedsReset(cfg.RouterID, netip.MustParseAddr("192.0.2.253"), &base, &base) {
		t.Error("a new router-id: got no reset, want one")
	}
}

func TestConfigFromTreeCapabilities(t *testing.T) {
	cfg, err := ConfigFromTree(loadTree(t, `bgp { router-id 10.0.0.1; local-as 1;
		capability { graceful-restart { restart-time 30; } }
		group g {
			family { l2vpn evpn; ipv4 mcast-vpn; }
			peer on { remote { ip 10.0.0.2; as 2; } }
			peer off { remote { ip 10.0.0.3; as 2; } capability { graceful-restart { enable false; } role route-server; } }
		} }`))
	if err != nil {
		t.Fatal(err)
	}
	on, off := cfg.Peer("on"), cfg.Peer("off")
	if !on.Capabilities.GracefulRestart || on.Capabilities.RestartTime != 30 {
		t.Errorf("on: graceful restart %v %d, want on, 30", on.Capabilities.GracefulRestart, on.Capabilities.RestartTime)
	}
	if off.Capabilities.GracefulRestart {
		t.Error("off: graceful restart on, want off (enable false)")
	}
	if sc := off.SessionConfig(cfg.RouterID); sc.Role != "rs" || sc.GracefulRestart {
		t.Errorf("off: session role %q graceful restart %v", sc.Role, sc.GracefulRestart)
	}
	var fams []string
	for _, f := range on.Families {
		fams = append(fams, f.Family.String())
	}
	if strings.Join(fams, " ") != "ipv4/mcast-vpn l2vpn/evpn" {
		t.Errorf("families: %v", fams)
	}
}
