package capability

import (
	"encoding/binary"
	"encoding/json"
	"strconv"

	"github.com/zebgp/ze/bgp/wire"
)

// Multiprotocol announces one address family (RFC 4760 §8).
//
//	0       7      15      23      31
//	+-------+-------+-------+-------+
//	|      AFI      | Res.  | SAFI  |
//	+-------+-------+-------+-------+
type Multiprotocol struct {
	Family wire.Family `json:"family"`
}

func parseMultiprotocol(v []byte) (Capability, error) {
	if len(v) != 4 {
		return nil, errorf(CodeMultiprotocol, "length %d, want 4", len(v))
	}
	// The reserved octet is ignored on receipt (RFC 4760 §8).
	return Multiprotocol{wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(v)), SAFI: wire.SAFI(v[3])}}, nil
}

// Code returns CodeMultiprotocol.
func (Multiprotocol) Code() Code { return CodeMultiprotocol }

// Len returns 6.
func (Multiprotocol) Len() int { return 6 }

// WriteTo writes the capability.
func (m Multiprotocol) WriteTo(buf []byte, off int) int {
	writeHeader(buf, off, CodeMultiprotocol, 4)
	binary.BigEndian.PutUint16(buf[off+2:], uint16(m.Family.AFI))
	buf[off+4] = 0
	buf[off+5] = byte(m.Family.SAFI)
	return 6
}

// MarshalJSON shows the family as "afi/safi".
func (m Multiprotocol) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Family familyJSON `json:"family"`
	}{familyJSON(m.Family)})
}

// RouteRefresh announces the ROUTE-REFRESH message (RFC 2918 §2). It has no value.
type RouteRefresh struct{}

// Code returns CodeRouteRefresh.
func (RouteRefresh) Code() Code { return CodeRouteRefresh }

// Len returns 2.
func (RouteRefresh) Len() int { return 2 }

// WriteTo writes the capability.
func (RouteRefresh) WriteTo(buf []byte, off int) int {
	return writeHeader(buf, off, CodeRouteRefresh, 0)
}

// EnhancedRouteRefresh announces BoRR/EoRR demarcation (RFC 7313 §3.1). It has no value.
type EnhancedRouteRefresh struct{}

// Code returns CodeEnhancedRouteRefresh.
func (EnhancedRouteRefresh) Code() Code { return CodeEnhancedRouteRefresh }

// Len returns 2.
func (EnhancedRouteRefresh) Len() int { return 2 }

// WriteTo writes the capability.
func (EnhancedRouteRefresh) WriteTo(buf []byte, off int) int {
	return writeHeader(buf, off, CodeEnhancedRouteRefresh, 0)
}

// ExtendedMessage announces messages up to 65535 octets (RFC 8654 §3). It has no value.
type ExtendedMessage struct{}

// Code returns CodeExtendedMessage.
func (ExtendedMessage) Code() Code { return CodeExtendedMessage }

// Len returns 2.
func (ExtendedMessage) Len() int { return 2 }

// WriteTo writes the capability.
func (ExtendedMessage) WriteTo(buf []byte, off int) int {
	return writeHeader(buf, off, CodeExtendedMessage, 0)
}

// LinkLocalNextHop announces that IPv6 next hops may be link-local only
// (draft-ietf-idr-linklocal-capability). It has no value.
type LinkLocalNextHop struct{}

// Code returns CodeLinkLocalNextHop.
func (LinkLocalNextHop) Code() Code { return CodeLinkLocalNextHop }

// Len returns 2.
func (LinkLocalNextHop) Len() int { return 2 }

// WriteTo writes the capability.
func (LinkLocalNextHop) WriteTo(buf []byte, off int) int {
	return writeHeader(buf, off, CodeLinkLocalNextHop, 0)
}

// ASN4 announces 4-octet AS number support and carries the speaker's AS
// (RFC 6793 §3: a 4-octet value).
type ASN4 struct {
	ASN uint32 `json:"asn"`
}

func parseASN4(v []byte) (Capability, error) {
	if len(v) != 4 {
		return nil, errorf(CodeASN4, "length %d, want 4", len(v))
	}
	return ASN4{binary.BigEndian.Uint32(v)}, nil
}

// Code returns CodeASN4.
func (ASN4) Code() Code { return CodeASN4 }

// Len returns 6.
func (ASN4) Len() int { return 6 }

// WriteTo writes the capability.
func (a ASN4) WriteTo(buf []byte, off int) int {
	writeHeader(buf, off, CodeASN4, 4)
	binary.BigEndian.PutUint32(buf[off+2:], a.ASN)
	return 6
}

// RoleValue is a BGP role (RFC 9234 §4.1).
type RoleValue uint8

// BGP roles.
const (
	RoleProvider RoleValue = 0
	RoleRS       RoleValue = 1 // route server
	RoleRSClient RoleValue = 2 // route server client
	RoleCustomer RoleValue = 3
	RolePeer     RoleValue = 4
)

var roleNames = [...]string{"provider", "rs", "rs-client", "customer", "peer"}

// String returns the role name ("rs-client") or "role-N".
func (r RoleValue) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "role-" + strconv.Itoa(int(r))
}

// MarshalText returns the role name.
func (r RoleValue) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// ParseRole maps a role name back to its value.
func ParseRole(s string) (RoleValue, bool) {
	for i, n := range roleNames {
		if n == s {
			return RoleValue(i), true
		}
	}
	return 0, false
}

// Expects returns the role the peer must have when the local role is r
// (RFC 9234 §4.2, Table 2), and false for an unknown r.
func (r RoleValue) Expects() (RoleValue, bool) {
	switch r {
	case RoleProvider:
		return RoleCustomer, true
	case RoleCustomer:
		return RoleProvider, true
	case RoleRS:
		return RoleRSClient, true
	case RoleRSClient:
		return RoleRS, true
	case RolePeer:
		return RolePeer, true
	}
	return 0, false
}

// Role announces the speaker's BGP role (RFC 9234 §4.1: one octet).
type Role struct {
	Role RoleValue `json:"role"`
}

func parseRole(v []byte) (Capability, error) {
	if len(v) != 1 {
		return nil, errorf(CodeRole, "length %d, want 1", len(v))
	}
	// Unknown role values are kept: the session reports them as a role
	// mismatch (RFC 9234 §4.2), not as a malformed capability.
	return Role{RoleValue(v[0])}, nil
}

// Code returns CodeRole.
func (Role) Code() Code { return CodeRole }

// Len returns 3.
func (Role) Len() int { return 3 }

// WriteTo writes the capability.
func (r Role) WriteTo(buf []byte, off int) int {
	writeHeader(buf, off, CodeRole, 1)
	buf[off+2] = byte(r.Role)
	return 3
}
