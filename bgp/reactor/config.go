package reactor

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/cdb/config"
)

// DefaultPort is the BGP port (RFC 4271 §8.2.1).
const DefaultPort = 179

// Config is what the reactor runs: the global settings and one PeerConfig
// per configured peer, every inherited value resolved. ConfigFromTree builds
// it from the running configuration; tests may build one directly.
type Config struct {
	RouterID netip.Addr
	LocalAS  uint32
	// Listen are the addresses the reactor accepts connections on. Port 0
	// picks a free port (tests); ListenAddrs reports what was bound.
	Listen []netip.AddrPort
	// Peers in configuration order; names and remote addresses are unique.
	Peers []PeerConfig
}

// PeerConfig is one peer with everything it inherits from its group and
// from bgp.
type PeerConfig struct {
	Name        string
	Group       string // "" for a peer outside any group
	Description string

	RemoteAddr netip.Addr
	RemotePort uint16
	RemoteAS   uint32
	LocalAS    uint32
	// LocalAddr is the source address of the session; invalid when the
	// routing table chooses it.
	LocalAddr    netip.Addr
	HoldTime     time.Duration
	Keepalive    time.Duration // 0: a third of the negotiated hold time
	KeepaliveSet bool          // keepalive given (0 then means none)
	ConnectRetry time.Duration
	Passive      bool
	MD5Password  string
	TTLSecurity  uint8 // 0: off

	Shutdown        bool
	ShutdownMessage string

	Families     []FamilyConfig
	Capabilities CapabilityConfig
	Static       []StaticRoute
}

// FamilyConfig is one negotiated address family.
type FamilyConfig struct {
	Family             wire.Family
	AddPathSend        bool
	AddPathReceive     bool
	PrefixLimit        uint32 // 0: none
	PrefixLimitWarning uint8  // percent; 0: none
}

// CapabilityConfig holds the optional capability switches.
type CapabilityConfig struct {
	RouteRefresh    bool
	GracefulRestart bool
	RestartTime     uint16
	ExtendedMessage bool
	ExtendedNextHop bool
	Hostname        bool
	SoftwareVersion bool
	Role            string // "" for none
	RoleStrict      bool
}

// StaticRoute is one `static route` of a peer.
type StaticRoute struct {
	Prefix netip.Prefix
	// NextHop is the next hop; invalid means self (the session's local
	// address).
	NextHop           netip.Addr
	Origin            string // igp, egp, incomplete
	ASPath            []ASSegment
	MED               uint32
	HasMED            bool
	LocalPref         uint32
	HasLocalPref      bool
	Community         []string
	LargeCommunity    []string
	ExtendedCommunity []string
}

// ASSegment is one segment of a static route's AS_PATH.
type ASSegment struct {
	Set  bool // AS_SET rather than AS_SEQUENCE
	ASNs []uint32
}

// Peer returns the peer called name, or nil.
func (c *Config) Peer(name string) *PeerConfig {
	for i := range c.Peers {
		if c.Peers[i].Name == name {
			return &c.Peers[i]
		}
	}
	return nil
}

// Family reports whether the peer negotiates f.
func (p *PeerConfig) Family(f wire.Family) (FamilyConfig, bool) {
	for _, fc := range p.Families {
		if fc.Family == f {
			return fc, true
		}
	}
	return FamilyConfig{}, false
}

// systemRouterID finds the default router-id: the highest IPv4 address of
// the system that is not a loopback. Tests replace it.
var systemRouterID = func() (netip.Addr, bool) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return netip.Addr{}, false
	}
	var best netip.Addr
	for _, a := range addrs {
		pn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(pn.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if !ip.Is4() || ip.IsLoopback() || ip.IsUnspecified() {
			continue
		}
		if !best.IsValid() || best.Less(ip) {
			best = ip
		}
	}
	return best, best.IsValid()
}

// ConfigFromTree reads the active part of a configuration tree into a
// Config: the router-id, the local AS, the listen addresses and every peer
// (of a group or not) with what it inherits. Errors name the peer and what
// is missing or inconsistent; all are returned together.
func ConfigFromTree(t *config.Tree) (Config, error) {
	var cfg Config
	if t == nil {
		return cfg, errors.New("reactor: no configuration")
	}
	t = t.Active()
	bgp := t.Root().Child("bgp")
	if bgp == nil {
		return cfg, nil // no BGP: nothing to run
	}
	var errs []error
	if n := bgp.Child("router-id"); n != nil {
		a, err := netip.ParseAddr(n.Value())
		if err != nil || !a.Is4() || a.IsUnspecified() {
			errs = append(errs, fmt.Errorf("reactor: bgp router-id %q: want a non-zero IPv4 address", n.Value()))
		}
		cfg.RouterID = a
	} else if a, ok := systemRouterID(); ok {
		cfg.RouterID = a
	}
	if n := bgp.Child("local-as"); n != nil {
		as, err := parseASN(n.Value())
		if err != nil {
			errs = append(errs, fmt.Errorf("reactor: bgp local-as: %w", err))
		}
		cfg.LocalAS = as
	}
	if l := bgp.Child("listen"); l != nil {
		for _, e := range l.Children() {
			ap, err := listenAddr(e)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			cfg.Listen = append(cfg.Listen, ap)
		}
	}

	var peerPaths [][]string
	if gl := bgp.Child("group"); gl != nil {
		for _, g := range gl.Children() {
			if pl := g.Child("peer"); pl != nil {
				for _, p := range pl.Children() {
					peerPaths = append(peerPaths, p.Path())
				}
			}
		}
	}
	if pl := bgp.Child("peer"); pl != nil {
		for _, p := range pl.Children() {
			peerPaths = append(peerPaths, p.Path())
		}
	}
	if len(peerPaths) > 0 && !cfg.RouterID.IsValid() {
		errs = append(errs, errors.New("reactor: no router-id: set bgp router-id (the system has no IPv4 address to take it from)"))
	}
	byAddr := map[netip.Addr]string{}
	byName := map[string]string{}
	for _, path := range peerPaths {
		p, err := peerFromTree(t, path)
		where := config.JoinPath(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := byName[p.Name]; dup {
			errs = append(errs, fmt.Errorf("reactor: %s: peer name %s is used by %s too", where, p.Name, other))
			continue
		}
		if other, dup := byAddr[p.RemoteAddr]; dup {
			errs = append(errs, fmt.Errorf("reactor: %s: remote ip %s is used by %s too", where, p.RemoteAddr, other))
			continue
		}
		byName[p.Name] = where
		byAddr[p.RemoteAddr] = where
		cfg.Peers = append(cfg.Peers, p)
	}
	if len(cfg.Listen) == 0 && len(cfg.Peers) > 0 {
		// ze-bgp.yang: without any listen, every address, port 179.
		cfg.Listen = []netip.AddrPort{netip.AddrPortFrom(netip.IPv6Unspecified(), DefaultPort)}
	}
	return cfg, errors.Join(errs...)
}

func listenAddr(e *config.Node) (netip.AddrPort, error) {
	where := e.PathString()
	a, err := netip.ParseAddr(e.Keys()[0])
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("reactor: %s: %w", where, err)
	}
	port := uint16(DefaultPort)
	if n := e.Child("port"); n != nil {
		v, err := strconv.ParseUint(n.Value(), 10, 16)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("reactor: %s port: %w", where, err)
		}
		port = uint16(v)
	}
	return netip.AddrPortFrom(a, port), nil
}

// peerFromTree reads one peer through config.Effective.
func peerFromTree(t *config.Tree, path []string) (PeerConfig, error) {
	where := config.JoinPath(path)
	vals, err := config.Effective(t, path)
	if err != nil {
		return PeerConfig{}, fmt.Errorf("reactor: %s: %w", where, err)
	}
	p := PeerConfig{Name: path[len(path)-1], RemotePort: DefaultPort}
	if len(path) >= 5 && path[1] == "group" {
		p.Group = path[2]
	}
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("reactor: "+where+": "+format, args...))
	}
	routes := map[string]*StaticRoute{}
	var routeOrder []string
	families := map[wire.Family]*FamilyConfig{}
	var famOrder []wire.Family
	for _, v := range vals {
		rel := v.Path[len(path):]
		val := ""
		if len(v.Values) > 0 {
			val = v.Values[0]
		}
		key := strings.Join(rel, " ")
		switch {
		case key == "description":
			p.Description = val
		case key == "remote ip":
			a, err := netip.ParseAddr(val)
			if err != nil {
				fail("remote ip: %v", err)
			}
			p.RemoteAddr = a.Unmap()
		case key == "remote as":
			p.RemoteAS, err = parseASN(val)
			if err != nil {
				fail("remote as: %v", err)
			}
		case key == "remote port":
			n, err := strconv.ParseUint(val, 10, 16)
			if err != nil || n == 0 {
				fail("remote port %q: want 1 to 65535", val)
			}
			p.RemotePort = uint16(n)
		case key == "local-as":
			p.LocalAS, err = parseASN(val)
			if err != nil {
				fail("local-as: %v", err)
			}
		case key == "local-address":
			a, err := netip.ParseAddr(val)
			if err != nil {
				fail("local-address: %v", err)
			}
			p.LocalAddr = a.Unmap()
		case key == "hold-time":
			p.HoldTime = seconds(val, &errs, where, key)
		case key == "keepalive":
			p.Keepalive = seconds(val, &errs, where, key)
			p.KeepaliveSet = true
		case key == "connect-retry":
			p.ConnectRetry = seconds(val, &errs, where, key)
		case key == "passive":
			p.Passive = val == "true"
		case key == "md5-password":
			p.MD5Password = val
		case key == "ttl-security":
			n, err := strconv.ParseUint(val, 10, 8)
			if err != nil {
				fail("ttl-security %q: %v", val, err)
			}
			p.TTLSecurity = uint8(n)
		case key == "shutdown":
			p.Shutdown = true
		case key == "shutdown message":
			p.ShutdownMessage = val
		case rel[0] == "family" && len(rel) >= 3:
			f, err := wire.ParseFamily(rel[1] + "/" + rel[2])
			if err != nil {
				fail("family %s %s: %v", rel[1], rel[2], err)
				continue
			}
			fc := families[f]
			if fc == nil {
				fc = &FamilyConfig{Family: f}
				families[f] = fc
				famOrder = append(famOrder, f)
			}
			switch strings.Join(rel[3:], " ") {
			case "add-path send":
				fc.AddPathSend = true
			case "add-path receive":
				fc.AddPathReceive = true
			case "prefix-limit":
				n, _ := strconv.ParseUint(val, 10, 32)
				fc.PrefixLimit = uint32(n)
			case "prefix-limit-warning":
				n, _ := strconv.ParseUint(val, 10, 8)
				fc.PrefixLimitWarning = uint8(n)
			}
		case rel[0] == "capability" && len(rel) >= 2:
			c := &p.Capabilities
			switch strings.Join(rel[1:], " ") {
			case "route-refresh":
				c.RouteRefresh = val == "true"
			case "graceful-restart":
				c.GracefulRestart = true
			case "graceful-restart enable":
				if val == "false" {
					c.GracefulRestart = false
				}
			case "graceful-restart restart-time":
				n, _ := strconv.ParseUint(val, 10, 16)
				c.RestartTime = uint16(n)
			case "extended-message":
				c.ExtendedMessage = val == "true"
			case "extended-next-hop":
				c.ExtendedNextHop = val == "true"
			case "hostname":
				c.Hostname = val == "true"
			case "software-version":
				c.SoftwareVersion = val == "true"
			case "role":
				c.Role = val
			case "role-strict":
				c.RoleStrict = val == "true"
			}
		case len(rel) >= 3 && rel[0] == "static" && rel[1] == "route":
			r := routes[rel[2]]
			if r == nil {
				pfx, err := netip.ParsePrefix(rel[2])
				if err != nil {
					fail("static route %s: %v", rel[2], err)
					continue
				}
				r = &StaticRoute{Prefix: pfx.Masked(), Origin: "igp"}
				routes[rel[2]] = r
				routeOrder = append(routeOrder, rel[2])
			}
			if len(rel) == 3 {
				continue
			}
			if err := r.set(rel[3], v.Values); err != nil {
				fail("static route %s %s: %v", rel[2], rel[3], err)
			}
		}
	}
	// "graceful-restart enable false" comes after its container in schema
	// order, so it turns off what the container turned on.
	for _, f := range famOrder {
		p.Families = append(p.Families, *families[f])
	}
	if len(p.Families) == 0 {
		p.Families = []FamilyConfig{{Family: wire.IPv4Unicast}}
	}
	for _, k := range routeOrder {
		r := routes[k]
		if r.NextHop.IsValid() && r.NextHop.Is4() != r.Prefix.Addr().Is4() && r.Prefix.Addr().Is4() && !p.Capabilities.ExtendedNextHop {
			fail("static route %s: next-hop %s is IPv6: IPv4 routes need extended-next-hop (RFC 8950)", k, r.NextHop)
		}
		if !r.NextHop.IsValid() && r.Prefix.Addr().Is4() && p.RemoteAddr.Is6() && !p.Capabilities.ExtendedNextHop {
			fail("static route %s: next-hop self is an IPv6 address on this session: set an IPv4 next-hop, or extended-next-hop (RFC 8950)", k)
		}
		f := wire.IPv4Unicast
		if r.Prefix.Addr().Is6() {
			f = wire.IPv6Unicast
		}
		if _, ok := p.Family(f); !ok {
			fail("static route %s: family %s is not negotiated with the peer (add family %s %s)", k, f, f.AFI, f.SAFI)
		}
		p.Static = append(p.Static, *r)
	}
	if !p.RemoteAddr.IsValid() {
		fail("no remote ip")
	}
	if p.RemoteAS == 0 {
		fail("no remote as: set remote as in the peer, its group or bgp")
	}
	if p.LocalAS == 0 {
		fail("no local-as: set local-as in the peer, its group or bgp")
	}
	if p.LocalAddr.IsValid() && p.RemoteAddr.IsValid() && p.LocalAddr.Is4() != p.RemoteAddr.Is4() {
		fail("local-address %s and remote ip %s are not of the same address family", p.LocalAddr, p.RemoteAddr)
	}
	if p.KeepaliveSet && p.Keepalive != 0 && p.HoldTime != 0 && p.Keepalive*3 > p.HoldTime {
		fail("keepalive %s is more than a third of hold-time %s", p.Keepalive, p.HoldTime)
	}
	return p, errors.Join(errs...)
}

func (r *StaticRoute) set(leaf string, values []string) error {
	val := ""
	if len(values) > 0 {
		val = values[0]
	}
	switch leaf {
	case "next-hop":
		if val == "self" {
			r.NextHop = netip.Addr{}
			return nil
		}
		a, err := netip.ParseAddr(val)
		if err != nil {
			return err
		}
		r.NextHop = a.Unmap()
	case "origin":
		r.Origin = val
	case "as-path":
		segs, err := ParseASPath(val)
		if err != nil {
			return err
		}
		r.ASPath = segs
	case "med":
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return err
		}
		r.MED, r.HasMED = uint32(n), true
	case "local-preference":
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return err
		}
		r.LocalPref, r.HasLocalPref = uint32(n), true
	case "community":
		r.Community = slices.Clone(values)
	case "large-community":
		r.LargeCommunity = slices.Clone(values)
	case "extended-community":
		r.ExtendedCommunity = slices.Clone(values)
	}
	return nil
}

// ParseASPath reads the as-path of ze-types.yang: AS numbers (asplain or
// asdot) separated by spaces, an AS_SET in braces. Confederation segments
// (parentheses, brackets) are refused: static routes are announced to
// peers outside any confederation.
func ParseASPath(s string) ([]ASSegment, error) {
	var segs []ASSegment
	inSet := false
	var set ASSegment
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case ' ':
			i++
		case '{':
			if inSet {
				return nil, fmt.Errorf("as-path %q: '{' inside a set", s)
			}
			inSet, set = true, ASSegment{Set: true}
			i++
		case '}':
			if !inSet {
				return nil, fmt.Errorf("as-path %q: '}' without '{'", s)
			}
			if len(set.ASNs) == 0 {
				return nil, fmt.Errorf("as-path %q: empty AS_SET", s)
			}
			segs = append(segs, set)
			inSet = false
			i++
		case '(', ')', '[', ']':
			return nil, fmt.Errorf("as-path %q: confederation segments are not supported in static routes", s)
		default:
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("as-path %q: unexpected %q", s, c)
			}
			as, err := parseASN(s[i:j])
			if err != nil {
				return nil, fmt.Errorf("as-path %q: %w", s, err)
			}
			if inSet {
				set.ASNs = append(set.ASNs, as)
			} else {
				if len(segs) == 0 || segs[len(segs)-1].Set {
					segs = append(segs, ASSegment{})
				}
				segs[len(segs)-1].ASNs = append(segs[len(segs)-1].ASNs, as)
			}
			i = j
		}
	}
	if inSet {
		return nil, fmt.Errorf("as-path %q: '{' without '}'", s)
	}
	return segs, nil
}

// parseASN reads an AS number in asplain or asdot (RFC 5396).
func parseASN(s string) (uint32, error) {
	if hi, lo, ok := strings.Cut(s, "."); ok {
		h, err1 := strconv.ParseUint(hi, 10, 16)
		l, err2 := strconv.ParseUint(lo, 10, 16)
		if err1 != nil || err2 != nil || h == 0 && l == 0 {
			return 0, fmt.Errorf("AS number %q: want asplain or asdot, not 0", s)
		}
		return uint32(h<<16 | l), nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("AS number %q: want 1 to 4294967295", s)
	}
	return uint32(n), nil
}

func seconds(val string, errs *[]error, where, key string) time.Duration {
	n, err := strconv.ParseUint(val, 10, 16)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("reactor: %s: %s %q: %w", where, key, val, err))
		return 0
	}
	return time.Duration(n) * time.Second
}
