package reactor

import (
	"net/netip"
	"os"
	"reflect"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
)

// SoftwareVersion is what the software-version capability announces.
var SoftwareVersion = "ze"

// roleNames maps the ze-types bgp-role names to the session's.
var roleNames = map[string]string{
	"provider":            "provider",
	"route-server":        "rs",
	"route-server-client": "rs-client",
	"customer":            "customer",
	"peer":                "peer",
}

// SessionConfig returns the session settings of the peer, with routerID as
// our BGP identifier. Two peer configs that give equal SessionConfigs can
// keep the same session (see NeedsReset).
func (p *PeerConfig) SessionConfig(routerID netip.Addr) SessionConfig {
	sc := SessionConfig{
		Name:         p.Name,
		Peer:         netip.AddrPortFrom(p.RemoteAddr, p.RemotePort),
		LocalAS:      p.LocalAS,
		PeerAS:       p.RemoteAS,
		RouterID:     routerID,
		HoldTime:     p.HoldTime,
		NoHoldTime:   p.HoldTime == 0,
		ConnectRetry: p.ConnectRetry,
		Passive:      p.Passive,
		MD5Password:  p.MD5Password,
		TTLSecurity:  int(p.TTLSecurity),

		RouteRefresh:         p.Capabilities.RouteRefresh,
		EnhancedRouteRefresh: p.Capabilities.RouteRefresh,
		ExtendedMessage:      p.Capabilities.ExtendedMessage,
		GracefulRestart:      p.Capabilities.GracefulRestart,
		Role:                 roleNames[p.Capabilities.Role],
		RoleStrict:           p.Capabilities.RoleStrict,
	}
	if p.KeepaliveSet {
		sc.Keepalive = p.Keepalive
	}
	if p.LocalAddr.IsValid() {
		sc.Local = netip.AddrPortFrom(p.LocalAddr, 0)
	}
	if p.Capabilities.GracefulRestart {
		sc.RestartTime = time.Duration(p.Capabilities.RestartTime) * time.Second
	}
	if p.Capabilities.Hostname {
		if h, err := os.Hostname(); err == nil {
			sc.Hostname = h
		}
	}
	if p.Capabilities.SoftwareVersion {
		sc.SoftwareVersion = SoftwareVersion
	}
	for _, fc := range p.Families {
		sc.Families = append(sc.Families, fc.Family)
		var mode capability.AddPathMode
		if fc.AddPathSend {
			mode |= capability.AddPathSend
		}
		if fc.AddPathReceive {
			mode |= capability.AddPathReceive
		}
		if mode != 0 {
			if sc.AddPath == nil {
				sc.AddPath = map[wire.Family]capability.AddPathMode{}
			}
			sc.AddPath[fc.Family] = mode
		}
		if p.Capabilities.ExtendedNextHop && fc.Family.AFI == wire.AFIIPv4 {
			sc.ExtendedNextHop = append(sc.ExtendedNextHop, capability.ExtNHTuple{Family: fc.Family, NextHopAFI: wire.AFIIPv6})
		}
	}
	return sc
}

// NeedsReset reports whether moving a peer from old to cur needs a new
// session: anything the OPEN, the connection or the FSM depends on. The
// description, the static routes and the prefix limits apply to the
// running session.
func NeedsReset(routerID, newRouterID netip.Addr, old, cur *PeerConfig) bool {
	return !reflect.DeepEqual(old.SessionConfig(routerID), cur.SessionConfig(newRouterID))
}
