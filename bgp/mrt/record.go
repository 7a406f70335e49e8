package mrt

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// Type is an MRT record type (RFC 6396 §4, IANA "MRT Types").
type Type uint16

// MRT record types. Only TABLE_DUMP_V2, BGP4MP and BGP4MP_ET are decoded;
// the others are framed (their Data is available) but have no view.
const (
	TypeOSPFv2      Type = 11
	TypeTableDump   Type = 12
	TypeTableDumpV2 Type = 13
	TypeBGP4MP      Type = 16
	TypeBGP4MPET    Type = 17
	TypeISIS        Type = 32
	TypeISISET      Type = 33
	TypeOSPFv3      Type = 48
	TypeOSPFv3ET    Type = 49
)

var typeNames = map[Type]string{
	TypeOSPFv2: "OSPFv2", TypeTableDump: "TABLE_DUMP", TypeTableDumpV2: "TABLE_DUMP_V2",
	TypeBGP4MP: "BGP4MP", TypeBGP4MPET: "BGP4MP_ET", TypeISIS: "ISIS", TypeISISET: "ISIS_ET",
	TypeOSPFv3: "OSPFv3", TypeOSPFv3ET: "OSPFv3_ET",
}

// String returns the RFC name of the type ("BGP4MP_ET") or its number.
func (t Type) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return "TYPE-" + strconv.Itoa(int(t))
}

// HasMicroseconds reports whether records of type t carry the Microsecond
// Timestamp field of the extended header (RFC 6396 §3): the *_ET types.
func (t Type) HasMicroseconds() bool {
	return t == TypeBGP4MPET || t == TypeISISET || t == TypeOSPFv3ET
}

// Subtype is an MRT record subtype; its meaning depends on the Type.
type Subtype uint16

// TABLE_DUMP_V2 subtypes (RFC 6396 §4.3, RFC 8050 §4.2).
const (
	PeerIndexTable          Subtype = 1
	RIBIPv4Unicast          Subtype = 2
	RIBIPv4Multicast        Subtype = 3
	RIBIPv6Unicast          Subtype = 4
	RIBIPv6Multicast        Subtype = 5
	RIBGeneric              Subtype = 6
	RIBIPv4UnicastAddPath   Subtype = 8
	RIBIPv4MulticastAddPath Subtype = 9
	RIBIPv6UnicastAddPath   Subtype = 10
	RIBIPv6MulticastAddPath Subtype = 11
	RIBGenericAddPath       Subtype = 12
)

// BGP4MP and BGP4MP_ET subtypes (RFC 6396 §4.4, RFC 8050 §3).
const (
	StateChange            Subtype = 0
	Message                Subtype = 1
	MessageAS4             Subtype = 4
	StateChangeAS4         Subtype = 5
	MessageLocal           Subtype = 6
	MessageAS4Local        Subtype = 7
	MessageAddPath         Subtype = 8
	MessageAS4AddPath      Subtype = 9
	MessageLocalAddPath    Subtype = 10
	MessageAS4LocalAddPath Subtype = 11
	maxBGP4MPSubtype       Subtype = MessageAS4LocalAddPath
)

var bgp4mpNames = [...]string{
	StateChange: "STATE_CHANGE", Message: "MESSAGE", MessageAS4: "MESSAGE_AS4",
	StateChangeAS4: "STATE_CHANGE_AS4", MessageLocal: "MESSAGE_LOCAL",
	MessageAS4Local: "MESSAGE_AS4_LOCAL", MessageAddPath: "MESSAGE_ADDPATH",
	MessageAS4AddPath: "MESSAGE_AS4_ADDPATH", MessageLocalAddPath: "MESSAGE_LOCAL_ADDPATH",
	MessageAS4LocalAddPath: "MESSAGE_AS4_LOCAL_ADDPATH",
}

var tableDumpV2Names = [...]string{
	PeerIndexTable: "PEER_INDEX_TABLE", RIBIPv4Unicast: "RIB_IPV4_UNICAST",
	RIBIPv4Multicast: "RIB_IPV4_MULTICAST", RIBIPv6Unicast: "RIB_IPV6_UNICAST",
	RIBIPv6Multicast: "RIB_IPV6_MULTICAST", RIBGeneric: "RIB_GENERIC",
	RIBIPv4UnicastAddPath: "RIB_IPV4_UNICAST_ADDPATH", RIBIPv4MulticastAddPath: "RIB_IPV4_MULTICAST_ADDPATH",
	RIBIPv6UnicastAddPath: "RIB_IPV6_UNICAST_ADDPATH", RIBIPv6MulticastAddPath: "RIB_IPV6_MULTICAST_ADDPATH",
	RIBGenericAddPath: "RIB_GENERIC_ADDPATH",
}

// SubtypeName returns the RFC name of subtype s of type t
// ("MESSAGE_AS4", "RIB_IPV6_UNICAST") or its number.
func SubtypeName(t Type, s Subtype) string {
	var names []string
	switch t {
	case TypeBGP4MP, TypeBGP4MPET:
		names = bgp4mpNames[:]
	case TypeTableDumpV2:
		names = tableDumpV2Names[:]
	}
	if int(s) < len(names) && names[s] != "" {
		return names[s]
	}
	return strconv.Itoa(int(s))
}

// IsMessage reports whether a BGP4MP subtype carries a BGP message.
func (s Subtype) IsMessage() bool {
	return s == Message || s == MessageAS4 || (s >= MessageLocal && s <= maxBGP4MPSubtype)
}

// IsStateChange reports whether a BGP4MP subtype is a state change.
func (s Subtype) IsStateChange() bool { return s == StateChange || s == StateChangeAS4 }

// IsAS4 reports whether a BGP4MP subtype has 4-octet AS number fields.
// By convention the BGP message of such a record is also encoded with
// 4-octet AS numbers (the session negotiated RFC 6793).
func (s Subtype) IsAS4() bool {
	switch s {
	case MessageAS4, StateChangeAS4, MessageAS4Local, MessageAS4AddPath, MessageAS4LocalAddPath:
		return true
	}
	return false
}

// IsLocal reports whether a BGP4MP subtype records a message the local
// speaker sent rather than received.
func (s Subtype) IsLocal() bool {
	switch s {
	case MessageLocal, MessageAS4Local, MessageLocalAddPath, MessageAS4LocalAddPath:
		return true
	}
	return false
}

// IsAddPath reports whether a BGP4MP subtype's message was sent on a
// session with ADD-PATH (RFC 8050 §3): its NLRI carry path identifiers.
func (s Subtype) IsAddPath() bool { return s >= MessageAddPath && s <= maxBGP4MPSubtype }

// Common header (RFC 6396 §2), and the extended form (§3) whose
// Microsecond Timestamp counts in Length:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Timestamp                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|             Type              |            Subtype            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                             Length                            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Microsecond Timestamp (_ET only)              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Message... (variable)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	// HeaderLen is the size of the common header.
	HeaderLen = 12
	// DefaultMaxRecordLen bounds a record's Length field unless
	// Reader.MaxRecordLen says otherwise. A BGP4MP record is at most a
	// 64 KiB message plus addresses; a TABLE_DUMP_V2 RIB record of a prefix
	// seen by every peer of a large collector stays well under 16 MiB.
	DefaultMaxRecordLen = 16 << 20
)

// Header is a decoded record header.
type Header struct {
	// Timestamp is the record time in seconds since the Unix epoch.
	Timestamp uint32
	// Microseconds is the sub-second part of the time for *_ET types.
	Microseconds uint32
	Type         Type
	Subtype      Subtype
	// Length is the Length field: the size of the record after the
	// common header, the Microsecond Timestamp included for *_ET types.
	Length uint32
}

// Record is one MRT record. Data aliases the reader's buffer (or the slice
// given to ParseRecord) and excludes the Microsecond Timestamp field.
type Record struct {
	Header
	Data []byte
}

// Errors returned for malformed input. They are wrapped with what was
// being read; test with errors.Is.
var (
	// ErrTruncated means a length field points past the end of its record
	// (or, from Reader.Next, that the input ended inside a record).
	ErrTruncated = errors.New("mrt: truncated record")
	// ErrTooLarge means a record's Length exceeds the reader's maximum.
	ErrTooLarge = errors.New("mrt: record too large")
	// ErrMalformed means a field holds a value the RFC does not allow.
	ErrMalformed = errors.New("mrt: malformed record")
	// ErrWrongType means a view was asked of a record of another type.
	ErrWrongType = errors.New("mrt: wrong record type")
)

// parseHeader decodes the 12-byte common header.
func parseHeader(b []byte) Header {
	return Header{
		Timestamp: binary.BigEndian.Uint32(b[0:4]),
		Type:      Type(binary.BigEndian.Uint16(b[4:6])),
		Subtype:   Subtype(binary.BigEndian.Uint16(b[6:8])),
		Length:    binary.BigEndian.Uint32(b[8:12]),
	}
}

// finish splits the microsecond field off body for *_ET types.
func (h Header) finish(body []byte) (Record, error) {
	rec := Record{Header: h, Data: body}
	if h.Type.HasMicroseconds() {
		if len(body) < 4 {
			return Record{}, errorf(ErrTruncated, "%s header: length %d has no room for microseconds", h.Type, h.Length)
		}
		rec.Microseconds = binary.BigEndian.Uint32(body)
		rec.Data = body[4:]
	}
	return rec, nil
}

// ParseRecord decodes the record at the start of b and returns it and its
// total size (header included). Data aliases b.
func ParseRecord(b []byte) (Record, int, error) {
	if len(b) < HeaderLen {
		return Record{}, 0, errorf(ErrTruncated, "header: %d bytes, want %d", len(b), HeaderLen)
	}
	h := parseHeader(b)
	if uint64(h.Length) > uint64(len(b)-HeaderLen) {
		return Record{}, 0, errorf(ErrTruncated, "%s record: length %d, %d bytes left", h.Type, h.Length, len(b)-HeaderLen)
	}
	n := HeaderLen + int(h.Length)
	rec, err := h.finish(b[HeaderLen:n])
	if err != nil {
		return Record{}, 0, err
	}
	return rec, n, nil
}
