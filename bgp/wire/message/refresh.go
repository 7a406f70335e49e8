package message

import (
	"encoding/binary"
	"strconv"

	"github.com/zebgp/ze/bgp/wire"
)

// KeepaliveLen is the size of a KEEPALIVE: the header alone (RFC 4271 §4.4).
const KeepaliveLen = wire.HeaderLen

// WriteKeepalive writes a KEEPALIVE at buf[off:] and returns KeepaliveLen.
func WriteKeepalive(buf []byte, off int) int {
	return wire.WriteHeader(buf, off, KeepaliveLen, wire.MsgKeepalive)
}

// ParseKeepalive checks the body of a KEEPALIVE: it must be empty (RFC 4271
// §6.1, Bad Message Length with the length field as data).
func ParseKeepalive(body []byte) error {
	if len(body) != 0 {
		return badLength(len(body))
	}
	return nil
}

// RefreshSubtype is the ROUTE-REFRESH Message Subtype (RFC 7313 §3.2), the
// octet RFC 2918 reserved.
type RefreshSubtype uint8

// ROUTE-REFRESH subtypes.
const (
	RefreshNormal RefreshSubtype = 0 // a route refresh request (RFC 2918)
	RefreshBoRR   RefreshSubtype = 1 // beginning of route refresh (RFC 7313)
	RefreshEoRR   RefreshSubtype = 2 // end of route refresh (RFC 7313)
)

// String returns "refresh", "borr", "eorr" or "subtype-N".
func (s RefreshSubtype) String() string {
	switch s {
	case RefreshNormal:
		return "refresh"
	case RefreshBoRR:
		return "borr"
	case RefreshEoRR:
		return "eorr"
	}
	return "subtype-" + strconv.Itoa(int(s))
}

// MarshalText returns the subtype name.
func (s RefreshSubtype) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Known reports a subtype of RFC 7313; a message with another one is to be
// ignored (RFC 7313 §5) and logged.
func (s RefreshSubtype) Known() bool { return s <= RefreshEoRR }

// RouteRefreshLen is the size of a ROUTE-REFRESH message.
const RouteRefreshLen = wire.HeaderLen + 4

// RouteRefresh is a decoded ROUTE-REFRESH message (RFC 2918 §3, RFC 7313 §3.2).
//
//	0       7      15      23      31
//	+-------+-------+-------+-------+
//	|      AFI      | Subt. | SAFI  |
//	+-------+-------+-------+-------+
type RouteRefresh struct {
	Family  wire.Family    `json:"family"`
	Subtype RefreshSubtype `json:"subtype"`
}

// ParseRouteRefresh decodes the body of a ROUTE-REFRESH message. A body
// other than 4 bytes is ROUTE-REFRESH Message Error / Invalid Message Length
// with the complete message as data (RFC 7313 §5). Unknown subtypes decode;
// see RefreshSubtype.Known.
func ParseRouteRefresh(body []byte) (RouteRefresh, error) {
	if len(body) != 4 {
		// The header is implied by the body: all-ones marker, length, type.
		n := wire.HeaderLen + len(body)
		msg := make([]byte, n)
		wire.WriteHeader(msg, 0, n, wire.MsgRouteRefresh)
		copy(msg[wire.HeaderLen:], body)
		return RouteRefresh{}, wire.NewNotifyError(wire.NotifyRouteRefresh, wire.RefreshInvalidLength, msg)
	}
	return RouteRefresh{
		Family:  wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(body)), SAFI: wire.SAFI(body[3])},
		Subtype: RefreshSubtype(body[2]),
	}, nil
}

// Type returns wire.MsgRouteRefresh.
func (RouteRefresh) Type() wire.MsgType { return wire.MsgRouteRefresh }

// Len returns RouteRefreshLen.
func (RouteRefresh) Len() int { return RouteRefreshLen }

// WriteTo writes the message at buf[off:] and returns RouteRefreshLen.
func (r RouteRefresh) WriteTo(buf []byte, off int) int {
	p := off + wire.WriteHeader(buf, off, RouteRefreshLen, wire.MsgRouteRefresh)
	binary.BigEndian.PutUint16(buf[p:], uint16(r.Family.AFI))
	buf[p+2] = byte(r.Subtype)
	buf[p+3] = byte(r.Family.SAFI)
	return RouteRefreshLen
}

// MarshalJSON shows the family as "afi/safi".
func (r RouteRefresh) MarshalJSON() ([]byte, error) {
	return []byte(`{"family":"` + r.Family.String() + `","subtype":"` + r.Subtype.String() + `"}`), nil
}
