package attr

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

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

// Unknown is an attribute kept as its flags, code and value: one this
// package has no type for, or one passed through unchanged. Value aliases
// the message.
type Unknown struct {
	Flags wire.AttrFlags
	Code  wire.AttrCode
	Value []byte
}

// UnknownOf returns a as an Unknown.
func UnknownOf(a wire.Attr) Unknown { return Unknown{a.Flags, a.Code, a.Value} }

// Forwarded returns u as it is to be passed on (RFC 4271 §5): with the
// Partial bit set when it is optional transitive. Whether to set it (the
// speaker did not recognize the attribute) is the caller's choice.
func (u Unknown) Forwarded() Unknown {
	u.Flags = PartialFlags(u.Flags)
	return u
}

// Len returns the size of the whole attribute.
func (u Unknown) Len() int { return Size(u.Flags, len(u.Value)) }

// WriteTo writes the attribute with its flags, code and value.
func (u Unknown) WriteTo(buf []byte, off int) int {
	return writeValue(buf, off, u.Flags, u.Code, u.Value)
}

// AppendText appends "0xFLAGS CODE HEX" ("0xC0 99 0102"), the form
// ParseUnknown reads; an empty value leaves HEX out.
func (u Unknown) AppendText(dst []byte) []byte {
	dst = append(dst, "0x"...)
	dst = appendHex(dst, []byte{byte(u.Flags)})
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(u.Code), 10)
	if len(u.Value) > 0 {
		dst = append(dst, ' ')
		dst = appendHex(dst, u.Value)
	}
	return dst
}

// String returns the text form.
func (u Unknown) String() string { return string(u.AppendText(nil)) }

// ParseUnknown reads "FLAGS CODE [HEX]": flags in 0x hex or decimal, the
// type code in decimal, the value in hex. The value is new memory.
func ParseUnknown(s string) (Unknown, error) {
	f := strings.Fields(s)
	if len(f) == 2 || len(f) == 3 {
		fl, e1 := strconv.ParseUint(f[0], 0, 8)
		c, e2 := strconv.ParseUint(f[1], 10, 8)
		var v []byte
		var e3 error
		if len(f) == 3 {
			v, e3 = hex.DecodeString(f[2])
		}
		if e1 == nil && e2 == nil && e3 == nil && len(v) <= 0xFFFF {
			return Unknown{wire.AttrFlags(fl), wire.AttrCode(c), v}, nil
		}
	}
	return Unknown{}, errors.New("attr: bad attribute " + strconv.Quote(s) + ": want FLAGS CODE HEX, e.g. 0xC0 99 0102")
}
