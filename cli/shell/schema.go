package shell

import (
	"fmt"
	"sort"
	"strings"

	goyang "github.com/openconfig/goyang/pkg/yang"

	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

// pathKind says what a configuration path must name.
type pathKind uint8

const (
	pathSet  pathKind = iota // set: a leaf with its value, or a container or entry
	pathAny                  // delete, show, (de)activate, annotate: any node, a value of a leaf(-list) too
	pathEdit                 // edit: a container or an entry
)

// pstate is where a configuration path stands after some of its words:
// at a container or entry (children come next), in a list (keys come next)
// or at a leaf (its value comes next, or came).
type pstate struct {
	node    *yang.Node   // the schema node
	data    *config.Node // the data node of the same place, nil when absent
	keyVals []string     // in a list: the keys given so far
	valued  bool         // at a leaf: its value was given
}

func (p pstate) inList() bool {
	return p.node.Kind() == yang.List && len(p.keyVals) < len(p.node.Keys())
}

func (p pstate) atLeaf() bool {
	k := p.node.Kind()
	return k == yang.Leaf || k == yang.LeafList
}

func isEmptyType(n *yang.Node) bool {
	t := n.Type()
	return t != nil && t.YangType() != nil && t.YangType().Kind == goyang.Yempty
}

// rootState returns the state at the root of the configuration data (or of
// the schema alone when data is nil).
func rootState(s *yang.Tree, data *config.Tree) pstate {
	p := pstate{node: s.Root()}
	if data != nil {
		p.data = data.Root()
	}
	return p
}

// step consumes one word of a path. It returns the new state, or a reason
// why the word does not fit.
func step(p pstate, word string, kind pathKind) (pstate, string) {
	switch {
	case p.atLeaf():
		if p.valued || isEmptyType(p.node) {
			return p, fmt.Sprintf("unexpected %q after %s", word, p.node.Name())
		}
		if kind == pathEdit {
			return p, fmt.Sprintf("%s is a leaf: edit goes to a container or an entry", p.node.Name())
		}
		p.valued = true
		return p, ""
	case p.inList():
		p.keyVals = append(append([]string(nil), p.keyVals...), word)
		if len(p.keyVals) == len(p.node.Keys()) && p.data != nil {
			p.data = p.data.Entry(p.keyVals...)
		}
		return p, ""
	}
	c := p.node.Child(word)
	if c == nil || !c.Config() {
		msg := fmt.Sprintf("unknown keyword %q", word)
		if near := p.node.Nearest(word); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		return p, msg
	}
	np := pstate{node: c}
	if p.data != nil {
		np.data = p.data.Child(word)
	}
	return np, ""
}

// complete reports whether a path may end in state p.
func complete(p pstate, kind pathKind) string {
	switch {
	case p.inList():
		return fmt.Sprintf("missing %s of %s", p.node.Keys()[len(p.keyVals)], p.node.Name())
	case p.atLeaf():
		if kind == pathSet && !p.valued && !isEmptyType(p.node) {
			return fmt.Sprintf("missing value of %s", p.node.Name())
		}
		if kind == pathEdit {
			return fmt.Sprintf("%s is a leaf: edit goes to a container or an entry", p.node.Name())
		}
	}
	return ""
}

// walk consumes the words of a path from p; on error it returns the index
// of the failing word (len(words) when the path is unfinished).
func walk(p pstate, words []Token, kind pathKind, final bool) (pstate, *SyntaxError) {
	for _, w := range words {
		np, why := step(p, w.Text, kind)
		if why != "" {
			return p, &SyntaxError{Pos: w.Pos, Msg: why}
		}
		p = np
	}
	if final {
		if why := complete(p, kind); why != "" {
			pos := 0
			if len(words) > 0 {
				pos = words[len(words)-1].End + 1
			}
			return p, &SyntaxError{Pos: pos, Msg: why}
		}
	}
	return p, nil
}

// An Item is one possible next word: a keyword or value to complete, or a
// placeholder such as <value> that only explains.
type Item struct {
	Word        string
	Help        string
	Placeholder bool
}

// nextItems lists what may follow in state p.
func nextItems(p pstate, kind pathKind) []Item {
	var out []Item
	switch {
	case p.atLeaf():
		if p.valued || isEmptyType(p.node) || kind == pathEdit {
			return nil
		}
		out = append(out, valueItems(p.node)...)
		if kind == pathAny && p.data != nil {
			for _, v := range dataValues(p.data) {
				out = append(out, Item{Word: v, Help: "current value"})
			}
		}
	case p.inList():
		key := p.node.Keys()[len(p.keyVals)]
		seen := map[string]bool{}
		if p.data != nil {
			for _, e := range p.data.Children() {
				ks := e.Keys()
				if len(ks) <= len(p.keyVals) || !prefixEq(ks, p.keyVals) || seen[ks[len(p.keyVals)]] {
					continue
				}
				seen[ks[len(p.keyVals)]] = true
				out = append(out, Item{Word: ks[len(p.keyVals)], Help: p.node.Name() + " " + key})
			}
		}
		if kn := p.node.Child(key); kn != nil {
			// a key of a fixed set (the SAFI of a family): its values
			for _, it := range valueItems(kn) {
				if it.Placeholder || !seen[it.Word] {
					out = append(out, it)
				}
			}
		}
	default:
		for _, c := range p.node.DataChildren() {
			if !c.Config() || (kind == pathEdit && (c.Kind() == yang.Leaf || c.Kind() == yang.LeafList)) {
				continue
			}
			if p.node.Kind() == yang.List && c.IsKey() {
				continue
			}
			out = append(out, Item{Word: c.Name(), Help: describe(c)})
		}
	}
	return out
}

func prefixEq(a, b []string) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func dataValues(n *config.Node) []string {
	if n.Kind() == config.LeafList {
		return n.Values()
	}
	if n.Value() != "" {
		return []string{n.Value()}
	}
	return nil
}

// valueItems lists the values a leaf takes from a fixed set (enumerations,
// booleans, in unions too), then a placeholder that names its type.
func valueItems(n *yang.Node) []Item {
	var out []Item
	var add func(t *yang.Type)
	add = func(t *yang.Type) {
		if t == nil || t.YangType() == nil {
			return
		}
		switch t.YangType().Kind {
		case goyang.Yenum:
			for _, e := range t.Enums() {
				out = append(out, Item{Word: e.Name, Help: yang.Summary(e.Description)})
			}
		case goyang.Ybool:
			out = append(out, Item{Word: "true", Help: "boolean"}, Item{Word: "false", Help: "boolean"})
		case goyang.Yunion:
			for _, m := range t.Union() {
				add(m)
			}
		}
	}
	add(n.Type())
	out = append(out, Item{Word: "<" + n.Name() + ">", Help: describeLeaf(n), Placeholder: true})
	return out
}

// describe is the help of a schema node: its description's first sentence,
// and the type of a leaf.
func describe(n *yang.Node) string {
	switch n.Kind() {
	case yang.Leaf, yang.LeafList:
		return describeLeaf(n)
	case yang.List:
		return n.Summary() + " (list, key " + strings.Join(n.Keys(), " ") + ")"
	}
	return n.Summary()
}

// describeLeaf says what a leaf holds: its summary, type and ranges, units
// and default.
func describeLeaf(n *yang.Node) string {
	var b strings.Builder
	b.WriteString(n.Summary())
	if t := n.Type(); t != nil {
		b.WriteString(" <")
		b.WriteString(typeText(t))
		b.WriteString(">")
	}
	if u := n.Units(); u != "" {
		b.WriteString(" (" + u + ")")
	}
	if d, ok := n.Default(); ok {
		b.WriteString(" default " + d)
	}
	return strings.TrimSpace(b.String())
}

// typeText is a type with its ranges, lengths and enumerations.
func typeText(t *yang.Type) string {
	if t.YangType() != nil && t.YangType().Kind == goyang.Yunion {
		var parts []string
		for _, m := range t.Union() {
			parts = append(parts, typeText(m))
		}
		return strings.Join(parts, " | ")
	}
	s := t.Name()
	var extra []string
	if rs := t.Ranges(); len(rs) > 0 && t.YangType() != nil && !builtinRange(t) {
		extra = append(extra, "range "+joinRanges(rs))
	}
	if ls := t.Lengths(); len(ls) > 0 {
		extra = append(extra, "length "+joinRanges(ls))
	}
	if len(extra) > 0 {
		s += " " + strings.Join(extra, ", ")
	}
	return s
}

func builtinRange(t *yang.Type) bool {
	b, ok := goyang.BaseTypedefs[t.YangType().Kind.String()]
	return ok && b.YangType != nil && t.YangType().Range.Equal(b.YangType.Range)
}

func joinRanges(rs []yang.Range) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		parts = append(parts, r.String())
	}
	return strings.Join(parts, "|")
}

// filterItems keeps the items whose word starts with prefix (placeholders
// always), sorted with the keywords first.
func filterItems(items []Item, prefix string) []Item {
	var out []Item
	for _, it := range items {
		if it.Placeholder || strings.HasPrefix(it.Word, prefix) {
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return !out[i].Placeholder && out[j].Placeholder })
	return out
}
