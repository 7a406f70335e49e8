package mrt

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/zebgp/ze/bgp/wire"
)

// State is a BGP FSM state as BGP4MP STATE_CHANGE records it (RFC 6396 §4.4.1).
type State uint16

// FSM states.
const (
	StateIdle        State = 1
	StateConnect     State = 2
	StateActive      State = 3
	StateOpenSent    State = 4
	StateOpenConfirm State = 5
	StateEstablished State = 6
)

var stateNames = [...]string{
	StateIdle: "idle", StateConnect: "connect", StateActive: "active",
	StateOpenSent: "opensent", StateOpenConfirm: "openconfirm", StateEstablished: "established",
}

// String returns the lowercase state name ("established") or its number.
func (s State) String() string {
	if int(s) < len(stateNames) && stateNames[s] != "" {
		return stateNames[s]
	}
	return "state-" + strconv.Itoa(int(s))
}

// BGP4MP is a view of a BGP4MP or BGP4MP_ET record (RFC 6396 §4.4,
// RFC 8050 §3). The AS fields are 2 octets, or 4 for the *_AS4 subtypes;
// the IP fields are 4 octets for AFI 1 and 16 for AFI 2:
//
//	+-------------------+-------------------+
//	| Peer AS (2|4)     | Local AS (2|4)    |
//	+-------------------+-------------------+
//	| Interface Index (2) | Address Family (2) |
//	+---------------------------------------+
//	| Peer IP (4|16)                        |
//	| Local IP (4|16)                       |
//	+---------------------------------------+
//	| Old State (2) | New State (2)         |  STATE_CHANGE(_AS4)
//	+---------------------------------------+
//	| BGP Message (variable)                |  MESSAGE* subtypes
//	+---------------------------------------+
type BGP4MP struct {
	Subtype   Subtype
	PeerAS    uint32
	LocalAS   uint32
	Interface uint16
	AFI       wire.AFI
	PeerIP    netip.Addr
	LocalIP   netip.Addr
	// OldState and NewState are set for state changes.
	OldState, NewState State
	// Message is the whole BGP message, its 19-byte header included, for
	// the MESSAGE* subtypes. It aliases the record.
	Message []byte
}

// BGP4MP decodes a BGP4MP or BGP4MP_ET record.
func (r *Record) BGP4MP() (BGP4MP, error) {
	if r.Type != TypeBGP4MP && r.Type != TypeBGP4MPET {
		return BGP4MP{}, errorf(ErrWrongType, "%s is not BGP4MP", r.Type)
	}
	return ParseBGP4MP(r.Subtype, r.Data)
}

// ParseBGP4MP decodes the body of a BGP4MP record of subtype st.
func ParseBGP4MP(st Subtype, b []byte) (BGP4MP, error) {
	m := BGP4MP{Subtype: st}
	if !st.IsMessage() && !st.IsStateChange() {
		return BGP4MP{}, errorf(ErrMalformed, "BGP4MP subtype %d unknown", st)
	}
	asLen := 2
	if st.IsAS4() {
		asLen = 4
	}
	if len(b) < 2*asLen+4 {
		return BGP4MP{}, errorf(ErrTruncated, "BGP4MP %s: %d bytes", SubtypeName(TypeBGP4MP, st), len(b))
	}
	if asLen == 4 {
		m.PeerAS, m.LocalAS = binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	} else {
		m.PeerAS, m.LocalAS = uint32(binary.BigEndian.Uint16(b)), uint32(binary.BigEndian.Uint16(b[2:]))
	}
	b = b[2*asLen:]
	m.Interface = binary.BigEndian.Uint16(b)
	m.AFI = wire.AFI(binary.BigEndian.Uint16(b[2:]))
	b = b[4:]
	var ipLen int
	switch m.AFI {
	case wire.AFIIPv4:
		ipLen = 4
	case wire.AFIIPv6:
		ipLen = 16
	default:
		return BGP4MP{}, errorf(ErrMalformed, "BGP4MP %s: address family %d", SubtypeName(TypeBGP4MP, st), m.AFI)
	}
	if len(b) < 2*ipLen {
		return BGP4MP{}, errorf(ErrTruncated, "BGP4MP %s: addresses need %d bytes, %d left",
			SubtypeName(TypeBGP4MP, st), 2*ipLen, len(b))
	}
	m.PeerIP, m.LocalIP = addr(b[:ipLen]), addr(b[ipLen:2*ipLen])
	b = b[2*ipLen:]
	if st.IsStateChange() {
		if len(b) != 4 {
			return BGP4MP{}, errorf(ErrMalformed, "BGP4MP %s: %d bytes of state, want 4",
				SubtypeName(TypeBGP4MP, st), len(b))
		}
		m.OldState, m.NewState = State(binary.BigEndian.Uint16(b)), State(binary.BigEndian.Uint16(b[2:]))
		return m, nil
	}
	if len(b) < wire.HeaderLen {
		return BGP4MP{}, errorf(ErrTruncated, "BGP4MP %s: BGP message of %d bytes",
			SubtypeName(TypeBGP4MP, st), len(b))
	}
	m.Message = b
	return m, nil
}

// addr makes an address of a 4- or 16-byte slice without allocating.
func addr(b []byte) netip.Addr {
	if len(b) == 4 {
		return netip.AddrFrom4([4]byte(b))
	}
	return netip.AddrFrom16([16]byte(b))
}
