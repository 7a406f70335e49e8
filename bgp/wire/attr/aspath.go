package attr

import (
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/zebgp/ze/bgp/wire"
)

// SegmentType is the type of an AS_PATH segment (RFC 4271 §4.3, RFC 5065 §3).
type SegmentType uint8

// AS_PATH segment types.
const (
	ASSet            SegmentType = 1
	ASSequence       SegmentType = 2
	ASConfedSequence SegmentType = 3
	ASConfedSet      SegmentType = 4
)

// ASTrans is the 2-octet AS number that stands for a 4-octet one (RFC 6793 §9).
const ASTrans = 23456

// String returns "as-set", "as-sequence", "as-confed-sequence",
// "as-confed-set" or "segment-N".
func (t SegmentType) String() string {
	switch t {
	case ASSet:
		return "as-set"
	case ASSequence:
		return "as-sequence"
	case ASConfedSequence:
		return "as-confed-sequence"
	case ASConfedSet:
		return "as-confed-set"
	}
	return "segment-" + strconv.Itoa(int(t))
}

// Confed reports whether t is one of the confederation segment types.
func (t SegmentType) Confed() bool { return t == ASConfedSequence || t == ASConfedSet }

// ASPath is a view of an AS_PATH value (RFC 4271 §4.3) or, as an AS4Path,
// of an AS4_PATH value (RFC 6793 §3). Each segment is a type octet, a count
// octet and count AS numbers of 2 octets, or 4 octets when the session
// negotiated 4-octet AS numbers:
//
//	+--------+--------+-----------------------------+
//	| type 1 | count 1|  count × 2 or 4 octets ... |
//	+--------+--------+-----------------------------+
//
// The same bytes read differently per width: 02 02 00 01 FD E8 is the
// sequence 1 65000 with 2-octet AS numbers, and 02 01 00 01 FD E8 is the
// sequence 130536 with 4-octet ones. The zero ASPath is the empty path.
type ASPath struct {
	b    []byte
	asn4 bool
}

// AS4Path is a view of an AS4_PATH value (RFC 6793 §3): an AS path with
// 4-octet AS numbers sent alongside a 2-octet AS_PATH.
type AS4Path struct{ ASPath }

var (
	errASPathSegType  = errors.New("attr: as-path: unknown segment type")
	errASPathSegZero  = errors.New("attr: as-path: segment of length zero")
	errASPathOverrun  = errors.New("attr: as-path: segment overruns the attribute")
	errASPathUnderrun = errors.New("attr: as-path: trailing octet after the last segment")
	errAS4PathLen     = errors.New("attr: as4-path: length is odd or less than 6")
)

// DecodeASPath reads an AS_PATH value whose AS numbers are 4 octets when
// asn4 is true (the session negotiated RFC 6793) and 2 octets otherwise.
// RFC 7606 §7.2: an unknown segment type, a segment of length zero, a
// segment that overruns the value and a single trailing octet are
// malformed. An empty value is a valid empty path.
func DecodeASPath(v []byte, asn4 bool) (ASPath, error) {
	w := 2
	if asn4 {
		w = 4
	}
	for off := 0; off < len(v); {
		if len(v)-off < 2 {
			return ASPath{}, errASPathUnderrun
		}
		t, n := SegmentType(v[off]), int(v[off+1])
		if t < ASSet || t > ASConfedSet {
			return ASPath{}, errASPathSegType
		}
		if n == 0 {
			return ASPath{}, errASPathSegZero
		}
		off += 2 + n*w
		if off > len(v) {
			return ASPath{}, errASPathOverrun
		}
	}
	return ASPath{b: v, asn4: asn4}, nil
}

// DecodeAS4Path reads an AS4_PATH value. RFC 6793 §6: besides the AS_PATH
// rules, a length that is odd or less than 6 is malformed. Confederation
// segments are not an error; the merge skips them (RFC 6793 §6).
func DecodeAS4Path(v []byte) (AS4Path, error) {
	if len(v)%2 != 0 || len(v) < 6 {
		return AS4Path{}, errAS4PathLen
	}
	p, err := DecodeASPath(v, true)
	return AS4Path{p}, err
}

// Raw returns the value bytes the view reads.
func (p ASPath) Raw() []byte { return p.b }

// ASN4 reports whether the AS numbers are 4 octets wide.
func (p ASPath) ASN4() bool { return p.asn4 }

// IsEmpty reports whether the path has no segment.
func (p ASPath) IsEmpty() bool { return len(p.b) == 0 }

// Segment is one segment of an ASPath view.
type Segment struct {
	Type SegmentType
	b    []byte // the AS numbers
	asn4 bool
}

// Count returns how many AS numbers the segment holds.
func (s Segment) Count() int {
	if s.asn4 {
		return len(s.b) / 4
	}
	return len(s.b) / 2
}

// ASN returns the i-th AS number of the segment.
func (s Segment) ASN(i int) uint32 {
	if s.asn4 {
		return binary.BigEndian.Uint32(s.b[4*i:])
	}
	return uint32(binary.BigEndian.Uint16(s.b[2*i:]))
}

// SegmentIter walks the segments of a path one at a time.
type SegmentIter struct {
	b    []byte
	off  int
	asn4 bool
}

// Segments returns an iterator over the segments.
func (p ASPath) Segments() SegmentIter { return SegmentIter{b: p.b, asn4: p.asn4} }

// Next returns the next segment, or false at the end.
func (it *SegmentIter) Next() (Segment, bool) {
	w := 2
	if it.asn4 {
		w = 4
	}
	if len(it.b)-it.off < 2 {
		return Segment{}, false
	}
	t, n := SegmentType(it.b[it.off]), int(it.b[it.off+1])
	end := it.off + 2 + n*w
	if end > len(it.b) {
		return Segment{}, false
	}
	s := Segment{Type: t, b: it.b[it.off+2 : end], asn4: it.asn4}
	it.off = end
	return s, true
}

// ASNIter walks every AS number of a path, segment by segment.
type ASNIter struct {
	segs SegmentIter
	cur  Segment
	i    int
}

// ASNs returns an iterator over all AS numbers in the path.
func (p ASPath) ASNs() ASNIter { return ASNIter{segs: p.Segments()} }

// Next returns the next AS number and the type of the segment it is in.
func (it *ASNIter) Next() (uint32, SegmentType, bool) {
	for it.i >= it.cur.Count() {
		s, ok := it.segs.Next()
		if !ok {
			return 0, 0, false
		}
		it.cur, it.i = s, 0
	}
	a := it.cur.ASN(it.i)
	it.i++
	return a, it.cur.Type, true
}

// PathLength returns the length of the path for route selection (RFC 4271
// §9.1.2.2 and RFC 5065 §5.3): an AS_SET counts as one, confederation
// segments count as zero.
func (p ASPath) PathLength() int {
	n := 0
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			return n
		}
		switch s.Type {
		case ASSequence:
			n += s.Count()
		case ASSet:
			n++
		}
	}
}

// Neighbor returns the leftmost AS of the path when the path starts with
// an AS_SEQUENCE (RFC 4271 §6.3, the AS that sent the route).
func (p ASPath) Neighbor() (uint32, bool) {
	it := p.Segments()
	s, ok := it.Next()
	if !ok || s.Type != ASSequence {
		return 0, false
	}
	return s.ASN(0), true
}

// Contains reports whether asn appears anywhere in the path (loop detection).
func (p ASPath) Contains(asn uint32) bool {
	for it := p.ASNs(); ; {
		a, _, ok := it.Next()
		if !ok {
			return false
		}
		if a == asn {
			return true
		}
	}
}

// NeedsAS4Path reports whether a path sent on a 2-octet session must be
// accompanied by an AS4_PATH (RFC 6793 §4.2.2): some AS number outside the
// confederation segments does not fit in 2 octets.
func (p ASPath) NeedsAS4Path() bool {
	for it := p.ASNs(); ; {
		a, t, ok := it.Next()
		if !ok {
			return false
		}
		if a > 0xFFFF && !t.Confed() {
			return true
		}
	}
}

// ValueLen returns the size of the value.
func (p ASPath) ValueLen() int { return len(p.b) }

// Len returns the size of the whole attribute with its usual flags.
func (p ASPath) Len() int { return Size(flagsWellKnown, len(p.b)) }

// WriteTo writes the AS_PATH attribute (flags 0x40) as it was read, in the
// width of the view.
func (p ASPath) WriteTo(buf []byte, off int) int { return p.WriteAttr(buf, off, flagsWellKnown) }

// WriteAttr writes the AS_PATH attribute with the given flags.
func (p ASPath) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeValue(buf, off, flags, wire.AttrASPath, p.b)
}

// Len returns the size of the whole AS4_PATH attribute with flags 0xC0.
func (p AS4Path) Len() int { return Size(flagsOptTrans, len(p.b)) }

// WriteTo writes the AS4_PATH attribute (flags 0xC0) as it was read.
func (p AS4Path) WriteTo(buf []byte, off int) int { return p.WriteAttr(buf, off, flagsOptTrans) }

// WriteAttr writes the AS4_PATH attribute with the given flags.
func (p AS4Path) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeValue(buf, off, flags, wire.AttrAS4Path, p.b)
}
