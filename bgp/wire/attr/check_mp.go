package attr

import (
	"github.com/zebgp/ze/bgp/wire"
)

// checkMPReach applies RFC 7606 §5.3 and §7.11 (with RFC 4760 §7) to an
// MP_REACH_NLRI: a value shorter than 5, a next hop length the family does
// not expect, and NLRI that do not parse make the attribute incorrect. When
// the family can be read the family is disabled, else the session resets.
func checkMPReach(a wire.Attr, ctx *wire.EncodingContext) (finding, wire.Family) {
	fam := mpFamily(a.Value)
	if len(a.Value) < 3 {
		return finding{ActionSessionReset, wire.UpdateOptionalAttr, dataRaw, "rfc7606 5.3: mp_reach_nlri shorter than 5"}, fam
	}
	m, err := wire.ParseMPReach(a.Value)
	if err != nil {
		return disable("rfc7606 5.3: mp_reach_nlri shorter than 5 or next hop overruns it"), fam
	}
	if !nextHopLenOK(fam, len(m.NextHop), ctx.ExtNextHop(fam)) {
		return disable("rfc7606 7.11: mp_reach_nlri next hop length inconsistent with the family"), fam
	}
	if !nlriOK(fam, m.NLRI, ctx) {
		return disable("rfc7606 5.3: mp_reach_nlri nlri syntactically incorrect"), fam
	}
	return finding{}, fam
}

// checkMPUnreach applies RFC 7606 §5.3 to an MP_UNREACH_NLRI.
func checkMPUnreach(a wire.Attr, ctx *wire.EncodingContext) (finding, wire.Family) {
	fam := mpFamily(a.Value)
	m, err := wire.ParseMPUnreach(a.Value)
	if err != nil {
		return finding{ActionSessionReset, wire.UpdateOptionalAttr, dataRaw, "rfc7606 5.3: mp_unreach_nlri shorter than 3"}, fam
	}
	if !nlriOK(fam, m.NLRI, ctx) {
		return disable("rfc7606 5.3: mp_unreach_nlri nlri syntactically incorrect"), fam
	}
	return finding{}, fam
}

func disable(reason string) finding {
	return finding{ActionAFISAFIDisable, wire.UpdateOptionalAttr, dataRaw, reason}
}

// nlriOK walks the NLRI of a family whose codec is registered; NLRI of
// other families are left to whoever registers them.
func nlriOK(f wire.Family, nlri []byte, ctx *wire.EncodingContext) bool {
	if _, ok := wire.LookupFamily(f); !ok {
		return true
	}
	it := wire.NewNLRIIter(f, nlri, ctx.AddPath(f))
	_, err := it.Count()
	return err == nil
}

// nextHopLenOK reports whether a next hop of n octets is one the family
// expects (RFC 7606 §7.11): RFC 4760 §3 and RFC 2545 for IP families (an
// IPv6 global address, optionally followed by a link-local one), RFC 4364
// and RFC 4659 for VPN families (the same behind an 8-octet route
// distinguisher), RFC 8950 for IPv4 NLRI with an IPv6 next hop when
// extended next hop is negotiated, RFC 8955 for flow spec (no next hop, or
// one for redirect-to-ip). Families this package does not know pass.
func nextHopLenOK(f wire.Family, n int, extNH bool) bool {
	v4 := f.AFI == wire.AFIIPv4
	switch f.SAFI {
	case wire.SAFIUnicast, wire.SAFIMulticast, wire.SAFIMPLSLabel:
		if f.AFI != wire.AFIIPv4 && f.AFI != wire.AFIIPv6 {
			return true
		}
		return v4 && n == 4 || (!v4 || extNH) && (n == 16 || n == 32)
	case wire.SAFIVPN, 129: // 129: multicast VPN (RFC 6514)
		if f.AFI != wire.AFIIPv4 && f.AFI != wire.AFIIPv6 {
			return true
		}
		return v4 && n == 12 || (!v4 || extNH) && (n == 24 || n == 48)
	case wire.SAFIFlowSpec, wire.SAFIFlowSpecVPN:
		return n == 0 || n == 4 || n == 12 || n == 16 || n == 24 || n == 32 || n == 48
	case wire.SAFIEVPN, wire.SAFIVPLS, wire.SAFIRTC, wire.SAFIMUP, wire.SAFIMVPN, wire.SAFIBGPLS:
		return n == 4 || n == 16 || n == 32
	case wire.SAFIBGPLSVPN:
		return n == 12 || n == 24 || n == 48
	}
	return true
}
