package view

import (
	"net/netip"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
)

// AppendUpdateJSON appends the JSON object of an UPDATE:
//
//	{"withdraw":{"ipv4/unicast":[{"prefix":"10.0.0.0/24"}]},
//	 "attributes":{"origin":"igp","as-path":[{"type":"as-sequence","asns":[65001]}],…},
//	 "announce":{"ipv6/unicast":{"next-hop":"2001:db8::1","nlri":[{"prefix":"2001:db8::/32"}]}},
//	 "eor":"ipv4/unicast"}
//
// Keys that would be empty are left out. An NLRI or attribute that cannot be
// read ends the output with an "error" key and the error is returned. NLRI of
// a family without a registered codec are left out, the rest is shown, and
// the output ends with the *wire.UnknownFamilyError as "error". An
// UPDATE that RFC 7606 finds malformed is shown in full with an "rfc7606"
// object (action, reason, the NOTIFICATION it names) and a *MalformedError.
func AppendUpdateJSON(w *W, u *wire.WireUpdate) error {
	w.Open('{')
	defer w.Close('}')
	bodyErr := appendUpdateBody(w, u)
	v := attr.CheckUpdate(u)
	if v.Action == attr.ActionNone {
		return bodyErr
	}
	w.Key("rfc7606")
	w.Open('{')
	w.Key("action")
	w.Str(v.Action.String())
	w.Key("reason")
	w.Str(v.Reason)
	if v.Notify != nil {
		w.Key("notification")
		w.Open('{')
		w.Key("code")
		w.Str(v.Notify.Code.String())
		w.Key("subcode")
		w.Str(wire.SubcodeString(v.Notify.Code, v.Notify.Subcode))
		w.Key("data")
		w.Hex(v.Notify.Data)
		w.Close('}')
	}
	w.Close('}')
	if bodyErr != nil {
		return bodyErr
	}
	return &MalformedError{Verdict: v}
}

// MalformedError reports an UPDATE that RFC 7606 classifies as malformed.
type MalformedError struct{ Verdict attr.Verdict }

func (e *MalformedError) Error() string {
	return "view: malformed update (RFC 7606 " + e.Verdict.Action.String() + "): " + e.Verdict.Reason
}

func appendUpdateBody(w *W, u *wire.WireUpdate) error {
	ctx := u.Context()
	if f, ok := u.EndOfRIB(); ok {
		w.Key("eor")
		w.Str(f.String())
		return nil
	}
	// NLRI of a family without a codec (one whose plugin is not loaded)
	// cannot be listed: that family is left out, the rest of the UPDATE is
	// shown, and the error comes last.
	var noCodec error
	// Withdrawals: the classic field, then MP_UNREACH_NLRI.
	mu, hasMU, err := u.MPUnreach()
	if err != nil {
		return fail(w, err)
	}
	hasMU = hasMU && len(mu.NLRI) > 0 && hasCodec(mu.Family, &noCodec)
	if len(u.Withdrawn()) > 0 || hasMU {
		w.Key("withdraw")
		w.Open('{')
		// IPv4 unicast can be withdrawn in both places: one key, one list.
		var its []wire.NLRIIter
		if len(u.Withdrawn()) > 0 {
			its = append(its, u.WithdrawnIter())
		}
		if hasMU && mu.Family == wire.IPv4Unicast {
			its = append(its, mu.Iter(ctx))
			hasMU = false
		}
		if len(its) > 0 {
			w.Key(wire.IPv4Unicast.String())
			if err := appendNLRIArray(w, its...); err != nil {
				w.Close('}')
				return fail(w, err)
			}
		}
		if hasMU {
			if err := appendNLRIList(w, mu.Family, mu.Iter(ctx)); err != nil {
				w.Close('}')
				return fail(w, err)
			}
		}
		w.Close('}')
	}
	if skipNH := len(u.NLRI()) > 0; showsAttrs(u.Attrs(), skipNH) {
		w.Key("attributes")
		if err := appendAttributes(w, u.Attrs(), ctx, skipNH); err != nil {
			return err // the "error" key is inside "attributes"
		}
	}
	mr, hasMR, err := u.MPReach()
	if err != nil {
		return fail(w, err)
	}
	hasMR = hasMR && hasCodec(mr.Family, &noCodec)
	if len(u.NLRI()) > 0 || hasMR {
		w.Key("announce")
		w.Open('{')
		if len(u.NLRI()) > 0 {
			// IPv4 unicast in both the NLRI field and MP_REACH_NLRI: one key;
			// the MP_REACH_NLRI next hop, when it differs, is shown beside.
			its := []wire.NLRIIter{u.NLRIIter()}
			w.Key(wire.IPv4Unicast.String())
			w.Open('{')
			nh, hasNH := u.Attr(wire.AttrNextHop)
			if hasNH && len(nh.Value) == 4 {
				w.Key("next-hop")
				w.Text(netip.AddrFrom4([4]byte(nh.Value)).AppendTo)
			}
			if hasMR && mr.Family == wire.IPv4Unicast {
				if !hasNH || string(nh.Value) != string(mr.NextHop) {
					w.Key("mp-reach")
					w.Open('{')
					appendNextHop(w, mr)
					w.Close('}')
				}
				its = append(its, mr.Iter(ctx))
				hasMR = false
			}
			w.Key("nlri")
			err = appendNLRIArray(w, its...)
			w.Close('}')
			if err != nil {
				w.Close('}')
				return fail(w, err)
			}
		}
		if hasMR {
			w.Key(mr.Family.String())
			w.Open('{')
			appendNextHop(w, mr)
			w.Key("nlri")
			err = appendNLRIArray(w, mr.Iter(ctx))
			w.Close('}')
			if err != nil {
				w.Close('}')
				return fail(w, err)
			}
		}
		w.Close('}')
	}
	if noCodec != nil {
		return fail(w, noCodec)
	}
	return nil
}

// showsAttrs reports whether appendAttributes has something to write: an
// attribute it does not show elsewhere (MP_REACH_NLRI and MP_UNREACH_NLRI
// under announce and withdraw, NEXT_HOP with the IPv4 NLRI when skipNextHop)
// or a fault in the list.
func showsAttrs(attrs []byte, skipNextHop bool) bool {
	it := wire.NewAttrIter(attrs)
	for {
		a, ok := it.Next()
		if !ok {
			return it.Err() != nil
		}
		switch {
		case a.Code == wire.AttrMPReach, a.Code == wire.AttrMPUnreach:
		case a.Code == wire.AttrNextHop && skipNextHop:
		default:
			return true
		}
	}
}

// hasCodec reports whether NLRI of family f can be read; if not, it keeps
// the first such family's *wire.UnknownFamilyError in *first.
func hasCodec(f wire.Family, first *error) bool {
	if _, ok := wire.LookupFamily(f); ok {
		return true
	}
	if *first == nil {
		*first = &wire.UnknownFamilyError{Family: f}
	}
	return false
}

func fail(w *W, err error) error {
	w.Key("error")
	w.Str(err.Error())
	return err
}

// appendNLRIList writes `"family":[…]` for withdrawals.
func appendNLRIList(w *W, f wire.Family, it wire.NLRIIter) error {
	w.Key(f.String())
	return appendNLRIArray(w, it)
}

// appendNLRIArray writes the NLRI of its (all of one family) as one array of
// objects: prefix families give {"prefix":…}, others {"nlri":…} from their
// codec's text, and each carries "path-id" under ADD-PATH.
func appendNLRIArray(w *W, its ...wire.NLRIIter) error {
	w.Open('[')
	defer w.Close(']')
	f := its[0].Family()
	codec, _ := wire.LookupFamily(f)
	key := "nlri"
	if isPrefixFamily(f) {
		key = "prefix"
	}
	for i := range its {
		it := &its[i]
		for {
			n, ok := it.Next()
			if !ok {
				break
			}
			w.Open('{')
			w.Key(key)
			w.Text(func(b []byte) []byte { return codec.AppendText(b, n.Bytes) })
			if n.HasPathID {
				w.Key("path-id")
				w.Uint(uint64(n.PathID))
			}
			w.Close('}')
		}
		if err := it.Err(); err != nil {
			return err
		}
	}
	return nil
}

func isPrefixFamily(f wire.Family) bool {
	return (f.AFI == wire.AFIIPv4 || f.AFI == wire.AFIIPv6) && (f.SAFI == wire.SAFIUnicast || f.SAFI == wire.SAFIMulticast)
}

// appendNextHop writes the next hop of an MP_REACH_NLRI: "next-hop" and, for a
// 32-octet IPv6 next hop, "next-hop-link-local"; an unknown form as hex.
func appendNextHop(w *W, mr wire.MPReach) {
	if len(mr.NextHop) == 0 {
		return
	}
	g, ll, ok := mr.NextHops()
	if !ok {
		w.Key("next-hop-raw")
		w.Hex(mr.NextHop)
		return
	}
	w.Key("next-hop")
	w.Text(g.AppendTo)
	if ll.IsValid() {
		w.Key("next-hop-link-local")
		w.Text(ll.AppendTo)
	}
}
