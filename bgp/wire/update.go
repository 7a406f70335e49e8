package wire

import (
	"encoding/binary"
	"net/netip"
)

// WireUpdate is an UPDATE message kept as bytes (RFC 4271 §4.3):
//
//	+-----------------------------------------------------+
//	|   Withdrawn Routes Length (2 octets)                |
//	|   Withdrawn Routes (variable)                       |
//	|   Total Path Attribute Length (2 octets)            |
//	|   Path Attributes (variable)                        |
//	|   Network Layer Reachability Information (variable) |
//	+-----------------------------------------------------+
//
// ParseUpdate checks only the two length fields; everything else is read on
// demand through accessors that return sub-slices and iterators that yield
// one element at a time. Nothing is copied and nothing is allocated.
type WireUpdate struct {
	body      []byte
	withdrawn []byte
	attrs     []byte
	nlri      []byte
	ctx       *EncodingContext
	// MessageID identifies the message for cache-based forwarding.
	MessageID uint64
	// SourceID names the peer the message came from.
	SourceID uint32
	// CtxID is the receiving session's ContextID (zero when unknown).
	CtxID ContextID
}

// ParseUpdate returns a WireUpdate over body (the message after its 19-byte
// header), read with ctx (nil means ASN4 and no ADD-PATH). body is aliased,
// not copied. A length field that overruns the message is the session reset
// RFC 7606 §4 keeps: UPDATE Message Error / Malformed Attribute List.
func ParseUpdate(body []byte, ctx *EncodingContext) (WireUpdate, error) {
	if len(body) < 4 {
		return WireUpdate{}, NewNotifyError(NotifyUpdate, UpdateMalformedAttrList, nil)
	}
	wl := int(binary.BigEndian.Uint16(body))
	if 2+wl+2 > len(body) {
		return WireUpdate{}, NewNotifyError(NotifyUpdate, UpdateMalformedAttrList, nil)
	}
	al := int(binary.BigEndian.Uint16(body[2+wl:]))
	if 4+wl+al > len(body) {
		return WireUpdate{}, NewNotifyError(NotifyUpdate, UpdateMalformedAttrList, nil)
	}
	return WireUpdate{
		body:      body,
		withdrawn: body[2 : 2+wl],
		attrs:     body[4+wl : 4+wl+al],
		nlri:      body[4+wl+al:],
		ctx:       ctx,
	}, nil
}

// ParseUpdateMessage is ParseUpdate for a whole message with its header.
func ParseUpdateMessage(msg []byte, ctx *EncodingContext) (WireUpdate, error) {
	h, err := ParseHeader(msg, ctx.MaxLen())
	if err != nil {
		return WireUpdate{}, err
	}
	if h.Type != MsgUpdate || int(h.Length) != len(msg) {
		return WireUpdate{}, NewNotifyError(NotifyHeader, HeaderBadLength, msg[16:18])
	}
	return ParseUpdate(msg[HeaderLen:], ctx)
}

// Body returns the UPDATE bytes after the header.
func (u *WireUpdate) Body() []byte { return u.body }

// Context returns the encoding context the update is read with.
func (u *WireUpdate) Context() *EncodingContext { return u.ctx }

// Withdrawn returns the Withdrawn Routes field (IPv4 unicast prefixes).
func (u *WireUpdate) Withdrawn() []byte { return u.withdrawn }

// Attrs returns the Path Attributes field.
func (u *WireUpdate) Attrs() []byte { return u.attrs }

// NLRI returns the NLRI field (IPv4 unicast prefixes).
func (u *WireUpdate) NLRI() []byte { return u.nlri }

// AttrIter returns an iterator over the path attributes.
func (u *WireUpdate) AttrIter() AttrIter { return NewAttrIter(u.attrs) }

// WithdrawnIter returns an iterator over the withdrawn IPv4 unicast routes.
func (u *WireUpdate) WithdrawnIter() NLRIIter {
	return NewNLRIIter(IPv4Unicast, u.withdrawn, u.ctx.AddPath(IPv4Unicast))
}

// NLRIIter returns an iterator over the announced IPv4 unicast routes.
func (u *WireUpdate) NLRIIter() NLRIIter {
	return NewNLRIIter(IPv4Unicast, u.nlri, u.ctx.AddPath(IPv4Unicast))
}

// Attr returns the first attribute with code c.
func (u *WireUpdate) Attr(c AttrCode) (Attr, bool) { return FindAttr(u.attrs, c) }

// MPReach returns the MP_REACH_NLRI attribute, if present and well formed.
func (u *WireUpdate) MPReach() (MPReach, bool, error) {
	a, ok := FindAttr(u.attrs, AttrMPReach)
	if !ok {
		return MPReach{}, false, nil
	}
	m, err := ParseMPReach(a.Value)
	return m, err == nil, err
}

// MPUnreach returns the MP_UNREACH_NLRI attribute, if present and well formed.
func (u *WireUpdate) MPUnreach() (MPUnreach, bool, error) {
	a, ok := FindAttr(u.attrs, AttrMPUnreach)
	if !ok {
		return MPUnreach{}, false, nil
	}
	m, err := ParseMPUnreach(a.Value)
	return m, err == nil, err
}

// EndOfRIB reports whether the update is an End-of-RIB marker (RFC 4724 §2)
// and for which family: an empty UPDATE for IPv4 unicast, or an UPDATE whose
// only attribute is an empty MP_UNREACH_NLRI.
func (u *WireUpdate) EndOfRIB() (Family, bool) {
	if len(u.withdrawn) != 0 || len(u.nlri) != 0 {
		return Family{}, false
	}
	if len(u.attrs) == 0 {
		return IPv4Unicast, true
	}
	it := u.AttrIter()
	a, ok := it.Next()
	if !ok || a.Code != AttrMPUnreach || it.Offset() != len(u.attrs) || len(a.Value) != 3 {
		return Family{}, false
	}
	return Family{AFI(binary.BigEndian.Uint16(a.Value)), SAFI(a.Value[2])}, true
}

// MPReach is a view of an MP_REACH_NLRI attribute value (RFC 4760 §3):
// AFI (2), SAFI (1), next hop length (1), next hop, reserved (1), NLRI.
type MPReach struct {
	Family  Family
	NextHop []byte
	NLRI    []byte
}

// ParseMPReach reads an MP_REACH_NLRI value.
func ParseMPReach(v []byte) (MPReach, error) {
	if len(v) < 5 {
		return MPReach{}, errMPReachShort
	}
	nhl := int(v[3])
	if 4+nhl+1 > len(v) {
		return MPReach{}, errMPReachShort
	}
	return MPReach{
		Family:  Family{AFI(binary.BigEndian.Uint16(v)), SAFI(v[2])},
		NextHop: v[4 : 4+nhl],
		NLRI:    v[5+nhl:],
	}, nil
}

// Iter returns an iterator over the NLRI, with path ids if ctx says so.
func (m MPReach) Iter(ctx *EncodingContext) NLRIIter {
	return NewNLRIIter(m.Family, m.NLRI, ctx.AddPath(m.Family))
}

// NextHops decodes the next hop field: an IPv4 or IPv6 address, an IPv6
// global plus link-local (32 octets, RFC 2545), and the same forms behind an
// 8-octet zero route distinguisher (VPN families, RFC 4364/4659). ok is false
// for a length none of these forms has.
func (m MPReach) NextHops() (global, linkLocal netip.Addr, ok bool) {
	nh := m.NextHop
	switch len(nh) {
	case 12, 24, 48:
		if len(nh) == 48 {
			return addrFrom(nh[8:24]), addrFrom(nh[32:48]), true
		}
		nh = nh[8:]
	case 32:
		return addrFrom(nh[:16]), addrFrom(nh[16:]), true
	}
	switch len(nh) {
	case 4, 16:
		return addrFrom(nh), netip.Addr{}, true
	}
	return netip.Addr{}, netip.Addr{}, false
}

func addrFrom(b []byte) netip.Addr {
	if len(b) == 4 {
		return netip.AddrFrom4([4]byte(b))
	}
	return netip.AddrFrom16([16]byte(b))
}

// MPUnreach is a view of an MP_UNREACH_NLRI value (RFC 4760 §4): AFI, SAFI,
// withdrawn routes.
type MPUnreach struct {
	Family Family
	NLRI   []byte
}

// ParseMPUnreach reads an MP_UNREACH_NLRI value.
func ParseMPUnreach(v []byte) (MPUnreach, error) {
	if len(v) < 3 {
		return MPUnreach{}, errMPUnreachShort
	}
	return MPUnreach{Family: Family{AFI(binary.BigEndian.Uint16(v)), SAFI(v[2])}, NLRI: v[3:]}, nil
}

// Iter returns an iterator over the withdrawn NLRI.
func (m MPUnreach) Iter(ctx *EncodingContext) NLRIIter {
	return NewNLRIIter(m.Family, m.NLRI, ctx.AddPath(m.Family))
}

var (
	errMPReachShort   = NewNotifyError(NotifyUpdate, UpdateOptionalAttr, nil)
	errMPUnreachShort = NewNotifyError(NotifyUpdate, UpdateOptionalAttr, nil)
)
