package attr

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
)

// The text forms of extended communities with a value layout of their own.
// A format function returns false when the value holds bits its text form
// cannot carry (reserved bits set, an undefined state), so that AppendText
// falls back to hex and the text still parses back to the same octets.

// OSPF Route Type (RFC 4577 §4.2.6): area (4), route type (1), options (1):
// "ospf-route-type:AREA:TYPE:OPTIONS", the area in dotted form.
func fmtOSPFRouteType(dst []byte, v [6]byte) ([]byte, bool) {
	dst = netip.AddrFrom4([4]byte(v[:4])).AppendTo(dst)
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, uint64(v[4]), 10)
	dst = append(dst, ':')
	return strconv.AppendUint(dst, uint64(v[5]), 10), true
}

func parseOSPFRouteType(s string) (v [6]byte, ok bool) {
	p := strings.Split(s, ":")
	if len(p) != 3 {
		return v, false
	}
	ip, err := netip.ParseAddr(p[0])
	t, ok1 := parseUintArg(p[1], 8)
	o, ok2 := parseUintArg(p[2], 8)
	if err != nil || !ip.Is4() || !ok1 || !ok2 {
		return v, false
	}
	a := ip.As4()
	copy(v[:], a[:])
	v[4], v[5] = byte(t), byte(o)
	return v, true
}

// Color (RFC 9012 §4.3): flags (2), color (4): "color:COLOR", or
// "color:COLOR:FLAGS" when flags are set.
func fmtColor(dst []byte, v [6]byte) ([]byte, bool) {
	dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v[2:])), 10)
	if f := binary.BigEndian.Uint16(v[:2]); f != 0 {
		dst = append(dst, ':')
		dst = strconv.AppendUint(dst, uint64(f), 10)
	}
	return dst, true
}

func parseColor(s string) (v [6]byte, ok bool) {
	c, f, hasFlags := strings.Cut(s, ":")
	n, ok := parseUintArg(c, 32)
	if !ok {
		return v, false
	}
	if hasFlags {
		fl, ok := parseUintArg(f, 16)
		if !ok {
			return v, false
		}
		binary.BigEndian.PutUint16(v[:2], uint16(fl))
	}
	binary.BigEndian.PutUint32(v[2:], uint32(n))
	return v, true
}

// Tunnel types of the BGP Tunnel Encapsulation registry (RFC 9012 §14.2).
var tunnelTypes = map[uint16]string{
	1: "l2tpv3", 2: "gre", 7: "ipip", 8: "vxlan", 9: "nvgre", 10: "mpls",
	11: "mpls-in-gre", 12: "vxlan-gpe", 13: "mpls-in-udp", 15: "sr-policy", 19: "geneve",
}

// Encapsulation (RFC 9012 §4.1): reserved (4), tunnel type (2):
// "encap:vxlan" or "encap:NUMBER".
func fmtEncap(dst []byte, v [6]byte) ([]byte, bool) {
	if !zero(v[:4]) {
		return dst, false
	}
	t := binary.BigEndian.Uint16(v[4:])
	if n, ok := tunnelTypes[t]; ok {
		return append(dst, n...), true
	}
	return strconv.AppendUint(dst, uint64(t), 10), true
}

func parseEncap(s string) (v [6]byte, ok bool) {
	for t, n := range tunnelTypes {
		if n == s {
			binary.BigEndian.PutUint16(v[4:], t)
			return v, true
		}
	}
	t, ok := parseUintArg(s, 16)
	binary.BigEndian.PutUint16(v[4:], uint16(t))
	return v, ok
}

// A kind whose value is all zero and whose text is its name alone
// ("default-gateway", RFC 7432 §7.8).
func fmtZero(dst []byte, v [6]byte) ([]byte, bool) { return dst, zero(v[:]) }

func parseZero(s string) (v [6]byte, ok bool) { return v, s == "" }

// MAC Mobility (RFC 7432 §7.7): flags (1, bit 0x01 sticky/static),
// reserved (1), sequence number (4): "mac-mobility:SEQ[:sticky]".
func fmtMACMobility(dst []byte, v [6]byte) ([]byte, bool) {
	if v[0]&^1 != 0 || v[1] != 0 {
		return dst, false
	}
	dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v[2:])), 10)
	if v[0] == 1 {
		dst = append(dst, ":sticky"...)
	}
	return dst, true
}

func parseMACMobility(s string) (v [6]byte, ok bool) {
	seq, flag, hasFlag := strings.Cut(s, ":")
	n, ok := parseUintArg(seq, 32)
	if !ok || hasFlag && flag != "sticky" {
		return v, false
	}
	if hasFlag {
		v[0] = 1
	}
	binary.BigEndian.PutUint32(v[2:], uint32(n))
	return v, true
}

// ESI Label (RFC 7432 §7.5): flags (1, bit 0x01 single-active), reserved
// (2), label (3, the 20-bit MPLS label in the high bits):
// "esi-label:LABEL[:single-active]".
func fmtESILabel(dst []byte, v [6]byte) ([]byte, bool) {
	l := uint32(v[3])<<16 | uint32(v[4])<<8 | uint32(v[5])
	if v[0]&^1 != 0 || v[1] != 0 || v[2] != 0 || l&0xF != 0 {
		return dst, false
	}
	dst = strconv.AppendUint(dst, uint64(l>>4), 10)
	if v[0] == 1 {
		dst = append(dst, ":single-active"...)
	}
	return dst, true
}

func parseESILabel(s string) (v [6]byte, ok bool) {
	lab, flag, hasFlag := strings.Cut(s, ":")
	n, ok := parseUintArg(lab, 20)
	if !ok || hasFlag && flag != "single-active" {
		return v, false
	}
	if hasFlag {
		v[0] = 1
	}
	n <<= 4
	v[3], v[4], v[5] = byte(n>>16), byte(n>>8), byte(n)
	return v, true
}

var ovsNames = [...]string{"valid", "not-found", "invalid"}

// BGP Origin Validation State (RFC 8097 §2): reserved (5), state (1):
// "origin-validation:valid", "…:not-found" or "…:invalid".
func fmtOVS(dst []byte, v [6]byte) ([]byte, bool) {
	if !zero(v[:5]) || int(v[5]) >= len(ovsNames) {
		return dst, false
	}
	return append(dst, ovsNames[v[5]]...), true
}

func parseOVS(s string) (v [6]byte, ok bool) {
	for i, n := range ovsNames {
		if n == s {
			v[5] = byte(i)
			return v, true
		}
	}
	return v, false
}

var flowActionNames = [...]string{"none", "terminal", "sample", "sample-terminal"}

// Traffic-action (RFC 8955 §7.3): the two low bits of the last octet, S
// (sample, 0x02) and T (terminal, 0x01): "action:sample", "action:terminal",
// "action:sample-terminal" or "action:none".
func fmtAction(dst []byte, v [6]byte) ([]byte, bool) {
	if !zero(v[:5]) || v[5]&^3 != 0 {
		return dst, false
	}
	return append(dst, flowActionNames[v[5]]...), true
}

func parseAction(s string) (v [6]byte, ok bool) {
	for i, n := range flowActionNames {
		if n == s {
			v[5] = byte(i)
			return v, true
		}
	}
	return v, false
}

// Traffic-marking (RFC 8955 §7.5): the DSCP in the 6 low bits of the last
// octet: "mark:DSCP".
func fmtMark(dst []byte, v [6]byte) ([]byte, bool) {
	if !zero(v[:5]) || v[5]&0xC0 != 0 {
		return dst, false
	}
	return strconv.AppendUint(dst, uint64(v[5]), 10), true
}

func parseMark(s string) (v [6]byte, ok bool) {
	n, ok := parseUintArg(s, 8)
	v[5] = byte(n)
	return v, ok && n < 64
}

// Layer2 Info (RFC 4761 §3.2.4): encapsulation type (1), control flags
// (1), layer-2 MTU (2), reserved (2): "l2info:ENCAPS:FLAGS:MTU".
func fmtL2Info(dst []byte, v [6]byte) ([]byte, bool) {
	if v[4] != 0 || v[5] != 0 {
		return dst, false
	}
	dst = strconv.AppendUint(dst, uint64(v[0]), 10)
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, uint64(v[1]), 10)
	dst = append(dst, ':')
	return strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(v[2:])), 10), true
}

func parseL2Info(s string) (v [6]byte, ok bool) {
	p := strings.Split(s, ":")
	if len(p) != 3 {
		return v, false
	}
	e, ok1 := parseUintArg(p[0], 8)
	f, ok2 := parseUintArg(p[1], 8)
	m, ok3 := parseUintArg(p[2], 16)
	v[0], v[1] = byte(e), byte(f)
	binary.BigEndian.PutUint16(v[2:], uint16(m))
	return v, ok1 && ok2 && ok3
}

// Redirect to IP next hop (draft-simpson-idr-flowspec-redirect §3): the
// target is the route's next hop; the low bit of the last octet is C
// (copy): "redirect-to-ip" or "redirect-to-ip:copy".
func fmtRedirectIP(dst []byte, v [6]byte) ([]byte, bool) {
	if !zero(v[:5]) || v[5]&^1 != 0 {
		return dst, false
	}
	if v[5] == 1 {
		dst = append(dst, "copy"...)
	}
	return dst, true
}

func parseRedirectIP(s string) (v [6]byte, ok bool) {
	switch s {
	case "":
		return v, true
	case "copy":
		v[5] = 1
		return v, true
	}
	return v, false
}
