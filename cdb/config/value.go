package config

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	goyang "github.com/openconfig/goyang/pkg/yang"

	"github.com/zebgp/ze/yang"
)

// vtype is the type of a leaf or leaf-list compiled for checking values:
// every restriction of the typedefs on the way, patterns as Go regexps.
type vtype struct {
	name      string // the typedef without prefix ("hold-time"), else the builtin ("uint16")
	hint      string // the first sentence of the typedef's description, for messages
	kind      goyang.TypeKind
	ranges    goyang.YangRange
	lengths   goyang.YangRange
	patterns  []pattern
	enums     []string
	bits      []string
	idents    []string
	identMods []string // the module of each identity
	frac      int
	union     []*vtype
	path      string // a leafref's path
	target    *snode // the leaf a leafref points to, once resolved
}

// kindEmpty is the type of a leaf that takes no value.
const kindEmpty = goyang.Yempty

type pattern struct {
	src string
	re  *regexp.Regexp // nil when Go cannot compile the XSD expression
}

func compileType(t *yang.Type) *vtype {
	y := t.YangType()
	vt := &vtype{
		name:    t.Typedef(),
		hint:    typedefHint(y),
		kind:    y.Kind,
		ranges:  y.Range,
		lengths: y.Length,
		frac:    y.FractionDigits,
		path:    y.Path,
	}
	if vt.name == "" {
		vt.name = t.Kind()
	}
	for _, p := range y.Pattern {
		vt.patterns = append(vt.patterns, pattern{src: p, re: compilePattern(p)})
	}
	vt.enums = t.EnumNames()
	if y.Bit != nil {
		for _, v := range y.Bit.Values() { // in position order
			vt.bits = append(vt.bits, y.Bit.Name(v))
		}
	}
	if y.IdentityBase != nil {
		vt.idents, vt.identMods = identities(y.IdentityBase, nil, nil)
	}
	for _, m := range t.Union() {
		vt.union = append(vt.union, compileType(m))
	}
	return vt
}

// typedefHint returns the summary of the typedef y comes from, lowered
// and without its final period ("an IPv4 address in dotted-quad form,
// such as 192.0.2.1"), or "".
func typedefHint(y *goyang.YangType) string {
	if y.Base == nil {
		return ""
	}
	td, ok := y.Base.ParentNode().(*goyang.Typedef)
	if !ok || td.Description == nil {
		return ""
	}
	s := strings.TrimSuffix(yang.Summary(yang.Unindent(td.Description.Name)), ".")
	if s == "" {
		return ""
	}
	// "A BGP identifier" → "a BGP identifier", but "IPv4 address" stays.
	word, _, _ := strings.Cut(s, " ")
	if rest := word[1:]; rest == strings.ToLower(rest) {
		s = strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

// identities returns the identities derived from id, with the module of each.
func identities(id *goyang.Identity, names, mods []string) ([]string, []string) {
	for _, v := range id.Values {
		mod := ""
		if m := goyang.RootNode(v); m != nil {
			mod = m.Name
		}
		names = append(names, v.Name)
		mods = append(mods, mod)
		names, mods = identities(v, names, mods)
	}
	return names, mods
}

var (
	patternMu    sync.Mutex
	patternCache = map[string]*regexp.Regexp{}
)

// compilePattern compiles a YANG pattern (an XML Schema regular expression,
// anchored at both ends) into a Go regexp. The XSD forms Go lacks
// (character class subtraction, \i, \c, Unicode blocks) do not compile:
// such a pattern is not checked and nil is returned.
func compilePattern(p string) *regexp.Regexp {
	patternMu.Lock()
	defer patternMu.Unlock()
	if re, ok := patternCache[p]; ok {
		return re
	}
	re, err := regexp.Compile("^(?:" + p + ")$")
	if err != nil {
		re = nil
	}
	patternCache[p] = re
	return re
}

// each calls fn for t and every member of its unions.
func (t *vtype) each(fn func(*vtype)) {
	fn(t)
	for _, m := range t.union {
		m.each(fn)
	}
}

// check checks v against t. It returns the canonical form of v (integers
// without sign or leading zeros, decimals without needless zeros), or a
// message that says what is wrong ("\"2\" is out of range 0 | 3..65535").
func (t *vtype) check(v string) (string, string) {
	if !utf8.ValidString(v) {
		return "", fmt.Sprintf("%q is not valid UTF-8", v)
	}
	switch t.kind {
	case goyang.Yint8, goyang.Yint16, goyang.Yint32, goyang.Yint64,
		goyang.Yuint8, goyang.Yuint16, goyang.Yuint32, goyang.Yuint64:
		return t.checkInt(v)
	case goyang.Ydecimal64:
		return t.checkDecimal(v)
	case goyang.Ybool:
		if v == "true" || v == "false" {
			return v, ""
		}
		return "", fmt.Sprintf("%q is not a boolean: want true or false", v)
	case goyang.Yempty:
		if v == "" {
			return v, ""
		}
		return "", fmt.Sprintf("takes no value, got %q", v)
	case goyang.Yenum:
		if slices.Contains(t.enums, v) {
			return v, ""
		}
		return "", oneOf(v, t.enums)
	case goyang.Ybits:
		return t.checkBits(v)
	case goyang.Yidentityref:
		name := v
		if i := strings.IndexByte(v, ':'); i >= 0 {
			name = v[i+1:]
		}
		if slices.Contains(t.idents, name) {
			return name, ""
		}
		return "", oneOf(v, t.idents)
	case goyang.Ybinary:
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return "", fmt.Sprintf("%q is not base64", v)
		}
		if msg := t.checkLength(v, len(b)); msg != "" {
			return "", msg
		}
		return v, ""
	case goyang.Yleafref:
		if t.target != nil && t.target.typ != nil {
			return t.target.typ.check(v)
		}
		return v, ""
	case goyang.Yunion:
		return t.checkUnion(v)
	case goyang.YinstanceIdentifier:
		if v == "" {
			return "", "an instance identifier cannot be empty"
		}
		return v, ""
	}
	return t.checkString(v)
}

func (t *vtype) checkString(v string) (string, string) {
	if msg := t.checkLength(v, utf8.RuneCountInString(v)); msg != "" {
		return "", msg
	}
	for _, p := range t.patterns {
		if p.re != nil && !p.re.MatchString(v) {
			return "", t.invalid(v, "does not match the pattern '"+p.src+"'")
		}
	}
	return v, ""
}

// invalid says v is not a valid t: by the typedef's name and description
// when t has them, else with detail.
func (t *vtype) invalid(v, detail string) string {
	if t.hint != "" {
		return fmt.Sprintf("%q is not a valid %s: want %s", v, t.name, t.hint)
	}
	return fmt.Sprintf("%q %s", v, detail)
}

func (t *vtype) checkLength(v string, n int) string {
	if len(t.lengths) == 0 || inRange(t.lengths, goyang.FromInt(int64(n))) {
		return ""
	}
	unit := "character"
	if t.kind == goyang.Ybinary {
		unit = "octet"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%q has %d %s, want %s", v, n, unit, rangeString(t.lengths))
}

func (t *vtype) checkInt(v string) (string, string) {
	s := v
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return "", fmt.Sprintf("%q is not an integer", v)
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		s, neg = "0", false
	}
	u, err := strconv.ParseUint(s, 10, 64)
	n := goyang.Number{Value: u, Negative: neg}
	if err != nil || !inRange(builtinRange(t.kind), n) || !inRange(t.ranges, n) {
		return "", fmt.Sprintf("%q is out of range %s", v, t.rangeText())
	}
	if neg {
		s = "-" + s
	}
	return s, ""
}

// rangeText returns the range of an integer type as the modules write it.
func (t *vtype) rangeText() string {
	if len(t.ranges) > 0 {
		return rangeString(t.ranges)
	}
	return rangeString(builtinRange(t.kind))
}

var decimalSyntax = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

func (t *vtype) checkDecimal(v string) (string, string) {
	if !decimalSyntax.MatchString(v) {
		return "", fmt.Sprintf("%q is not a decimal number", v)
	}
	neg := v[0] == '-'
	s := strings.TrimLeft(v, "+-")
	whole, frac, _ := strings.Cut(s, ".")
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	if len(frac) > t.frac {
		return "", fmt.Sprintf("%q has more than %d fraction digits", v, t.frac)
	}
	if whole == "" {
		whole = "0"
	}
	canon := whole + "."
	if frac == "" {
		canon += "0"
	} else {
		canon += frac
	}
	if neg && canon != "0.0" {
		canon = "-" + canon
	}
	n, err := goyang.ParseDecimal(canon, uint8(max(t.frac, 1)))
	if err != nil || !inRange(t.ranges, n) {
		return "", fmt.Sprintf("%q is out of range %s", v, rangeString(t.ranges))
	}
	return canon, ""
}

func (t *vtype) checkBits(v string) (string, string) {
	seen := map[string]bool{}
	for _, b := range strings.Fields(v) {
		if !slices.Contains(t.bits, b) {
			return "", oneOf(b, t.bits)
		}
		seen[b] = true
	}
	var out []string
	for _, b := range t.bits { // the canonical order is the order of the bits
		if seen[b] {
			out = append(out, b)
		}
	}
	return strings.Join(out, " "), ""
}

func (t *vtype) checkUnion(v string) (string, string) {
	var msgs []string
	for _, m := range t.union {
		c, msg := m.check(v)
		if msg == "" {
			return c, ""
		}
		msgs = append(msgs, msg)
	}
	if t.hint != "" {
		return "", fmt.Sprintf("%q is not a valid %s: want %s", v, t.name, t.hint)
	}
	if len(msgs) == 1 {
		return "", msgs[0]
	}
	names := make([]string, len(t.union))
	for i, m := range t.union {
		names[i] = m.name
	}
	return "", fmt.Sprintf("%q matches no type of the union (%s)", v, strings.Join(names, ", "))
}

// member returns the type v is taken as: the member of a union that
// accepts it first, through leafrefs to the type of their target.
func (t *vtype) member(v string) *vtype {
	m := t.matching(v)
	if m.kind == goyang.Yleafref && m.target != nil && m.target.typ != nil {
		return m.target.typ.member(v)
	}
	return m
}

// matching returns the member of a union that accepts v first (a leafref
// as such), or t itself for a type that is not a union.
func (t *vtype) matching(v string) *vtype {
	if t.kind != goyang.Yunion {
		return t
	}
	for _, m := range t.union {
		if _, msg := m.check(v); msg == "" {
			return m.matching(v)
		}
	}
	return t
}

// oneOf is the message for a word that is not one of names, with the
// nearest as a suggestion.
func oneOf(v string, names []string) string {
	msg := fmt.Sprintf("%q is not one of %s", v, strings.Join(names, ", "))
	if s := nearest(v, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return msg
}

func inRange(r goyang.YangRange, n goyang.Number) bool {
	if len(r) == 0 {
		return true
	}
	for _, y := range r {
		if !n.Less(y.Min) && !y.Max.Less(n) {
			return true
		}
	}
	return false
}

// builtinRange returns the range of an integer kind.
func builtinRange(k goyang.TypeKind) goyang.YangRange {
	var lo, hi goyang.Number
	switch k {
	case goyang.Yint8:
		lo, hi = goyang.FromInt(-128), goyang.FromInt(127)
	case goyang.Yint16:
		lo, hi = goyang.FromInt(-32768), goyang.FromInt(32767)
	case goyang.Yint32:
		lo, hi = goyang.FromInt(-2147483648), goyang.FromInt(2147483647)
	case goyang.Yint64:
		lo, hi = goyang.Number{Value: 1 << 63, Negative: true}, goyang.FromInt(1<<63-1)
	case goyang.Yuint8:
		hi = goyang.FromUint(255)
	case goyang.Yuint16:
		hi = goyang.FromUint(65535)
	case goyang.Yuint32:
		hi = goyang.FromUint(4294967295)
	default:
		hi = goyang.FromUint(1<<64 - 1)
	}
	return goyang.YangRange{{Min: lo, Max: hi}}
}

// rangeString writes a range as YANG does, with blanks around the bars:
// "0 | 3..65535".
func rangeString(r goyang.YangRange) string {
	parts := make([]string, len(r))
	for i, y := range r {
		parts[i] = y.String()
	}
	return strings.Join(parts, " | ")
}
