package mrt

import (
	"encoding/binary"
	"net/netip"

	"github.com/zebgp/ze/bgp/wire"
)

// PeerTable is a view of a TABLE_DUMP_V2 PEER_INDEX_TABLE record
// (RFC 6396 §4.3.1). The RIB records that follow name their peers by
// index into this table.
//
//	+---------------------------------------+
//	| Collector BGP ID (4)                  |
//	| View Name Length (2) | View Name      |
//	| Peer Count (2)                        |
//	| Peer Entries (variable)               |
//	+---------------------------------------+
type PeerTable struct {
	CollectorID netip.Addr
	// ViewName aliases the record (often empty).
	ViewName  []byte
	PeerCount uint16
	peers     []byte
}

// Peer is one entry of the peer index table:
// Peer Type (1), Peer BGP ID (4), Peer IP (4|16), Peer AS (2|4).
type Peer struct {
	BGPID netip.Addr
	IP    netip.Addr
	AS    uint32
	// AS4 reports that the entry stored AS as 4 octets (Peer Type bit 1).
	AS4 bool
}

// Peer Type bits.
const (
	peerTypeIPv6 = 0x01
	peerTypeAS4  = 0x02
)

// PeerTable decodes a PEER_INDEX_TABLE record.
func (r *Record) PeerTable() (PeerTable, error) {
	if r.Type != TypeTableDumpV2 || r.Subtype != PeerIndexTable {
		return PeerTable{}, errorf(ErrWrongType, "%s/%s is not TABLE_DUMP_V2/PEER_INDEX_TABLE",
			r.Type, SubtypeName(r.Type, r.Subtype))
	}
	return ParsePeerTable(r.Data)
}

// ParsePeerTable decodes the body of a PEER_INDEX_TABLE record. It
// checks that exactly PeerCount well-formed entries fill the rest.
func ParsePeerTable(b []byte) (PeerTable, error) {
	if len(b) < 6 {
		return PeerTable{}, errorf(ErrTruncated, "PEER_INDEX_TABLE: %d bytes", len(b))
	}
	t := PeerTable{CollectorID: addr(b[:4])}
	vl := int(binary.BigEndian.Uint16(b[4:]))
	if 6+vl+2 > len(b) {
		return PeerTable{}, errorf(ErrTruncated, "PEER_INDEX_TABLE: view name of %d bytes, %d left", vl, len(b)-6)
	}
	t.ViewName = b[6 : 6+vl]
	t.PeerCount = binary.BigEndian.Uint16(b[6+vl:])
	t.peers = b[8+vl:]
	it := t.Peers()
	for {
		if _, ok := it.Next(); !ok {
			break
		}
	}
	if it.Err() != nil {
		return PeerTable{}, it.Err()
	}
	if it.off != len(t.peers) {
		return PeerTable{}, errorf(ErrMalformed, "PEER_INDEX_TABLE: %d bytes after %d peers",
			len(t.peers)-it.off, t.PeerCount)
	}
	return t, nil
}

// Peers returns an iterator over the peer entries.
func (t *PeerTable) Peers() PeerIter { return PeerIter{b: t.peers, left: int(t.PeerCount)} }

// AppendPeers appends every peer to dst, for lookup by RIBEntry.PeerIndex.
func (t *PeerTable) AppendPeers(dst []Peer) ([]Peer, error) {
	it := t.Peers()
	for {
		p, ok := it.Next()
		if !ok {
			return dst, it.Err()
		}
		dst = append(dst, p)
	}
}

// PeerIter walks the entries of a peer index table.
type PeerIter struct {
	b    []byte
	off  int
	left int
	err  error
}

// Next returns the next peer, or false at the end or on an error (see Err).
func (it *PeerIter) Next() (Peer, bool) {
	if it.err != nil || it.left == 0 {
		return Peer{}, false
	}
	rest := it.b[it.off:]
	if len(rest) < 1 {
		it.err = errorf(ErrTruncated, "PEER_INDEX_TABLE: %d peers missing", it.left)
		return Peer{}, false
	}
	pt := rest[0]
	ipLen, asLen := 4, 2
	if pt&peerTypeIPv6 != 0 {
		ipLen = 16
	}
	if pt&peerTypeAS4 != 0 {
		asLen = 4
	}
	n := 1 + 4 + ipLen + asLen
	if len(rest) < n {
		it.err = errorf(ErrTruncated, "PEER_INDEX_TABLE: peer entry of %d bytes, %d left", n, len(rest))
		return Peer{}, false
	}
	p := Peer{BGPID: addr(rest[1:5]), IP: addr(rest[5 : 5+ipLen]), AS4: asLen == 4}
	if asLen == 4 {
		p.AS = binary.BigEndian.Uint32(rest[5+ipLen:])
	} else {
		p.AS = uint32(binary.BigEndian.Uint16(rest[5+ipLen:]))
	}
	it.off += n
	it.left--
	return p, true
}

// Err returns the error that stopped the iteration, if any.
func (it *PeerIter) Err() error { return it.err }

// RIB is a view of a TABLE_DUMP_V2 RIB record: one prefix and the paths
// every peer has for it (RFC 6396 §4.3.2, §4.3.3; RFC 8050 §4).
//
//	AFI/SAFI-specific subtypes:       RIB_GENERIC(_ADDPATH):
//	+---------------------------+     +---------------------------+
//	| Sequence Number (4)       |     | Sequence Number (4)       |
//	| Prefix Length (1)         |     | AFI (2) | SAFI (1)        |
//	| Prefix (variable)         |     | NLRI (variable)           |
//	| Entry Count (2)           |     | Entry Count (2)           |
//	| RIB Entries (variable)    |     | RIB Entries (variable)    |
//	+---------------------------+     +---------------------------+
//
// For RIB_GENERIC_ADDPATH, RFC 8050 §4.2 puts the path identifier in front
// of the NLRI (as on the wire with ADD-PATH) and not in the entries; this
// reader follows the RFC. GoBGP and OpenBGPD put it in each entry instead,
// the way the AFI/SAFI-specific ADDPATH subtypes do; their records are
// usually rejected by the entry count and length checks, but the layouts
// cannot be told apart in general. The corpus has no such record.
type RIB struct {
	Subtype  Subtype
	Sequence uint32
	Family   wire.Family
	// NLRI is the prefix as it sits in an UPDATE: a length in bits and
	// the fewest octets that hold it (for RIB_GENERIC: one NLRI of Family
	// in MP_REACH_NLRI form). It aliases the record.
	NLRI []byte
	// PathID is the path identifier of a RIB_GENERIC_ADDPATH record.
	PathID uint32
	// EntryCount is the number of RIB entries.
	EntryCount uint16
	entries    []byte
}

// RIBEntry is one path for a RIB record's prefix (RFC 6396 §4.3.4,
// RFC 8050 §4.1): Peer Index (2), Originated Time (4), Path Identifier
// (4, ADDPATH subtypes other than RIB_GENERIC_ADDPATH), Attribute Length
// (2), BGP Attributes.
//
// Attrs uses 4-octet AS numbers whatever the peer negotiated, and its
// MP_REACH_NLRI holds only the next hop length and next hop (RFC 6396
// §4.3.4): the prefix is the RIB record's.
type RIBEntry struct {
	PeerIndex      uint16
	OriginatedTime uint32
	PathID         uint32
	HasPathID      bool
	// Attrs is the path attributes field; it aliases the record.
	Attrs []byte
}

// IsRIB reports whether a TABLE_DUMP_V2 subtype is a RIB record.
func (s Subtype) IsRIB() bool {
	return s >= RIBIPv4Unicast && s <= RIBGenericAddPath && s != 7
}

// RIB decodes a TABLE_DUMP_V2 RIB record.
func (r *Record) RIB() (RIB, error) {
	if r.Type != TypeTableDumpV2 || !r.Subtype.IsRIB() {
		return RIB{}, errorf(ErrWrongType, "%s/%s is not a TABLE_DUMP_V2 RIB record",
			r.Type, SubtypeName(r.Type, r.Subtype))
	}
	return ParseRIB(r.Subtype, r.Data)
}

// ribFamily is the family of the AFI/SAFI-specific RIB subtypes.
func ribFamily(st Subtype) (f wire.Family, addPath bool) {
	switch st {
	case RIBIPv4Unicast, RIBIPv4UnicastAddPath:
		f = wire.IPv4Unicast
	case RIBIPv4Multicast, RIBIPv4MulticastAddPath:
		f = wire.IPv4Multicast
	case RIBIPv6Unicast, RIBIPv6UnicastAddPath:
		f = wire.IPv6Unicast
	case RIBIPv6Multicast, RIBIPv6MulticastAddPath:
		f = wire.IPv6Multicast
	}
	return f, st >= RIBIPv4UnicastAddPath
}

// ParseRIB decodes the body of a TABLE_DUMP_V2 RIB record of subtype st.
// It checks that exactly EntryCount well-formed entries fill the rest.
func ParseRIB(st Subtype, b []byte) (RIB, error) {
	name := SubtypeName(TypeTableDumpV2, st)
	if !st.IsRIB() {
		return RIB{}, errorf(ErrMalformed, "TABLE_DUMP_V2 subtype %d is not a RIB", st)
	}
	if len(b) < 4 {
		return RIB{}, errorf(ErrTruncated, "%s: %d bytes", name, len(b))
	}
	r := RIB{Subtype: st, Sequence: binary.BigEndian.Uint32(b)}
	b = b[4:]
	entryPathID := false
	if st == RIBGeneric || st == RIBGenericAddPath {
		if len(b) < 3 {
			return RIB{}, errorf(ErrTruncated, "%s: no AFI/SAFI", name)
		}
		r.Family = wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(b)), SAFI: wire.SAFI(b[2])}
		b = b[3:]
		if st == RIBGenericAddPath {
			if len(b) < 4 {
				return RIB{}, errorf(ErrTruncated, "%s: no path identifier", name)
			}
			r.PathID = binary.BigEndian.Uint32(b)
			b = b[4:]
		}
		n, err := nlriLen(r.Family, b)
		if err != nil {
			return RIB{}, errorf(ErrMalformed, "%s %s NLRI: %v", name, r.Family, err)
		}
		r.NLRI = b[:n]
		b = b[n:]
	} else {
		r.Family, entryPathID = ribFamily(st)
		if len(b) < 1 {
			return RIB{}, errorf(ErrTruncated, "%s: no prefix", name)
		}
		maxBits := 32
		if r.Family.AFI == wire.AFIIPv6 {
			maxBits = 128
		}
		bits := int(b[0])
		if bits > maxBits {
			return RIB{}, errorf(ErrMalformed, "%s: prefix length %d", name, bits)
		}
		n := 1 + (bits+7)/8
		if len(b) < n {
			return RIB{}, errorf(ErrTruncated, "%s: prefix of %d bits, %d bytes left", name, bits, len(b)-1)
		}
		r.NLRI = b[:n]
		b = b[n:]
	}
	if len(b) < 2 {
		return RIB{}, errorf(ErrTruncated, "%s: no entry count", name)
	}
	r.EntryCount = binary.BigEndian.Uint16(b)
	r.entries = b[2:]
	it := r.entryIter(entryPathID)
	for {
		if _, ok := it.Next(); !ok {
			break
		}
	}
	if it.Err() != nil {
		return RIB{}, it.Err()
	}
	if it.off != len(r.entries) {
		return RIB{}, errorf(ErrMalformed, "%s: %d bytes after %d entries", name, len(r.entries)-it.off, r.EntryCount)
	}
	return r, nil
}

// nlriLen sizes the single NLRI of a RIB_GENERIC record. The SAFIs whose
// NLRI is a length in bits and that many bits (unicast, multicast,
// labeled, VPN) are sized here; others need a codec registered in wire.
func nlriLen(f wire.Family, b []byte) (int, error) {
	switch f.SAFI {
	case wire.SAFIUnicast, wire.SAFIMulticast, wire.SAFIMPLSLabel, wire.SAFIVPN, 129:
		if len(b) < 1 || len(b) < 1+(int(b[0])+7)/8 {
			return 0, ErrTruncated
		}
		return 1 + (int(b[0])+7)/8, nil
	}
	c, ok := wire.LookupFamily(f)
	if !ok {
		return 0, &wire.UnknownFamilyError{Family: f}
	}
	return c.Len(b)
}

// Prefix returns the prefix of an IPv4 or IPv6 unicast or multicast RIB
// record (ok false for other families).
func (r *RIB) Prefix() (p netip.Prefix, ok bool) {
	if r.Family.SAFI != wire.SAFIUnicast && r.Family.SAFI != wire.SAFIMulticast {
		return netip.Prefix{}, false
	}
	if r.Family.AFI != wire.AFIIPv4 && r.Family.AFI != wire.AFIIPv6 {
		return netip.Prefix{}, false
	}
	p, err := wire.PrefixFromNLRI(r.NLRI, r.Family.AFI == wire.AFIIPv6)
	return p, err == nil
}

// Entries returns an iterator over the RIB entries.
func (r *RIB) Entries() EntryIter {
	_, addPath := ribFamily(r.Subtype)
	return r.entryIter(addPath && r.Subtype != RIBGenericAddPath)
}

func (r *RIB) entryIter(pathID bool) EntryIter {
	return EntryIter{b: r.entries, left: int(r.EntryCount), pathID: pathID}
}

// EntryIter walks the entries of a RIB record.
type EntryIter struct {
	b      []byte
	off    int
	left   int
	pathID bool
	err    error
}

// Next returns the next entry, or false at the end or on an error (see Err).
func (it *EntryIter) Next() (RIBEntry, bool) {
	if it.err != nil || it.left == 0 {
		return RIBEntry{}, false
	}
	rest := it.b[it.off:]
	hl := 8
	if it.pathID {
		hl = 12
	}
	if len(rest) < hl {
		it.err = errorf(ErrTruncated, "RIB entry: %d bytes, %d entries missing", len(rest), it.left)
		return RIBEntry{}, false
	}
	e := RIBEntry{
		PeerIndex:      binary.BigEndian.Uint16(rest),
		OriginatedTime: binary.BigEndian.Uint32(rest[2:]),
	}
	if it.pathID {
		e.PathID, e.HasPathID = binary.BigEndian.Uint32(rest[6:]), true
	}
	al := int(binary.BigEndian.Uint16(rest[hl-2:]))
	if hl+al > len(rest) {
		it.err = errorf(ErrTruncated, "RIB entry: attributes of %d bytes, %d left", al, len(rest)-hl)
		return RIBEntry{}, false
	}
	e.Attrs = rest[hl : hl+al]
	it.off += hl + al
	it.left--
	return e, true
}

// Err returns the error that stopped the iteration, if any.
func (it *EntryIter) Err() error { return it.err }
