package route

import (
	"errors"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
)

// attrSpec says how one text-mode attribute keyword is encoded.
type attrSpec struct {
	name  string
	code  wire.AttrCode
	list  bool // several values, and several clauses merge
	empty bool // an empty list is a value (as-path set [] is the empty AS_PATH of iBGP)
	// encode writes the whole attribute (header and value) at buf[off:];
	// e carries what must follow later in type code order (AS4_PATH,
	// AS4_AGGREGATOR on a 2-octet session).
	encode func(vals []token, ctx *wire.EncodingContext, e *extra, buf []byte, off int) (int, error)
}

// extra holds the RFC 6793 attributes a 2-octet session needs beside
// AS_PATH and AGGREGATOR; they are written at their own place in code order.
type extra struct {
	as4Path *attr.ASPathList
	as4Agg  *attr.AS4Aggregator
}

// writer is what every attr type offers.
type writer interface {
	Len() int
	WriteTo(buf []byte, off int) int
}

// errTooLong reports attributes that outgrow the largest message. The attr
// encoders do not check bounds, so every size is checked before it is written.
var errTooLong = errors.New("too long: the path attributes do not fit in a message")

// room returns errTooLong when n octets do not fit in buf after off.
func room(buf []byte, off, n int) error {
	if n > len(buf)-off {
		return errTooLong
	}
	return nil
}

// write writes x at buf[off:] if it fits.
func write(x writer, buf []byte, off int) (int, error) {
	if err := room(buf, off, x.Len()); err != nil {
		return 0, err
	}
	return x.WriteTo(buf, off), nil
}

// one parses a single value with parse and writes it.
func one[T writer](parse func(string) (T, error)) func([]token, *wire.EncodingContext, *extra, []byte, int) (int, error) {
	return func(vals []token, _ *wire.EncodingContext, _ *extra, buf []byte, off int) (int, error) {
		if len(vals) != 1 {
			return 0, errAt(vals[0], "takes one value, not a list of %d", len(vals))
		}
		x, err := parse(vals[0].text)
		if err != nil {
			return 0, valueErr(vals[0], err)
		}
		return write(x, buf, off)
	}
}

// many parses each value with parse and writes the list built by mk.
func many[E any, L writer](parse func(string) (E, error), mk func([]E) L) func([]token, *wire.EncodingContext, *extra, []byte, int) (int, error) {
	return func(vals []token, _ *wire.EncodingContext, _ *extra, buf []byte, off int) (int, error) {
		xs := make([]E, 0, len(vals))
		for _, v := range vals {
			x, err := parse(v.text)
			if err != nil {
				return 0, valueErr(v, err)
			}
			xs = append(xs, x)
		}
		return write(mk(xs), buf, off)
	}
}

func valueErr(t token, err error) error {
	return errAt(t, "%s", strings.TrimPrefix(err.Error(), "attr: "))
}

// encodeASPath writes AS_PATH. The grammar writes an AS_SET in parentheses,
// as ExaBGP does (docs/route-grammar.md), where the attr text form has
// braces (which are accepted too); the parentheses are translated.
func encodeASPath(vals []token, ctx *wire.EncodingContext, e *extra, buf []byte, off int) (int, error) {
	words := make([]string, len(vals))
	parens := false
	for i, v := range vals {
		switch v.text {
		case "(":
			words[i], parens = "{", true
		case ")":
			words[i], parens = "}", true
		default:
			words[i] = v.text
		}
	}
	l, err := attr.ParseASPath(strings.Join(words, " "))
	if err != nil {
		if len(vals) == 0 {
			return 0, err
		}
		msg := strings.TrimPrefix(err.Error(), "attr: ")
		if parens { // speak of what was written
			msg = strings.NewReplacer("{", "(", "}", ")").Replace(msg)
		}
		return 0, errAt(vals[0], "%s", msg)
	}
	l.ASN4 = ctx.ASN4Enabled()
	if !l.ASN4 && needsAS4(l) {
		e.as4Path = &l
	}
	return write(l, buf, off)
}

// as4PathLen returns the size of the AS4_PATH that l.WriteAS4Path writes:
// the path with 4-octet AS numbers and without confederation segments.
func as4PathLen(l *attr.ASPathList) int {
	c := attr.ASPathList{ASN4: true}
	for _, s := range l.Segments {
		if !s.Type.Confed() {
			c.Segments = append(c.Segments, s)
		}
	}
	return c.Len()
}

func needsAS4(l attr.ASPathList) bool {
	for _, s := range l.Segments {
		for _, a := range s.ASNs {
			if a > 0xFFFF {
				return true
			}
		}
	}
	return false
}

func encodeAggregator(vals []token, ctx *wire.EncodingContext, e *extra, buf []byte, off int) (int, error) {
	if len(vals) != 1 {
		return 0, errAt(vals[0], "takes one value ASN:ADDRESS")
	}
	a, err := attr.ParseAggregator(vals[0].text)
	if err != nil {
		return 0, valueErr(vals[0], err)
	}
	asn4 := ctx.ASN4Enabled()
	if !asn4 && a.ASN > 0xFFFF {
		x := attr.AS4Aggregator(a)
		e.as4Agg = &x
	}
	if err := room(buf, off, a.Len()); err != nil {
		return 0, err
	}
	return a.WriteAs(buf, off, attr.DefaultFlags(wire.AttrAggregator), asn4), nil
}

func parseTrue(s string) (attr.AtomicAggregate, error) {
	if s != "true" {
		return attr.AtomicAggregate{}, errNotTrue
	}
	return attr.AtomicAggregate{}, nil
}

var errNotTrue = errors.New(`atomic-aggregate takes "true"`)

func clusterList(vals []token, _ *wire.EncodingContext, _ *extra, buf []byte, off int) (int, error) {
	words := make([]string, len(vals))
	for i, v := range vals {
		words[i] = v.text
	}
	l, err := attr.ParseClusterList(strings.Join(words, " "))
	if err != nil {
		return 0, valueErr(vals[0], err)
	}
	return write(l, buf, off)
}

func prefixSID(vals []token, _ *wire.EncodingContext, _ *extra, buf []byte, off int) (int, error) {
	words := make([]string, len(vals))
	for i, v := range vals {
		words[i] = v.text
	}
	p, err := attr.ParsePrefixSID(strings.Join(words, " "))
	if err != nil {
		return 0, valueErr(vals[0], err)
	}
	return write(p, buf, off)
}

func init() {
	specs := []*attrSpec{
		{name: "origin", code: wire.AttrOrigin, encode: one(attr.ParseOrigin)},
		{name: "as-path", code: wire.AttrASPath, empty: true, encode: encodeASPath},
		{name: "med", code: wire.AttrMED, encode: one(attr.ParseMED)},
		{name: "local-preference", code: wire.AttrLocalPref, encode: one(attr.ParseLocalPref)},
		{name: "atomic-aggregate", code: wire.AttrAtomicAggregate, encode: one(parseTrue)},
		{name: "aggregator", code: wire.AttrAggregator, encode: encodeAggregator},
		{name: "community", code: wire.AttrCommunity, list: true,
			encode: many(attr.ParseCommunity, func(x []attr.Community) attr.CommunityList { return x })},
		{name: "originator-id", code: wire.AttrOriginatorID, encode: one(attr.ParseOriginatorID)},
		{name: "cluster-list", code: wire.AttrClusterList, list: true, encode: clusterList},
		{name: "extended-community", code: wire.AttrExtCommunity, list: true,
			encode: many(attr.ParseExtCommunity, func(x []attr.ExtCommunity) attr.ExtCommunityList { return x })},
		{name: "ipv6-extended-community", code: wire.AttrIPv6ExtCommunity, list: true,
			encode: many(attr.ParseIPv6ExtCommunity, func(x []attr.IPv6ExtCommunity) attr.IPv6ExtCommunityList { return x })},
		{name: "aigp", code: wire.AttrAIGP, encode: one(attr.ParseAIGP)},
		{name: "large-community", code: wire.AttrLargeCommunity, list: true,
			encode: many(attr.ParseLargeCommunity, func(x []attr.LargeCommunity) attr.LargeCommunityList { return x })},
		{name: "otc", code: wire.AttrOTC, encode: one(attr.ParseOTC)},
		{name: "prefix-sid", code: wire.AttrPrefixSID, encode: prefixSID},
	}
	for _, s := range specs {
		attrSpecs[s.name] = s
	}
	attrSpecs["local-pref"] = attrSpecs["local-preference"]
}

// attrSpecs maps each keyword of the grammar to its encoder.
var attrSpecs = map[string]*attrSpec{}
