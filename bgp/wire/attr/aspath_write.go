package attr

import (
	"encoding/binary"

	"github.com/zebgp/ze/bgp/wire"
)

// ValueLenAs returns the size of the value when written with AS numbers of
// 4 octets (asn4) or 2 octets.
func (p ASPath) ValueLenAs(asn4 bool) int {
	if asn4 == p.asn4 {
		return len(p.b)
	}
	n := 0
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			return n
		}
		n += segLen(s.Count(), asn4)
	}
}

func segLen(count int, asn4 bool) int {
	if asn4 {
		return 2 + 4*count
	}
	return 2 + 2*count
}

// WriteAs writes the AS_PATH attribute (flags 0x40) with AS numbers of 4
// octets (asn4) or 2 octets, whatever width the view was read in. AS numbers
// that do not fit in 2 octets become AS_TRANS (RFC 6793 §4.2.2). It is how a
// path read on one session is sent on a session of the other width.
func (p ASPath) WriteAs(buf []byte, off int, asn4 bool) int {
	if asn4 == p.asn4 {
		return p.WriteTo(buf, off)
	}
	h := wire.WriteAttrHeader(buf, off, flagsWellKnown, wire.AttrASPath, p.ValueLenAs(asn4))
	o := off + h
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			break
		}
		o += writeSegment(buf, o, s, asn4)
	}
	return o - off
}

// writeSegment writes segment s with AS numbers of the given width.
func writeSegment(buf []byte, o int, s Segment, asn4 bool) int {
	n := s.Count()
	buf[o], buf[o+1] = byte(s.Type), byte(n)
	w := o + 2
	for i := 0; i < n; i++ {
		w += putASN(buf, w, s.ASN(i), asn4)
	}
	return w - o
}

func putASN(buf []byte, o int, a uint32, asn4 bool) int {
	if asn4 {
		binary.BigEndian.PutUint32(buf[o:], a)
		return 4
	}
	if a > 0xFFFF {
		a = ASTrans
	}
	binary.BigEndian.PutUint16(buf[o:], uint16(a))
	return 2
}

// AS4PathValueLen returns the size of the AS4_PATH value WriteAS4Path writes.
func (p ASPath) AS4PathValueLen() int {
	n := 0
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			return n
		}
		if !s.Type.Confed() {
			n += segLen(s.Count(), true)
		}
	}
}

// WriteAS4Path writes an AS4_PATH attribute (flags 0xC0) carrying the path
// with 4-octet AS numbers and without its confederation segments (RFC 6793
// §4.2.2), for a session that did not negotiate 4-octet AS numbers. It
// returns 0 and writes nothing when the path has nothing to carry.
func (p ASPath) WriteAS4Path(buf []byte, off int) int {
	vlen := p.AS4PathValueLen()
	if vlen == 0 {
		return 0
	}
	h := wire.WriteAttrHeader(buf, off, flagsOptTrans, wire.AttrAS4Path, vlen)
	o := off + h
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			break
		}
		if !s.Type.Confed() {
			o += writeSegment(buf, o, s, true)
		}
	}
	return o - off
}

// ASPathSegment is one segment of an ASPathList.
type ASPathSegment struct {
	Type SegmentType
	ASNs []uint32
}

// ASPathList is an AS path held as a list of segments, for building one
// (from a text command, by prepending, by merging). The zero value is an
// empty path written with 4-octet AS numbers only when ASN4 is set.
type ASPathList struct {
	Segments []ASPathSegment
	ASN4     bool
}

// List copies the path into an ASPathList (it allocates).
func (p ASPath) List() ASPathList {
	l := ASPathList{ASN4: p.asn4}
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			return l
		}
		seg := ASPathSegment{Type: s.Type, ASNs: make([]uint32, s.Count())}
		for i := range seg.ASNs {
			seg.ASNs[i] = s.ASN(i)
		}
		l.Segments = append(l.Segments, seg)
	}
}

// ValueLen returns the size of the value. A segment of more than 255 AS
// numbers is written as several segments of the same type; empty segments
// are left out.
func (l ASPathList) ValueLen() int { return l.valueLen(l.ASN4, false) }

func (l ASPathList) valueLen(asn4, noConfed bool) int {
	n := 0
	for _, s := range l.Segments {
		if noConfed && s.Type.Confed() {
			continue
		}
		for c := len(s.ASNs); c > 0; c -= 255 {
			n += segLen(min(c, 255), asn4)
		}
	}
	return n
}

// Len returns the size of the whole AS_PATH attribute with flags 0x40.
func (l ASPathList) Len() int { return Size(flagsWellKnown, l.ValueLen()) }

// WriteTo writes the AS_PATH attribute with flags 0x40.
func (l ASPathList) WriteTo(buf []byte, off int) int {
	return l.WriteAttr(buf, off, flagsWellKnown)
}

// WriteAttr writes the path as attribute AS_PATH with the given flags, in
// the width ASN4 says (AS numbers above 65535 become AS_TRANS in 2 octets).
func (l ASPathList) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return l.write(buf, off, flags, wire.AttrASPath, l.ASN4, false)
}

// WriteAS4Path writes the path as an AS4_PATH attribute (flags 0xC0, 4-octet
// AS numbers, confederation segments left out). It returns 0 when there is
// nothing to carry.
func (l ASPathList) WriteAS4Path(buf []byte, off int) int {
	return l.write(buf, off, flagsOptTrans, wire.AttrAS4Path, true, true)
}

// write uses skip-and-backfill: the header is sized from the computed
// length, the segments written, then the length filled in from what was
// written.
func (l ASPathList) write(buf []byte, off int, flags wire.AttrFlags, code wire.AttrCode, asn4, noConfed bool) int {
	vlen := l.valueLen(asn4, noConfed)
	if noConfed && vlen == 0 {
		return 0
	}
	h := wire.WriteAttrHeader(buf, off, flags, code, vlen)
	o := off + h
	for _, s := range l.Segments {
		if noConfed && s.Type.Confed() {
			continue
		}
		for rest := s.ASNs; len(rest) > 0; {
			n := min(len(rest), 255)
			buf[o], buf[o+1] = byte(s.Type), byte(n)
			o += 2
			for _, a := range rest[:n] {
				o += putASN(buf, o, a, asn4)
			}
			rest = rest[n:]
		}
	}
	wire.BackfillAttrLength(buf, off, o-off-h)
	return o - off
}
