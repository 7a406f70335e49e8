package attr

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

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
