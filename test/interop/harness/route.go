package harness

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Family is an address family in ze's spelling.
type Family string

// The families the harness configures.
const (
	IPv4Unicast Family = "ipv4/unicast"
	IPv6Unicast Family = "ipv6/unicast"
)

// FamilyOf returns the unicast family of a prefix or address.
func FamilyOf(a netip.Addr) Family {
	if a.Is4() {
		return IPv4Unicast
	}
	return IPv6Unicast
}

// Community is an RFC 1997 community, high 16 bits the AS.
type Community uint32

// NewCommunity builds asn:value.
func NewCommunity(asn, value uint16) Community { return Community(uint32(asn)<<16 | uint32(value)) }

// String is the asn:value form every daemon prints.
func (c Community) String() string { return fmt.Sprintf("%d:%d", uint32(c)>>16, uint32(c)&0xffff) }

// wellKnown are the RFC 1997 and RFC 3765 communities that daemons print by name.
var wellKnown = map[string]Community{
	"no-export": 0xFFFFFF01, "no-advertise": 0xFFFFFF02, "no-export-subconfed": 0xFFFFFF03,
	"local-as": 0xFFFFFF03, "nopeer": 0xFFFFFF04, "no-peer": 0xFFFFFF04,
}

// ParseCommunity reads asn:value, or a well-known community's name.
func ParseCommunity(s string) (Community, error) {
	if c, ok := wellKnown[strings.ToLower(strings.TrimSpace(s))]; ok {
		return c, nil
	}
	a, v, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, fmt.Errorf("harness: community %q: want asn:value", s)
	}
	an, err1 := strconv.ParseUint(a, 10, 16)
	vn, err2 := strconv.ParseUint(v, 10, 16)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("harness: community %q: want two 16-bit numbers", s)
	}
	return NewCommunity(uint16(an), uint16(vn)), nil
}

// LargeCommunity is an RFC 8092 large community.
type LargeCommunity struct {
	Global, Local1, Local2 uint32
}

// String is the global:local1:local2 form.
func (l LargeCommunity) String() string {
	return fmt.Sprintf("%d:%d:%d", l.Global, l.Local1, l.Local2)
}

// ParseLargeCommunity reads global:local1:local2 (also with commas and spaces, as BIRD prints).
func ParseLargeCommunity(s string) (LargeCommunity, error) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' || r == '(' || r == ')' })
	if len(f) != 3 {
		return LargeCommunity{}, fmt.Errorf("harness: large community %q: want three numbers", s)
	}
	var n [3]uint32
	for i, x := range f {
		v, err := strconv.ParseUint(x, 10, 32)
		if err != nil {
			return LargeCommunity{}, fmt.Errorf("harness: large community %q: %w", s, err)
		}
		n[i] = uint32(v)
	}
	return LargeCommunity{n[0], n[1], n[2]}, nil
}

// Origin is the ORIGIN attribute (RFC 4271 §5.1.1) in ze's spelling; "" is unset.
type Origin string

// The three ORIGIN values.
const (
	OriginIGP        Origin = "igp"
	OriginEGP        Origin = "egp"
	OriginIncomplete Origin = "incomplete"
)

// ParseOrigin reads an ORIGIN as the daemons print it: igp, egp, incomplete in any case, BIRD's
// and OpenBGPD's short forms i, e, ?, or the attribute's value 0, 1, 2.
func ParseOrigin(s string) (Origin, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "igp", "i", "0":
		return OriginIGP, nil
	case "egp", "e", "1":
		return OriginEGP, nil
	case "incomplete", "?", "2":
		return OriginIncomplete, nil
	}
	return "", fmt.Errorf("harness: origin %q: want igp, egp or incomplete", s)
}

// Route is a route to announce, or one read back from a daemon.
type Route struct {
	Prefix netip.Prefix
	// NextHop is set on routes read back; on routes to announce, the zero value means "self".
	// In an expected route (CheckRoutes' want), a valid NextHop is compared.
	NextHop netip.Addr
	// Origin is sent when set (else the daemon's default); in an expected route it is compared
	// when set.
	Origin Origin
	// MED is sent when HasMED.
	MED    uint32
	HasMED bool
	// Communities and LargeCommunities are compared as sets.
	Communities      []Community
	LargeCommunities []LargeCommunity
	// ASPath is filled on routes read back. On a route to announce it is the path the speaker
	// prepends its own AS to (only ze and GoBGP announce one; the other launchers ignore it). In
	// an expected route, a non-nil ASPath is compared in order.
	ASPath []uint32
	// PathID is the ADD-PATH path identifier on routes read back, where the daemon shows it.
	PathID uint32
}

// Family is the route's address family.
func (r Route) Family() Family { return FamilyOf(r.Prefix.Addr()) }

// String prints the route in one line for test messages.
func (r Route) String() string {
	var b strings.Builder
	b.WriteString(r.Prefix.String())
	if r.NextHop.IsValid() {
		b.WriteString(" next-hop " + r.NextHop.String())
	}
	if r.Origin != "" {
		b.WriteString(" origin " + string(r.Origin))
	}
	if r.HasMED {
		fmt.Fprintf(&b, " med %d", r.MED)
	}
	if len(r.Communities) > 0 {
		fmt.Fprintf(&b, " community %v", r.Communities)
	}
	if len(r.LargeCommunities) > 0 {
		fmt.Fprintf(&b, " large-community %v", r.LargeCommunities)
	}
	if len(r.ASPath) > 0 {
		fmt.Fprintf(&b, " as-path %v", r.ASPath)
	}
	return b.String()
}

// Mismatch says how got differs from want in prefix, MED, communities and large communities (the
// attributes a test announces), and in next hop, AS path and origin where want sets them (see
// Received, which fills them in from what the sender is), or returns "" when they agree.
func Mismatch(want, got Route) string {
	var d []string
	if want.Prefix != got.Prefix {
		d = append(d, fmt.Sprintf("prefix %s, want %s", got.Prefix, want.Prefix))
	}
	if want.NextHop.IsValid() && want.NextHop != got.NextHop {
		d = append(d, fmt.Sprintf("next hop %s, want %s", addrString(got.NextHop), want.NextHop))
	}
	if want.ASPath != nil && !slices.Equal(want.ASPath, got.ASPath) {
		d = append(d, fmt.Sprintf("as-path %v, want %v", got.ASPath, want.ASPath))
	}
	if want.Origin != "" && want.Origin != got.Origin {
		d = append(d, fmt.Sprintf("origin %s, want %s", originString(got.Origin), want.Origin))
	}
	if want.HasMED != got.HasMED || want.MED != got.MED {
		d = append(d, fmt.Sprintf("med %s, want %s", medString(got), medString(want)))
	}
	if !sameSet(want.Communities, got.Communities) {
		d = append(d, fmt.Sprintf("communities %v, want %v", got.Communities, want.Communities))
	}
	if !sameSet(want.LargeCommunities, got.LargeCommunities) {
		d = append(d, fmt.Sprintf("large communities %v, want %v", got.LargeCommunities, want.LargeCommunities))
	}
	return strings.Join(d, "; ")
}

// Received is the route as an eBGP peer of a speaker in AS as receives it: the AS path with as
// prepended to the one announced, the next hop the announced one or else self (the speaker's
// address on the session), the origin as announced (IGP when none was given: every launcher
// sends IGP by default).
func (r Route) Received(as uint32, self netip.Addr) Route {
	out := r
	out.ASPath = append([]uint32{as}, r.ASPath...)
	if !out.NextHop.IsValid() {
		out.NextHop = self
	}
	if out.Origin == "" {
		out.Origin = OriginIGP
	}
	return out
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return "none"
	}
	return a.String()
}

func originString(o Origin) string {
	if o == "" {
		return "none"
	}
	return string(o)
}

func medString(r Route) string {
	if !r.HasMED {
		return "none"
	}
	return strconv.FormatUint(uint64(r.MED), 10)
}

func sameSet[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

// testOrigins are the origins TestRoutes gives in turn, so that a check of the origin cannot
// pass on a daemon's default.
var testOrigins = []Origin{OriginIGP, OriginEGP, OriginIncomplete}

// TestRoutes returns n routes of the family of base with distinct MED, communities and large
// communities: route i is base's i-th subnet of length bits, origin igp, egp, incomplete in
// turn, MED 100+i, communities asn:i and asn:1000+i, large community asn:i:i*2. asn must fit
// 16 bits.
func TestRoutes(base netip.Prefix, bits, n int, asn uint16) []Route {
	out := make([]Route, 0, n)
	addr := base.Masked().Addr()
	for i := 0; i < n; i++ {
		p := netip.PrefixFrom(addr, bits)
		out = append(out, Route{
			Prefix:           p,
			Origin:           testOrigins[i%len(testOrigins)],
			MED:              uint32(100 + i),
			HasMED:           true,
			Communities:      []Community{NewCommunity(asn, uint16(i+1)), NewCommunity(asn, uint16(1000+i))},
			LargeCommunities: []LargeCommunity{{uint32(asn), uint32(i + 1), uint32(2 * (i + 1))}},
		})
		addr = nextSubnet(addr, bits)
	}
	return out
}

// nextSubnet adds one at bit position bits of addr.
func nextSubnet(a netip.Addr, bits int) netip.Addr {
	b := a.AsSlice()
	bit := bits - 1
	for i := bit / 8; i >= 0; i-- {
		inc := byte(1)
		if i == bit/8 {
			inc = 1 << (7 - uint(bit%8))
		}
		old := b[i]
		b[i] += inc
		if b[i] > old {
			break
		}
	}
	r, _ := netip.AddrFromSlice(b)
	return r
}

// FindRoute returns the route for p in rs.
func FindRoute(rs []Route, p netip.Prefix) (Route, bool) {
	for _, r := range rs {
		if r.Prefix == p {
			return r, true
		}
	}
	return Route{}, false
}

// origin is the ORIGIN a launcher sends for r: r.Origin, or IGP.
func (r Route) origin() Origin {
	if r.Origin == "" {
		return OriginIGP
	}
	return r.Origin
}

// asPathText joins an AS path with sep.
func asPathText(p []uint32, sep string) string {
	s := make([]string, len(p))
	for i, a := range p {
		s[i] = strconv.FormatUint(uint64(a), 10)
	}
	return strings.Join(s, sep)
}
