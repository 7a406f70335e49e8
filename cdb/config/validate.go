package config

import (
	"fmt"
	"strings"

	goyang "github.com/openconfig/goyang/pkg/yang"

	"github.com/zebgp/ze/yang"
)

// Validate checks what needs the whole configuration, on its active part
// (inactive nodes are left out): mandatory leaves and choices, the number
// of entries and values (min-elements, max-elements), unique statements,
// leafrefs, one case per choice, and then the validators registered for
// the paths the tree has. It returns an ErrorList of every problem, up to
// DefaultMaxErrors.
func (t *Tree) Validate() error {
	return t.validate(DefaultMaxErrors).Err()
}

func (t *Tree) validate(limit int) ErrorList {
	a := t.Active()
	v := &validator{t: a, errs: newCollector(t.File, limit)}
	v.node(a.root, a.root.s, a.root, nil, nil)
	for _, r := range v.refs {
		v.leafref(r)
	}
	v.errs.sort()
	if !v.errs.full {
		v.registered()
	}
	return v.errs.errs
}

// Active returns a copy of t without its inactive nodes: the configuration
// that applies.
func (t *Tree) Active() *Tree {
	c := &Tree{s: t.s, File: t.File, root: activeClone(t.root, nil)}
	prune(c.root)
	return c
}

func activeClone(n, parent *Node) *Node {
	c := *n
	c.parent = parent
	c.children = nil
	c.index = nil
	if n.kind == List {
		c.children = make([]*Node, 0, len(n.children))
		for _, e := range n.children {
			if !e.inactive {
				c.children = append(c.children, activeClone(e, &c))
			}
		}
		if len(c.children) >= indexAt {
			c.index = make(map[string]*Node, len(c.children))
			for _, e := range c.children {
				c.index[joinKeys(e.keys)] = e
			}
		}
		return &c
	}
	for _, ch := range n.children {
		if !ch.inactive {
			c.children = append(c.children, activeClone(ch, &c))
		}
	}
	return &c
}

type validator struct {
	t       *Tree
	errs    *collector
	refs    []*Node // leaves and leaf-lists whose type has a leafref
	targets map[refKey]map[string]bool
}

// refKey names the values a leafref path leads to: the node its leading
// ".." steps reach, and the path.
type refKey struct {
	from *Node
	path string
}

// leafrefTargets is leafrefValues, computed once for all the leafrefs
// whose path leads to the same values (every entry of a list pointing at
// its siblings, say).
func (v *validator) leafrefTargets(n *Node, path string) map[string]bool {
	from := n
	steps, abs := leafrefSteps(path)
	if abs {
		from = v.t.root
	}
	for _, st := range steps {
		if st != ".." || from == nil {
			break
		}
		from = from.up()
	}
	if from == nil {
		return nil
	}
	k := refKey{from, path}
	if m, ok := v.targets[k]; ok {
		return m
	}
	m := leafrefValues(v.t, n, path)
	if v.targets == nil {
		v.targets = map[refKey]map[string]bool{}
	}
	v.targets[k] = m
	return m
}

// errorAt records an error about path (words) at the place of n.
func (v *validator) errorAt(n *Node, pos Pos, path []string, format string, args ...any) {
	if !pos.IsValid() && n != nil {
		pos = n.pos
	}
	p := JoinPath(path)
	msg := fmt.Sprintf(format, args...)
	if p != "" {
		msg = p + ": " + msg
	}
	v.errs.add(pos, p, "%s", msg)
}

// node checks the container or entry n of schema sn. When n is nil the
// container is absent (and without presence): mandatory nodes beneath it
// are still required. anchor is the nearest node present, for the place
// of messages, and apath its path; path is the path of n.
func (v *validator) node(n *Node, sn *snode, anchor *Node, apath, path []string) {
	if v.errs.full {
		return
	}
	var kids []*Node
	if n != nil {
		kids = n.children
	}
	i := 0
	for _, c := range sn.children {
		if !c.config {
			continue
		}
		var d *Node
		if i < len(kids) && kids[i].s == c {
			d = kids[i]
			i++
		}
		cpath := extend(path, c.name)
		switch c.kind {
		case Leaf:
			if d == nil && c.mandatory {
				v.missing(anchor, apath, cpath)
			}
			if d != nil && c.typ.hasLeafref() {
				v.refs = append(v.refs, d)
			}
		case LeafList:
			cnt := 0
			if d != nil {
				cnt = len(d.values)
				if c.typ.hasLeafref() {
					v.refs = append(v.refs, d)
				}
			}
			v.count(d, anchor, cpath, c, cnt, "value")
		case Container:
			if d != nil {
				v.node(d, c, d, cpath, cpath)
			} else if !c.presence {
				v.node(nil, c, anchor, apath, cpath)
			}
		case List:
			cnt := 0
			if d != nil {
				cnt = len(d.children)
				for _, e := range d.children {
					epath := extend(cpath, e.keys...)
					v.node(e, c, e, epath, epath)
				}
				v.unique(d, cpath)
			}
			v.count(d, anchor, cpath, c, cnt, "entry")
		}
	}
	v.choices(n, sn, anchor, apath)
}

// missing reports the mandatory leaf at path missing beneath the node at
// apath: "bgp group g peer p: mandatory remote ip is missing".
func (v *validator) missing(anchor *Node, apath, path []string) {
	a := JoinPath(apath)
	rel := JoinPath(path[len(apath):])
	msg := fmt.Sprintf("mandatory %s is missing", rel)
	if a != "" {
		msg = a + ": " + msg
	}
	v.errs.add(anchor.pos, JoinPath(path), "%s", msg)
}

// count checks min-elements and max-elements.
func (v *validator) count(d, anchor *Node, path []string, sn *snode, cnt int, what string) {
	at := anchor
	if d != nil {
		at = d
	}
	if uint64(cnt) < sn.minElems {
		v.errorAt(at, Pos{}, path, "%s, at least %d needed", plural(cnt, what), sn.minElems)
	}
	if sn.maxElems > 0 && uint64(cnt) > sn.maxElems {
		v.errorAt(at, Pos{}, path, "%s, at most %d allowed", plural(cnt, what), sn.maxElems)
	}
}

// choices checks that the children of n take one case of each choice, and
// a case of each mandatory choice.
func (v *validator) choices(n *Node, sn *snode, anchor *Node, path []string) {
	if n == nil {
		for _, ch := range sn.choices {
			v.errorAt(anchor, Pos{}, path, "one of the choice %s is mandatory (%s)", ch.Name(), caseNodes(sn, ch))
		}
		return
	}
	var taken map[*yang.Node]*Node
	for _, c := range n.children {
		for _, cc := range c.s.cases {
			if taken == nil {
				taken = map[*yang.Node]*Node{}
			}
			first, ok := taken[cc.choice]
			if !ok {
				taken[cc.choice] = c
				continue
			}
			if caseOf(first.s, cc.choice) != cc.cas {
				v.errorAt(c, Pos{}, path, "%s and %s are in different cases of the choice %s: keep one", first.s.name, c.s.name, cc.choice.Name())
			}
		}
	}
	for _, ch := range sn.choices {
		if _, ok := taken[ch]; !ok {
			v.errorAt(anchor, Pos{}, path, "one of the choice %s is mandatory (%s)", ch.Name(), caseNodes(sn, ch))
		}
	}
}

// caseOf returns the case of choice ch that sn belongs to.
func caseOf(sn *snode, ch *yang.Node) *yang.Node {
	for _, cc := range sn.cases {
		if cc.choice == ch {
			return cc.cas
		}
	}
	return nil
}

// caseNodes lists the nodes of a choice, for a message.
func caseNodes(sn *snode, ch *yang.Node) string {
	var names []string
	for _, c := range sn.children {
		if caseOf(c, ch) != nil {
			names = append(names, c.name)
		}
	}
	return strings.Join(names, ", ")
}

// unique checks the unique statements of the list l.
func (v *validator) unique(l *Node, path []string) {
	for _, u := range l.s.uniques {
		seen := map[string]*Node{}
		for _, e := range l.children {
			vals := make([]string, 0, len(u))
			var last *Node
			for _, p := range u {
				leaf := descend(e, p)
				if leaf == nil || leaf.kind != Leaf {
					last = nil
					break
				}
				vals = append(vals, leaf.value)
				last = leaf
			}
			if last == nil {
				continue // an entry without every leaf of the statement is exempt
			}
			key := strings.Join(vals, "\x00")
			if first, ok := seen[key]; ok {
				names := make([]string, len(u))
				for i, p := range u {
					names[i] = strings.Join(p, " ")
				}
				what := fmt.Sprintf("%s %s is", names[0], quote(vals[0]))
				if len(u) > 1 {
					what = fmt.Sprintf("the values of %s (%s) are", strings.Join(names, ", "), JoinPath(vals))
				}
				v.errorAt(last, last.ValuePos(0), e.Path(), "%s not unique: %s %s has it too (%s)",
					what, l.s.name, JoinPath(first.keys), first.pos)
				continue
			}
			seen[key] = e
		}
	}
}

// descend follows schema names down from n through data; nil when missing.
func descend(n *Node, names []string) *Node {
	for _, name := range names {
		if n == nil || n.kind != Container && n.kind != Entry {
			return nil
		}
		n = n.Child(name)
	}
	return n
}

// leafref checks that the values of n (a leaf or leaf-list whose type is
// or has a leafref) are values of the leaves the path points to.
func (v *validator) leafref(n *Node) {
	if v.errs.full {
		return
	}
	vals := n.values
	if n.kind == Leaf {
		vals = []string{n.value}
	}
	for i, val := range vals {
		t := n.s.typ.matching(val)
		if t.kind != goyang.Yleafref {
			continue
		}
		targets := v.leafrefTargets(n, t.path)
		if !targets[val] {
			v.errorAt(n, n.ValuePos(i), n.Path(), "%s refers to nothing: no %s has this value", quote(val), strings.TrimPrefix(leafrefShow(t.path), "/"))
		}
	}
}

// leafrefShow writes a leafref path without prefixes and predicates.
func leafrefShow(path string) string {
	steps, abs := leafrefSteps(path)
	s := strings.Join(steps, "/")
	if abs {
		s = "/" + s
	}
	return s
}

// leafrefValues returns the values at a leafref path, followed from the
// data node n: ".." goes up one node (a list and its entry count as one),
// names go down, through every entry of a list. Predicates are not
// applied: every instance counts.
func leafrefValues(t *Tree, n *Node, path string) map[string]bool {
	steps, abs := leafrefSteps(path)
	cur := []*Node{n}
	if abs {
		cur = []*Node{t.root}
	}
	for _, st := range steps {
		var next []*Node
		for _, c := range cur {
			if st == ".." {
				if u := c.up(); u != nil {
					next = append(next, u)
				}
				continue
			}
			if c.kind != Container && c.kind != Entry {
				continue
			}
			d := c.Child(st)
			switch {
			case d == nil:
			case d.kind == List:
				next = append(next, d.children...)
			default:
				next = append(next, d)
			}
		}
		cur = next
	}
	out := map[string]bool{}
	for _, c := range cur {
		switch c.kind {
		case Leaf:
			out[c.value] = true
		case LeafList:
			for _, x := range c.values {
				out[x] = true
			}
		}
	}
	return out
}

// hasLeafref reports whether t is a leafref or a union with one.
func (t *vtype) hasLeafref() bool {
	if t == nil {
		return false
	}
	found := false
	t.each(func(m *vtype) { found = found || m.kind == goyang.Yleafref })
	return found
}
