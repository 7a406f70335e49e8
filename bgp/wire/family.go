package wire

import (
	"errors"
	"strconv"
	"strings"
)

// AFI is an Address Family Identifier (IANA "Address Family Numbers").
type AFI uint16

// SAFI is a Subsequent Address Family Identifier (RFC 4760).
type SAFI uint8

// Well-known AFIs.
const (
	AFIIPv4  AFI = 1
	AFIIPv6  AFI = 2
	AFIL2VPN AFI = 25
	AFIBGPLS AFI = 16388
)

// Well-known SAFIs.
const (
	SAFIUnicast     SAFI = 1
	SAFIMulticast   SAFI = 2
	SAFIMPLSLabel   SAFI = 4
	SAFIMVPN        SAFI = 5
	SAFIVPLS        SAFI = 65
	SAFIEVPN        SAFI = 70
	SAFIBGPLS       SAFI = 71
	SAFIBGPLSVPN    SAFI = 72
	SAFIMUP         SAFI = 85
	SAFIVPN         SAFI = 128
	SAFIMVPNVPN     SAFI = 129
	SAFIRTC         SAFI = 132
	SAFIFlowSpec    SAFI = 133
	SAFIFlowSpecVPN SAFI = 134
)

var afiNames = map[AFI]string{AFIIPv4: "ipv4", AFIIPv6: "ipv6", AFIL2VPN: "l2vpn", AFIBGPLS: "bgp-ls"}

var safiNames = map[SAFI]string{
	SAFIUnicast: "unicast", SAFIMulticast: "multicast", SAFIMPLSLabel: "mpls-label",
	SAFIMVPN: "mvpn", SAFIVPLS: "vpls", SAFIEVPN: "evpn", SAFIBGPLS: "bgp-ls",
	SAFIBGPLSVPN: "bgp-ls-vpn", SAFIMUP: "mup", SAFIVPN: "vpn", SAFIMVPNVPN: "mcast-vpn", SAFIRTC: "rtc",
	SAFIFlowSpec: "flowspec", SAFIFlowSpecVPN: "flowspec-vpn",
}

// String returns the AFI name ("ipv4") or its number.
func (a AFI) String() string {
	if s, ok := afiNames[a]; ok {
		return s
	}
	return strconv.Itoa(int(a))
}

// String returns the SAFI name ("unicast") or its number.
func (s SAFI) String() string {
	if n, ok := safiNames[s]; ok {
		return n
	}
	return strconv.Itoa(int(s))
}

// Family is an AFI/SAFI pair. The zero value is invalid.
type Family struct {
	AFI  AFI
	SAFI SAFI
}

// Common families.
var (
	IPv4Unicast   = Family{AFIIPv4, SAFIUnicast}
	IPv6Unicast   = Family{AFIIPv6, SAFIUnicast}
	IPv4Multicast = Family{AFIIPv4, SAFIMulticast}
	IPv6Multicast = Family{AFIIPv6, SAFIMulticast}
)

// String returns "afi/safi" ("ipv4/unicast").
func (f Family) String() string { return f.AFI.String() + "/" + f.SAFI.String() }

// IsValid reports whether f is not the zero Family.
func (f Family) IsValid() bool { return f.AFI != 0 && f.SAFI != 0 }

// Key packs f into one comparable integer (for bit sets and maps).
func (f Family) Key() uint32 { return uint32(f.AFI)<<8 | uint32(f.SAFI) }

// ParseFamily parses "afi/safi" where each part is a name or a number.
func ParseFamily(s string) (Family, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Family{}, errors.New(`wire: bad family "` + s + `": want afi/safi, e.g. ipv4/unicast`)
	}
	var f Family
	found := false
	for k, v := range afiNames {
		if v == a {
			f.AFI, found = k, true
		}
	}
	if !found {
		n, err := strconv.ParseUint(a, 10, 16)
		if err != nil || n == 0 {
			return Family{}, errors.New(`wire: unknown afi "` + a + `" in family "` + s + `"`)
		}
		f.AFI = AFI(n)
	}
	found = false
	for k, v := range safiNames {
		if v == b {
			f.SAFI, found = k, true
		}
	}
	if !found {
		n, err := strconv.ParseUint(b, 10, 8)
		if err != nil || n == 0 {
			return Family{}, errors.New(`wire: unknown safi "` + b + `" in family "` + s + `"`)
		}
		f.SAFI = SAFI(n)
	}
	return f, nil
}

// MarshalText writes "afi/safi", so families are JSON strings and map keys.
func (f Family) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads "afi/safi".
func (f *Family) UnmarshalText(b []byte) error {
	x, err := ParseFamily(string(b))
	if err != nil {
		return err
	}
	*f = x
	return nil
}

// MarshalText writes the AFI name.
func (a AFI) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// MarshalText writes the SAFI name.
func (s SAFI) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
