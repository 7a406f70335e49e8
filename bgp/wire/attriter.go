package wire

import (
	"encoding/binary"
	"strconv"
)

// AttrFlags are the path attribute flags (RFC 4271 §4.3).
type AttrFlags uint8

// Attribute flag bits.
const (
	FlagOptional   AttrFlags = 0x80
	FlagTransitive AttrFlags = 0x40
	FlagPartial    AttrFlags = 0x20
	FlagExtLen     AttrFlags = 0x10
)

// AttrCode is a path attribute type code.
type AttrCode uint8

// Path attribute type codes.
const (
	AttrOrigin           AttrCode = 1
	AttrASPath           AttrCode = 2
	AttrNextHop          AttrCode = 3
	AttrMED              AttrCode = 4
	AttrLocalPref        AttrCode = 5
	AttrAtomicAggregate  AttrCode = 6
	AttrAggregator       AttrCode = 7
	AttrCommunity        AttrCode = 8
	AttrOriginatorID     AttrCode = 9
	AttrClusterList      AttrCode = 10
	AttrMPReach          AttrCode = 14
	AttrMPUnreach        AttrCode = 15
	AttrExtCommunity     AttrCode = 16
	AttrAS4Path          AttrCode = 17
	AttrAS4Aggregator    AttrCode = 18
	AttrPMSITunnel       AttrCode = 22
	AttrTunnelEncap      AttrCode = 23
	AttrIPv6ExtCommunity AttrCode = 25
	AttrTE               AttrCode = 24
	AttrAIGP             AttrCode = 26
	AttrBGPLS            AttrCode = 29
	AttrLargeCommunity   AttrCode = 32
	AttrOTC              AttrCode = 35
	AttrPrefixSID        AttrCode = 40
	AttrAttrSet          AttrCode = 128
)

var attrNames = map[AttrCode]string{
	AttrOrigin: "origin", AttrASPath: "as-path", AttrNextHop: "next-hop", AttrMED: "med",
	AttrLocalPref: "local-preference", AttrAtomicAggregate: "atomic-aggregate",
	AttrAggregator: "aggregator", AttrCommunity: "community", AttrOriginatorID: "originator-id",
	AttrClusterList: "cluster-list", AttrMPReach: "mp-reach-nlri", AttrMPUnreach: "mp-unreach-nlri",
	AttrExtCommunity: "extended-community", AttrAS4Path: "as4-path", AttrAS4Aggregator: "as4-aggregator",
	AttrPMSITunnel: "pmsi-tunnel", AttrTunnelEncap: "tunnel-encapsulation",
	AttrIPv6ExtCommunity: "ipv6-extended-community", AttrAIGP: "aigp", AttrBGPLS: "bgp-ls",
	AttrLargeCommunity: "large-community", AttrOTC: "otc", AttrPrefixSID: "prefix-sid",
	AttrTE: "traffic-engineering", AttrAttrSet: "attr-set",
}

// String returns the attribute's JSON key ("as-path") or "attribute-N".
func (c AttrCode) String() string {
	if s, ok := attrNames[c]; ok {
		return s
	}
	return "attribute-" + strconv.Itoa(int(c))
}

// Attr is one path attribute as it sits in the message. Value aliases the
// message bytes; Raw is the whole attribute including its header.
type Attr struct {
	Flags AttrFlags
	Code  AttrCode
	Value []byte
	Raw   []byte
}

// Optional reports the Optional bit.
func (a Attr) Optional() bool { return a.Flags&FlagOptional != 0 }

// Transitive reports the Transitive bit.
func (a Attr) Transitive() bool { return a.Flags&FlagTransitive != 0 }

// Partial reports the Partial bit.
func (a Attr) Partial() bool { return a.Flags&FlagPartial != 0 }

// AttrIter walks the path attributes of an UPDATE one at a time.
//
//	for it := u.Attrs(); ; {
//		a, ok := it.Next()
//		if !ok { break }
//	}
//	if it.Err() != nil { … }
type AttrIter struct {
	b   []byte
	off int
	err error
}

// NewAttrIter returns an iterator over a Path Attributes field.
func NewAttrIter(b []byte) AttrIter { return AttrIter{b: b} }

// Next returns the next attribute. It stops at the end of the field or at the
// first attribute whose header or length does not fit (RFC 7606 §4: the
// attribute list is then malformed, see Err).
func (it *AttrIter) Next() (Attr, bool) {
	if it.err != nil || it.off >= len(it.b) {
		return Attr{}, false
	}
	rest := it.b[it.off:]
	if len(rest) < 3 {
		it.err = errAttrTruncated
		return Attr{}, false
	}
	flags := AttrFlags(rest[0])
	hl, vl := 3, 0
	if flags&FlagExtLen != 0 {
		if len(rest) < 4 {
			it.err = errAttrTruncated
			return Attr{}, false
		}
		hl, vl = 4, int(binary.BigEndian.Uint16(rest[2:4]))
	} else {
		vl = int(rest[2])
	}
	if hl+vl > len(rest) {
		it.err = errAttrTruncated
		return Attr{}, false
	}
	a := Attr{Flags: flags, Code: AttrCode(rest[1]), Value: rest[hl : hl+vl], Raw: rest[:hl+vl]}
	it.off += hl + vl
	return a, true
}

// Err returns the structural error that stopped the iteration, if any.
func (it *AttrIter) Err() error { return it.err }

// Offset is the position of the next attribute in the field.
func (it *AttrIter) Offset() int { return it.off }

// FindAttr returns the first attribute with code c in a Path Attributes field.
func FindAttr(attrs []byte, c AttrCode) (Attr, bool) {
	it := NewAttrIter(attrs)
	for {
		a, ok := it.Next()
		if !ok {
			return Attr{}, false
		}
		if a.Code == c {
			return a, true
		}
	}
}

// WriteAttrHeader writes the flags, code and length of an attribute whose
// value is vlen bytes long, choosing the extended-length form when needed
// (or when flags already ask for it). It returns the header size.
func WriteAttrHeader(buf []byte, off int, flags AttrFlags, code AttrCode, vlen int) int {
	if vlen > 255 {
		flags |= FlagExtLen
	}
	buf[off] = byte(flags)
	buf[off+1] = byte(code)
	if flags&FlagExtLen != 0 {
		binary.BigEndian.PutUint16(buf[off+2:], uint16(vlen))
		return 4
	}
	buf[off+2] = byte(vlen)
	return 3
}

// BackfillAttrLength sets the length of an attribute whose header starts at
// off, after its value was written. The header must have been written with
// FlagExtLen when vlen may exceed 255.
func BackfillAttrLength(buf []byte, off int, vlen int) {
	if AttrFlags(buf[off])&FlagExtLen != 0 {
		binary.BigEndian.PutUint16(buf[off+2:], uint16(vlen))
		return
	}
	buf[off+2] = byte(vlen)
}
