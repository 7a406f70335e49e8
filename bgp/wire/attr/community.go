package attr

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// Community is one COMMUNITIES value (RFC 1997): the high 16 bits are
// normally an AS number and the low 16 bits a value of its choosing.
type Community uint32

// Well-known communities (IANA "BGP Well-known Communities").
const (
	CommunityGracefulShutdown        Community = 0xFFFF0000 // RFC 8326
	CommunityAcceptOwn               Community = 0xFFFF0001 // RFC 7611
	CommunityRouteFilterTranslatedV4 Community = 0xFFFF0002 // draft-l3vpn-legacy-rtc
	CommunityRouteFilterV4           Community = 0xFFFF0003
	CommunityRouteFilterTranslatedV6 Community = 0xFFFF0004
	CommunityRouteFilterV6           Community = 0xFFFF0005
	CommunityLLGRStale               Community = 0xFFFF0006 // RFC 9494 §4.3
	CommunityNoLLGR                  Community = 0xFFFF0007 // RFC 9494 §4.4
	CommunityAcceptOwnNexthop        Community = 0xFFFF0008 // draft-agrewal-idr-accept-own-nexthop
	CommunityStandbyPE               Community = 0xFFFF0009 // RFC 9026
	CommunityBlackhole               Community = 0xFFFF029A // RFC 7999
	CommunityNoExport                Community = 0xFFFFFF01 // RFC 1997
	CommunityNoAdvertise             Community = 0xFFFFFF02 // RFC 1997
	CommunityNoExportSubconfed       Community = 0xFFFFFF03 // RFC 1997
	CommunityNoPeer                  Community = 0xFFFFFF04 // RFC 3765
)

var communityNames = [...]struct {
	c    Community
	name string
}{
	{CommunityGracefulShutdown, "graceful-shutdown"},
	{CommunityAcceptOwn, "accept-own"},
	{CommunityRouteFilterTranslatedV4, "route-filter-translated-v4"},
	{CommunityRouteFilterV4, "route-filter-v4"},
	{CommunityRouteFilterTranslatedV6, "route-filter-translated-v6"},
	{CommunityRouteFilterV6, "route-filter-v6"},
	{CommunityLLGRStale, "llgr-stale"},
	{CommunityNoLLGR, "no-llgr"},
	{CommunityAcceptOwnNexthop, "accept-own-nexthop"},
	{CommunityStandbyPE, "standby-pe"},
	{CommunityBlackhole, "blackhole"},
	{CommunityNoExport, "no-export"},
	{CommunityNoAdvertise, "no-advertise"},
	{CommunityNoExportSubconfed, "no-export-subconfed"},
	{CommunityNoPeer, "nopeer"},
}

// communityAliases are names accepted by ParseCommunity but never printed.
var communityAliases = map[string]Community{
	"planned-shut":         CommunityGracefulShutdown, // the name IANA first gave 0xFFFF0000
	"no-peer":              CommunityNoPeer,
	"no-export-sub-confed": CommunityNoExportSubconfed,
	"local-as":             CommunityNoExportSubconfed,
}

// Name returns the well-known name of c, or "".
func (c Community) Name() string {
	for _, n := range communityNames {
		if n.c == c {
			return n.name
		}
	}
	return ""
}

// AppendText appends the well-known name of c, or "HIGH:LOW" in decimal.
func (c Community) AppendText(dst []byte) []byte {
	if n := c.Name(); n != "" {
		return append(dst, n...)
	}
	dst = strconv.AppendUint(dst, uint64(c>>16), 10)
	dst = append(dst, ':')
	return strconv.AppendUint(dst, uint64(c&0xFFFF), 10)
}

// String returns the text form (see AppendText).
func (c Community) String() string { return string(c.AppendText(nil)) }

// ParseCommunity reads "HIGH:LOW" ("65000:100"), a well-known name
// ("no-export"), or one 32-bit number in decimal or 0x hex.
func ParseCommunity(s string) (Community, error) {
	for _, n := range communityNames {
		if n.name == s {
			return n.c, nil
		}
	}
	if c, ok := communityAliases[s]; ok {
		return c, nil
	}
	if hi, lo, ok := strings.Cut(s, ":"); ok {
		h, err1 := strconv.ParseUint(hi, 10, 16)
		l, err2 := strconv.ParseUint(lo, 10, 16)
		if err1 == nil && err2 == nil {
			return Community(h<<16 | l), nil
		}
	} else if n, err := strconv.ParseUint(s, 0, 32); err == nil {
		return Community(n), nil
	}
	return 0, errors.New("attr: bad community " + strconv.Quote(s) + ": want 0-65535:0-65535 or a well-known name such as no-export")
}

// Communities is a view of a COMMUNITIES value: a list of 4-octet
// communities. Read it by index; nothing is copied.
type Communities struct{ b []byte }

var errCommunityLen = errors.New("attr: community: length is not a non-zero multiple of 4")

// DecodeCommunities reads a COMMUNITIES value (RFC 7606 §7.8: the length
// must be a non-zero multiple of 4).
func DecodeCommunities(v []byte) (Communities, error) {
	if len(v) == 0 || len(v)%4 != 0 {
		return Communities{}, errCommunityLen
	}
	return Communities{v}, nil
}

// Count returns the number of communities.
func (c Communities) Count() int { return len(c.b) / 4 }

// At returns the i-th community.
func (c Communities) At(i int) Community { return Community(binary.BigEndian.Uint32(c.b[4*i:])) }

// Has reports whether x is in the list.
func (c Communities) Has(x Community) bool {
	for i := 0; i < c.Count(); i++ {
		if c.At(i) == x {
			return true
		}
	}
	return false
}

// Raw returns the value bytes.
func (c Communities) Raw() []byte { return c.b }

// AppendText appends the communities separated by spaces.
func (c Communities) AppendText(dst []byte) []byte {
	for i := 0; i < c.Count(); i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = c.At(i).AppendText(dst)
	}
	return dst
}

// String returns the text form.
func (c Communities) String() string { return string(c.AppendText(nil)) }

// Len returns the size of the whole attribute with flags 0xC0.
func (c Communities) Len() int { return Size(flagsOptTrans, len(c.b)) }

// WriteTo writes the COMMUNITIES attribute with flags 0xC0.
func (c Communities) WriteTo(buf []byte, off int) int { return c.WriteAttr(buf, off, flagsOptTrans) }

// WriteAttr writes the COMMUNITIES attribute with the given flags.
func (c Communities) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeValue(buf, off, flags, wire.AttrCommunity, c.b)
}

// CommunityList is a list of communities to send.
type CommunityList []Community

// Len returns the size of the whole attribute with flags 0xC0.
func (l CommunityList) Len() int { return Size(flagsOptTrans, 4*len(l)) }

// WriteTo writes the COMMUNITIES attribute with flags 0xC0.
func (l CommunityList) WriteTo(buf []byte, off int) int {
	h := wire.WriteAttrHeader(buf, off, flagsOptTrans, wire.AttrCommunity, 4*len(l))
	o := off + h
	for _, c := range l {
		binary.BigEndian.PutUint32(buf[o:], uint32(c))
		o += 4
	}
	return o - off
}

// ParseCommunities reads communities separated by spaces or commas.
func ParseCommunities(s string) (CommunityList, error) {
	var l CommunityList
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
		c, err := ParseCommunity(f)
		if err != nil {
			return nil, err
		}
		l = append(l, c)
	}
	return l, nil
}
