package view

import (
	"net/netip"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
)

// appendAttributes writes the path attributes as one object keyed by the
// attributes' JSON names. MP_REACH/MP_UNREACH are shown under announce and
// withdraw, and NEXT_HOP with the IPv4 NLRI when there are any (skipNextHop). On a 2-octet session
// "as-path" and "aggregator" are the RFC 6793 §4.2.3 merge of AS_PATH with
// AS4_PATH and of AGGREGATOR with AS4_AGGREGATOR; the AS4 attributes are
// shown as received too. An attribute whose value does not decode is shown
// as {"invalid":reason,"value":hex}; what the UPDATE as a whole then means
// is in the "rfc7606" verdict beside.
func appendAttributes(w *W, attrs []byte, ctx *wire.EncodingContext, skipNextHop bool) error {
	w.Open('{')
	defer w.Close('}')
	asn4 := ctx.ASN4Enabled()
	var merged attr.ASPath
	var agg attr.Aggregator
	mergedOK := false
	if !asn4 {
		var buf [256]byte
		p, a, _, err := attr.MergeAS4(buf[:0], attrs, false)
		merged, agg, mergedOK = p, a, err == nil
	}
	it := wire.NewAttrIter(attrs)
	var seen attr.CodeSet
	for {
		a, ok := it.Next()
		if !ok {
			break
		}
		// A repeated attribute is shown once: the first, which is the one
		// RFC 7606 §3 g keeps (the verdict beside names the repeat).
		if seen.Has(a.Code) {
			continue
		}
		seen.Add(a.Code)
		switch a.Code {
		case wire.AttrMPReach, wire.AttrMPUnreach:
			continue
		case wire.AttrNextHop:
			if skipNextHop {
				continue
			}
		}
		w.Key(a.Code.String())
		if mergedOK && a.Code == wire.AttrASPath {
			appendASPath(w, merged)
			continue
		}
		if mergedOK && a.Code == wire.AttrAggregator {
			appendAggregator(w, agg)
			continue
		}
		if err := appendAttr(w, a, asn4); err != nil {
			w.Open('{')
			w.Key("invalid")
			w.Str(trimPrefix(err.Error()))
			w.Key("value")
			w.Hex(a.Value)
			w.Close('}')
		}
	}
	if err := it.Err(); err != nil {
		return fail(w, err)
	}
	return nil
}

// appendAttr writes one attribute value, or returns its decode error having
// written nothing.
func appendAttr(w *W, a wire.Attr, asn4 bool) error {
	v := a.Value
	switch a.Code {
	case wire.AttrOrigin:
		x, err := attr.DecodeOrigin(v)
		if err != nil {
			return err
		}
		w.Str(x.String())
	case wire.AttrASPath:
		x, err := attr.DecodeASPath(v, asn4)
		if err != nil {
			return err
		}
		appendASPath(w, x)
	case wire.AttrAS4Path:
		x, err := attr.DecodeAS4Path(v)
		if err != nil {
			return err
		}
		appendASPath(w, x.ASPath)
	case wire.AttrNextHop:
		x, err := attr.DecodeNextHop(v)
		if err != nil {
			return err
		}
		w.Text(x.AppendText)
	case wire.AttrMED:
		x, err := attr.DecodeMED(v)
		if err != nil {
			return err
		}
		w.Uint(uint64(x))
	case wire.AttrLocalPref:
		x, err := attr.DecodeLocalPref(v)
		if err != nil {
			return err
		}
		w.Uint(uint64(x))
	case wire.AttrAtomicAggregate:
		if _, err := attr.DecodeAtomicAggregate(v); err != nil {
			return err
		}
		w.Bool(true)
	case wire.AttrAggregator:
		x, err := attr.DecodeAggregator(v, asn4)
		if err != nil {
			return err
		}
		appendAggregator(w, x)
	case wire.AttrAS4Aggregator:
		x, err := attr.DecodeAS4Aggregator(v)
		if err != nil {
			return err
		}
		appendAggregator(w, attr.Aggregator(x))
	case wire.AttrOriginatorID:
		x, err := attr.DecodeOriginatorID(v)
		if err != nil {
			return err
		}
		w.Text(x.ID.AppendTo)
	case wire.AttrOTC:
		x, err := attr.DecodeOTC(v)
		if err != nil {
			return err
		}
		w.Uint(uint64(x))
	case wire.AttrAIGP:
		x, err := attr.DecodeAIGP(v)
		if err != nil {
			return err
		}
		if m, ok := x.Metric(); ok {
			w.Uint(m)
		} else {
			w.Text(x.AppendText)
		}
	default:
		return appendListAttr(w, a)
	}
	return nil
}

// appendListAttr writes the attributes that are lists: each element in its
// text form ("65000:100", "target:65000:100", "65000:1:2", "192.0.2.1").
func appendListAttr(w *W, a wire.Attr) error {
	v := a.Value
	switch a.Code {
	case wire.AttrCommunity:
		x, err := attr.DecodeCommunities(v)
		if err != nil {
			return err
		}
		appendTexts(w, x.Count(), x.At)
	case wire.AttrLargeCommunity:
		x, err := attr.DecodeLargeCommunities(v)
		if err != nil {
			return err
		}
		appendTexts(w, x.Count(), x.At)
	case wire.AttrExtCommunity:
		x, err := attr.DecodeExtCommunities(v)
		if err != nil {
			return err
		}
		appendTexts(w, x.Count(), x.At)
	case wire.AttrIPv6ExtCommunity:
		x, err := attr.DecodeIPv6ExtCommunities(v)
		if err != nil {
			return err
		}
		appendTexts(w, x.Count(), x.At)
	case wire.AttrClusterList:
		x, err := attr.DecodeClusterList(v)
		if err != nil {
			return err
		}
		appendTexts(w, x.Count(), func(i int) addrText { return addrText(x.At(i)) })
	case wire.AttrPrefixSID:
		x, err := attr.DecodePrefixSID(v)
		if err != nil {
			return err
		}
		appendPrefixSID(w, x)
	default:
		// Attributes without a type here: flags and value, so nothing is lost.
		w.Open('{')
		w.Key("flags")
		w.Uint(uint64(a.Flags))
		w.Key("value")
		w.Hex(a.Value)
		w.Close('}')
	}
	return nil
}

// texter is what list elements offer: their text form.
type texter interface{ AppendText([]byte) []byte }

// addrText gives an address the texter shape.
type addrText netip.Addr

func (a addrText) AppendText(b []byte) []byte { return netip.Addr(a).AppendTo(b) }

// appendTexts writes n elements, element i from at(i), as an array of
// strings. It is generic so that no element is boxed.
func appendTexts[T texter](w *W, n int, at func(int) T) {
	w.Open('[')
	for i := 0; i < n; i++ {
		w.Text(at(i).AppendText)
	}
	w.Close(']')
}

// appendASPath writes the path as a list of segments:
// [{"type":"as-sequence","asns":[65001,65002]},{"type":"as-set","asns":[1,2]}].
func appendASPath(w *W, p attr.ASPath) {
	w.Open('[')
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			break
		}
		w.Open('{')
		w.Key("type")
		w.Str(s.Type.String())
		w.Key("asns")
		w.Open('[')
		for i := 0; i < s.Count(); i++ {
			w.Uint(uint64(s.ASN(i)))
		}
		w.Close(']')
		w.Close('}')
	}
	w.Close(']')
}

func appendAggregator(w *W, a attr.Aggregator) {
	w.Open('{')
	w.Key("asn")
	w.Uint(uint64(a.ASN))
	w.Key("address")
	w.Text(a.Addr.AppendTo)
	w.Close('}')
}

// appendPrefixSID writes {"label-index":N,"srgb":[{"base":B,"range":R}],
// "tlvs":[{"type":T,"value":HEX}]} with the keys that apply.
func appendPrefixSID(w *W, p attr.PrefixSID) {
	w.Open('{')
	if li, ok := p.LabelIndex(); ok {
		w.Key("label-index")
		w.Uint(uint64(li))
	}
	if l := p.SRGBs(); l.Count() > 0 {
		w.Key("srgb")
		w.Open('[')
		for i := 0; i < l.Count(); i++ {
			g := l.At(i)
			w.Open('{')
			w.Key("base")
			w.Uint(uint64(g.Base))
			w.Key("range")
			w.Uint(uint64(g.Range))
			w.Close('}')
		}
		w.Close(']')
	}
	w.Key("tlvs")
	w.Open('[')
	for it := p.TLVs(); ; {
		t, ok := it.Next()
		if !ok {
			break
		}
		w.Open('{')
		w.Key("type")
		w.Uint(uint64(t.Type))
		w.Key("value")
		w.Hex(t.Value)
		w.Close('}')
	}
	w.Close(']')
	w.Close('}')
}

func trimPrefix(s string) string {
	for _, p := range []string{"attr: ", "wire: "} {
		if len(s) > len(p) && s[:len(p)] == p {
			return s[len(p):]
		}
	}
	return s
}
