package capability

import (
	"encoding/json"
	"slices"

	"github.com/zebgp/ze/bgp/wire"
)

// Negotiated is what an OPEN exchange settled (RFC 5492 §3: a capability is
// used only when both speakers advertised it). Recv and Send are the encoding
// contexts of the two directions; their ContextIDs are what the reactor
// compares to forward bytes unchanged.
type Negotiated struct {
	// Families are the address families both sides announced with
	// multiprotocol capabilities, sorted; a speaker without any announces
	// ipv4/unicast only (RFC 4760 §8).
	Families []wire.Family `json:"families"`
	// ASN4 is set when both sides sent the 4-octet AS capability (RFC 6793 §3).
	ASN4 bool `json:"asn4"`
	// ExtendedMessage is set when both sides sent it (RFC 8654 §3).
	ExtendedMessage bool `json:"extended-message"`
	// RouteRefresh and EnhancedRouteRefresh: both sides sent the capability
	// (RFC 2918 §2, RFC 7313 §3).
	RouteRefresh         bool `json:"route-refresh"`
	EnhancedRouteRefresh bool `json:"enhanced-route-refresh"`
	// LinkLocalNextHop: both sides sent capability 77.
	LinkLocalNextHop bool `json:"link-local-next-hop"`
	// AddPathRecv are the families whose NLRI we receive with path
	// identifiers: we said receive or both and the peer send or both. AddPathSend
	// the reverse (RFC 7911 §4). Only negotiated families are listed.
	AddPathRecv []wire.Family `json:"add-path-receive"`
	AddPathSend []wire.Family `json:"add-path-send"`
	// ExtNextHop are the RFC 8950 tuples both sides announced, for
	// negotiated families.
	ExtNextHop []ExtNHTuple `json:"extended-next-hop"`
	// Graceful restart and long-lived graceful restart as each side sent
	// them (nil when not sent): the procedures of RFC 4724 and RFC 9494 act
	// on the peer's values as receiving speaker and on ours as restarting one.
	LocalGR   *GracefulRestart `json:"local-graceful-restart,omitempty"`
	PeerGR    *GracefulRestart `json:"peer-graceful-restart,omitempty"`
	LocalLLGR *LLGR            `json:"local-llgr,omitempty"`
	PeerLLGR  *LLGR            `json:"peer-llgr,omitempty"`
	// LocalRole and PeerRole are the RFC 9234 roles sent, nil when absent.
	LocalRole *Role `json:"local-role,omitempty"`
	PeerRole  *Role `json:"peer-role,omitempty"`
	// PeerHostname and PeerSoftware describe the peer when it said so.
	PeerHostname *Hostname        `json:"peer-hostname,omitempty"`
	PeerSoftware *SoftwareVersion `json:"peer-software-version,omitempty"`
	// Recv decodes what the peer sends, Send encodes what we send.
	Recv *wire.EncodingContext `json:"-"`
	Send *wire.EncodingContext `json:"-"`
}

// side collects what one speaker advertised.
type side struct {
	families    []wire.Family
	asn4        bool
	extMessage  bool
	refresh     bool
	enhanced    bool
	linkLocal   bool
	addPath     map[wire.Family]AddPathMode
	extNH       []ExtNHTuple
	gr          *GracefulRestart
	llgr        *LLGR
	role        *Role
	hostname    *Hostname
	software    *SoftwareVersion
	hasMultiPro bool
}

func collect(caps []Capability) side {
	var s side
	s.addPath = map[wire.Family]AddPathMode{}
	for _, c := range caps {
		switch c := c.(type) {
		case Multiprotocol:
			s.hasMultiPro = true
			if !slices.Contains(s.families, c.Family) {
				s.families = append(s.families, c.Family)
			}
		case ASN4:
			s.asn4 = true
		case ExtendedMessage:
			s.extMessage = true
		case RouteRefresh:
			s.refresh = true
		case EnhancedRouteRefresh:
			s.enhanced = true
		case LinkLocalNextHop:
			s.linkLocal = true
		case *AddPath:
			for _, f := range c.Families {
				s.addPath[f.Family] |= f.Mode
			}
		case *ExtendedNextHop:
			s.extNH = append(s.extNH, c.Tuples...)
		case *GracefulRestart:
			s.gr = firstOf(s.gr, c)
		case *LLGR:
			s.llgr = firstOf(s.llgr, c)
		case Role:
			if s.role == nil {
				s.role = &c
			}
		case *Hostname:
			s.hostname = firstOf(s.hostname, c)
		case *SoftwareVersion:
			s.software = firstOf(s.software, c)
		}
	}
	if !s.hasMultiPro {
		s.families = []wire.Family{wire.IPv4Unicast}
	}
	return s
}

// firstOf keeps the first capability of a kind that should appear once.
func firstOf[T any](have, c *T) *T {
	if have != nil {
		return have
	}
	return c
}

// Negotiate computes the result of an OPEN exchange from the capabilities we
// sent (local) and those the peer sent (remote).
func Negotiate(local, remote []Capability) Negotiated {
	l, r := collect(local), collect(remote)
	n := Negotiated{
		ASN4:                 l.asn4 && r.asn4,
		ExtendedMessage:      l.extMessage && r.extMessage,
		RouteRefresh:         l.refresh && r.refresh,
		EnhancedRouteRefresh: l.enhanced && r.enhanced,
		LinkLocalNextHop:     l.linkLocal && r.linkLocal,
		LocalGR:              l.gr,
		PeerGR:               r.gr,
		LocalLLGR:            l.llgr,
		PeerLLGR:             r.llgr,
		LocalRole:            l.role,
		PeerRole:             r.role,
		PeerHostname:         r.hostname,
		PeerSoftware:         r.software,
	}
	for _, f := range l.families {
		if slices.Contains(r.families, f) {
			n.Families = append(n.Families, f)
		}
	}
	byKey := func(a, b wire.Family) int { return int(a.Key()) - int(b.Key()) }
	slices.SortFunc(n.Families, byKey)

	n.Recv = wire.NewContext(n.ASN4, n.ExtendedMessage)
	n.Send = wire.NewContext(n.ASN4, n.ExtendedMessage)
	for _, f := range n.Families {
		lm, rm := l.addPath[f], r.addPath[f]
		if lm.CanReceive() && rm.CanSend() {
			n.AddPathRecv = append(n.AddPathRecv, f)
			n.Recv.SetAddPath(f, true)
		}
		if lm.CanSend() && rm.CanReceive() {
			n.AddPathSend = append(n.AddPathSend, f)
			n.Send.SetAddPath(f, true)
		}
	}
	for _, t := range l.extNH {
		if slices.Contains(r.extNH, t) && slices.Contains(n.Families, t.Family) &&
			!slices.Contains(n.ExtNextHop, t) {
			n.ExtNextHop = append(n.ExtNextHop, t)
			n.Recv.SetExtNextHop(t.Family, true)
			n.Send.SetExtNextHop(t.Family, true)
		}
	}
	return n
}

// RoleMismatch reports whether both sides sent a role and the pair is not
// one RFC 9234 §4.2 allows (provider/customer, rs/rs-client, peer/peer).
// The session then sends OPEN Message Error / Role Mismatch; whether a
// missing role is also an error (strict mode) is the session's decision.
func (n *Negotiated) RoleMismatch() bool {
	if n.LocalRole == nil || n.PeerRole == nil {
		return false
	}
	want, ok := n.LocalRole.Role.Expects()
	return !ok || n.PeerRole.Role != want
}

// HasFamily reports whether family f was negotiated.
func (n *Negotiated) HasFamily(f wire.Family) bool { return slices.Contains(n.Families, f) }

// MarshalJSON shows families as "afi/safi" strings and empty lists as [].
func (n Negotiated) MarshalJSON() ([]byte, error) {
	type plain Negotiated // drops the method, keeps the tags
	return json.Marshal(struct {
		plain
		Families    []familyJSON `json:"families"`
		AddPathRecv []familyJSON `json:"add-path-receive"`
		AddPathSend []familyJSON `json:"add-path-send"`
		ExtNextHop  []ExtNHTuple `json:"extended-next-hop"`
	}{plain(n), familiesJSON(n.Families), familiesJSON(n.AddPathRecv), familiesJSON(n.AddPathSend),
		append([]ExtNHTuple{}, n.ExtNextHop...)})
}

func familiesJSON(fs []wire.Family) []familyJSON {
	out := make([]familyJSON, len(fs))
	for i, f := range fs {
		out[i] = familyJSON(f)
	}
	return out
}
