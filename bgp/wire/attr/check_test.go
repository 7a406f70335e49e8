package attr

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

// hx decodes hex written with spaces.
func hx(parts ...string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(strings.Join(parts, ""), " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// Attributes of a valid UPDATE on a 4-octet session.
const (
	aOrigin    = "40 01 01 00"
	aASPath    = "40 02 06 02 01 0000FDE8"
	aASPath2   = "40 02 04 02 01 FDE8" // 2-octet session
	aNextHop   = "40 03 04 C0000201"
	aLocalPref = "40 05 04 00000064"
	aMED       = "80 04 04 00000010"
	base       = aOrigin + aASPath + aNextHop + aLocalPref
	base2      = aOrigin + aASPath2 + aNextHop + aLocalPref
	// MP_REACH_NLRI ipv6/unicast, next hop 2001:db8::1, 2001:db8::/32.
	aMPReach6 = "80 0E 1A 0002 01 10 20010DB8000000000000000000000001 00 20 20010DB8"
	// MP_UNREACH_NLRI ipv6/unicast, 2001:db8::/32.
	aMPUnreach6 = "80 0F 08 0002 01 20 20010DB8"
)

var (
	ctx4 = wire.NewContext(true, false)
	ctx2 = wire.NewContext(false, false)
)

func TestCheckRFC7606(t *testing.T) {
	extNH := wire.NewContext(true, false)
	extNH.SetExtNextHop(wire.IPv4Unicast, true)
	tests := []struct {
		name    string // RFC and section, then the case
		attrs   string
		ctx     *wire.EncodingContext
		nlri    bool
		action  Action
		sub     uint8           // NOTIFICATION subcode (code is always UPDATE Message Error)
		data    string          // expected NOTIFICATION data, "raw" for the whole offending attribute
		attr    wire.AttrCode   // attribute behind the action
		discard []wire.AttrCode // expected Discard set
		dups    []wire.AttrCode
		family  wire.Family
	}{
		{name: "valid update", attrs: base, nlri: true},
		{name: "valid mp_reach only", attrs: aOrigin + aASPath + aMPReach6},
		{name: "valid withdraw only", attrs: aMPUnreach6},
		{name: "valid 2-octet session", attrs: base2, ctx: ctx2, nlri: true},
		{name: "rfc7606 3c origin flags optional", attrs: "C0 01 01 00" + aASPath + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrFlags, data: "raw", attr: wire.AttrOrigin},
		{name: "rfc7606 3c med flags well-known", attrs: base + "40 04 04 00000010", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrFlags, data: "raw", attr: wire.AttrMED},
		{name: "rfc7606 3c community flags non-transitive", attrs: base + "80 08 04 FDE80064", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrFlags, data: "raw", attr: wire.AttrCommunity},
		{name: "rfc7606 3c partial bit on a well-known attribute is not a conflict", attrs: "60 01 01 00" + aASPath + aNextHop, nlri: true},
		{name: "rfc7606 3f atomic_aggregate flags", attrs: base + "C0 06 00", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateAttrFlags, data: "raw", attr: wire.AttrAtomicAggregate, discard: []wire.AttrCode{6}},
		{name: "rfc7606 3f aggregator flags", attrs: base + "40 07 08 0000FDE8 C0000201", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateAttrFlags, data: "raw", attr: wire.AttrAggregator, discard: []wire.AttrCode{7}},
		{name: "rfc7606 3d missing origin", attrs: aASPath + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMissingWellKnown, data: "01", attr: wire.AttrOrigin},
		{name: "rfc7606 3d missing as_path", attrs: aOrigin + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMissingWellKnown, data: "02", attr: wire.AttrASPath},
		{name: "rfc7606 3d missing next_hop", attrs: aOrigin + aASPath, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMissingWellKnown, data: "03", attr: wire.AttrNextHop},
		{name: "rfc7606 3d missing origin with mp_reach", attrs: aASPath + aMPReach6,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMissingWellKnown, data: "01", attr: wire.AttrOrigin},
		{name: "rfc4760 3 next_hop not needed with mp_reach only", attrs: aOrigin + aASPath + aMPReach6},
		{name: "rfc4271 6.3 no nlri: missing attributes are not an error", attrs: aMED},
		{name: "rfc7606 3g duplicate med", attrs: base + aMED + "80 04 04 00000020", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateMalformedAttrList, attr: wire.AttrMED, dups: []wire.AttrCode{4}},
		{name: "rfc7606 3g duplicate malformed med: only the first is checked", attrs: base + aMED + "80 04 01 00", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateMalformedAttrList, attr: wire.AttrMED, dups: []wire.AttrCode{4}},
		{name: "rfc7606 3g duplicate mp_reach_nlri", attrs: aOrigin + aASPath + aMPReach6 + aMPReach6,
			action: ActionSessionReset, sub: wire.UpdateMalformedAttrList, attr: wire.AttrMPReach},
		{name: "rfc7606 3g duplicate mp_unreach_nlri", attrs: aMPUnreach6 + aMPUnreach6,
			action: ActionSessionReset, sub: wire.UpdateMalformedAttrList, attr: wire.AttrMPUnreach},
		{name: "rfc7606 3h strongest action wins", attrs: "40 01 01 07" + aASPath + aNextHop + "40 06 01 00", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateInvalidOrigin, data: "raw", attr: wire.AttrOrigin, discard: []wire.AttrCode{6}},
		{name: "rfc7606 3j mp_reach_nlri overruns the attributes", attrs: base + "80 0E 30 0002 01 10", nlri: true,
			action: ActionSessionReset, sub: wire.UpdateMalformedAttrList},
		{name: "rfc7606 4 last attribute overruns", attrs: base + "C0 08 08 FDE80064", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMalformedAttrList},
		{name: "rfc7606 4 fewer than 3 octets left", attrs: base + "C0 08", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMalformedAttrList},
		{name: "rfc7606 4 fewer than 4 octets left with extended length", attrs: base + "D0 08 00", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMalformedAttrList},
		{name: "rfc7606 4 zero length med", attrs: base + "80 04 00", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrMED},
		{name: "rfc7606 4 zero length as_path is valid", attrs: aOrigin + "40 02 00" + aNextHop, nlri: true},
		{name: "rfc7606 5.2 no nlri: treat-as-withdraw becomes session reset", attrs: aOrigin + aASPath + "80 04 03 000010",
			action: ActionSessionReset, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrMED},
		{name: "rfc7606 5.2 no nlri: attribute discard stays", attrs: aOrigin + aASPath + "40 06 01 00",
			action: ActionAttrDiscard, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrAtomicAggregate, discard: []wire.AttrCode{6}},
		{name: "rfc7606 5.2 mp_unreach_nlri alone is not escalated", attrs: "80 0F 06 0002 01 40 2001",
			action: ActionAFISAFIDisable, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrMPUnreach, family: wire.IPv6Unicast},
		{name: "rfc7606 5.3 mp_reach_nlri shorter than 3", attrs: aOrigin + aASPath + "80 0E 02 0002",
			action: ActionSessionReset, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrMPReach},
		{name: "rfc7606 5.3 mp_reach_nlri shorter than 5", attrs: aOrigin + aASPath + "80 0E 04 0002 01 00",
			action: ActionAFISAFIDisable, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrMPReach, family: wire.IPv6Unicast},
		{name: "rfc7606 5.3 mp_reach_nlri flags", attrs: aOrigin + aASPath + "C0" + aMPReach6[2:],
			action: ActionAFISAFIDisable, sub: wire.UpdateAttrFlags, data: "raw", attr: wire.AttrMPReach, family: wire.IPv6Unicast},
		{name: "rfc7606 5.3 mp_reach_nlri prefix longer than 128", attrs: aOrigin + aASPath + "80 0E 1A 0002 01 10 20010DB8000000000000000000000001 00 81 20010DB8",
			action: ActionAFISAFIDisable, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrMPReach, family: wire.IPv6Unicast},
		{name: "rfc7606 5.3 mp_reach_nlri last prefix overruns", attrs: aOrigin + aASPath + "80 0E 1A 0002 01 10 20010DB8000000000000000000000001 00 40 20010DB8",
			action: ActionAFISAFIDisable, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrMPReach, family: wire.IPv6Unicast},
		{name: "rfc7606 5.3 mp_unreach_nlri shorter than 3", attrs: "80 0F 02 0002",
			action: ActionSessionReset, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrMPUnreach},
		{name: "rfc7606 5.3 mp_unreach_nlri ipv4 prefix longer than 32", attrs: "80 0F 08 0001 01 21 0A000000",
			action: ActionAFISAFIDisable, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrMPUnreach, family: wire.IPv4Unicast},
		{name: "rfc7606 7.1 origin length", attrs: "40 01 02 0000" + aASPath + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrOrigin},
		{name: "rfc7606 7.1 origin undefined value", attrs: "40 01 01 03" + aASPath + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateInvalidOrigin, data: "raw", attr: wire.AttrOrigin},
		{name: "rfc7606 7.2 as_path unknown segment type", attrs: aOrigin + "40 02 06 05 01 0000FDE8" + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMalformedASPath, attr: wire.AttrASPath},
		{name: "rfc7606 7.2 as_path segment overrun", attrs: aOrigin + "40 02 06 02 02 0000FDE8" + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMalformedASPath, attr: wire.AttrASPath},
		{name: "rfc7606 7.2 as_path single trailing octet", attrs: aOrigin + "40 02 07 02 01 0000FDE8 02" + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMalformedASPath, attr: wire.AttrASPath},
		{name: "rfc7606 7.2 as_path segment length zero", attrs: aOrigin + "40 02 02 02 00" + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMalformedASPath, attr: wire.AttrASPath},
		{name: "rfc7606 7.2 as_path 4-octet bytes on a 2-octet session", attrs: aOrigin + "40 02 06 02 01 0000FDE8" + aNextHop, ctx: ctx2, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMalformedASPath, attr: wire.AttrASPath},
		{name: "rfc7607 2 as_path holds AS 0", attrs: aOrigin + "40 02 06 02 01 00000000" + aNextHop, nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateMalformedASPath, attr: wire.AttrASPath},
		{name: "rfc7606 7.3 next_hop length", attrs: aOrigin + aASPath + "40 03 05 C000020100", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrNextHop},
		{name: "rfc7606 7.4 med length", attrs: base + "80 04 03 000010", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrMED},
		{name: "rfc7606 7.5 local_pref length", attrs: aOrigin + aASPath + aNextHop + "40 05 02 0064", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrLocalPref},
		{name: "rfc7606 7.6 atomic_aggregate length", attrs: base + "40 06 01 00", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrAtomicAggregate, discard: []wire.AttrCode{6}},
		{name: "rfc7606 7.7 aggregator length 6 on a 4-octet session", attrs: base + "C0 07 06 FDE8 C0000201", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrAggregator, discard: []wire.AttrCode{7}},
		{name: "rfc7606 7.7 aggregator length 8 on a 2-octet session", attrs: base2 + "C0 07 08 0000FDE8 C0000201", ctx: ctx2, nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrAggregator, discard: []wire.AttrCode{7}},
		{name: "rfc7606 7.7 aggregator length 6 on a 2-octet session", attrs: base2 + "C0 07 06 FDE8 C0000201", ctx: ctx2, nlri: true},
		{name: "rfc7606 7.8 community length", attrs: base + "C0 08 05 FDE8006400", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrCommunity},
		{name: "rfc7606 7.8 community length zero", attrs: base + "C0 08 00", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrCommunity},
		{name: "rfc7606 7.9 originator_id length", attrs: base + "80 09 05 0A00000100", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrOriginatorID},
		{name: "rfc7606 7.10 cluster_list length", attrs: base + "80 0A 06 0A0000010A00", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrClusterList},
		{name: "rfc7606 7.11 ipv4 nlri with a 16-octet next hop, no extended next hop", attrs: aOrigin + aASPath + "80 0E 19 0001 01 10 20010DB8000000000000000000000001 00 18 0A0000",
			action: ActionAFISAFIDisable, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrMPReach, family: wire.IPv4Unicast},
		{name: "rfc8950 4 ipv4 nlri with a 16-octet next hop, extended next hop", ctx: extNH, attrs: aOrigin + aASPath + "80 0E 19 0001 01 10 20010DB8000000000000000000000001 00 18 0A0000"},
		{name: "rfc7606 7.11 ipv6 nlri with a 4-octet next hop", attrs: aOrigin + aASPath + "80 0E 0E 0002 01 04 C0000201 00 20 20010DB8",
			action: ActionAFISAFIDisable, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrMPReach, family: wire.IPv6Unicast},
		{name: "rfc7606 7.11 vpnv4 next hop of 12 octets", attrs: aOrigin + aASPath + "80 0E 11 0001 80 0C 0000000000000000 C0000201 00"},
		{name: "rfc7606 7.14 extended community length", attrs: base + "C0 10 07 00020000FDE800", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrExtCommunity},
		{name: "rfc7606 7.14 unknown extended community type is fine", attrs: base + "C0 10 08 AB CD 010203040506", nlri: true},
		{name: "rfc7606 7.15 ipv6 extended community length", attrs: base + "C0 19 13 0002 20010DB8000000000000000000000001 00", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrIPv6ExtCommunity},
		{name: "rfc8092 6 large community length", attrs: base + "C0 20 0B 0000FDE8 00000001 000000", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrLargeCommunity},
		{name: "rfc8092 6 duplicate large community values are fine", attrs: base + "C0 20 18 0000FDE8 00000001 00000002 0000FDE8 00000001 00000002", nlri: true},
		{name: "rfc7311 3.2 aigp tlv length overrun", attrs: base + "80 1A 0B 01 000C 0000000000000064", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrAIGP, discard: []wire.AttrCode{26}},
		{name: "rfc7311 3.2 aigp transitive bit", attrs: base + "C0 1A 0B 01 000B 0000000000000064", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateAttrFlags, data: "raw", attr: wire.AttrAIGP, discard: []wire.AttrCode{26}},
		{name: "rfc7311 3.2 aigp maximum metric", attrs: base + "80 1A 0B 01 000B FFFFFFFFFFFFFFFF", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrAIGP, discard: []wire.AttrCode{26}},
		{name: "rfc7311 3.2 aigp unknown and repeated tlvs are fine", attrs: base + "80 1A 19 01 000B 0000000000000064 01 000B 0000000000000065 07 0003", nlri: true},
		{name: "rfc8669 6 prefix-sid label-index length", attrs: base + "C0 28 09 01 0006 000000000064", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrPrefixSID, discard: []wire.AttrCode{40}},
		{name: "rfc8669 6 prefix-sid tlv overrun", attrs: base + "C0 28 0A 01 0008 00000000000064", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrPrefixSID, discard: []wire.AttrCode{40}},
		{name: "rfc8669 6 prefix-sid srgb length", attrs: base + "C0 28 0A 03 0007 0000 003E80 0000", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrPrefixSID, discard: []wire.AttrCode{40}},
		{name: "rfc8669 3 prefix-sid unknown tlv is fine", attrs: base + "C0 28 0F 01 0007 00000000000064 63 0002 ABCD", nlri: true},
		{name: "rfc9252 7 srv6 service sub-tlv overrun", attrs: base + "C0 28 08 05 0005 00 01 0030 00", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrPrefixSID},
		{name: "rfc9252 7 srv6 sid information shorter than 21", attrs: base + "C0 28 0A 05 0007 00 01 0003 000000", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrPrefixSID},
		{name: "rfc9234 5 otc length", attrs: base + "C0 23 03 00FDE8", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrOTC},
		{name: "rfc6793 6 as4_path from a 4-octet speaker", attrs: base + "C0 11 06 02 01 0000FDE8", nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrAS4Path, discard: []wire.AttrCode{17}},
		{name: "rfc6793 6 as4_path malformed", attrs: base2 + "C0 11 05 02 01 0000FD", ctx: ctx2, nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateOptionalAttr, data: "raw", attr: wire.AttrAS4Path, discard: []wire.AttrCode{17}},
		{name: "rfc6793 6 as4_path valid on a 2-octet session", attrs: base2 + "C0 11 06 02 01 0001FDE8", ctx: ctx2, nlri: true},
		{name: "rfc6793 6 as4_aggregator length", attrs: base2 + "C0 12 06 FDE8 C0000201", ctx: ctx2, nlri: true,
			action: ActionAttrDiscard, sub: wire.UpdateAttrLength, data: "raw", attr: wire.AttrAS4Aggregator, discard: []wire.AttrCode{18}},
		{name: "rfc4271 6.3 unrecognized well-known attribute", attrs: base + "40 63 02 ABCD", nlri: true,
			action: ActionSessionReset, sub: wire.UpdateUnknownWellKnown, data: "raw", attr: 99},
		{name: "rfc4271 5 unrecognized optional attribute is passed", attrs: base + "C0 63 02 ABCD", nlri: true},
		{name: "rfc7606 7.13 traffic engineering attribute flags", attrs: base + "C0 18 02 ABCD", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateAttrFlags, data: "raw", attr: 24},
		{name: "rfc7606 7.16 attr_set inner attribute overruns", attrs: base + "C0 80 07 0000FDE8 40 01 02", nlri: true,
			action: ActionTreatAsWithdraw, sub: wire.UpdateOptionalAttr, data: "raw", attr: 128},
		{name: "rfc7606 7.16 attr_set valid", attrs: base + "C0 80 08 0000FDE8 40 01 01 00", nlri: true},
		{name: "rfc9552 8.2.2 bgp-ls attribute flags", attrs: aOrigin + aASPath + "C0 1D 02 ABCD",
			action: ActionAttrDiscard, sub: wire.UpdateAttrFlags, data: "raw", attr: wire.AttrBGPLS, discard: []wire.AttrCode{29}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := hx(tt.attrs)
			ctx := tt.ctx
			if ctx == nil {
				ctx = ctx4
			}
			v := Check(attrs, ctx, tt.nlri)
			if v.Action != tt.action {
				t.Fatalf("action = %s (%s), want %s", v.Action, v.Reason, tt.action)
			}
			if tt.action == ActionNone {
				if v.Notify != nil || !v.Discard.Empty() || !v.Dups.Empty() {
					t.Fatalf("valid update got notify %v discard %v dups %v", v.Notify, v.Discard, v.Dups)
				}
				return
			}
			if v.Notify == nil || v.Notify.Code != wire.NotifyUpdate || v.Notify.Subcode != tt.sub {
				t.Fatalf("notify = %v, want update-message-error / %s", v.Notify, wire.SubcodeString(wire.NotifyUpdate, tt.sub))
			}
			if v.Attr != tt.attr {
				t.Errorf("attr = %s, want %s", v.Attr, tt.attr)
			}
			if v.Reason == "" {
				t.Error("no reason")
			}
			var wantData []byte
			switch tt.data {
			case "raw":
				a, ok := findFirst(attrs, tt.attr)
				if !ok {
					t.Fatalf("test bug: no attribute %s", tt.attr)
				}
				wantData = a.Raw
			case "":
			default:
				wantData = hx(tt.data)
			}
			if !bytes.Equal(v.Notify.Data, wantData) {
				t.Errorf("notify data = %X, want %X", v.Notify.Data, wantData)
			}
			var wantDiscard, wantDups CodeSet
			for _, c := range tt.discard {
				wantDiscard.Add(c)
			}
			for _, c := range tt.dups {
				wantDups.Add(c)
			}
			if v.Discard != wantDiscard || v.Dups != wantDups {
				t.Errorf("discard %v dups %v, want %v %v", v.Discard, v.Dups, wantDiscard, wantDups)
			}
			if v.Family != tt.family {
				t.Errorf("family = %s, want %s", v.Family, tt.family)
			}
		})
	}
}

func findFirst(attrs []byte, c wire.AttrCode) (wire.Attr, bool) { return wire.FindAttr(attrs, c) }

func TestCheckUpdateNLRISyntax(t *testing.T) {
	// RFC 7606 §5.3: a prefix longer than 32 in the NLRI field.
	attrs := hx(base)
	body := append([]byte{0, 0, 0, byte(len(attrs))}, attrs...)
	body = append(body, 0x21, 10, 0, 0, 0, 0)
	u, err := wire.ParseUpdate(body, ctx4)
	if err != nil {
		t.Fatal(err)
	}
	v := CheckUpdate(&u)
	if v.Action != ActionSessionReset || v.Notify.Subcode != wire.UpdateInvalidNetwork {
		t.Fatalf("got %s %v, want session-reset invalid-network-field", v.Action, v.Notify)
	}
	// The same update with a valid /24.
	body = append(body[:4+len(attrs)], 24, 10, 0, 0)
	u, _ = wire.ParseUpdate(body, ctx4)
	if v := CheckUpdate(&u); v.Action != ActionNone {
		t.Fatalf("valid update: %s (%s)", v.Action, v.Reason)
	}
}

func TestVerdictWriteKept(t *testing.T) {
	attrs := hx(base + "40 06 01 00" + aMED + "80 04 04 00000020")
	v := Check(attrs, ctx4, true)
	if v.Action != ActionAttrDiscard {
		t.Fatalf("action %s, want attribute-discard", v.Action)
	}
	buf := make([]byte, len(attrs))
	n := v.WriteKept(buf, 0, attrs)
	want := hx(base + aMED)
	if !bytes.Equal(buf[:n], want) {
		t.Fatalf("kept\n got %X\nwant %X", buf[:n], want)
	}
}

func TestCheckAllocs(t *testing.T) {
	// A realistic valid UPDATE: the base attributes, MED, communities,
	// extended and large communities, and an ipv6 MP_REACH_NLRI.
	attrs := hx(aOrigin + aASPath + aMED + aLocalPref + "C0 08 08 FDE80064 FFFFFF01" +
		"C0 10 10 0002FDE800000064 80060000447A0000" + "C0 20 0C 0000FDE8 00000001 00000002" + aMPReach6)
	if v := Check(attrs, ctx4, false); v.Action != ActionNone {
		t.Fatalf("%s: %s", v.Action, v.Reason)
	}
	n := testing.AllocsPerRun(100, func() {
		if v := Check(attrs, ctx4, false); v.Action != ActionNone {
			t.Fatal(v.Reason)
		}
	})
	if n != 0 {
		t.Fatalf("Check allocates %v times per run, want 0", n)
	}
}
