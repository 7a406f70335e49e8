package attr

import (
	"encoding/binary"

	"github.com/zebgp/ze/bgp/wire"
)

// MergeAS4Path rebuilds the AS path of a route received from a speaker
// that did not negotiate 4-octet AS numbers (RFC 6793 §4.2.3) from its
// 2-octet AS_PATH and its AS4_PATH, and returns it as a 4-octet ASPath
// whose bytes are appended to dst (pass a reused buffer to avoid
// allocating).
//
// When the AS_PATH holds fewer AS numbers than the AS4_PATH (counted as for
// route selection), the AS4_PATH is ignored and the AS_PATH is taken, widened.
// Otherwise the leading part of the AS_PATH, as many AS numbers as make the
// counts equal, is put in front of the AS4_PATH; a confederation segment
// that leads the AS_PATH or is adjacent to a segment put in front goes with
// it. Confederation segments of the AS4_PATH are dropped (RFC 6793 §6). A
// leading AS_SEQUENCE and a following one are joined when they fit in one
// segment.
//
// A path that is already 4-octet (read on a 4-octet session) is returned as
// is: there the AS4_PATH is to be discarded (RFC 6793 §6).
func MergeAS4Path(dst []byte, asPath ASPath, as4Path AS4Path) ASPath {
	if asPath.asn4 {
		return asPath
	}
	start := len(dst)
	n2, n4 := asPath.PathLength(), as4Path.PathLength()
	if as4Path.IsEmpty() || n2 < n4 {
		dst = widen(dst, asPath, -1)
		return ASPath{b: dst[start:], asn4: true}
	}
	dst = widen(dst, asPath, n2-n4)
	last := -1 // offset of the last segment header written
	if len(dst) > start {
		last = lastSegment(dst[start:]) + start
	}
	for it := as4Path.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			break
		}
		if s.Type.Confed() {
			continue
		}
		if last >= 0 && s.Type == ASSequence && SegmentType(dst[last]) == ASSequence &&
			int(dst[last+1])+s.Count() <= 255 {
			dst[last+1] += byte(s.Count())
			dst = append(dst, s.b...)
			continue
		}
		last = len(dst)
		dst = append(dst, byte(s.Type), byte(s.Count()))
		dst = append(dst, s.b...)
	}
	return ASPath{b: dst[start:], asn4: true}
}

// widen appends the segments of a 2-octet path with 4-octet AS numbers. With
// need >= 0 it stops once need AS numbers (counted as for route selection)
// were taken, keeping the confederation segments that lead or follow what
// was taken.
func widen(dst []byte, p ASPath, need int) []byte {
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			return dst
		}
		n := s.Count()
		switch {
		case need < 0:
		case s.Type.Confed():
			// Every segment before this one was taken, so a confederation
			// segment here leads the path or is adjacent to one taken.
		case need == 0:
			return dst
		case s.Type == ASSequence:
			n = min(n, need)
			need -= n
		default: // AS_SET counts as one
			need--
		}
		dst = append(dst, byte(s.Type), byte(n))
		for i := 0; i < n; i++ {
			dst = binary.BigEndian.AppendUint32(dst, s.ASN(i))
		}
	}
}

// lastSegment returns the offset of the last segment header of a 4-octet
// path value.
func lastSegment(b []byte) int {
	last := 0
	for off := 0; off+2 <= len(b); off += 2 + 4*int(b[off+1]) {
		last = off
	}
	return last
}

// MergeAggregator applies RFC 6793 §4.2.3 to the AGGREGATOR (read with
// 2-octet AS numbers) and AS4_AGGREGATOR of a route from a 2-octet speaker.
// When the AGGREGATOR's AS is not AS_TRANS, it is the aggregator and both
// AS4_AGGREGATOR and AS4_PATH are to be ignored (useAS4Path false);
// otherwise the AS4_AGGREGATOR, when present, is the aggregator.
func MergeAggregator(agg Aggregator, as4 AS4Aggregator, hasAS4 bool) (merged Aggregator, useAS4Path bool) {
	if agg.ASN != ASTrans {
		return agg, false
	}
	if hasAS4 {
		return Aggregator(as4), true
	}
	return agg, true
}

// MergeAS4 applies the whole of RFC 6793 §4.2.3 to the Path Attributes of
// an UPDATE received on a session without 4-octet AS numbers: it returns
// the rebuilt 4-octet AS path (appended to dst) and the aggregator. A
// malformed AS4_PATH or AS4_AGGREGATOR is ignored (RFC 6793 §6); a
// malformed AS_PATH or AGGREGATOR is returned as an error (Check classifies
// it). On a 4-octet session (asn4) the AS4 attributes are ignored.
func MergeAS4(dst []byte, attrs []byte, asn4 bool) (path ASPath, agg Aggregator, hasAgg bool, err error) {
	if a, ok := wire.FindAttr(attrs, wire.AttrASPath); ok {
		if path, err = DecodeASPath(a.Value, asn4); err != nil {
			return ASPath{}, Aggregator{}, false, err
		}
	}
	if a, ok := wire.FindAttr(attrs, wire.AttrAggregator); ok {
		if agg, err = DecodeAggregator(a.Value, asn4); err != nil {
			return ASPath{}, Aggregator{}, false, err
		}
		hasAgg = true
	}
	if asn4 {
		return path, agg, hasAgg, nil
	}
	var as4agg AS4Aggregator
	hasAS4Agg := false
	if a, ok := wire.FindAttr(attrs, wire.AttrAS4Aggregator); ok {
		as4agg, err = DecodeAS4Aggregator(a.Value)
		hasAS4Agg = err == nil
	}
	useAS4Path := true
	if hasAgg {
		agg, useAS4Path = MergeAggregator(agg, as4agg, hasAS4Agg)
	}
	var as4 AS4Path
	if a, ok := wire.FindAttr(attrs, wire.AttrAS4Path); ok && useAS4Path {
		if as4, err = DecodeAS4Path(a.Value); err != nil {
			as4 = AS4Path{}
		}
	}
	return MergeAS4Path(dst, path, as4), agg, hasAgg, nil
}
