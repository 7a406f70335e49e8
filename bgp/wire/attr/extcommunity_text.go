package attr

import (
	"encoding/binary"
	"errors"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// How the six value octets of a known extended community read as text.
type extLayout uint8

const (
	layAS2Num   extLayout = iota // AS (2) : number (4)          "65000:100"
	layIPv4Num                   // IPv4 (4) : number (2)        "192.0.2.1:100"
	layAS4Num                    // AS (4) : number (2)          "4200000000:100", "1L:100"
	layAS2Float                  // AS (2) : IEEE float (4)      "65000:1250000"
	layRate                      // like layAS2Float, AS left out when 0
	layIPv4                      // IPv4 (4), 2 zero octets      "192.0.2.1"
	layMAC                       // MAC (6)                      "00:11:22:33:44:55"
	layFunc                      // the kind's own format and parse
)

type extKind struct {
	typ, sub byte
	name     string
	lay      extLayout
	format   func(dst []byte, v [6]byte) ([]byte, bool)
	parse    func(args string) ([6]byte, bool)
}

// extKinds lists the extended communities with a text form (RFC 7153 and
// the RFCs that assign each type). A name may cover several types (a route
// target exists for 2-octet AS, IPv4 and 4-octet AS): parsing tries them in
// order and keeps the first whose arguments fit.
var extKinds = []extKind{
	{0x00, 0x02, "target", layAS2Num, nil, nil},                                    // RFC 4360 §4
	{0x01, 0x02, "target", layIPv4Num, nil, nil},                                   // RFC 4360 §4
	{0x02, 0x02, "target", layAS4Num, nil, nil},                                    // RFC 5668 §3
	{0x00, 0x03, "origin", layAS2Num, nil, nil},                                    // RFC 4360 §5
	{0x01, 0x03, "origin", layIPv4Num, nil, nil},                                   // RFC 4360 §5
	{0x02, 0x03, "origin", layAS4Num, nil, nil},                                    // RFC 5668 §3
	{0x00, 0x05, "ospf-domain", layAS2Num, nil, nil},                               // RFC 4577 §4.2.1
	{0x01, 0x05, "ospf-domain", layIPv4Num, nil, nil},                              // RFC 4577 §4.2.1
	{0x02, 0x05, "ospf-domain", layAS4Num, nil, nil},                               // RFC 4577 §4.2.1
	{0x01, 0x07, "ospf-router-id", layIPv4, nil, nil},                              // RFC 4577 §4.2.3
	{0x03, 0x06, "ospf-route-type", layFunc, fmtOSPFRouteType, parseOSPFRouteType}, // RFC 4577 §4.2.6
	{0x00, 0x08, "data-collection", layAS2Num, nil, nil},                           // RFC 4384 §4
	{0x02, 0x08, "data-collection", layAS4Num, nil, nil},                           // RFC 4384 §4
	{0x00, 0x09, "source-as", layAS2Num, nil, nil},                                 // RFC 6514 §5
	{0x02, 0x09, "source-as", layAS4Num, nil, nil},                                 // RFC 6514 §5
	{0x00, 0x0A, "l2vpn-id", layAS2Num, nil, nil},                                  // RFC 6074 §3.2.1
	{0x01, 0x0A, "l2vpn-id", layIPv4Num, nil, nil},                                 // RFC 6074 §3.2.1
	{0x01, 0x0B, "vrf-import", layIPv4Num, nil, nil},                               // RFC 6514 §7
	{0x40, 0x04, "bandwidth", layAS2Float, nil, nil},                               // draft-ietf-idr-link-bandwidth, RFC 7311 §8
	{0x03, 0x0B, "color", layFunc, fmtColor, parseColor},                           // RFC 9012 §4.3
	{0x03, 0x0C, "encap", layFunc, fmtEncap, parseEncap},                           // RFC 9012 §4.1
	{0x03, 0x0D, "default-gateway", layFunc, fmtZero, parseZero},                   // RFC 7432 §7.8
	{0x06, 0x00, "mac-mobility", layFunc, fmtMACMobility, parseMACMobility},        // RFC 7432 §7.7
	{0x06, 0x01, "esi-label", layFunc, fmtESILabel, parseESILabel},                 // RFC 7432 §7.5
	{0x06, 0x02, "es-import", layMAC, nil, nil},                                    // RFC 7432 §7.6
	{0x06, 0x03, "router-mac", layMAC, nil, nil},                                   // RFC 9135 §8.1
	{0x0C, 0x00, "mup", layAS2Num, nil, nil},                                       // draft-mpmz-bess-mup-safi §3.2
	{0x43, 0x00, "origin-validation", layFunc, fmtOVS, parseOVS},                   // RFC 8097 §2
	{0x80, 0x06, "rate-limit", layRate, nil, nil},                                  // RFC 8955 §7.1
	{0x80, 0x0C, "rate-limit-packets", layRate, nil, nil},                          // RFC 8955 §7.2
	{0x80, 0x07, "action", layFunc, fmtAction, parseAction},                        // RFC 8955 §7.3
	{0x80, 0x08, "redirect", layAS2Num, nil, nil},                                  // RFC 8955 §7.4
	{0x81, 0x08, "redirect", layIPv4Num, nil, nil},                                 // RFC 8955 §7.4
	{0x82, 0x08, "redirect", layAS4Num, nil, nil},                                  // RFC 8955 §7.4
	{0x80, 0x09, "mark", layFunc, fmtMark, parseMark},                              // RFC 8955 §7.5
	{0x80, 0x0A, "l2info", layFunc, fmtL2Info, parseL2Info},                        // RFC 4761 §3.2.4
	{0x08, 0x00, "redirect-to-ip", layFunc, fmtRedirectIP, parseRedirectIP},        // draft-simpson-idr-flowspec-redirect
}

// AppendText appends the text form of e: "NAME:ARGS" for the kinds listed
// in the package README ("target:65000:100", "redirect:192.0.2.1:10",
// "rate-limit:1000"), or the eight octets in uppercase hex for any other
// community and for a known one whose value the name form cannot carry
// exactly. ParseExtCommunity reads back every form AppendText writes.
func (e ExtCommunity) AppendText(dst []byte) []byte {
	v := [6]byte(e[2:])
	for i := range extKinds {
		k := &extKinds[i]
		if k.typ != e[0] || k.sub != e[1] {
			continue
		}
		start := len(dst)
		dst = append(append(dst, k.name...), ':')
		out, ok := k.appendValue(dst, v)
		if ok {
			if out[len(out)-1] == ':' { // a kind with no arguments
				out = out[:len(out)-1]
			}
			return out
		}
		dst = dst[:start]
		break
	}
	return appendHex(dst, e[:])
}

// String returns the text form (see AppendText).
func (e ExtCommunity) String() string { return string(e.AppendText(nil)) }

// ParseExtCommunity reads the text form of AppendText, or 16 hex digits
// (with or without "0x") for the raw eight octets.
func ParseExtCommunity(s string) (ExtCommunity, error) {
	var e ExtCommunity
	if parseHex(s, e[:]) {
		return e, nil
	}
	name, args, _ := strings.Cut(s, ":")
	found := false
	for i := range extKinds {
		k := &extKinds[i]
		if k.name != name {
			continue
		}
		found = true
		if v, ok := k.parseValue(args); ok {
			e[0], e[1] = k.typ, k.sub
			copy(e[2:], v[:])
			return e, nil
		}
	}
	if !found {
		return e, errors.New("attr: bad extended-community " + strconv.Quote(s) + ": unknown kind " + strconv.Quote(name) + " (see the attr README for the forms)")
	}
	return e, errors.New("attr: bad extended-community " + strconv.Quote(s) + ": arguments do not fit " + name)
}

func (k *extKind) appendValue(dst []byte, v [6]byte) ([]byte, bool) {
	switch k.lay {
	case layAS2Num:
		dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(v[0:])), 10)
		dst = append(dst, ':')
		return strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v[2:])), 10), true
	case layIPv4Num:
		dst = netip.AddrFrom4([4]byte(v[:4])).AppendTo(dst)
		dst = append(dst, ':')
		return strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(v[4:])), 10), true
	case layAS4Num:
		asn := binary.BigEndian.Uint32(v[0:])
		dst = strconv.AppendUint(dst, uint64(asn), 10)
		if asn <= 0xFFFF {
			dst = append(dst, 'L') // tells it from the 2-octet AS form
		}
		dst = append(dst, ':')
		return strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(v[4:])), 10), true
	case layAS2Float, layRate:
		asn := binary.BigEndian.Uint16(v[0:])
		f := math.Float32frombits(binary.BigEndian.Uint32(v[2:]))
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return dst, false
		}
		if k.lay == layAS2Float || asn != 0 {
			dst = strconv.AppendUint(dst, uint64(asn), 10)
			dst = append(dst, ':')
		}
		return strconv.AppendFloat(dst, float64(f), 'f', -1, 32), true
	case layIPv4:
		if v[4] != 0 || v[5] != 0 {
			return dst, false
		}
		return netip.AddrFrom4([4]byte(v[:4])).AppendTo(dst), true
	case layMAC:
		return appendMAC(dst, v[:]), true
	}
	return k.format(dst, v)
}

func (k *extKind) parseValue(args string) (v [6]byte, ok bool) {
	a, b, two := strings.Cut(args, ":")
	switch k.lay {
	case layAS2Num:
		asn, e1 := strconv.ParseUint(a, 10, 16)
		n, e2 := strconv.ParseUint(b, 10, 32)
		if !two || e1 != nil || e2 != nil {
			return v, false
		}
		binary.BigEndian.PutUint16(v[0:], uint16(asn))
		binary.BigEndian.PutUint32(v[2:], uint32(n))
		return v, true
	case layIPv4Num:
		ip, e1 := netip.ParseAddr(a)
		n, e2 := strconv.ParseUint(b, 10, 16)
		if !two || e1 != nil || !ip.Is4() || e2 != nil {
			return v, false
		}
		ip4 := ip.As4()
		copy(v[:4], ip4[:])
		binary.BigEndian.PutUint16(v[4:], uint16(n))
		return v, true
	case layAS4Num:
		long := strings.HasSuffix(a, "L")
		asn, e1 := strconv.ParseUint(strings.TrimSuffix(a, "L"), 10, 32)
		n, e2 := strconv.ParseUint(b, 10, 16)
		if !two || e1 != nil || e2 != nil || (!long && asn <= 0xFFFF) {
			return v, false
		}
		binary.BigEndian.PutUint32(v[0:], uint32(asn))
		binary.BigEndian.PutUint16(v[4:], uint16(n))
		return v, true
	case layAS2Float, layRate:
		fs, asn := a, uint64(0)
		if two {
			var err error
			if asn, err = strconv.ParseUint(a, 10, 16); err != nil {
				return v, false
			}
			fs = b
		} else if k.lay == layAS2Float {
			return v, false
		}
		f, ok := parseFloat32(fs)
		if !ok {
			return v, false
		}
		binary.BigEndian.PutUint16(v[0:], uint16(asn))
		binary.BigEndian.PutUint32(v[2:], math.Float32bits(f))
		return v, true
	case layIPv4:
		ip, err := netip.ParseAddr(args)
		if err != nil || !ip.Is4() {
			return v, false
		}
		ip4 := ip.As4()
		copy(v[:4], ip4[:])
		return v, true
	case layMAC:
		hw, err := net.ParseMAC(args)
		if err != nil || len(hw) != 6 {
			return v, false
		}
		copy(v[:], hw)
		return v, true
	}
	return k.parse(args)
}

func parseFloat32(s string) (float32, bool) {
	f, err := strconv.ParseFloat(s, 32)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return float32(f), true
}

func appendMAC(dst, b []byte) []byte {
	const digits = "0123456789abcdef"
	for i, x := range b {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, digits[x>>4], digits[x&0xF])
	}
	return dst
}

// zero reports whether every octet of b is zero.
func zero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

func parseUintArg(s string, bits int) (uint64, bool) {
	n, err := strconv.ParseUint(s, 10, bits)
	return n, err == nil
}
