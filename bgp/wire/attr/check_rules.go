package attr

import (
	"errors"

	"github.com/zebgp/ze/bgp/wire"
)

// Attributes RFC 7606 names that wire has no constant for.
const (
	attrTrafficEngineering wire.AttrCode = 24  // RFC 5543, RFC 7606 §7.13
	attrAttrSet            wire.AttrCode = 128 // RFC 6368, RFC 7606 §7.16
)

// flagRule is what RFC 4271 §5 and each attribute's RFC say of its
// Optional and Transitive bits, and what a conflict asks for.
type flagRule struct {
	known  bool
	flags  wire.AttrFlags // expected Optional|Transitive bits
	action Action
	reason string
}

// flagRules: RFC 7606 §3 c makes a flag conflict treat-as-withdraw unless
// the attribute's own specification says otherwise: attribute discard for
// ATOMIC_AGGREGATE and AGGREGATOR (§3 f), AS4_PATH and AS4_AGGREGATOR (RFC
// 6793 §6), AIGP (RFC 7311 §3.2), BGP-LS (RFC 9552 §8.2.2) and Prefix-SID
// (RFC 8669 §6); AFI/SAFI disable for MP_REACH_NLRI and MP_UNREACH_NLRI
// (RFC 7606 §5.3).
var flagRules = func() (r [256]flagRule) {
	set := func(c wire.AttrCode, fl wire.AttrFlags, a Action, reason string) {
		r[c] = flagRule{true, fl, a, reason}
	}
	const taw = "rfc7606 3c: optional or transitive flag conflicts with the type"
	for _, c := range []wire.AttrCode{wire.AttrOrigin, wire.AttrASPath, wire.AttrNextHop, wire.AttrLocalPref} {
		set(c, flagsWellKnown, ActionTreatAsWithdraw, taw)
	}
	set(wire.AttrAtomicAggregate, flagsWellKnown, ActionAttrDiscard, "rfc7606 3f: atomic_aggregate flags conflict")
	set(wire.AttrAggregator, flagsOptTrans, ActionAttrDiscard, "rfc7606 3f: aggregator flags conflict")
	set(wire.AttrMED, flagsOptNonTrans, ActionTreatAsWithdraw, taw)
	for _, c := range []wire.AttrCode{wire.AttrCommunity, wire.AttrExtCommunity, wire.AttrIPv6ExtCommunity,
		wire.AttrLargeCommunity, wire.AttrOTC, wire.AttrPMSITunnel, wire.AttrTunnelEncap} {
		set(c, flagsOptTrans, ActionTreatAsWithdraw, taw)
	}
	set(wire.AttrOriginatorID, flagsOptNonTrans, ActionTreatAsWithdraw, taw)
	set(wire.AttrClusterList, flagsOptNonTrans, ActionTreatAsWithdraw, taw)
	set(wire.AttrMPReach, flagsOptNonTrans, ActionAFISAFIDisable, "rfc7606 5.3: mp_reach_nlri flags conflict")
	set(wire.AttrMPUnreach, flagsOptNonTrans, ActionAFISAFIDisable, "rfc7606 5.3: mp_unreach_nlri flags conflict")
	set(wire.AttrAS4Path, flagsOptTrans, ActionAttrDiscard, "rfc6793 6: as4_path flags conflict")
	set(wire.AttrAS4Aggregator, flagsOptTrans, ActionAttrDiscard, "rfc6793 6: as4_aggregator flags conflict")
	set(wire.AttrAIGP, flagsOptNonTrans, ActionAttrDiscard, "rfc7311 3.2: aigp flags conflict")
	set(wire.AttrBGPLS, flagsOptNonTrans, ActionAttrDiscard, "rfc9552 8.2.2: bgp-ls attribute flags conflict")
	set(wire.AttrPrefixSID, flagsOptTrans, ActionAttrDiscard, "rfc8669 6: prefix-sid flags conflict")
	set(attrTrafficEngineering, flagsOptNonTrans, ActionTreatAsWithdraw, "rfc7606 7.13: traffic engineering attribute flags conflict")
	set(attrAttrSet, flagsOptTrans, ActionTreatAsWithdraw, "rfc7606 7.16: attr_set flags conflict")
	return r
}()

// checkAttr checks the first occurrence of one attribute; fam is the
// family to disable.
func checkAttr(a wire.Attr, ctx *wire.EncodingContext) (f finding, fam wire.Family) {
	rule := &flagRules[a.Code]
	if !rule.known {
		if !a.Optional() {
			// RFC 4271 §6.3, unchanged by RFC 7606.
			return finding{ActionSessionReset, wire.UpdateUnknownWellKnown, dataRaw, "rfc4271 6.3: unrecognized well-known attribute"}, fam
		}
		return finding{}, fam
	}
	if a.Flags&flagsOptTrans != rule.flags {
		f = finding{rule.action, wire.UpdateAttrFlags, dataRaw, rule.reason}
		if rule.action == ActionAFISAFIDisable {
			if len(a.Value) < 3 {
				f.action = ActionSessionReset
			}
			fam = mpFamily(a.Value)
		}
		return f, fam
	}
	asn4 := ctx.ASN4Enabled()
	v := a.Value
	switch a.Code {
	case wire.AttrOrigin:
		if len(v) != 1 {
			return taw(wire.UpdateAttrLength, "rfc7606 7.1: origin length is not 1"), fam
		}
		if _, err := DecodeOrigin(v); err != nil {
			return taw(wire.UpdateInvalidOrigin, "rfc7606 7.1: origin value undefined"), fam
		}
	case wire.AttrASPath:
		p, err := DecodeASPath(v, asn4)
		if err != nil {
			return finding{ActionTreatAsWithdraw, wire.UpdateMalformedASPath, dataNone, "rfc7606 7.2: as_path malformed"}, fam
		}
		if p.Contains(0) {
			return finding{ActionTreatAsWithdraw, wire.UpdateMalformedASPath, dataNone, "rfc7607 2: as_path holds AS 0"}, fam
		}
	case wire.AttrNextHop:
		if len(v) != 4 {
			return taw(wire.UpdateAttrLength, "rfc7606 7.3: next_hop length is not 4"), fam
		}
	case wire.AttrMED:
		if len(v) != 4 {
			return taw(wire.UpdateAttrLength, "rfc7606 7.4: multi_exit_disc length is not 4"), fam
		}
	case wire.AttrLocalPref:
		if len(v) != 4 {
			return taw(wire.UpdateAttrLength, "rfc7606 7.5: local_pref length is not 4"), fam
		}
	case wire.AttrAtomicAggregate:
		if len(v) != 0 {
			return discard(wire.UpdateAttrLength, "rfc7606 7.6: atomic_aggregate length is not 0"), fam
		}
	case wire.AttrAggregator:
		if _, err := DecodeAggregator(v, asn4); err != nil {
			return discard(wire.UpdateAttrLength, "rfc7606 7.7: aggregator length is not 6 or 8 as negotiated"), fam
		}
	case wire.AttrCommunity:
		if _, err := DecodeCommunities(v); err != nil {
			return taw(wire.UpdateAttrLength, "rfc7606 7.8: community length is not a non-zero multiple of 4"), fam
		}
	case wire.AttrOriginatorID:
		if len(v) != 4 {
			return taw(wire.UpdateAttrLength, "rfc7606 7.9: originator_id length is not 4"), fam
		}
	case wire.AttrClusterList:
		if _, err := DecodeClusterList(v); err != nil {
			return taw(wire.UpdateAttrLength, "rfc7606 7.10: cluster_list length is not a non-zero multiple of 4"), fam
		}
	case wire.AttrMPReach:
		return checkMPReach(a, ctx)
	case wire.AttrMPUnreach:
		return checkMPUnreach(a, ctx)
	case wire.AttrExtCommunity:
		if _, err := DecodeExtCommunities(v); err != nil {
			return taw(wire.UpdateAttrLength, "rfc7606 7.14: extended community length is not a non-zero multiple of 8"), fam
		}
	case wire.AttrIPv6ExtCommunity:
		if _, err := DecodeIPv6ExtCommunities(v); err != nil {
			return taw(wire.UpdateAttrLength, "rfc7606 7.15: ipv6 extended community length is not a non-zero multiple of 20"), fam
		}
	case wire.AttrLargeCommunity:
		if _, err := DecodeLargeCommunities(v); err != nil {
			return taw(wire.UpdateAttrLength, "rfc8092 6: large community length is not a non-zero multiple of 12"), fam
		}
	case wire.AttrOTC:
		if len(v) != 4 {
			return taw(wire.UpdateAttrLength, "rfc9234 5: otc length is not 4"), fam
		}
	case wire.AttrAS4Path:
		if asn4 {
			return discard(wire.UpdateOptionalAttr, "rfc6793 6: as4_path from a 4-octet speaker"), fam
		}
		p, err := DecodeAS4Path(v)
		if err != nil {
			return discard(wire.UpdateOptionalAttr, "rfc6793 6: as4_path malformed"), fam
		}
		if p.Contains(0) {
			return discard(wire.UpdateOptionalAttr, "rfc7607 2: as4_path holds AS 0"), fam
		}
	case wire.AttrAS4Aggregator:
		if asn4 {
			return discard(wire.UpdateOptionalAttr, "rfc6793 6: as4_aggregator from a 4-octet speaker"), fam
		}
		if len(v) != 8 {
			return discard(wire.UpdateAttrLength, "rfc6793 6: as4_aggregator length is not 8"), fam
		}
	case wire.AttrAIGP:
		if _, err := DecodeAIGP(v); err != nil {
			return discard(wire.UpdateOptionalAttr, "rfc7311 3.2: aigp malformed"), fam
		}
	case attrAttrSet:
		// RFC 6368 §5: origin AS (4 octets), then path attributes.
		if len(v) < 4 {
			return taw(wire.UpdateOptionalAttr, "rfc7606 7.16: attr_set shorter than 4"), fam
		}
		it := wire.NewAttrIter(v[4:])
		for _, ok := it.Next(); ok; _, ok = it.Next() {
		}
		if it.Err() != nil {
			return taw(wire.UpdateOptionalAttr, "rfc7606 7.16: attr_set attributes overrun it"), fam
		}
	case wire.AttrPrefixSID:
		switch _, err := DecodePrefixSID(v); {
		case err == nil:
		case errors.Is(err, ErrSRv6ServiceMalformed):
			return taw(wire.UpdateOptionalAttr, "rfc9252 7: srv6 service tlv malformed"), fam
		default:
			return discard(wire.UpdateOptionalAttr, "rfc8669 6: prefix-sid malformed"), fam
		}
	}
	return finding{}, fam
}

func taw(sub uint8, reason string) finding {
	return finding{ActionTreatAsWithdraw, sub, dataRaw, reason}
}

func discard(sub uint8, reason string) finding {
	return finding{ActionAttrDiscard, sub, dataRaw, reason}
}

func mpFamily(v []byte) wire.Family {
	if len(v) < 3 {
		return wire.Family{}
	}
	return wire.Family{AFI: wire.AFI(uint16(v[0])<<8 | uint16(v[1])), SAFI: wire.SAFI(v[2])}
}

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
