package capability

import (
	"encoding/binary"
	"encoding/json"

	"github.com/zebgp/ze/bgp/wire"
)

// GRFamily is one <AFI, SAFI, Flags> entry of the graceful restart capability.
type GRFamily struct {
	Family wire.Family `json:"family"`
	// Forwarding is the F bit: forwarding state was preserved across the
	// restart (RFC 4724 §3).
	Forwarding bool `json:"forwarding"`
}

// MarshalJSON shows the family as "afi/safi".
func (g GRFamily) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Family     familyJSON `json:"family"`
		Forwarding bool       `json:"forwarding"`
	}{familyJSON(g.Family), g.Forwarding})
}

// Graceful restart flag bits (RFC 4724 §3, RFC 8538 §2).
const (
	grRestarting   = 0x80 // R: the speaker has restarted
	grNotification = 0x40 // N: NOTIFICATION messages are graceful too
	grForwarding   = 0x80 // F, per family
	// MaxRestartTime is the largest restart time (12 bits).
	MaxRestartTime = 0x0FFF
)

// GracefulRestart is the graceful restart capability (RFC 4724 §3).
//
//	+--------------------------------------------------+
//	| Restart Flags (4 bits) R N . .                   |
//	| Restart Time in seconds (12 bits)                |
//	+--------------------------------------------------+
//	| AFI (16 bits) | SAFI (8 bits) | Flags (8 bits)   | … 0 to 63 times
//	+--------------------------------------------------+
type GracefulRestart struct {
	Restarting   bool       `json:"restarting"`   // R bit
	Notification bool       `json:"notification"` // N bit (RFC 8538)
	RestartTime  uint16     `json:"restart-time"` // seconds, 12 bits
	Families     []GRFamily `json:"families"`
}

func parseGracefulRestart(v []byte) (Capability, error) {
	if len(v) < 2 {
		return nil, errorf(CodeGracefulRestart, "length %d shorter than the 2-byte header", len(v))
	}
	if (len(v)-2)%4 != 0 {
		return nil, errorf(CodeGracefulRestart, "length %d not a multiple of 4 after the 2-byte header", len(v))
	}
	g := &GracefulRestart{
		Restarting:   v[0]&grRestarting != 0,
		Notification: v[0]&grNotification != 0,
		RestartTime:  binary.BigEndian.Uint16(v) & MaxRestartTime,
		Families:     make([]GRFamily, 0, (len(v)-2)/4),
	}
	for i := 2; i < len(v); i += 4 {
		g.Families = append(g.Families, GRFamily{
			Family:     wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(v[i:])), SAFI: wire.SAFI(v[i+2])},
			Forwarding: v[i+3]&grForwarding != 0,
		})
	}
	return g, nil
}

// Code returns CodeGracefulRestart.
func (*GracefulRestart) Code() Code { return CodeGracefulRestart }

// count is the number of families that fit in one capability.
func (g *GracefulRestart) count() int { return min(len(g.Families), (MaxValueLen-2)/4) }

// Len returns the encoded size (at most 63 families fit).
func (g *GracefulRestart) Len() int { return 4 + 4*g.count() }

// WriteTo writes the capability. RestartTime above 4095 is written as 4095.
func (g *GracefulRestart) WriteTo(buf []byte, off int) int {
	n := g.count()
	writeHeader(buf, off, CodeGracefulRestart, 2+4*n)
	binary.BigEndian.PutUint16(buf[off+2:], min(g.RestartTime, MaxRestartTime))
	if g.Restarting {
		buf[off+2] |= grRestarting
	}
	if g.Notification {
		buf[off+2] |= grNotification
	}
	p := off + 4
	for _, f := range g.Families[:n] {
		binary.BigEndian.PutUint16(buf[p:], uint16(f.Family.AFI))
		buf[p+2] = byte(f.Family.SAFI)
		buf[p+3] = 0
		if f.Forwarding {
			buf[p+3] = grForwarding
		}
		p += 4
	}
	return p - off
}

// Family returns the entry for family f.
func (g *GracefulRestart) Family(f wire.Family) (GRFamily, bool) {
	for _, x := range g.Families {
		if x.Family == f {
			return x, true
		}
	}
	return GRFamily{}, false
}

// MaxStaleTime is the largest long-lived stale time (24 bits).
const MaxStaleTime = 0xFFFFFF

// LLGRFamily is one <AFI, SAFI, Flags, LLST> entry (RFC 9494 §3.1).
type LLGRFamily struct {
	Family     wire.Family `json:"family"`
	Forwarding bool        `json:"forwarding"` // F bit
	StaleTime  uint32      `json:"stale-time"` // seconds, 24 bits
}

// MarshalJSON shows the family as "afi/safi".
func (l LLGRFamily) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Family     familyJSON `json:"family"`
		Forwarding bool       `json:"forwarding"`
		StaleTime  uint32     `json:"stale-time"`
	}{familyJSON(l.Family), l.Forwarding, l.StaleTime})
}

// LLGR is the long-lived graceful restart capability (RFC 9494 §3.1).
//
//	+-----------------------------------------------------------+
//	| AFI (16 bits) | SAFI (8) | Flags (8) | Long-Lived Stale   |
//	|               |          |           | Time (24 bits)     | …
//	+-----------------------------------------------------------+
type LLGR struct {
	Families []LLGRFamily `json:"families"`
}

func parseLLGR(v []byte) (Capability, error) {
	if len(v)%7 != 0 {
		return nil, errorf(CodeLLGR, "length %d not a multiple of 7", len(v))
	}
	l := &LLGR{Families: make([]LLGRFamily, 0, len(v)/7)}
	for i := 0; i < len(v); i += 7 {
		l.Families = append(l.Families, LLGRFamily{
			Family:     wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(v[i:])), SAFI: wire.SAFI(v[i+2])},
			Forwarding: v[i+3]&grForwarding != 0,
			StaleTime:  uint32(v[i+4])<<16 | uint32(v[i+5])<<8 | uint32(v[i+6]),
		})
	}
	return l, nil
}

// Code returns CodeLLGR.
func (*LLGR) Code() Code { return CodeLLGR }

// count is the number of families that fit in one capability.
func (l *LLGR) count() int { return min(len(l.Families), MaxValueLen/7) }

// Len returns the encoded size (at most 36 families fit).
func (l *LLGR) Len() int { return 2 + 7*l.count() }

// WriteTo writes the capability. A stale time above 2^24-1 is written as
// 2^24-1.
func (l *LLGR) WriteTo(buf []byte, off int) int {
	n := l.count()
	writeHeader(buf, off, CodeLLGR, 7*n)
	p := off + 2
	for _, f := range l.Families[:n] {
		binary.BigEndian.PutUint16(buf[p:], uint16(f.Family.AFI))
		buf[p+2] = byte(f.Family.SAFI)
		buf[p+3] = 0
		if f.Forwarding {
			buf[p+3] = grForwarding
		}
		st := min(f.StaleTime, MaxStaleTime)
		buf[p+4], buf[p+5], buf[p+6] = byte(st>>16), byte(st>>8), byte(st)
		p += 7
	}
	return p - off
}
