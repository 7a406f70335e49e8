package reactor

import (
	"fmt"
	"slices"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
)

// Capabilities returns the capabilities of the OPEN that cfg sends, in the
// order they are written: multiprotocol per family, route refresh,
// enhanced route refresh, extended message, extended next hop, graceful
// restart, 4-octet AS, ADD-PATH, role, hostname, software version.
func (cfg *SessionConfig) Capabilities() ([]capability.Capability, error) {
	var caps []capability.Capability
	for _, f := range cfg.Families {
		caps = append(caps, capability.Multiprotocol{Family: f})
	}
	if cfg.RouteRefresh {
		caps = append(caps, capability.RouteRefresh{})
	}
	if cfg.EnhancedRouteRefresh {
		caps = append(caps, capability.EnhancedRouteRefresh{})
	}
	if cfg.ExtendedMessage {
		caps = append(caps, capability.ExtendedMessage{})
	}
	if len(cfg.ExtendedNextHop) > 0 {
		caps = append(caps, &capability.ExtendedNextHop{Tuples: slices.Clone(cfg.ExtendedNextHop)})
	}
	if cfg.GracefulRestart {
		rt := cfg.RestartTime / time.Second
		if rt < 0 || rt > capability.MaxRestartTime {
			return nil, fmt.Errorf("session: restart time %v out of range 0-%ds", cfg.RestartTime, capability.MaxRestartTime)
		}
		gr := &capability.GracefulRestart{RestartTime: uint16(rt)}
		for _, f := range cfg.familiesOrDefault() {
			gr.Families = append(gr.Families, capability.GRFamily{Family: f})
		}
		caps = append(caps, gr)
	}
	caps = append(caps, capability.ASN4{ASN: cfg.LocalAS})
	if len(cfg.AddPath) > 0 {
		ap := &capability.AddPath{}
		for f, m := range cfg.AddPath {
			if m < capability.AddPathReceive || m > capability.AddPathBoth {
				return nil, fmt.Errorf("session: add-path mode %d for %v", m, f)
			}
			ap.Families = append(ap.Families, capability.AddPathFamily{Family: f, Mode: m})
		}
		slices.SortFunc(ap.Families, func(a, b capability.AddPathFamily) int {
			return int(a.Family.Key()) - int(b.Family.Key())
		})
		caps = append(caps, ap)
	}
	if cfg.Role != "" {
		r, ok := capability.ParseRole(cfg.Role)
		if !ok {
			return nil, fmt.Errorf("session: unknown role %q", cfg.Role)
		}
		caps = append(caps, capability.Role{Role: r})
	}
	if cfg.Hostname != "" {
		caps = append(caps, &capability.Hostname{HostName: cfg.Hostname, DomainName: cfg.DomainName})
	}
	if cfg.SoftwareVersion != "" {
		caps = append(caps, &capability.SoftwareVersion{Version: cfg.SoftwareVersion})
	}
	return caps, nil
}

// familiesOrDefault is Families, or ipv4/unicast when none is configured.
func (cfg *SessionConfig) familiesOrDefault() []wire.Family {
	if len(cfg.Families) == 0 {
		return []wire.Family{wire.IPv4Unicast}
	}
	return cfg.Families
}

// FSMConfig returns the fsm.Config of the session: the fsm defaults with
// the values cfg sets. It fails for values the fsm refuses.
func (cfg *SessionConfig) FSMConfig() (fsm.Config, error) {
	c := fsm.DefaultConfig()
	c.LocalAS, c.LocalID, c.PeerAS = cfg.LocalAS, cfg.RouterID, cfg.PeerAS
	caps, err := cfg.Capabilities()
	if err != nil {
		return c, err
	}
	c.Capabilities = caps
	c.StrictRole = cfg.RoleStrict
	c.Families = cfg.FamilyPolicy
	switch {
	case cfg.NoHoldTime:
		c.HoldTime = 0
	case cfg.HoldTime != 0:
		c.HoldTime = cfg.HoldTime
	}
	if cfg.ConnectRetry > 0 {
		c.ConnectRetryTime = cfg.ConnectRetry
	}
	if cfg.DelayOpen > 0 {
		c.DelayOpen, c.DelayOpenTime = true, cfg.DelayOpen
	}
	c.SendHoldTime = cfg.SendHoldTime
	if cfg.IdleHoldTime > 0 {
		c.IdleHoldTime = cfg.IdleHoldTime
		c.IdleHoldMax = max(c.IdleHoldMax, c.IdleHoldTime)
	}
	if cfg.IdleHoldMax > 0 {
		c.IdleHoldMax = max(cfg.IdleHoldMax, c.IdleHoldTime)
	}
	if cfg.TTLSecurity < 0 || cfg.TTLSecurity > 254 {
		return c, fmt.Errorf("session: ttl-security %d out of range 0-254", cfg.TTLSecurity)
	}
	if len(cfg.MD5Password) > 80 {
		return c, fmt.Errorf("session: md5 password longer than 80 bytes")
	}
	if !cfg.Peer.Addr().IsValid() {
		return c, fmt.Errorf("session: no peer address")
	}
	if l := cfg.Local.Addr(); l.IsValid() && l.Unmap().Is4() != cfg.Peer.Addr().Unmap().Is4() {
		return c, fmt.Errorf("session: local address %v and peer %v are not of the same address family", l, cfg.Peer.Addr())
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("session %s: %w", cfg.Peer.Addr(), err)
	}
	return c, nil
}
