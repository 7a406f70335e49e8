package attr

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// IPv6ExtCommunity is one IPv6 Address Specific Extended Community (RFC
// 5701 §2): type (1), sub-type (1), IPv6 global administrator (16), local
// administrator (2).
type IPv6ExtCommunity [20]byte

// Type returns the type octet (0x00 transitive, 0x40 non-transitive).
func (e IPv6ExtCommunity) Type() uint8 { return e[0] }

// SubType returns the sub-type octet.
func (e IPv6ExtCommunity) SubType() uint8 { return e[1] }

// Addr returns the global administrator.
func (e IPv6ExtCommunity) Addr() netip.Addr { return netip.AddrFrom16([16]byte(e[2:18])) }

// Local returns the local administrator.
func (e IPv6ExtCommunity) Local() uint16 { return binary.BigEndian.Uint16(e[18:]) }

// ipv6ExtNames are the sub-types of the transitive type 0x00 with a name:
// route target and route origin (RFC 5701 §3), VRF route import (RFC 6515
// §2) and flow spec redirect (RFC 8956 §6.1).
var ipv6ExtNames = [...]struct {
	sub  byte
	name string
}{{0x02, "target"}, {0x03, "origin"}, {0x0B, "vrf-import"}, {0x0D, "redirect"}}

// AppendText appends "NAME:IPV6:LOCAL" ("target:2001:db8::1:100") for the
// named sub-types of type 0x00, or the 20 octets in uppercase hex.
func (e IPv6ExtCommunity) AppendText(dst []byte) []byte {
	if e[0] == 0x00 {
		for _, n := range ipv6ExtNames {
			if n.sub == e[1] {
				dst = append(append(dst, n.name...), ':')
				dst = e.Addr().AppendTo(dst)
				dst = append(dst, ':')
				return strconv.AppendUint(dst, uint64(e.Local()), 10)
			}
		}
	}
	return appendHex(dst, e[:])
}

// String returns the text form.
func (e IPv6ExtCommunity) String() string { return string(e.AppendText(nil)) }

// ParseIPv6ExtCommunity reads the text form of AppendText or 40 hex digits.
func ParseIPv6ExtCommunity(s string) (IPv6ExtCommunity, error) {
	var e IPv6ExtCommunity
	if parseHex(s, e[:]) {
		return e, nil
	}
	name, rest, _ := strings.Cut(s, ":")
	i := strings.LastIndexByte(rest, ':')
	for _, n := range ipv6ExtNames {
		if n.name != name || i < 0 {
			continue
		}
		ip, err := netip.ParseAddr(rest[:i])
		l, ok := parseUintArg(rest[i+1:], 16)
		if err != nil || !ip.Is6() || ip.Zone() != "" || !ok {
			break
		}
		e[1] = n.sub
		a := ip.As16()
		copy(e[2:], a[:])
		binary.BigEndian.PutUint16(e[18:], uint16(l))
		return e, nil
	}
	return e, errors.New("attr: bad ipv6-extended-community " + strconv.Quote(s) + ": want target|origin|vrf-import|redirect:IPV6:LOCAL or 40 hex digits")
}

// IPv6ExtCommunities is a view of an IPv6 Address Specific Extended
// Community value (attribute 25), read by index.
type IPv6ExtCommunities struct{ b []byte }

var errIPv6ExtCommunityLen = errors.New("attr: ipv6-extended-community: length is not a non-zero multiple of 20")

// DecodeIPv6ExtCommunities reads an attribute 25 value (RFC 7606 §7.15:
// the length must be a non-zero multiple of 20).
func DecodeIPv6ExtCommunities(v []byte) (IPv6ExtCommunities, error) {
	if len(v) == 0 || len(v)%20 != 0 {
		return IPv6ExtCommunities{}, errIPv6ExtCommunityLen
	}
	return IPv6ExtCommunities{v}, nil
}

// Count returns the number of communities.
func (c IPv6ExtCommunities) Count() int { return len(c.b) / 20 }

// At returns the i-th community.
func (c IPv6ExtCommunities) At(i int) IPv6ExtCommunity { return IPv6ExtCommunity(c.b[20*i:]) }

// Raw returns the value bytes.
func (c IPv6ExtCommunities) Raw() []byte { return c.b }

// AppendText appends the communities separated by spaces.
func (c IPv6ExtCommunities) AppendText(dst []byte) []byte {
	for i := 0; i < c.Count(); i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = c.At(i).AppendText(dst)
	}
	return dst
}

// String returns the text form.
func (c IPv6ExtCommunities) String() string { return string(c.AppendText(nil)) }

// Len returns the size of the whole attribute with flags 0xC0.
func (c IPv6ExtCommunities) Len() int { return Size(flagsOptTrans, len(c.b)) }

// WriteTo writes attribute 25 with flags 0xC0.
func (c IPv6ExtCommunities) WriteTo(buf []byte, off int) int {
	return c.WriteAttr(buf, off, flagsOptTrans)
}

// WriteAttr writes attribute 25 with the given flags.
func (c IPv6ExtCommunities) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeValue(buf, off, flags, wire.AttrIPv6ExtCommunity, c.b)
}

// IPv6ExtCommunityList is a list of IPv6 extended communities to send.
type IPv6ExtCommunityList []IPv6ExtCommunity

// Len returns the size of the whole attribute with flags 0xC0.
func (l IPv6ExtCommunityList) Len() int { return Size(flagsOptTrans, 20*len(l)) }

// WriteTo writes attribute 25 with flags 0xC0.
func (l IPv6ExtCommunityList) WriteTo(buf []byte, off int) int {
	h := wire.WriteAttrHeader(buf, off, flagsOptTrans, wire.AttrIPv6ExtCommunity, 20*len(l))
	o := off + h
	for i := range l {
		o += copy(buf[o:], l[i][:])
	}
	return o - off
}
