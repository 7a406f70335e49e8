package route

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// Update is a parsed `update text|hex …` command: attribute clauses, a next
// hop and one or more NLRI sections. Attributes are encoded when the update is
// built, because their bytes depend on the session (4-octet AS numbers).
type Update struct {
	Hex      bool
	clauses  []clause
	rawAttrs []byte // hex mode: the path attributes as given
	nextHop  []byte // 4, 16 or 32 octets
	nhTok    token
	Sections []Section
}

// clause is one `NAME set VALUE|[VALUES]` of text mode.
type clause struct {
	name   token
	spec   *attrSpec
	values []token
}

// Section is one `nlri FAMILY add|del …` group. NLRI holds each NLRI behind
// its 4-octet path identifier (zero unless given with path-id).
type Section struct {
	Family   wire.Family
	Withdraw bool
	NLRI     []byte
	Count    int
	PathIDs  bool // a path-id was given explicitly
}

// Parse parses a route command. The leading "update" is optional.
func Parse(s string) (*Update, error) {
	p := &parser{toks: tokenize(s)}
	if p.peek() == "update" {
		p.next()
	}
	mode, ok := p.next()
	switch {
	case !ok:
		return nil, errAt(mode, `expected "text" or "hex"`)
	case mode.text == "text":
	case mode.text == "hex":
	default:
		return nil, errAt(mode, `expected "text" or "hex"%s`, didYouMean(mode.text, []string{"text", "hex"}))
	}
	u := &Update{Hex: mode.text == "hex"}
	seen := map[string]bool{}
	for !p.done() {
		t, _ := p.next()
		switch {
		case t.text == "nlri":
			if err := u.parseSection(p, t); err != nil {
				return nil, err
			}
		case len(u.Sections) > 0:
			return nil, errAt(t, `attributes must come before the first "nlri"; expected "nlri"`)
		case t.text == "nhop" || t.text == "next-hop":
			if err := u.parseNextHop(p, t); err != nil {
				return nil, err
			}
		case u.Hex && t.text == "attr":
			if err := expectSet(p, t); err != nil {
				return nil, err
			}
			v, ok := p.next()
			if !ok {
				return nil, errAt(v, "missing hex after attr set")
			}
			b, err := hex.DecodeString(v.text)
			if err != nil {
				return nil, errAt(v, "bad hex: %v", err)
			}
			if err := checkAttrs(b); err != nil {
				return nil, errAt(v, "%v", err)
			}
			u.rawAttrs = append(u.rawAttrs, b...)
		case !u.Hex:
			spec, ok := attrSpecs[t.text]
			if !ok {
				return nil, errAt(t, "unknown attribute%s", didYouMean(t.text, keywords()))
			}
			if err := expectSet(p, t); err != nil {
				return nil, err
			}
			vs, err := p.values(t.text)
			if err != nil {
				return nil, err
			}
			if seen[spec.name] && !spec.list {
				return nil, errAt(t, "%s is set twice", t.text)
			}
			seen[spec.name] = true
			u.clauses = append(u.clauses, clause{name: t, spec: spec, values: vs})
		default:
			return nil, errAt(t, `expected "attr", "nhop" or "nlri"`)
		}
	}
	if len(u.Sections) == 0 {
		return nil, errAt(token{}, `no "nlri" section: nothing to announce or withdraw`)
	}
	return u, nil
}

func didYouMean(s string, words []string) string {
	if w := suggest(s, words); w != "" {
		return fmt.Sprintf(`; did you mean %q?`, w)
	}
	return ""
}

func keywords() []string {
	ks := []string{"nlri", "nhop", "next-hop"}
	for k := range attrSpecs {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func expectSet(p *parser, after token) error {
	t, ok := p.next()
	if !ok {
		return errAt(t, "expected set after %s", after.text)
	}
	if t.text != "set" && t.text != "add" {
		return errAt(t, `expected "set" after %s%s`, after.text, didYouMean(t.text, []string{"set", "add"}))
	}
	return nil
}

// checkAttrs refuses hex attributes that do not parse as an attribute list,
// or that carry what the builder adds itself.
func checkAttrs(b []byte) error {
	it := wire.NewAttrIter(b)
	for {
		a, ok := it.Next()
		if !ok {
			break
		}
		switch a.Code {
		case wire.AttrNextHop, wire.AttrMPReach, wire.AttrMPUnreach:
			return fmt.Errorf("%s is built from nhop and nlri, not given as an attribute", a.Code)
		}
	}
	if it.Err() != nil {
		return fmt.Errorf("attributes do not parse at offset %d", it.Offset())
	}
	return nil
}

func (u *Update) parseNextHop(p *parser, t token) error {
	if err := expectSet(p, t); err != nil {
		return err
	}
	vs, err := p.values("nhop")
	if err != nil {
		return err
	}
	if len(vs) == 0 || len(vs) > 2 {
		return errAt(t, "nhop takes one address, or an IPv6 global and link-local address")
	}
	if u.nextHop != nil {
		return errAt(t, "%s is set twice", t.text)
	}
	u.nextHop, u.nhTok = nil, vs[0]
	for i, v := range vs {
		a, err := netip.ParseAddr(v.text)
		if err != nil {
			return errAt(v, "bad next hop address")
		}
		if i == 1 && (!a.Is6() || !a.IsLinkLocalUnicast() || u.nextHop == nil || len(u.nextHop) != 16) {
			return errAt(v, "the second next hop must be an IPv6 link-local address after an IPv6 global one")
		}
		u.nextHop = append(u.nextHop, a.AsSlice()...)
	}
	return nil
}

func (u *Update) parseSection(p *parser, t token) error {
	ft, ok := p.next()
	if !ok {
		return errAt(ft, "expected a family (afi/safi) after nlri")
	}
	f, err := wire.ParseFamily(ft.text)
	if err != nil {
		return errAt(ft, "%s", strings.TrimPrefix(err.Error(), "wire: "))
	}
	codec, ok := wire.LookupFamily(f)
	if !ok || codec.ParseText == nil {
		return errAt(ft, "family %s has no route encoder", f)
	}
	act, ok := p.next()
	if !ok || (act.text != "add" && act.text != "del") {
		return errAt(act, `expected "add" or "del" after %s%s`, f, didYouMean(act.text, []string{"add", "del"}))
	}
	sec := Section{Family: f, Withdraw: act.text == "del"}
	var pathID uint32
	buf := make([]byte, 4096)
	for !p.done() && !isKeyword(p.peek()) {
		v, _ := p.next()
		if v.text == "path-id" {
			id, ok := p.next()
			n, err := strconv.ParseUint(id.text, 10, 32)
			if !ok || err != nil {
				return errAt(id, "path-id takes a number from 0 to 4294967295")
			}
			pathID, sec.PathIDs = uint32(n), true
			continue
		}
		binary.BigEndian.PutUint32(buf, pathID)
		var n int
		if u.Hex {
			b, err := hex.DecodeString(v.text)
			if err != nil {
				return errAt(v, "bad hex NLRI: %v", err)
			}
			if l, err := codec.Len(b); err != nil || l != len(b) {
				return errAt(v, "hex is not one %s NLRI", f)
			}
			n = copy(buf[4:], b)
		} else {
			n, err = codec.ParseText(v.text, buf, 4)
			if err != nil {
				return errAt(v, "%s", strings.TrimPrefix(err.Error(), "wire: "))
			}
		}
		sec.NLRI = append(sec.NLRI, buf[:4+n]...)
		sec.Count++
	}
	if sec.Count == 0 {
		return errAt(act, "no NLRI after nlri %s %s", f, act.text)
	}
	u.Sections = append(u.Sections, sec)
	return nil
}

// isKeyword reports words that end an NLRI list.
func isKeyword(s string) bool {
	_, attr := attrSpecs[s]
	return attr || s == "nlri" || s == "nhop" || s == "next-hop" || s == "attr"
}

var errNoNextHop = errors.New(`route: announcing needs a next hop ("nhop set ADDRESS")`)
