package attr

import (
	"github.com/zebgp/ze/bgp/wire"
)

// Action is how an UPDATE with an error is handled (RFC 7606 §2), from
// the weakest to the strongest.
type Action uint8

// RFC 7606 §2 approaches.
const (
	ActionNone            Action = iota // no error
	ActionAttrDiscard                   // drop the attributes in Verdict.Discard / Dups, keep the UPDATE
	ActionTreatAsWithdraw               // withdraw every route the UPDATE carries
	ActionAFISAFIDisable                // ignore Verdict.Family on this session (RFC 4760 §7)
	ActionSessionReset                  // send Verdict.Notify and close the session
)

var actionNames = [...]string{"none", "attribute-discard", "treat-as-withdraw", "afi-safi-disable", "session-reset"}

// String returns the kebab-case name ("treat-as-withdraw").
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "action-?"
}

// CodeSet is a set of attribute type codes, a value type.
type CodeSet [4]uint64

// Add puts c in the set.
func (s *CodeSet) Add(c wire.AttrCode) { s[c>>6] |= 1 << (c & 63) }

// Has reports whether c is in the set.
func (s *CodeSet) Has(c wire.AttrCode) bool { return s[c>>6]&(1<<(c&63)) != 0 }

// Empty reports whether the set is empty.
func (s *CodeSet) Empty() bool { return s[0]|s[1]|s[2]|s[3] == 0 }

// Verdict is the RFC 7606 classification of a whole UPDATE. It is a value:
// classifying a valid UPDATE allocates nothing.
type Verdict struct {
	// Action is the strongest action any error asks for (RFC 7606 §3 h).
	Action Action
	// Discard holds the attributes to drop, every occurrence, when the
	// UPDATE is kept: malformed attributes handled by attribute discard.
	Discard CodeSet
	// Dups holds the attributes that appear more than once: keep the
	// first occurrence and drop the others (RFC 7606 §3 g).
	Dups CodeSet
	// Family is the AFI/SAFI to disable with ActionAFISAFIDisable.
	Family wire.Family
	// Attr is the type code of the attribute behind Action (0 for none or
	// when the error is not tied to one attribute).
	Attr wire.AttrCode
	// Reason names the RFC section and the error behind Action, for the log.
	Reason string
	// Notify is the NOTIFICATION RFC 4271 §6.3 names for the error behind
	// Action: the one to send when Action is ActionSessionReset, and for
	// the other actions the record of what was found. Data aliases attrs.
	// It is nil when Action is ActionNone.
	Notify *wire.NotifyError
}

// Keep reports whether the attribute with code c, whose first occurrence
// in the UPDATE this is when first is true, stays once the verdict's
// attribute discards are applied.
func (v *Verdict) Keep(c wire.AttrCode, first bool) bool {
	return !v.Discard.Has(c) && (first || !v.Dups.Has(c))
}

// WriteKept copies the attributes of attrs that Keep keeps to buf[off:] and
// returns the size written (at most len(attrs)).
func (v *Verdict) WriteKept(buf []byte, off int, attrs []byte) int {
	var seen CodeSet
	o := off
	for it := wire.NewAttrIter(attrs); ; {
		a, ok := it.Next()
		if !ok {
			return o - off
		}
		first := !seen.Has(a.Code)
		seen.Add(a.Code)
		if v.Keep(a.Code, first) {
			o += copy(buf[o:], a.Raw)
		}
	}
}

// finding is one error: the action it asks for and the NOTIFICATION that
// RFC 4271 would send for it.
type finding struct {
	action  Action
	subcode uint8
	data    int // dataNone, dataRaw (the whole attribute) or dataCode (its type code)
	reason  string
}

const (
	dataNone = iota
	dataRaw
	dataCode
)

// verdictBuilder accumulates findings; the NotifyError is built once at
// the end so that the valid path allocates nothing.
type verdictBuilder struct {
	v       Verdict
	subcode uint8
	data    []byte
}

// codeBytes holds every type code once, so that a Missing Well-known
// Attribute NOTIFICATION can carry one without allocating.
var codeBytes = func() (b [256]byte) {
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func (b *verdictBuilder) add(f finding, code wire.AttrCode, raw []byte) {
	if f.action <= b.v.Action {
		return
	}
	b.v.Action, b.v.Attr, b.v.Reason, b.subcode = f.action, code, f.reason, f.subcode
	switch f.data {
	case dataRaw:
		b.data = raw
	case dataCode:
		b.data = codeBytes[code : code+1]
	default:
		b.data = nil
	}
}

func (b *verdictBuilder) done() Verdict {
	if b.v.Action != ActionNone {
		b.v.Notify = &wire.NotifyError{Code: wire.NotifyUpdate, Subcode: b.subcode, Data: b.data}
	}
	return b.v
}

// Check classifies the Path Attributes field attrs of an UPDATE read with
// ctx by the error handling of RFC 7606 and of the RFCs of each attribute.
// hasNLRI says whether the UPDATE's NLRI field holds routes (IPv4 unicast);
// Check finds MP_REACH_NLRI itself.
//
// It does not know whether the peer is internal or external: LOCAL_PREF,
// ORIGINATOR_ID and CLUSTER_LIST are checked as from an internal peer, and
// dropping them from an external one (RFC 7606 §7.5, §7.9, §7.10) is the
// session's business.
func Check(attrs []byte, ctx *wire.EncodingContext, hasNLRI bool) Verdict {
	var b verdictBuilder
	var seen CodeSet
	reach, other := false, false
	it := wire.NewAttrIter(attrs)
	for {
		a, ok := it.Next()
		if !ok {
			break
		}
		if a.Code != wire.AttrMPUnreach {
			other = true
		}
		if seen.Has(a.Code) {
			if a.Code == wire.AttrMPReach || a.Code == wire.AttrMPUnreach {
				b.add(finding{ActionSessionReset, wire.UpdateMalformedAttrList, dataNone, "rfc7606 3g: mp_reach_nlri or mp_unreach_nlri more than once"}, a.Code, nil)
			} else {
				b.v.Dups.Add(a.Code)
				b.add(finding{ActionAttrDiscard, wire.UpdateMalformedAttrList, dataNone, "rfc7606 3g: attribute more than once, all but the first discarded"}, a.Code, nil)
			}
			continue
		}
		seen.Add(a.Code)
		if a.Code == wire.AttrMPReach {
			reach = true // reachable NLRI for §3 d and §5.2, even when malformed
		}
		f, fam := checkAttr(a, ctx)
		switch f.action {
		case ActionAttrDiscard:
			b.v.Discard.Add(a.Code)
		case ActionAFISAFIDisable:
			b.v.Family = fam
		}
		if f.action != ActionNone {
			b.add(f, a.Code, a.Raw)
		}
	}
	if it.Err() != nil {
		other = true
		// RFC 7606 §4; §3 j when what cannot be read may be MP_(UN)REACH.
		rest := attrs[it.Offset():]
		if len(rest) >= 2 && (wire.AttrCode(rest[1]) == wire.AttrMPReach || wire.AttrCode(rest[1]) == wire.AttrMPUnreach) {
			b.add(finding{ActionSessionReset, wire.UpdateMalformedAttrList, dataNone, "rfc7606 3j: mp_reach_nlri or mp_unreach_nlri overruns the attributes"}, 0, nil)
		} else {
			b.add(finding{ActionTreatAsWithdraw, wire.UpdateMalformedAttrList, dataNone, "rfc7606 4: attribute overruns the path attributes"}, 0, nil)
		}
	}
	if hasNLRI || reach {
		// RFC 7606 §3 d: missing well-known mandatory attributes.
		// NEXT_HOP is mandatory only for the NLRI field (RFC 4760 §3).
		for _, c := range [...]wire.AttrCode{wire.AttrOrigin, wire.AttrASPath, wire.AttrNextHop} {
			if !seen.Has(c) && (c != wire.AttrNextHop || hasNLRI) {
				b.add(finding{ActionTreatAsWithdraw, wire.UpdateMissingWellKnown, dataCode, "rfc7606 3d: missing well-known mandatory attribute"}, c, nil)
			}
		}
	} else if other && b.v.Action > ActionAttrDiscard && b.v.Action < ActionSessionReset {
		// RFC 7606 §5.2: no reachable NLRI but attributes beyond
		// MP_UNREACH_NLRI; anything stronger than attribute discard resets.
		b.v.Action = ActionSessionReset
		b.v.Reason = "rfc7606 5.2: error in an update without reachable nlri: " + b.v.Reason
	}
	return b.done()
}

// CheckUpdate is Check for a whole UPDATE. It also checks the syntax of
// the Withdrawn Routes and NLRI fields (RFC 7606 §5.3), whose errors leave
// the routes unknown and so reset the session (Invalid Network Field).
func CheckUpdate(u *wire.WireUpdate) Verdict {
	for _, it := range [...]wire.NLRIIter{u.WithdrawnIter(), u.NLRIIter()} {
		if _, err := it.Count(); err != nil {
			var b verdictBuilder
			b.add(finding{ActionSessionReset, wire.UpdateInvalidNetwork, dataNone, "rfc7606 5.3: withdrawn routes or nlri field syntactically incorrect"}, 0, nil)
			return b.done()
		}
	}
	return Check(u.Attrs(), u.Context(), len(u.NLRI()) > 0)
}
