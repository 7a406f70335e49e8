package attr

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"

	"github.com/zebgp/ze/bgp/wire"
)

// NextHop is the NEXT_HOP attribute (RFC 4271 §5.1.3): an IPv4 address.
type NextHop struct{ Addr netip.Addr }

// MED is the MULTI_EXIT_DISC attribute (RFC 4271 §5.1.4).
type MED uint32

// LocalPref is the LOCAL_PREF attribute (RFC 4271 §5.1.5).
type LocalPref uint32

// AtomicAggregate is the ATOMIC_AGGREGATE attribute (RFC 4271 §5.1.6); it
// has no value.
type AtomicAggregate struct{}

// OriginatorID is the ORIGINATOR_ID attribute (RFC 4456 §8): the BGP
// Identifier of the route's originator in the local AS.
type OriginatorID struct{ ID netip.Addr }

// OTC is the Only to Customer attribute (RFC 9234 §5): a 4-octet AS number.
type OTC uint32

var (
	errNextHopLen      = errors.New("attr: next-hop: length is not 4")
	errMEDLen          = errors.New("attr: med: length is not 4")
	errLocalPrefLen    = errors.New("attr: local-preference: length is not 4")
	errAtomicLen       = errors.New("attr: atomic-aggregate: length is not 0")
	errOriginatorIDLen = errors.New("attr: originator-id: length is not 4")
	errOTCLen          = errors.New("attr: otc: length is not 4")
)

// DecodeNextHop reads a NEXT_HOP value (RFC 7606 §7.3: length 4).
func DecodeNextHop(v []byte) (NextHop, error) {
	if len(v) != 4 {
		return NextHop{}, errNextHopLen
	}
	return NextHop{netip.AddrFrom4([4]byte(v))}, nil
}

// DecodeMED reads a MULTI_EXIT_DISC value (RFC 7606 §7.4: length 4).
func DecodeMED(v []byte) (MED, error) {
	if len(v) != 4 {
		return 0, errMEDLen
	}
	return MED(binary.BigEndian.Uint32(v)), nil
}

// DecodeLocalPref reads a LOCAL_PREF value (RFC 7606 §7.5: length 4).
func DecodeLocalPref(v []byte) (LocalPref, error) {
	if len(v) != 4 {
		return 0, errLocalPrefLen
	}
	return LocalPref(binary.BigEndian.Uint32(v)), nil
}

// DecodeAtomicAggregate reads an ATOMIC_AGGREGATE value (RFC 7606 §7.6:
// length 0).
func DecodeAtomicAggregate(v []byte) (AtomicAggregate, error) {
	if len(v) != 0 {
		return AtomicAggregate{}, errAtomicLen
	}
	return AtomicAggregate{}, nil
}

// DecodeOriginatorID reads an ORIGINATOR_ID value (RFC 7606 §7.9: length 4).
func DecodeOriginatorID(v []byte) (OriginatorID, error) {
	if len(v) != 4 {
		return OriginatorID{}, errOriginatorIDLen
	}
	return OriginatorID{netip.AddrFrom4([4]byte(v))}, nil
}

// DecodeOTC reads an OTC value (RFC 9234 §5: length 4).
func DecodeOTC(v []byte) (OTC, error) {
	if len(v) != 4 {
		return 0, errOTCLen
	}
	return OTC(binary.BigEndian.Uint32(v)), nil
}

// ParseNextHop reads an IPv4 address ("192.0.2.1").
func ParseNextHop(s string) (NextHop, error) {
	a, err := parseIPv4(s)
	return NextHop{a}, err
}

// ParseOriginatorID reads an IPv4 address ("192.0.2.1").
func ParseOriginatorID(s string) (OriginatorID, error) {
	a, err := parseIPv4(s)
	return OriginatorID{a}, err
}

// ParseMED reads a decimal number.
func ParseMED(s string) (MED, error) { n, err := parseU32(s); return MED(n), err }

// ParseLocalPref reads a decimal number.
func ParseLocalPref(s string) (LocalPref, error) { n, err := parseU32(s); return LocalPref(n), err }

// ParseOTC reads an AS number, plain ("65000") or asdot ("1.10").
func ParseOTC(s string) (OTC, error) { n, err := ParseASN(s); return OTC(n), err }

func parseIPv4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, errors.New("attr: bad IPv4 address " + strconv.Quote(s))
	}
	return a, nil
}

func parseU32(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.New("attr: bad number " + strconv.Quote(s) + ": want 0-4294967295")
	}
	return uint32(n), nil
}

// String returns the address.
func (n NextHop) String() string { return n.Addr.String() }

// AppendText appends the address.
func (n NextHop) AppendText(dst []byte) []byte { return n.Addr.AppendTo(dst) }

// Len returns the size of the whole attribute (7).
func (n NextHop) Len() int { return 7 }

// WriteTo writes the NEXT_HOP attribute with flags 0x40.
func (n NextHop) WriteTo(buf []byte, off int) int { return n.WriteAttr(buf, off, flagsWellKnown) }

// WriteAttr writes the NEXT_HOP attribute with the given flags. Addr must
// be IPv4.
func (n NextHop) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	a := n.Addr.As4()
	return writeValue(buf, off, flags, wire.AttrNextHop, a[:])
}

// String returns the decimal value.
func (m MED) String() string { return strconv.FormatUint(uint64(m), 10) }

// AppendText appends the decimal value.
func (m MED) AppendText(dst []byte) []byte { return strconv.AppendUint(dst, uint64(m), 10) }

// Len returns the size of the whole attribute (7).
func (m MED) Len() int { return 7 }

// WriteTo writes the MULTI_EXIT_DISC attribute with flags 0x80.
func (m MED) WriteTo(buf []byte, off int) int { return m.WriteAttr(buf, off, flagsOptNonTrans) }

// WriteAttr writes the MULTI_EXIT_DISC attribute with the given flags.
func (m MED) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeU32(buf, off, flags, wire.AttrMED, uint32(m))
}

// String returns the decimal value.
func (l LocalPref) String() string { return strconv.FormatUint(uint64(l), 10) }

// AppendText appends the decimal value.
func (l LocalPref) AppendText(dst []byte) []byte { return strconv.AppendUint(dst, uint64(l), 10) }

// Len returns the size of the whole attribute (7).
func (l LocalPref) Len() int { return 7 }

// WriteTo writes the LOCAL_PREF attribute with flags 0x40.
func (l LocalPref) WriteTo(buf []byte, off int) int { return l.WriteAttr(buf, off, flagsWellKnown) }

// WriteAttr writes the LOCAL_PREF attribute with the given flags.
func (l LocalPref) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeU32(buf, off, flags, wire.AttrLocalPref, uint32(l))
}

// String returns "atomic-aggregate".
func (AtomicAggregate) String() string { return "atomic-aggregate" }

// AppendText appends "atomic-aggregate".
func (a AtomicAggregate) AppendText(dst []byte) []byte { return append(dst, a.String()...) }

// Len returns the size of the whole attribute (3).
func (AtomicAggregate) Len() int { return 3 }

// WriteTo writes the ATOMIC_AGGREGATE attribute with flags 0x40.
func (a AtomicAggregate) WriteTo(buf []byte, off int) int {
	return a.WriteAttr(buf, off, flagsWellKnown)
}

// WriteAttr writes the ATOMIC_AGGREGATE attribute with the given flags.
func (AtomicAggregate) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return wire.WriteAttrHeader(buf, off, flags, wire.AttrAtomicAggregate, 0)
}

// String returns the identifier.
func (o OriginatorID) String() string { return o.ID.String() }

// AppendText appends the identifier.
func (o OriginatorID) AppendText(dst []byte) []byte { return o.ID.AppendTo(dst) }

// Len returns the size of the whole attribute (7).
func (o OriginatorID) Len() int { return 7 }

// WriteTo writes the ORIGINATOR_ID attribute with flags 0x80.
func (o OriginatorID) WriteTo(buf []byte, off int) int {
	return o.WriteAttr(buf, off, flagsOptNonTrans)
}

// WriteAttr writes the ORIGINATOR_ID attribute with the given flags. ID
// must be IPv4.
func (o OriginatorID) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	a := o.ID.As4()
	return writeValue(buf, off, flags, wire.AttrOriginatorID, a[:])
}

// String returns the AS number.
func (o OTC) String() string { return strconv.FormatUint(uint64(o), 10) }

// AppendText appends the AS number.
func (o OTC) AppendText(dst []byte) []byte { return strconv.AppendUint(dst, uint64(o), 10) }

// Len returns the size of the whole attribute (7).
func (o OTC) Len() int { return 7 }

// WriteTo writes the OTC attribute with flags 0xC0.
func (o OTC) WriteTo(buf []byte, off int) int { return o.WriteAttr(buf, off, flagsOptTrans) }

// WriteAttr writes the OTC attribute with the given flags.
func (o OTC) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeU32(buf, off, flags, wire.AttrOTC, uint32(o))
}

// Origin is the ORIGIN attribute (RFC 4271 §4.3 and §5.1.1): one octet.
type Origin uint8

// ORIGIN values.
const (
	OriginIGP        Origin = 0
	OriginEGP        Origin = 1
	OriginIncomplete Origin = 2
)

var (
	errOriginLen   = errors.New("attr: origin: length is not 1")
	errOriginValue = errors.New("attr: origin: undefined value")
)

// DecodeOrigin reads an ORIGIN value. RFC 7606 §7.1: a length other than 1
// or an undefined value is malformed.
func DecodeOrigin(v []byte) (Origin, error) {
	if len(v) != 1 {
		return 0, errOriginLen
	}
	if v[0] > byte(OriginIncomplete) {
		return 0, errOriginValue
	}
	return Origin(v[0]), nil
}

// ParseOrigin reads the text form: "igp", "egp" or "incomplete".
func ParseOrigin(s string) (Origin, error) {
	switch s {
	case "igp":
		return OriginIGP, nil
	case "egp":
		return OriginEGP, nil
	case "incomplete":
		return OriginIncomplete, nil
	}
	return 0, errors.New("attr: bad origin " + strconv.Quote(s) + ": want igp, egp or incomplete")
}

// String returns "igp", "egp", "incomplete" or "origin-N".
func (o Origin) String() string {
	switch o {
	case OriginIGP:
		return "igp"
	case OriginEGP:
		return "egp"
	case OriginIncomplete:
		return "incomplete"
	}
	return "origin-" + strconv.Itoa(int(o))
}

// AppendText appends the text form of o.
func (o Origin) AppendText(dst []byte) []byte { return append(dst, o.String()...) }

// Len returns the size of the whole attribute (4).
func (o Origin) Len() int { return 4 }

// WriteTo writes the ORIGIN attribute with flags 0x40 and returns its size.
func (o Origin) WriteTo(buf []byte, off int) int { return o.WriteAttr(buf, off, flagsWellKnown) }

// WriteAttr writes the ORIGIN attribute with the given flags.
func (o Origin) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	h := wire.WriteAttrHeader(buf, off, flags, wire.AttrOrigin, 1)
	buf[off+h] = byte(o)
	return h + 1
}
