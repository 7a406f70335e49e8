package attr

import (
	"errors"
	"strconv"

	"github.com/zebgp/ze/bgp/wire"
)

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
