package attr

import (
	"encoding/binary"
	"errors"

	"github.com/zebgp/ze/bgp/wire"
)

// Short names for the flag combinations the RFCs specify.
const (
	flagsWellKnown   = wire.FlagTransitive                     // well-known: 0x40
	flagsOptTrans    = wire.FlagOptional | wire.FlagTransitive // optional transitive: 0xC0
	flagsOptNonTrans = wire.FlagOptional                       // optional non-transitive: 0x80
)

// DefaultFlags returns the flags an attribute of type code c is sent with
// (RFC 4271 §5 and the RFC defining each attribute): 0x40 for well-known
// attributes, 0x80 for optional non-transitive ones and 0xC0 for optional
// transitive ones. Unknown codes get 0xC0.
func DefaultFlags(c wire.AttrCode) wire.AttrFlags {
	switch c {
	case wire.AttrOrigin, wire.AttrASPath, wire.AttrNextHop, wire.AttrLocalPref, wire.AttrAtomicAggregate:
		return flagsWellKnown
	case wire.AttrMED, wire.AttrOriginatorID, wire.AttrClusterList, wire.AttrMPReach,
		wire.AttrMPUnreach, wire.AttrAIGP, wire.AttrBGPLS:
		return flagsOptNonTrans
	}
	return flagsOptTrans
}

// Size returns the size of a whole attribute whose value is vlen octets and
// whose flags are flags: a 4-octet header when the value needs it or when
// flags carry the Extended Length bit, else 3.
func Size(flags wire.AttrFlags, vlen int) int {
	if vlen > 255 || flags&wire.FlagExtLen != 0 {
		return 4 + vlen
	}
	return 3 + vlen
}

// writeValue writes a whole attribute with value v.
func writeValue(buf []byte, off int, flags wire.AttrFlags, code wire.AttrCode, v []byte) int {
	h := wire.WriteAttrHeader(buf, off, flags, code, len(v))
	return h + copy(buf[off+h:], v)
}

// writeU32 writes a whole attribute whose value is one 32-bit number.
func writeU32(buf []byte, off int, flags wire.AttrFlags, code wire.AttrCode, x uint32) int {
	h := wire.WriteAttrHeader(buf, off, flags, code, 4)
	binary.BigEndian.PutUint32(buf[off+h:], x)
	return h + 4
}

// Forwardable reports whether an attribute with these flags that the
// speaker does not recognize may be passed on (RFC 4271 §5): only optional
// transitive ones. Unrecognized optional non-transitive attributes are
// quietly dropped.
func Forwardable(flags wire.AttrFlags) bool {
	return flags&flagsOptTrans == flagsOptTrans
}

// PartialFlags returns flags with the Partial bit set when they are those
// of an optional transitive attribute (RFC 4271 §5: a speaker that passes
// on an unrecognized optional transitive attribute sets Partial).
func PartialFlags(flags wire.AttrFlags) wire.AttrFlags {
	if Forwardable(flags) {
		return flags | wire.FlagPartial
	}
	return flags
}

// SetPartial sets the Partial bit, in place, of the attribute whose header
// starts at buf[off] if it is optional transitive; it is for a caller that
// forwards an unrecognized attribute it copied verbatim.
func SetPartial(buf []byte, off int) {
	buf[off] = byte(PartialFlags(wire.AttrFlags(buf[off])))
}

var errShortValue = errors.New("attr: value too short")
