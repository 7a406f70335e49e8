package attr

import (
	"encoding/hex"
	"errors"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// ExtCommunity is one extended community (RFC 4360 §2): a type octet, a
// sub-type octet (for the types that have one) and six octets of value.
// Bit 0x40 of the type marks a non-transitive community; bit 0x80 says the
// type is IANA-assigned rather than first come first served (RFC 7153 §2).
//
//	+--------+--------+--------+--------+--------+--------+--------+--------+
//	|  type  |subtype |                  value (6 octets)                   |
//	+--------+--------+--------+--------+--------+--------+--------+--------+
type ExtCommunity [8]byte

// Type returns the type octet.
func (e ExtCommunity) Type() uint8 { return e[0] }

// SubType returns the sub-type octet.
func (e ExtCommunity) SubType() uint8 { return e[1] }

// Transitive reports whether the community may cross AS boundaries (RFC
// 4360 §2: bit 0x40 of the type is clear).
func (e ExtCommunity) Transitive() bool { return e[0]&0x40 == 0 }

// ExtCommunities is a view of an EXTENDED_COMMUNITIES value, read by index.
type ExtCommunities struct{ b []byte }

var errExtCommunityLen = errors.New("attr: extended-community: length is not a non-zero multiple of 8")

// DecodeExtCommunities reads an EXTENDED_COMMUNITIES value (RFC 7606 §7.14:
// the length must be a non-zero multiple of 8; an unknown type or sub-type
// is not an error).
func DecodeExtCommunities(v []byte) (ExtCommunities, error) {
	if len(v) == 0 || len(v)%8 != 0 {
		return ExtCommunities{}, errExtCommunityLen
	}
	return ExtCommunities{v}, nil
}

// Count returns the number of extended communities.
func (c ExtCommunities) Count() int { return len(c.b) / 8 }

// At returns the i-th extended community.
func (c ExtCommunities) At(i int) ExtCommunity { return ExtCommunity(c.b[8*i:]) }

// Raw returns the value bytes.
func (c ExtCommunities) Raw() []byte { return c.b }

// AppendText appends the communities separated by spaces.
func (c ExtCommunities) AppendText(dst []byte) []byte {
	for i := 0; i < c.Count(); i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = c.At(i).AppendText(dst)
	}
	return dst
}

// String returns the text form.
func (c ExtCommunities) String() string { return string(c.AppendText(nil)) }

// Len returns the size of the whole attribute with flags 0xC0.
func (c ExtCommunities) Len() int { return Size(flagsOptTrans, len(c.b)) }

// WriteTo writes the EXTENDED_COMMUNITIES attribute with flags 0xC0.
func (c ExtCommunities) WriteTo(buf []byte, off int) int {
	return c.WriteAttr(buf, off, flagsOptTrans)
}

// WriteAttr writes the EXTENDED_COMMUNITIES attribute with the given flags.
func (c ExtCommunities) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeValue(buf, off, flags, wire.AttrExtCommunity, c.b)
}

// ExtCommunityList is a list of extended communities to send.
type ExtCommunityList []ExtCommunity

// Len returns the size of the whole attribute with flags 0xC0.
func (l ExtCommunityList) Len() int { return Size(flagsOptTrans, 8*len(l)) }

// WriteTo writes the EXTENDED_COMMUNITIES attribute with flags 0xC0.
func (l ExtCommunityList) WriteTo(buf []byte, off int) int {
	h := wire.WriteAttrHeader(buf, off, flagsOptTrans, wire.AttrExtCommunity, 8*len(l))
	o := off + h
	for i := range l {
		o += copy(buf[o:], l[i][:])
	}
	return o - off
}

// ParseExtCommunities reads extended communities separated by spaces or
// commas.
func ParseExtCommunities(s string) (ExtCommunityList, error) {
	var l ExtCommunityList
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
		c, err := ParseExtCommunity(f)
		if err != nil {
			return nil, err
		}
		l = append(l, c)
	}
	return l, nil
}

// appendHex appends b as uppercase hex without a prefix.
func appendHex(dst, b []byte) []byte {
	const digits = "0123456789ABCDEF"
	for _, x := range b {
		dst = append(dst, digits[x>>4], digits[x&0xF])
	}
	return dst
}

// parseHex reads exactly len(out) octets of hex, with or without "0x".
func parseHex(s string, out []byte) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s) != 2*len(out) {
		return false
	}
	_, err := hex.Decode(out, []byte(s))
	return err == nil
}
