package route

import (
	"slices"
	"strconv"
)

// Originated returns u as this speaker sends it to a peer (RFC 4271
// §5.1.2, §5.1.5): toward an external peer localAS is prepended to the
// AS_PATH the command gave (the path is [localAS] when it gave none) and
// LOCAL_PREF is left out; toward an internal peer the AS_PATH is kept and
// LOCAL_PREF is 100 unless the command set it. Hex mode gives its
// attributes as they are and is returned unchanged, as is a command that
// only withdraws. u itself is not modified.
func (u *Update) Originated(localAS uint32, external bool) *Update {
	if u.Hex || !slices.ContainsFunc(u.Sections, func(s Section) bool { return !s.Withdraw }) {
		return u
	}
	out := *u
	out.clauses = make([]clause, 0, len(u.clauses)+1)
	asPath, localPref := attrSpecs["as-path"], attrSpecs["local-preference"]
	hasPath, hasPref := false, false
	for _, c := range u.clauses {
		switch {
		case c.spec == asPath && external:
			hasPath = true
			c.values = append([]token{{text: strconv.FormatUint(uint64(localAS), 10), col: c.name.col}}, c.values...)
		case c.spec == localPref && external:
			continue
		case c.spec == localPref:
			hasPref = true
		}
		out.clauses = append(out.clauses, c)
	}
	switch {
	case external && !hasPath:
		out.clauses = append(out.clauses, clause{name: token{text: "as-path"}, spec: asPath,
			values: []token{{text: strconv.FormatUint(uint64(localAS), 10)}}})
	case !external && !hasPref:
		out.clauses = append(out.clauses, clause{name: token{text: "local-preference"}, spec: localPref,
			values: []token{{text: "100"}}})
	}
	return &out
}
