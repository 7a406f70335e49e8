package attr

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// LargeCommunity is one LARGE_COMMUNITY value (RFC 8092 §3): a Global
// Administrator (an AS number) and two 4-octet local data parts.
type LargeCommunity struct {
	Global, Local1, Local2 uint32
}

// AppendText appends "GLOBAL:LOCAL1:LOCAL2" ("65000:1:2").
func (c LargeCommunity) AppendText(dst []byte) []byte {
	dst = strconv.AppendUint(dst, uint64(c.Global), 10)
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, uint64(c.Local1), 10)
	dst = append(dst, ':')
	return strconv.AppendUint(dst, uint64(c.Local2), 10)
}

// String returns "GLOBAL:LOCAL1:LOCAL2".
func (c LargeCommunity) String() string { return string(c.AppendText(nil)) }

// ParseLargeCommunity reads "GLOBAL:LOCAL1:LOCAL2" with three 32-bit numbers.
func ParseLargeCommunity(s string) (LargeCommunity, error) {
	p := strings.Split(s, ":")
	if len(p) == 3 {
		a, e1 := strconv.ParseUint(p[0], 10, 32)
		b, e2 := strconv.ParseUint(p[1], 10, 32)
		c, e3 := strconv.ParseUint(p[2], 10, 32)
		if e1 == nil && e2 == nil && e3 == nil {
			return LargeCommunity{uint32(a), uint32(b), uint32(c)}, nil
		}
	}
	return LargeCommunity{}, errors.New("attr: bad large-community " + strconv.Quote(s) + ": want GLOBAL:LOCAL1:LOCAL2, each 0-4294967295")
}

// LargeCommunities is a view of a LARGE_COMMUNITY value, read by index.
type LargeCommunities struct{ b []byte }

var errLargeCommunityLen = errors.New("attr: large-community: length is not a non-zero multiple of 12")

// DecodeLargeCommunities reads a LARGE_COMMUNITY value (RFC 8092 §6: the
// length must be a non-zero multiple of 12; duplicates are not an error).
func DecodeLargeCommunities(v []byte) (LargeCommunities, error) {
	if len(v) == 0 || len(v)%12 != 0 {
		return LargeCommunities{}, errLargeCommunityLen
	}
	return LargeCommunities{v}, nil
}

// Count returns the number of large communities.
func (c LargeCommunities) Count() int { return len(c.b) / 12 }

// At returns the i-th large community.
func (c LargeCommunities) At(i int) LargeCommunity {
	b := c.b[12*i:]
	return LargeCommunity{binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:])}
}

// Raw returns the value bytes.
func (c LargeCommunities) Raw() []byte { return c.b }

// AppendText appends the large communities separated by spaces.
func (c LargeCommunities) AppendText(dst []byte) []byte {
	for i := 0; i < c.Count(); i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = c.At(i).AppendText(dst)
	}
	return dst
}

// String returns the text form.
func (c LargeCommunities) String() string { return string(c.AppendText(nil)) }

// Len returns the size of the whole attribute with flags 0xC0.
func (c LargeCommunities) Len() int { return Size(flagsOptTrans, len(c.b)) }

// WriteTo writes the LARGE_COMMUNITY attribute with flags 0xC0.
func (c LargeCommunities) WriteTo(buf []byte, off int) int {
	return c.WriteAttr(buf, off, flagsOptTrans)
}

// WriteAttr writes the LARGE_COMMUNITY attribute with the given flags.
func (c LargeCommunities) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeValue(buf, off, flags, wire.AttrLargeCommunity, c.b)
}

// LargeCommunityList is a list of large communities to send.
type LargeCommunityList []LargeCommunity

// Len returns the size of the whole attribute with flags 0xC0.
func (l LargeCommunityList) Len() int { return Size(flagsOptTrans, 12*len(l)) }

// WriteTo writes the LARGE_COMMUNITY attribute with flags 0xC0.
func (l LargeCommunityList) WriteTo(buf []byte, off int) int {
	h := wire.WriteAttrHeader(buf, off, flagsOptTrans, wire.AttrLargeCommunity, 12*len(l))
	o := off + h
	for _, c := range l {
		binary.BigEndian.PutUint32(buf[o:], c.Global)
		binary.BigEndian.PutUint32(buf[o+4:], c.Local1)
		binary.BigEndian.PutUint32(buf[o+8:], c.Local2)
		o += 12
	}
	return o - off
}

// ParseLargeCommunities reads large communities separated by spaces or commas.
func ParseLargeCommunities(s string) (LargeCommunityList, error) {
	var l LargeCommunityList
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
		c, err := ParseLargeCommunity(f)
		if err != nil {
			return nil, err
		}
		l = append(l, c)
	}
	return l, nil
}
