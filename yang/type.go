package yang

import (
	"strings"

	goyang "github.com/openconfig/goyang/pkg/yang"
)

// A Type is the resolved type of a leaf or leaf-list, or a member of a
// union: its builtin kind with the restrictions of every typedef on the way.
type Type struct {
	y    *goyang.YangType
	ast  *goyang.Type // the type statement where the type is used; may be nil
	name string
}

// newType wraps y as used by the type statement ast (which may be nil).
func newType(y *goyang.YangType, ast *goyang.Type) *Type {
	t := &Type{y: y, ast: ast, name: y.Name}
	if ast != nil && ast.Name != "" {
		t.name = ast.Name
	}
	return t
}

// stmt returns the type statement that holds the details of t (enum
// descriptions, union members as written), the first of the statement where
// the type is used and its typedef's for which has reports true.
func (t *Type) stmt(has func(*goyang.Type) bool) *goyang.Type {
	for _, st := range []*goyang.Type{t.ast, t.y.Base} {
		if st != nil && has(st) {
			return st
		}
	}
	return nil
}

// Range is one interval of a range or length restriction; Min == Max for a
// single value. The bounds are decimal text ("3", "65535", "-1.5").
type Range struct {
	Min, Max string
}

// String returns "3..65535", or "0" for a single value.
func (r Range) String() string {
	if r.Min == r.Max {
		return r.Min
	}
	return r.Min + ".." + r.Max
}

// Enum is one value of an enumeration.
type Enum struct {
	Name        string
	Value       int64
	Description string
}

// Name returns the type as the leaf names it: a typedef with its prefix
// ("zt:hold-time") or a builtin ("uint16"). For a union member, the name
// of the member's type.
func (t *Type) Name() string { return t.name }

// Kind returns the builtin type underneath every typedef: "uint16",
// "string", "enumeration", "union", "boolean", "empty", "leafref", ….
func (t *Type) Kind() string { return t.y.Kind.String() }

// Typedef returns the name of the typedef the type comes from, without
// prefix ("hold-time"), or "" for a builtin type written directly.
func (t *Type) Typedef() string {
	if t.y.Name == t.y.Kind.String() {
		return ""
	}
	return t.y.Name
}

// Ranges returns the value ranges of a number type. goyang fills in the
// builtin bounds when the modules restrict nothing (0..65535 for uint16).
func (t *Type) Ranges() []Range { return ranges(t.y.Range) }

// Lengths returns the length restrictions of a string or binary type; nil
// when there is none.
func (t *Type) Lengths() []Range { return ranges(t.y.Length) }

// Patterns returns the patterns (XML Schema regular expressions, RFC 7950
// section 9.4.5) a string must match, every one of them.
func (t *Type) Patterns() []string { return t.y.Pattern }

// FractionDigits returns the fraction-digits of a decimal64 type.
func (t *Type) FractionDigits() int { return t.y.FractionDigits }

// Units returns the units of the type ("seconds"); see also Node.Units.
func (t *Type) Units() string { return t.y.Units }

// Path returns the path of a leafref.
func (t *Type) Path() string { return t.y.Path }

// Enums returns the values of an enumeration in value order (the order of
// the module unless values are given), with their descriptions.
func (t *Type) Enums() []Enum {
	if t.y.Enum == nil {
		return nil
	}
	desc := map[string]string{}
	if st := t.stmt(func(s *goyang.Type) bool { return len(s.Enum) > 0 }); st != nil {
		for _, e := range st.Enum {
			if e.Description != nil {
				desc[e.Name] = Unindent(e.Description.Name)
			}
		}
	}
	vals := t.y.Enum.Values()
	out := make([]Enum, 0, len(vals))
	for _, v := range vals {
		name := t.y.Enum.Name(v)
		out = append(out, Enum{Name: name, Value: v, Description: desc[name]})
	}
	return out
}

// EnumNames returns the names of Enums.
func (t *Type) EnumNames() []string {
	var out []string
	for _, e := range t.Enums() {
		out = append(out, e.Name)
	}
	return out
}

// Union returns the member types of a union, in order; nil otherwise.
func (t *Type) Union() []*Type {
	if t.y.Kind != goyang.Yunion {
		return nil
	}
	var asts []*goyang.Type
	if st := t.stmt(func(s *goyang.Type) bool { return len(s.Type) == len(t.y.Type) }); st != nil {
		asts = st.Type
	}
	out := make([]*Type, 0, len(t.y.Type))
	for i, m := range t.y.Type {
		var a *goyang.Type
		if asts != nil {
			a = asts[i]
		}
		out = append(out, newType(m, a))
	}
	return out
}

// YangType returns goyang's type, for what this package does not expose. It
// must not be changed.
func (t *Type) YangType() *goyang.YangType { return t.y }

// String returns the name and, for a type restricted in place (not through a
// typedef), the restriction: "uint16 {1..65535}", "enumeration {a|b}".
func (t *Type) String() string {
	if strings.Contains(t.name, ":") || t.Typedef() != "" {
		return t.name
	}
	switch {
	case t.y.Kind == goyang.Yenum:
		return t.name + " {" + strings.Join(t.EnumNames(), "|") + "}"
	case len(t.y.Range) > 0 && !isBuiltinRange(t.y):
		return t.name + " {" + joinRanges(t.Ranges()) + "}"
	case len(t.y.Length) > 0:
		return t.name + " {length " + joinRanges(t.Lengths()) + "}"
	}
	return t.name
}

func ranges(r goyang.YangRange) []Range {
	if len(r) == 0 {
		return nil
	}
	out := make([]Range, 0, len(r))
	for _, y := range r {
		out = append(out, Range{Min: y.Min.String(), Max: y.Max.String()})
	}
	return out
}

func joinRanges(rs []Range) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		parts = append(parts, r.String())
	}
	return strings.Join(parts, "|")
}

// isBuiltinRange reports whether y's range is the full range of its kind.
func isBuiltinRange(y *goyang.YangType) bool {
	b, ok := goyang.BaseTypedefs[y.Kind.String()]
	return ok && b.YangType != nil && y.Range.Equal(b.YangType.Range)
}
