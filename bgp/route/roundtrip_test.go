package route

import (
	"encoding/binary"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
)

// The round-trip property: a route command generated at random, built into
// UPDATEs with Update.Build and read back with wire.ParseUpdateMessage and
// the attr decoders, gives back what was generated: every prefix once, in
// order, with its path id, and every attribute value equal. The expected
// values are computed here from the RFCs, not through the attr parsers, so
// a wrong text form is caught as well as a wrong encoder.
//
// Each case has its own seed, derived from -seed and the case number; a
// failure prints the seed, the context and the command to rerun it with
// `go test -run 'TestRoundTrip/case-017' ./bgp/route -args -seed=N`.

var seedFlag = flag.Uint64("seed", 0, "seed of the round-trip property test (0: derived from the test name)")

const roundTripCases = 400

func TestRoundTrip(t *testing.T) {
	base := *seedFlag
	if base == 0 {
		h := fnv.New64a()
		h.Write([]byte(t.Name()))
		base = h.Sum64()
	}
	seen := map[string]int{}
	for i := range roundTripCases {
		t.Run(fmt.Sprintf("case-%03d", i), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(base, uint64(i)))
			m := genModel(rng)
			ctx := genContext(rng, m)
			cmd := m.command(rng)
			t.Logf("seed %d case %d, %s\ncommand: %.2000s", base, i, ctxString(ctx), cmd)
			seen["case"]++
			for _, f := range checkRoundTrip(t, m, ctx, cmd) {
				seen[f]++
			}
		})
	}
	// The generator must keep reaching every case it is meant to: a change
	// that stops it from reaching one would make the property weaker
	// without failing it. Checked for the default seed over all the cases
	// (not when -run picks some).
	t.Logf("seed %d: %v", base, seen)
	if *seedFlag != 0 || seen["case"] != roundTripCases {
		return
	}
	for _, f := range []string{"message", "route", "split", "split extended", "asn4 off", "as4-path", "as4-aggregator",
		"as4-path ignored", "path-id", "add-path id 0", "mapped next hop", "link-local", "extended next hop",
		"classic withdraw", "mp withdraw", "classic announce", "mp announce", "empty as-path", "as-set"} {
		if seen[f] == 0 {
			t.Errorf("no case reached %q", f)
		}
	}
}

// ---- the model: what a command says ----

type prefixRoute struct {
	prefix netip.Prefix
	pathID uint32
}

type section struct {
	family   wire.Family
	withdraw bool
	routes   []prefixRoute
	pathIDs  bool // path-id clauses are written
}

// pathAttrs are the attributes as values; a nil pointer or slice is an
// attribute that is not sent.
type pathAttrs struct {
	origin      *attr.Origin
	asPath      []attr.ASPathSegment // with hasASPath; empty is the empty AS_PATH
	hasASPath   bool
	med         *uint32
	localPref   *uint32
	atomic      bool
	aggregator  *attr.Aggregator
	communities []attr.Community
	ext         []attr.ExtCommunity
	large       []attr.LargeCommunity
	originator  *netip.Addr
	clusters    []netip.Addr
	// AS4_PATH and AS4_AGGREGATOR are present on the wire (2-octet sessions).
	as4Path, as4Agg bool
}

type model struct {
	attrs    pathAttrs
	clauses  [][]string // one per attribute, in the order the command gives them
	nextHop  []netip.Addr
	sections []section
}

var families = []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast, wire.IPv4Multicast, wire.IPv6Multicast}

type namedCommunity struct {
	name string
	v    attr.Community
}

// wellKnown are the community names of RFC 1997, 7611, 7999, 8326, 9494 with
// their IANA values, written out here rather than taken from attr.
var wellKnown = []namedCommunity{
	{"no-export", 0xFFFFFF01}, {"no-advertise", 0xFFFFFF02}, {"no-export-subconfed", 0xFFFFFF03},
	{"nopeer", 0xFFFFFF04}, {"blackhole", 0xFFFF029A}, {"graceful-shutdown", 0xFFFF0000},
	{"accept-own", 0xFFFF0001}, {"llgr-stale", 0xFFFF0006}, {"no-llgr", 0xFFFF0007},
}

func genASN(rng *rand.Rand) uint32 {
	for {
		var a uint32
		switch rng.IntN(3) {
		case 0:
			a = 1 + rng.Uint32N(0xFFFF)
		case 1:
			a = 64512 + rng.Uint32N(1023)
		default:
			a = 0x10000 + rng.Uint32N(0xFFFFFFFF-0x10000)
		}
		if a != attr.ASTrans {
			return a
		}
	}
}

func genAddr4(rng *rand.Rand) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], rng.Uint32())
	return netip.AddrFrom4(b)
}

func genAddr6(rng *rand.Rand) netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:], rng.Uint64())
	binary.BigEndian.PutUint64(b[8:], rng.Uint64())
	b[0] = 0x20 // not IPv4-mapped, not link-local
	return netip.AddrFrom16(b)
}

func genPrefix(rng *rand.Rand, v6 bool) netip.Prefix {
	if v6 {
		return netip.PrefixFrom(genAddr6(rng), rng.IntN(129)).Masked()
	}
	return netip.PrefixFrom(genAddr4(rng), rng.IntN(33)).Masked()
}

func list(words []string) string { return "[" + strings.Join(words, " ") + "]" }

// genModel draws the attributes, the next hop and the NLRI sections.
func genModel(rng *rand.Rand) *model {
	m := &model{}
	a := &m.attrs
	add := func(c ...string) { m.clauses = append(m.clauses, c) }
	if rng.IntN(8) != 0 {
		o := attr.Origin(rng.IntN(3))
		a.origin = &o
		add("origin", "set", []string{"igp", "egp", "incomplete"}[o])
	}
	if rng.IntN(8) != 0 {
		a.hasASPath = true
		var words []string
		for range rng.IntN(5) {
			n := 1 + rng.IntN(8)
			asns := make([]uint32, n)
			txt := make([]string, n)
			for i := range asns {
				asns[i] = genASN(rng)
				txt[i] = strconv.FormatUint(uint64(asns[i]), 10)
			}
			typ := attr.ASSequence
			if rng.IntN(3) == 0 {
				typ = attr.ASSet
				open, closing := "(", ")"
				if rng.IntN(2) == 0 {
					open, closing = "{", "}"
				}
				words = append(words, open+strings.Join(txt, " ")+closing)
			} else {
				words = append(words, txt...)
			}
			// Sequences next to each other are one sequence in text.
			if k := len(a.asPath) - 1; typ == attr.ASSequence && k >= 0 && a.asPath[k].Type == attr.ASSequence {
				a.asPath[k].ASNs = append(a.asPath[k].ASNs, asns...)
				continue
			}
			a.asPath = append(a.asPath, attr.ASPathSegment{Type: typ, ASNs: asns})
		}
		add("as-path", "set", list(words))
	}
	if rng.IntN(2) == 0 {
		v := rng.Uint32()
		a.med = &v
		add("med", "set", strconv.FormatUint(uint64(v), 10))
	}
	if rng.IntN(2) == 0 {
		v := rng.Uint32()
		a.localPref = &v
		kw := "local-preference"
		if rng.IntN(2) == 0 {
			kw = "local-pref"
		}
		add(kw, "set", strconv.FormatUint(uint64(v), 10))
	}
	if rng.IntN(4) == 0 {
		a.atomic = true
		add("atomic-aggregate", "set", "true")
	}
	if rng.IntN(3) == 0 {
		g := attr.Aggregator{ASN: genASN(rng), Addr: genAddr4(rng)}
		a.aggregator = &g
		add("aggregator", "set", fmt.Sprintf("%d:%s", g.ASN, g.Addr))
	}
	if rng.IntN(2) == 0 {
		n := 1 + rng.IntN(6)
		words := make([]string, n)
		for i := range n {
			if rng.IntN(3) == 0 {
				w := wellKnown[rng.IntN(len(wellKnown))]
				words[i] = w.name
				continue
			}
			hi, lo := rng.Uint32N(0xFFEF), rng.Uint32N(0x10000) // below the reserved 0xFFFF0000 range
			words[i] = fmt.Sprintf("%d:%d", hi, lo)
		}
		// A second clause adds to the first, in the order of the command.
		if cut := rng.IntN(n + 1); cut > 0 && cut < n {
			add("community", "set", list(words[:cut]))
			add("community", "add", list(words[cut:]))
		} else {
			add("community", "set", list(words))
		}
	}
	if rng.IntN(2) == 0 {
		n := 1 + rng.IntN(5)
		words := make([]string, n)
		for i := range n {
			words[i], a.ext = genExtCommunity(rng, a.ext)
		}
		add("extended-community", "set", list(words))
	}
	if rng.IntN(2) == 0 {
		n := 1 + rng.IntN(4)
		words := make([]string, n)
		for i := range n {
			c := attr.LargeCommunity{Global: rng.Uint32(), Local1: rng.Uint32(), Local2: rng.Uint32()}
			a.large = append(a.large, c)
			words[i] = fmt.Sprintf("%d:%d:%d", c.Global, c.Local1, c.Local2)
		}
		add("large-community", "set", list(words))
	}
	if rng.IntN(3) == 0 {
		id := genAddr4(rng)
		a.originator = &id
		add("originator-id", "set", id.String())
	}
	if rng.IntN(3) == 0 {
		n := 1 + rng.IntN(4)
		words := make([]string, n)
		for i := range n {
			a.clusters = append(a.clusters, genAddr4(rng))
			words[i] = a.clusters[i].String()
		}
		add("cluster-list", "set", list(words))
	}
	rng.Shuffle(len(m.clauses), func(i, j int) { m.clauses[i], m.clauses[j] = m.clauses[j], m.clauses[i] })
	for _, c := range m.clauses {
		if c[0] == "community" {
			a.communities = append(a.communities, communityValues(c[2])...)
		}
	}

	// One to three sections; now and then a large one that needs several messages.
	for range 1 + rng.IntN(3) {
		s := section{family: families[rng.IntN(len(families))], withdraw: rng.IntN(3) == 0}
		n := 1 + rng.IntN(6)
		if rng.IntN(8) == 0 {
			n = 500 + rng.IntN(6000)
		}
		for range n {
			s.routes = append(s.routes, prefixRoute{prefix: genPrefix(rng, s.family.AFI == wire.AFIIPv6)})
		}
		m.sections = append(m.sections, s)
	}

	// The next hop: IPv4 serves every family (IPv4-mapped for IPv6); an
	// IPv6 one, with a link-local one or not, needs extended next hop for
	// the IPv4 families (genContext sets it).
	switch rng.IntN(3) {
	case 0:
		m.nextHop = []netip.Addr{genAddr4(rng)}
	case 1:
		m.nextHop = []netip.Addr{genAddr6(rng)}
	default:
		ll := genAddr6(rng).As16()
		ll[0], ll[1] = 0xFE, 0x80
		m.nextHop = []netip.Addr{genAddr6(rng), netip.AddrFrom16(ll)}
	}
	return m
}

// communityValues reads back the list genModel wrote: names through the
// table above, HIGH:LOW by hand.
func communityValues(l string) []attr.Community {
	var out []attr.Community
	for _, w := range strings.Fields(strings.Trim(l, "[]")) {
		if i := slices.IndexFunc(wellKnown, func(x namedCommunity) bool { return x.name == w }); i >= 0 {
			out = append(out, wellKnown[i].v)
			continue
		}
		hi, lo, _ := strings.Cut(w, ":")
		h, _ := strconv.ParseUint(hi, 10, 16)
		l, _ := strconv.ParseUint(lo, 10, 16)
		out = append(out, attr.Community(h<<16|l))
	}
	return out
}

// genExtCommunity appends a route target or route origin (RFC 4360, RFC
// 5668) in one of its three forms and returns its text.
func genExtCommunity(rng *rand.Rand, to []attr.ExtCommunity) (string, []attr.ExtCommunity) {
	var c attr.ExtCommunity
	name, sub := "target", byte(0x02)
	if rng.IntN(2) == 0 {
		name, sub = "origin", 0x03
	}
	c[1] = sub
	var txt string
	switch rng.IntN(4) {
	case 0: // 2-octet AS : 4-octet number
		as, n := rng.Uint32N(0x10000), rng.Uint32()
		c[0] = 0x00
		binary.BigEndian.PutUint16(c[2:], uint16(as))
		binary.BigEndian.PutUint32(c[4:], n)
		txt = fmt.Sprintf("%s:%d:%d", name, as, n)
	case 1: // IPv4 address : 2-octet number
		ip, n := genAddr4(rng), rng.Uint32N(0x10000)
		c[0] = 0x01
		a := ip.As4()
		copy(c[2:], a[:])
		binary.BigEndian.PutUint16(c[6:], uint16(n))
		txt = fmt.Sprintf("%s:%s:%d", name, ip, n)
	case 2: // 4-octet AS : 2-octet number
		as, n := 0x10000+rng.Uint32N(0xFFFF0000), rng.Uint32N(0x10000)
		c[0] = 0x02
		binary.BigEndian.PutUint32(c[2:], as)
		binary.BigEndian.PutUint16(c[6:], uint16(n))
		txt = fmt.Sprintf("%s:%d:%d", name, as, n)
	default: // the same with a small AS number, marked with L
		as, n := rng.Uint32N(0x10000), rng.Uint32N(0x10000)
		c[0] = 0x02
		binary.BigEndian.PutUint32(c[2:], as)
		binary.BigEndian.PutUint16(c[6:], uint16(n))
		txt = fmt.Sprintf("%s:%dL:%d", name, as, n)
	}
	return txt, append(to, c)
}

// genContext draws the session: 4-octet AS numbers, extended message and
// ADD-PATH per family at random; extended next hop where an IPv6 next hop
// meets an IPv4 family. It also draws the path ids of the families with
// ADD-PATH, so the model's routes are complete.
func genContext(rng *rand.Rand, m *model) *wire.EncodingContext {
	ctx := wire.NewContext(rng.IntN(2) == 0, rng.IntN(3) == 0)
	for _, f := range families {
		if rng.IntN(2) == 0 {
			ctx.SetAddPath(f, true)
		}
		if m.nextHop[0].Is6() && f.AFI == wire.AFIIPv4 {
			ctx.SetExtNextHop(f, true)
		}
	}
	for i := range m.sections {
		s := &m.sections[i]
		if !ctx.AddPath(s.family) || rng.IntN(4) == 0 {
			continue // no path-id clause: path id 0 on an ADD-PATH session
		}
		s.pathIDs = true
		id := rng.Uint32()
		for j := range s.routes {
			if j == 0 || rng.IntN(3) == 0 {
				id = rng.Uint32()
				if rng.IntN(4) == 0 {
					id = uint32(rng.IntN(4))
				}
			}
			s.routes[j].pathID = id
		}
	}
	m.attrs.expectDefaults()
	m.attrs.expectAS4(ctx)
	return ctx
}

// expectDefaults records the well-known mandatory attributes the encoder
// adds when a text command leaves them out: ORIGIN igp, an empty AS_PATH.
func (a *pathAttrs) expectDefaults() {
	if a.origin == nil {
		o := attr.OriginIGP
		a.origin = &o
	}
	a.hasASPath = true
}

// expectAS4 records which RFC 6793 attributes a session without 4-octet AS
// numbers carries, and what its receiver makes of them: AS4_PATH when the
// path has an AS number above 65535, AS4_AGGREGATOR when the aggregator has.
// When AGGREGATOR holds a real 2-octet AS (not AS_TRANS) the receiver
// ignores AS4_PATH (RFC 6793 §4.2.3), so the path reads with AS_TRANS.
func (a *pathAttrs) expectAS4(ctx *wire.EncodingContext) {
	if ctx.ASN4Enabled() {
		return
	}
	for _, s := range a.asPath {
		for _, x := range s.ASNs {
			if x > 0xFFFF {
				a.as4Path = true
			}
		}
	}
	a.as4Agg = a.aggregator != nil && a.aggregator.ASN > 0xFFFF
	if a.as4Path && a.aggregator != nil && !a.as4Agg {
		for i, s := range a.asPath {
			asns := slices.Clone(s.ASNs)
			for j, x := range asns {
				if x > 0xFFFF {
					asns[j] = attr.ASTrans
				}
			}
			a.asPath[i].ASNs = asns
		}
	}
}

// command writes the model as a route command.
func (m *model) command(rng *rand.Rand) string {
	w := []string{"update", "text"}
	if rng.IntN(4) == 0 {
		w = w[1:]
	}
	nh := make([]string, len(m.nextHop))
	for i, a := range m.nextHop {
		nh[i] = a.String()
	}
	nhClause := []string{[]string{"nhop", "next-hop"}[rng.IntN(2)], "set"}
	if len(nh) == 1 && rng.IntN(2) == 0 {
		nhClause = append(nhClause, nh[0])
	} else {
		nhClause = append(nhClause, list(nh))
	}
	nhAt := rng.IntN(len(m.clauses) + 1)
	for i, c := range m.clauses {
		if i == nhAt {
			w = append(w, nhClause...)
		}
		w = append(w, c...)
	}
	if nhAt == len(m.clauses) {
		w = append(w, nhClause...)
	}
	for _, s := range m.sections {
		act := "add"
		if s.withdraw {
			act = "del"
		}
		w = append(w, "nlri", s.family.String(), act)
		for j, r := range s.routes {
			if s.pathIDs && (j == 0 || r.pathID != s.routes[j-1].pathID) {
				w = append(w, "path-id", strconv.FormatUint(uint64(r.pathID), 10))
			}
			p := r.prefix.String()
			if r.prefix.IsSingleIP() && rng.IntN(2) == 0 {
				p = r.prefix.Addr().String() // a bare address is a host route
			}
			w = append(w, p)
		}
	}
	return strings.Join(w, " ")
}

func ctxString(ctx *wire.EncodingContext) string {
	return fmt.Sprintf("asn4 %v, extended message %v, add-path %v", ctx.ASN4Enabled(), ctx.ExtMessage, ctx.AddPathFamilies())
}

// ---- decoding ----

// chunk is what one message carries: one family's routes, announced or
// withdrawn, and for an announcement its attributes and next hop.
type chunk struct {
	family   wire.Family
	withdraw bool
	routes   []prefixRoute
	attrs    pathAttrs
	nextHop  []netip.Addr
	size     int // message size
	first    int // size of the first NLRI, path id included
}

// checkRoundTrip builds cmd under ctx, decodes every message and compares
// with the model. It returns the features the case exercised.
func checkRoundTrip(t *testing.T, m *model, ctx *wire.EncodingContext, cmd string) (features []string) {
	t.Helper()
	u, err := Parse(cmd)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var chunks []chunk
	err = u.Build(ctx, func(msg []byte) error {
		c, err := decodeMessage(msg, ctx, m)
		if err != nil {
			return fmt.Errorf("message %d %X: %w", len(chunks), msg, err)
		}
		chunks = append(chunks, c)
		return nil
	})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}

	// Messages of one section follow each other; each is as full as the
	// session allows (the next one's first NLRI would not have fitted),
	// except the last of a section.
	boundary := map[int]bool{}
	at := 0
	for _, s := range m.sections {
		at += len(s.routes)
		boundary[at] = true
	}
	var got []section
	at = 0
	for i, c := range chunks {
		if c.size > ctx.MaxLen() {
			t.Errorf("message %d is %d octets, over %d", i, c.size, ctx.MaxLen())
		}
		if p := len(chunks[max(i-1, 0)].routes); i > 0 && !boundary[at] && chunks[i-1].size+c.first <= ctx.MaxLen() {
			t.Errorf("message %d (%d octets, %d routes) had room for the first NLRI of message %d (%d octets)", i-1, chunks[i-1].size, p, i, c.first)
		}
		at += len(c.routes)
		if k := len(got) - 1; k >= 0 && got[k].family == c.family && got[k].withdraw == c.withdraw {
			got[k].routes = append(got[k].routes, c.routes...)
		} else {
			got = append(got, section{family: c.family, withdraw: c.withdraw, routes: c.routes})
		}
		if c.withdraw {
			continue
		}
		if !reflect.DeepEqual(c.attrs, m.attrs) {
			t.Errorf("message %d attributes:\n got  %s\n want %s", i, c.attrs, m.attrs)
		}
		if want := expectNextHop(m.nextHop, c.family); !slices.Equal(c.nextHop, want) {
			t.Errorf("message %d next hop: got %v, want %v", i, c.nextHop, want)
		}
	}
	var want []section
	for _, s := range m.sections {
		s.pathIDs = false
		if k := len(want) - 1; k >= 0 && want[k].family == s.family && want[k].withdraw == s.withdraw {
			want[k].routes = append(slices.Clone(want[k].routes), s.routes...)
		} else {
			want = append(want, s)
		}
	}
	features = m.features(ctx, chunks)
	if len(got) != len(want) {
		t.Fatalf("got %d runs of routes, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.family != w.family || g.withdraw != w.withdraw || len(g.routes) != len(w.routes) {
			t.Fatalf("section %d: got %s withdraw=%v with %d routes, want %s withdraw=%v with %d",
				i, g.family, g.withdraw, len(g.routes), w.family, w.withdraw, len(w.routes))
		}
		for j := range w.routes {
			if g.routes[j] != w.routes[j] {
				t.Fatalf("section %d route %d: got %v, want %v", i, j, g.routes[j], w.routes[j])
			}
		}
	}
	return features
}

// features names what a case exercised, for the coverage check of TestRoundTrip.
func (m *model) features(ctx *wire.EncodingContext, chunks []chunk) []string {
	var f []string
	a := m.attrs
	add := func(ok bool, name string) {
		if ok {
			f = append(f, name)
		}
	}
	add(!ctx.ASN4Enabled(), "asn4 off")
	add(a.as4Path, "as4-path")
	add(a.as4Agg, "as4-aggregator")
	add(a.as4Path && a.aggregator != nil && !a.as4Agg, "as4-path ignored")
	add(a.hasASPath && len(a.asPath) == 0, "empty as-path")
	add(slices.ContainsFunc(a.asPath, func(s attr.ASPathSegment) bool { return s.Type == attr.ASSet }), "as-set")
	for _, s := range m.sections {
		add(s.pathIDs, "path-id")
		add(ctx.AddPath(s.family) && !s.pathIDs, "add-path id 0")
		if s.withdraw {
			continue
		}
		add(s.family.AFI == wire.AFIIPv6 && m.nextHop[0].Is4(), "mapped next hop")
		add(s.family.AFI == wire.AFIIPv4 && m.nextHop[0].Is6(), "extended next hop")
		add(len(m.nextHop) == 2, "link-local")
	}
	for i, c := range chunks {
		f = append(f, "message")
		for range c.routes {
			f = append(f, "route")
		}
		classic := c.family == wire.IPv4Unicast && (c.withdraw || len(c.nextHop) == 1 && c.nextHop[0].Is4())
		switch {
		case c.withdraw && classic:
			f = append(f, "classic withdraw")
		case c.withdraw:
			f = append(f, "mp withdraw")
		case classic:
			f = append(f, "classic announce")
		default:
			f = append(f, "mp announce")
		}
		if i > 0 && chunks[i-1].family == c.family && chunks[i-1].withdraw == c.withdraw && chunks[i-1].size > 4000 {
			add(!ctx.ExtMessage, "split")
			add(ctx.ExtMessage, "split extended")
		}
	}
	return f
}

// expectNextHop is the next hop as the message carries it for family f.
func expectNextHop(nh []netip.Addr, f wire.Family) []netip.Addr {
	if f.AFI == wire.AFIIPv6 && nh[0].Is4() {
		return []netip.Addr{netip.AddrFrom16(nh[0].As16())}
	}
	return nh
}

// decodeMessage reads one UPDATE with wire and attr and nothing of package
// route. An announcement must pass RFC 7606 when the model has the
// mandatory attributes; a withdrawal must carry no other attribute.
func decodeMessage(msg []byte, ctx *wire.EncodingContext, m *model) (chunk, error) {
	u, err := wire.ParseUpdateMessage(msg, ctx)
	if err != nil {
		return chunk{}, err
	}
	c := chunk{size: len(msg)}
	var routes wire.NLRIIter
	mpr, hasMPR, err := u.MPReach()
	if err != nil {
		return c, fmt.Errorf("MP_REACH_NLRI: %w", err)
	}
	mpu, hasMPU, err := u.MPUnreach()
	if err != nil {
		return c, fmt.Errorf("MP_UNREACH_NLRI: %w", err)
	}
	parts := 0
	for _, p := range []bool{len(u.Withdrawn()) > 0, len(u.NLRI()) > 0, hasMPR, hasMPU} {
		if p {
			parts++
		}
	}
	if parts != 1 {
		return c, fmt.Errorf("%d of withdrawn, NLRI, MP_REACH, MP_UNREACH, want 1", parts)
	}
	switch {
	case len(u.Withdrawn()) > 0:
		c.family, c.withdraw, routes = wire.IPv4Unicast, true, u.WithdrawnIter()
		if len(u.Attrs()) != 0 {
			return c, fmt.Errorf("a withdrawal with attributes %X", u.Attrs())
		}
	case hasMPU:
		c.family, c.withdraw, routes = mpu.Family, true, mpu.Iter(ctx)
		if countAttrs(u.Attrs()) != 1 {
			return c, fmt.Errorf("MP_UNREACH_NLRI with other attributes %X", u.Attrs())
		}
	case hasMPR:
		c.family, routes = mpr.Family, mpr.Iter(ctx)
		g, ll, ok := mpr.NextHops()
		if !ok {
			return c, fmt.Errorf("next hop %X", mpr.NextHop)
		}
		c.nextHop = append(c.nextHop, g)
		if ll.IsValid() {
			c.nextHop = append(c.nextHop, ll)
		}
	default:
		c.family, routes = wire.IPv4Unicast, u.NLRIIter()
		a, ok := u.Attr(wire.AttrNextHop)
		if !ok {
			return c, fmt.Errorf("no NEXT_HOP")
		}
		nh, err := attr.DecodeNextHop(a.Value)
		if err != nil {
			return c, err
		}
		c.nextHop = []netip.Addr{nh.Addr}
	}
	for {
		n, ok := routes.Next()
		if !ok {
			break
		}
		p, err := wire.PrefixFromNLRI(n.Bytes, c.family.AFI == wire.AFIIPv6)
		if err != nil {
			return c, err
		}
		if len(c.routes) == 0 {
			c.first = len(n.Bytes)
			if n.HasPathID {
				c.first += 4
			}
		}
		c.routes = append(c.routes, prefixRoute{p, n.PathID})
	}
	if err := routes.Err(); err != nil {
		return c, fmt.Errorf("NLRI: %w", err)
	}
	if c.withdraw {
		return c, nil
	}
	if c.attrs, err = decodeAttrs(u.Attrs(), ctx); err != nil {
		return c, err
	}
	if m.attrs.origin != nil && m.attrs.hasASPath {
		if v := attr.CheckUpdate(&u); v.Action != attr.ActionNone {
			return c, fmt.Errorf("RFC 7606: %s: %s", v.Action, v.Reason)
		}
	}
	return c, nil
}

// decodeAttrs reads every attribute with its attr decoder. Attributes come
// in type code order, each once, with MP_REACH_NLRI last.
func decodeAttrs(b []byte, ctx *wire.EncodingContext) (pathAttrs, error) {
	var a pathAttrs
	var last wire.AttrCode
	it := wire.NewAttrIter(b)
	for {
		x, ok := it.Next()
		if !ok {
			break
		}
		if last == wire.AttrMPReach || (x.Code != wire.AttrMPReach && x.Code <= last) {
			return a, fmt.Errorf("attribute %s after %s", x.Code, last)
		}
		last = x.Code
		if want := attr.DefaultFlags(x.Code); x.Flags&^wire.FlagExtLen != want {
			return a, fmt.Errorf("%s flags %#x, want %#x", x.Code, x.Flags, want)
		}
		v := x.Value
		var err error
		switch x.Code {
		case wire.AttrOrigin:
			var o attr.Origin
			o, err = attr.DecodeOrigin(v)
			a.origin = &o
		case wire.AttrASPath:
			a.hasASPath = true
			var p attr.ASPath
			if ctx.ASN4Enabled() {
				p, err = attr.DecodeASPath(v, true)
			} else {
				p, _, _, err = attr.MergeAS4(nil, b, false)
			}
			a.asPath = segments(p)
		case wire.AttrNextHop, wire.AttrMPReach:
			// Checked with the routes.
		case wire.AttrMED:
			var x attr.MED
			x, err = attr.DecodeMED(v)
			med := uint32(x)
			a.med = &med
		case wire.AttrLocalPref:
			var x attr.LocalPref
			x, err = attr.DecodeLocalPref(v)
			lp := uint32(x)
			a.localPref = &lp
		case wire.AttrAtomicAggregate:
			_, err = attr.DecodeAtomicAggregate(v)
			a.atomic = true
		case wire.AttrAggregator:
			var g attr.Aggregator
			var has bool
			if ctx.ASN4Enabled() {
				g, err = attr.DecodeAggregator(v, true)
			} else {
				_, g, has, err = attr.MergeAS4(nil, b, false)
				if !has {
					err = fmt.Errorf("MergeAS4 lost the aggregator")
				}
			}
			a.aggregator = &g
		case wire.AttrCommunity:
			var l attr.Communities
			l, err = attr.DecodeCommunities(v)
			for i := range l.Count() {
				a.communities = append(a.communities, l.At(i))
			}
		case wire.AttrOriginatorID:
			var o attr.OriginatorID
			o, err = attr.DecodeOriginatorID(v)
			a.originator = &o.ID
		case wire.AttrClusterList:
			var l attr.ClusterList
			l, err = attr.DecodeClusterList(v)
			for i := range l.Count() {
				a.clusters = append(a.clusters, l.At(i))
			}
		case wire.AttrExtCommunity:
			var l attr.ExtCommunities
			l, err = attr.DecodeExtCommunities(v)
			for i := range l.Count() {
				a.ext = append(a.ext, l.At(i))
			}
		case wire.AttrLargeCommunity:
			var l attr.LargeCommunities
			l, err = attr.DecodeLargeCommunities(v)
			for i := range l.Count() {
				a.large = append(a.large, l.At(i))
			}
		case wire.AttrAS4Path:
			_, err = attr.DecodeAS4Path(v)
			a.as4Path = true
		case wire.AttrAS4Aggregator:
			_, err = attr.DecodeAS4Aggregator(v)
			a.as4Agg = true
		default:
			err = fmt.Errorf("unexpected attribute")
		}
		if err != nil {
			return a, fmt.Errorf("%s %X: %w", x.Code, v, err)
		}
	}
	if it.Err() != nil {
		return a, fmt.Errorf("attributes at offset %d: %w", it.Offset(), it.Err())
	}
	if (a.as4Path || a.as4Agg) && ctx.ASN4Enabled() {
		return a, fmt.Errorf("AS4_PATH or AS4_AGGREGATOR on a 4-octet session")
	}
	return a, nil
}

func countAttrs(b []byte) int {
	n := 0
	for it := wire.NewAttrIter(b); ; n++ {
		if _, ok := it.Next(); !ok {
			return n
		}
	}
}

func segments(p attr.ASPath) []attr.ASPathSegment {
	var out []attr.ASPathSegment
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			return out
		}
		seg := attr.ASPathSegment{Type: s.Type, ASNs: make([]uint32, s.Count())}
		for i := range seg.ASNs {
			seg.ASNs[i] = s.ASN(i)
		}
		out = append(out, seg)
	}
}

// String prints the attributes for a failure message.
func (a pathAttrs) String() string {
	var b strings.Builder
	opt := func(name string, p any) {
		v := reflect.ValueOf(p)
		if !v.IsNil() {
			fmt.Fprintf(&b, "%s=%v ", name, v.Elem())
		}
	}
	opt("origin", a.origin)
	if a.hasASPath {
		fmt.Fprintf(&b, "as-path=%v ", a.asPath)
	}
	opt("med", a.med)
	opt("local-pref", a.localPref)
	opt("aggregator", a.aggregator)
	opt("originator", a.originator)
	ext := make([]string, len(a.ext))
	for i, c := range a.ext {
		ext[i] = fmt.Sprintf("%X", c[:])
	}
	fmt.Fprintf(&b, "atomic=%v communities=%v ext=%v large=%v clusters=%v as4-path=%v as4-agg=%v",
		a.atomic, a.communities, ext, a.large, a.clusters, a.as4Path, a.as4Agg)
	return b.String()
}

// FuzzRouteCommand feeds any text to Parse and, when it parses, builds it
// under the session flags drawn from opts (bit 0: 2-octet AS numbers, bit
// 1: extended message, bit 2: ADD-PATH for every family, bit 3: extended
// next hop for the IPv4 families). Nothing may panic; a command that
// builds gives messages that decode and that carry exactly the NLRI of
// its sections, in order.
func FuzzRouteCommand(f *testing.F) {
	for _, s := range []string{
		"update text origin set igp nhop set 192.0.2.1 as-path set [65001 65002] community set [no-export 65000:100] large-community set [65000:1:2] med set 10 nlri ipv4/unicast add 10.0.0.0/24 10.0.1.0/24",
		"update text origin set igp nhop set 2001:db8::1 nlri ipv6/unicast add 2001:db8:1::/48",
		"update text nlri ipv4/unicast del 10.0.0.0/24",
		"update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add path-id 1 10.0.0.0/24 path-id 2 10.0.0.0/24",
		"update hex attr set 40010100 nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000",
		"update text as-path set [65001 (65003 4200000000)] aggregator set 4200000001:192.0.2.2 nhop set [2001:db8::1 fe80::1] nlri ipv4/multicast add 10.0.0.0/8 nlri ipv6/multicast del ::/0",
		"text extended-community set [target:65000:100 origin:192.0.2.1:7 target:65000L:1] originator-id set 1.2.3.4 cluster-list set [1.1.1.1] atomic-aggregate set true local-pref set 100 nhop set 1.2.3.4 nlri ipv4/unicast add 0.0.0.0/0 1.2.3.4",
		"update hex nhop set 192.0.2.1 nlri ipv6/unicast del 2020010DB8 00",
	} {
		for _, opts := range []uint8{0, 1, 2, 4, 8, 15} {
			f.Add(s, opts)
		}
	}
	f.Fuzz(func(t *testing.T, cmd string, opts uint8) {
		u, err := Parse(cmd)
		if err != nil {
			return
		}
		ctx := wire.NewContext(opts&1 == 0, opts&2 != 0)
		for _, fam := range wire.Families() {
			ctx.SetAddPath(fam, opts&4 != 0)
			ctx.SetExtNextHop(fam, opts&8 != 0 && fam.AFI == wire.AFIIPv4)
		}
		type run struct {
			family   wire.Family
			withdraw bool
			nlri     []byte
		}
		var got []run
		err = u.Build(ctx, func(msg []byte) error {
			if len(msg) > ctx.MaxLen() {
				t.Fatalf("message of %d octets", len(msg))
			}
			wu, err := wire.ParseUpdateMessage(msg, ctx)
			if err != nil {
				t.Fatalf("message %X: %v", msg, err)
			}
			var r run
			var it wire.NLRIIter
			mpr, hasMPR, err1 := wu.MPReach()
			mpu, hasMPU, err2 := wu.MPUnreach()
			if err1 != nil || err2 != nil {
				t.Fatalf("message %X: %v %v", msg, err1, err2)
			}
			switch {
			case len(wu.Withdrawn()) > 0:
				r, it = run{wire.IPv4Unicast, true, nil}, wu.WithdrawnIter()
			case len(wu.NLRI()) > 0:
				r, it = run{wire.IPv4Unicast, false, nil}, wu.NLRIIter()
			case hasMPR:
				r, it = run{mpr.Family, false, nil}, mpr.Iter(ctx)
			case hasMPU:
				r, it = run{mpu.Family, true, nil}, mpu.Iter(ctx)
			default:
				t.Fatalf("message %X carries no NLRI", msg)
			}
			ai := wu.AttrIter()
			for _, ok := ai.Next(); ok; _, ok = ai.Next() {
			}
			if ai.Err() != nil {
				t.Fatalf("message %X: attributes: %v", msg, ai.Err())
			}
			for n, ok := it.Next(); ok; n, ok = it.Next() {
				r.nlri = binary.BigEndian.AppendUint32(r.nlri, n.PathID)
				r.nlri = append(r.nlri, n.Bytes...)
			}
			if it.Err() != nil {
				t.Fatalf("message %X: NLRI: %v", msg, it.Err())
			}
			if k := len(got) - 1; k >= 0 && got[k].family == r.family && got[k].withdraw == r.withdraw {
				got[k].nlri = append(got[k].nlri, r.nlri...)
			} else {
				got = append(got, r)
			}
			return nil
		})
		if err != nil {
			return
		}
		// The sections' NLRI, each behind its path id (0 without ADD-PATH).
		var want []run
		for _, s := range u.Sections {
			nlri := s.NLRI
			if !ctx.AddPath(s.Family) {
				nlri = zeroPathIDs(s)
			}
			if k := len(want) - 1; k >= 0 && want[k].family == s.Family && want[k].withdraw == s.Withdraw {
				want[k].nlri = append(want[k].nlri, nlri...)
			} else {
				want = append(want, run{s.Family, s.Withdraw, slices.Clone(nlri)})
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("command %q\ngot  %+v\nwant %+v", cmd, got, want)
		}
	})
}

// zeroPathIDs returns the section's NLRI with every path id 0, as a
// session without ADD-PATH reads them back.
func zeroPathIDs(s Section) []byte {
	codec, _ := wire.LookupFamily(s.Family)
	out := make([]byte, 0, len(s.NLRI))
	for b := s.NLRI; len(b) > 0; {
		n, _ := codec.Len(b[4:])
		out = append(out, 0, 0, 0, 0)
		out = append(out, b[4:4+n]...)
		b = b[4+n:]
	}
	return out
}
