package tui

import (
	"slices"
	"strings"

	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

// valueChoices returns the values a leaf of type t can take when they are
// a fixed set (enumerations, booleans, the enum members of a union); nil
// for free values.
func valueChoices(t *yang.Type) []string {
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case "boolean":
		return []string{"true", "false"}
	case "enumeration":
		return t.EnumNames()
	case "union":
		var out []string
		for _, u := range t.Union() {
			for _, v := range valueChoices(u) {
				if !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
		}
		return out
	}
	return nil
}

// typeHelp describes the type of a schema node in one line: its type,
// range, length, fixed values, units and default.
func typeHelp(sn *yang.Node) string {
	if sn == nil {
		return ""
	}
	var parts []string
	switch sn.Kind() {
	case yang.Container:
		if p, ok := sn.Presence(); ok {
			parts = append(parts, "container (presence: "+p+")")
		} else {
			parts = append(parts, "container")
		}
	case yang.List:
		parts = append(parts, "list, key "+strings.Join(sn.Keys(), " "))
	case yang.Leaf, yang.LeafList:
		t := sn.Type()
		if t == nil {
			break
		}
		kind := t.Name()
		if sn.Kind() == yang.LeafList {
			kind = "leaf-list of " + kind
		}
		parts = append(parts, kind)
		parts = append(parts, restrictions(t)...)
		if u := sn.Units(); u != "" {
			parts = append(parts, "units "+u)
		}
		if d, ok := sn.Default(); ok {
			parts = append(parts, "default "+d)
		}
		if sn.Mandatory() {
			parts = append(parts, "mandatory")
		}
	}
	return strings.Join(parts, ", ")
}

// restrictions returns a type's range, length and fixed values as text.
func restrictions(t *yang.Type) []string {
	var out []string
	switch t.Kind() {
	case "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "decimal64":
		if r := t.Ranges(); len(r) > 0 {
			out = append(out, "range "+joinRanges(r))
		}
	case "string", "binary":
		if r := t.Lengths(); len(r) > 0 {
			out = append(out, "length "+joinRanges(r))
		}
	case "union":
		var names []string
		for _, u := range t.Union() {
			names = append(names, u.Name())
		}
		out = append(out, "one of "+strings.Join(names, " | "))
	}
	if v := valueChoices(t); len(v) > 0 && t.Kind() != "boolean" {
		out = append(out, "values "+strings.Join(v, " | "))
	}
	return out
}

func joinRanges(rs []yang.Range) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, " | ")
}

// slot is what the next word of a set path is, found by walking the
// words before it through the schema and the candidate.
type slot struct {
	help    *yang.Node // the schema node the word belongs to
	choices []string   // what it may be, when a fixed set
	done    bool       // nothing may follow
	err     string     // the words before do not fit the schema
}

// nextSlot walks words (complete words, after the context path ctx) and
// says what comes next. ctx names a container or an entry (nil: the top).
func (m *Model) nextSlot(ctx, words []string) slot {
	sn := m.y.Root()
	if len(ctx) > 0 {
		if n, err := m.tree.Get(ctx); err == nil && n != nil {
			sn = n.Schema()
		}
	}
	path := slices.Clone(ctx)
	i := 0
	for {
		if sn.Kind() == yang.Leaf || sn.Kind() == yang.LeafList {
			if i < len(words) {
				return slot{help: sn, done: true}
			}
			if sn.Type() != nil && sn.Type().Kind() == "empty" {
				return slot{help: sn, done: true}
			}
			return slot{help: sn, choices: valueChoices(sn.Type())}
		}
		if i == len(words) {
			return slot{help: sn, choices: childNames(sn)}
		}
		c := sn.Child(words[i])
		if c == nil || !c.Config() {
			return slot{help: sn, err: describe(path) + " has no " + words[i] + m.hint(sn, words[i])}
		}
		path = append(path, words[i])
		i++
		if c.Kind() == yang.List {
			for _, k := range c.Keys() {
				if i == len(words) {
					return slot{help: c.Child(k), choices: m.keyChoices(path, c, k)}
				}
				path = append(path, words[i])
				i++
			}
		}
		sn = c
	}
}

// describe names a path in a message.
func describe(path []string) string {
	if len(path) == 0 {
		return "the top level"
	}
	return config.JoinPath(path)
}

// hint suggests the child of sn nearest to word.
func (m *Model) hint(sn *yang.Node, word string) string {
	if n := sn.Nearest(word); n != "" {
		return " (did you mean " + n + "?)"
	}
	return ""
}

// childNames returns the names of the configuration children of sn (the
// keys of an entry left out: they are set with the entry).
func childNames(sn *yang.Node) []string {
	var out []string
	for _, c := range sn.DataChildren() {
		if c.Config() && !c.IsKey() {
			out = append(out, c.Name())
		}
	}
	return out
}

// keyChoices returns the values for key k of list l at path (the list's
// words): the keys of its entries in the candidate (only for a list of one
// key), then the fixed values of the key's type.
func (m *Model) keyChoices(path []string, l *yang.Node, k string) []string {
	var out []string
	if len(l.Keys()) == 1 {
		if n, err := m.tree.Get(path); err == nil && n != nil && n.Kind() == config.List {
			for _, e := range n.Children() {
				out = append(out, e.Keys()[0])
			}
		}
	}
	if kn := l.Child(k); kn != nil {
		for _, v := range valueChoices(kn.Type()) {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// complete completes the last word of line from choices: one match is
// taken whole (and a blank added), several give their longest common
// prefix. It returns the new line and the matches.
func complete(line string, choices []string, blank bool) (string, []string) {
	start := strings.LastIndexByte(line, ' ') + 1
	word := line[start:]
	var match []string
	for _, c := range choices {
		if strings.HasPrefix(c, word) {
			match = append(match, c)
		}
	}
	switch len(match) {
	case 0:
		return line, nil
	case 1:
		line = line[:start] + match[0]
		if blank {
			line += " "
		}
		return line, match
	}
	p := match[0]
	for _, c := range match[1:] {
		for !strings.HasPrefix(c, p) {
			p = p[:len(p)-1]
		}
	}
	return line[:start] + p, match
}

// splitWords splits a line into words at blanks; a double-quoted word may
// hold blanks (\" and \\ escape).
func splitWords(line string) []string {
	var (
		out   []string
		b     strings.Builder
		inQ   bool
		esc   bool
		inTok bool
	)
	// Bytes, not runes: the specials are ASCII, and other bytes (even
	// invalid UTF-8) go through unchanged.
	for i := 0; i < len(line); i++ {
		r := line[i]
		switch {
		case esc:
			b.WriteByte(r)
			esc = false
		case inQ && r == '\\':
			esc = true
		case r == '"':
			inQ = !inQ
			inTok = true
		case !inQ && (r == ' ' || r == '\t'):
			if inTok {
				out = append(out, b.String())
				b.Reset()
				inTok = false
			}
		default:
			b.WriteByte(r)
			inTok = true
		}
	}
	if inTok {
		out = append(out, b.String())
	}
	return out
}
