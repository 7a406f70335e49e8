package capability

import (
	"encoding/binary"
	"encoding/json"
	"strconv"

	"github.com/zebgp/ze/bgp/wire"
)

// ExtNHTuple says that NLRI of Family may carry a next hop of NextHopAFI
// (RFC 8950 §4).
type ExtNHTuple struct {
	Family     wire.Family `json:"family"`
	NextHopAFI wire.AFI    `json:"next-hop-afi"`
}

// MarshalJSON shows the family as "afi/safi" and the next-hop AFI by name.
func (t ExtNHTuple) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Family     familyJSON `json:"family"`
		NextHopAFI string     `json:"next-hop-afi"`
	}{familyJSON(t.Family), t.NextHopAFI.String()})
}

// ExtendedNextHop lists the NLRI families that may use a next hop of another
// address family (RFC 8950 §4).
//
//	+--------------------------------------------------------+
//	| NLRI AFI - 1 (2 octets)                                |
//	| NLRI SAFI - 1 (2 octets)                               |
//	| Nexthop AFI - 1 (2 octets)                             |
//	| …                                                      |
//	+--------------------------------------------------------+
type ExtendedNextHop struct {
	Tuples []ExtNHTuple `json:"tuples"`
}

func parseExtendedNextHop(v []byte) (Capability, error) {
	if len(v)%6 != 0 {
		return nil, errorf(CodeExtendedNextHop, "length %d not a multiple of 6", len(v))
	}
	e := &ExtendedNextHop{Tuples: make([]ExtNHTuple, 0, len(v)/6)}
	for i := 0; i < len(v); i += 6 {
		safi := binary.BigEndian.Uint16(v[i+2:])
		if safi > 255 {
			return nil, errorf(CodeExtendedNextHop, "tuple %d: safi %d out of range", i/6, safi)
		}
		e.Tuples = append(e.Tuples, ExtNHTuple{
			Family:     wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(v[i:])), SAFI: wire.SAFI(safi)},
			NextHopAFI: wire.AFI(binary.BigEndian.Uint16(v[i+4:])),
		})
	}
	return e, nil
}

// Code returns CodeExtendedNextHop.
func (*ExtendedNextHop) Code() Code { return CodeExtendedNextHop }

// count is the number of tuples that fit in one capability.
func (e *ExtendedNextHop) count() int { return min(len(e.Tuples), MaxValueLen/6) }

// Len returns the encoded size (at most 42 tuples fit).
func (e *ExtendedNextHop) Len() int { return 2 + 6*e.count() }

// WriteTo writes the capability.
func (e *ExtendedNextHop) WriteTo(buf []byte, off int) int {
	n := e.count()
	writeHeader(buf, off, CodeExtendedNextHop, 6*n)
	p := off + 2
	for _, t := range e.Tuples[:n] {
		binary.BigEndian.PutUint16(buf[p:], uint16(t.Family.AFI))
		binary.BigEndian.PutUint16(buf[p+2:], uint16(t.Family.SAFI))
		binary.BigEndian.PutUint16(buf[p+4:], uint16(t.NextHopAFI))
		p += 6
	}
	return p - off
}

// AddPathMode is what a speaker offers for one family (RFC 7911 §4).
type AddPathMode uint8

// ADD-PATH modes.
const (
	AddPathReceive AddPathMode = 1
	AddPathSend    AddPathMode = 2
	AddPathBoth    AddPathMode = 3
)

// String returns "receive", "send", "both" or "mode-N".
func (m AddPathMode) String() string {
	switch m {
	case AddPathReceive:
		return "receive"
	case AddPathSend:
		return "send"
	case AddPathBoth:
		return "both"
	}
	return "mode-" + strconv.Itoa(int(m))
}

// MarshalText returns the mode name.
func (m AddPathMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// CanSend reports whether the mode includes sending path identifiers.
func (m AddPathMode) CanSend() bool { return m&AddPathSend != 0 }

// CanReceive reports whether the mode includes receiving path identifiers.
func (m AddPathMode) CanReceive() bool { return m&AddPathReceive != 0 }

// AddPathFamily is one <AFI, SAFI, Send/Receive> entry.
type AddPathFamily struct {
	Family wire.Family `json:"family"`
	Mode   AddPathMode `json:"mode"`
}

// MarshalJSON shows the family as "afi/safi".
func (a AddPathFamily) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Family familyJSON  `json:"family"`
		Mode   AddPathMode `json:"mode"`
	}{familyJSON(a.Family), a.Mode})
}

// AddPath lists the families for which the speaker can send and/or receive
// multiple paths (RFC 7911 §4).
//
//	+------------------------------------------------+
//	| Address Family Identifier (2 octets)           |
//	| Subsequent Address Family Identifier (1 octet) |
//	| Send/Receive (1 octet)                         |
//	+------------------------------------------------+ …
type AddPath struct {
	Families []AddPathFamily `json:"families"`
}

func parseAddPath(v []byte) (Capability, error) {
	if len(v)%4 != 0 {
		return nil, errorf(CodeAddPath, "length %d not a multiple of 4", len(v))
	}
	a := &AddPath{Families: make([]AddPathFamily, 0, len(v)/4)}
	for i := 0; i < len(v); i += 4 {
		m := AddPathMode(v[i+3])
		if m < AddPathReceive || m > AddPathBoth {
			// RFC 7911 §4: the capability is then not understood.
			return nil, errorf(CodeAddPath, "entry %d: send/receive value %d not 1, 2 or 3", i/4, v[i+3])
		}
		a.Families = append(a.Families, AddPathFamily{
			Family: wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(v[i:])), SAFI: wire.SAFI(v[i+2])},
			Mode:   m,
		})
	}
	return a, nil
}

// Code returns CodeAddPath.
func (*AddPath) Code() Code { return CodeAddPath }

// count is the number of entries that fit in one capability.
func (a *AddPath) count() int { return min(len(a.Families), MaxValueLen/4) }

// Len returns the encoded size (at most 63 families fit).
func (a *AddPath) Len() int { return 2 + 4*a.count() }

// WriteTo writes the capability.
func (a *AddPath) WriteTo(buf []byte, off int) int {
	n := a.count()
	writeHeader(buf, off, CodeAddPath, 4*n)
	p := off + 2
	for _, f := range a.Families[:n] {
		binary.BigEndian.PutUint16(buf[p:], uint16(f.Family.AFI))
		buf[p+2] = byte(f.Family.SAFI)
		buf[p+3] = byte(f.Mode)
		p += 4
	}
	return p - off
}

// Mode returns the mode offered for family f, or 0.
func (a *AddPath) Mode(f wire.Family) AddPathMode {
	for _, x := range a.Families {
		if x.Family == f {
			return x.Mode
		}
	}
	return 0
}
