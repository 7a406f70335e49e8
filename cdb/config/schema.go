package config

import (
	"strings"
	"sync"

	"github.com/zebgp/ze/yang"
)

// schema is what the package needs of a yang.Tree, worked out once: the
// data nodes with their order, types compiled for checking values, and
// the facts validation asks about. It never changes once built.
type schema struct {
	y    *yang.Tree
	root *snode
}

// snode is one data node of the schema (container, list, leaf or
// leaf-list); choices and cases are looked through.
type snode struct {
	y         *yang.Node
	name      string
	module    string
	kind      Kind // Container, List, Leaf or LeafList
	parent    *snode
	index     int // among the data children of parent, in schema order
	children  []*snode
	byName    map[string]*snode
	keys      []*snode // a list's key leaves, in key order
	presence  bool
	config    bool
	mandatory bool // a leaf marked mandatory (keys are not counted here)
	inherit   bool // a list marked zt:inherit
	ordered   bool // ordered-by user
	minElems  uint64
	maxElems  uint64
	uniques   [][][]string // each unique statement: descendant paths
	defaults  []string
	typ       *vtype
	cases     []choiceCase // choices between the node and its data parent, outermost first
	choices   []*yang.Node // mandatory choices directly under the node
}

// choiceCase is a choice and the case of it that a node belongs to.
type choiceCase struct {
	choice, cas *yang.Node
}

var schemas sync.Map // *yang.Tree → *schemaOnce

type schemaOnce struct {
	once sync.Once
	s    *schema
}

// schemaOf returns the schema of y, building it on first use.
func schemaOf(y *yang.Tree) *schema {
	v, _ := schemas.LoadOrStore(y, &schemaOnce{})
	so := v.(*schemaOnce)
	so.once.Do(func() { so.s = buildSchema(y) })
	return so.s
}

func buildSchema(y *yang.Tree) *schema {
	s := &schema{y: y}
	s.root = &snode{y: y.Root(), kind: Container, config: true}
	s.addChildren(s.root, y.Root(), nil)
	s.resolveLeafrefs(s.root)
	return s
}

// addChildren adds the data children of yn (seen through choices and
// cases) under sn.
func (s *schema) addChildren(sn *snode, yn *yang.Node, cases []choiceCase) {
	for _, c := range yn.Children() {
		switch c.Kind() {
		case yang.Choice:
			if c.Mandatory() && len(cases) == 0 {
				sn.choices = append(sn.choices, c)
			}
			for _, cs := range c.Children() {
				if cs.Kind() == yang.Case {
					s.addChildren(sn, cs, append(cases[:len(cases):len(cases)], choiceCase{c, cs}))
				} else { // a shorthand case: the node is its own case
					s.addChild(sn, cs, append(cases[:len(cases):len(cases)], choiceCase{c, cs}))
				}
			}
		case yang.Case:
			s.addChildren(sn, c, cases)
		case yang.Container, yang.List, yang.Leaf, yang.LeafList:
			s.addChild(sn, c, cases)
		}
	}
}

func (s *schema) addChild(parent *snode, yn *yang.Node, cases []choiceCase) {
	if yn.Kind() == yang.Choice || yn.Kind() == yang.Case {
		s.addChildren(parent, yn, cases)
		return
	}
	if yn.Kind() == yang.AnyData {
		return // anydata holds no configuration this package can check
	}
	sn := &snode{
		y:        yn,
		name:     yn.Name(),
		module:   yn.Module(),
		parent:   parent,
		index:    len(parent.children),
		config:   yn.Config(),
		inherit:  yn.InheritLevel(),
		ordered:  yn.OrderedByUser(),
		minElems: yn.MinElements(),
		maxElems: yn.MaxElements(),
		cases:    cases,
	}
	switch yn.Kind() {
	case yang.Container:
		sn.kind = Container
		_, sn.presence = yn.Presence()
	case yang.List:
		sn.kind = List
	case yang.Leaf:
		sn.kind = Leaf
	case yang.LeafList:
		sn.kind = LeafList
	}
	if sn.kind == Leaf || sn.kind == LeafList {
		sn.mandatory = sn.kind == Leaf && yn.Mandatory() && !yn.IsKey()
		sn.defaults = yn.Defaults()
		if t := yn.Type(); t != nil {
			sn.typ = compileType(t)
		}
	}
	if parent.byName == nil {
		parent.byName = map[string]*snode{}
	}
	parent.children = append(parent.children, sn)
	parent.byName[sn.name] = sn
	s.addChildren(sn, yn, nil)
	if sn.kind == List {
		for _, k := range yn.Keys() {
			if kn := sn.byName[k]; kn != nil {
				sn.keys = append(sn.keys, kn)
			}
		}
		for _, u := range yn.Uniques() {
			var paths [][]string
			for _, p := range u {
				paths = append(paths, splitSchemaPath(p))
			}
			sn.uniques = append(sn.uniques, paths)
		}
	}
}

// child returns the data child called name, or nil.
func (sn *snode) child(name string) *snode { return sn.byName[name] }

// isKey reports whether sn is a key leaf of its list.
func (sn *snode) isKey() bool {
	if sn.kind != Leaf || sn.parent == nil {
		return false
	}
	for _, k := range sn.parent.keys {
		if k == sn {
			return true
		}
	}
	return false
}

// keyNames returns the names of a list's keys.
func (sn *snode) keyNames() []string {
	out := make([]string, len(sn.keys))
	for i, k := range sn.keys {
		out[i] = k.name
	}
	return out
}

// nearest returns the name of the configuration child closest to word, or "".
func (sn *snode) nearest(word string) string {
	var names []string
	for _, c := range sn.children {
		if c.config && !c.isKey() {
			names = append(names, c.name)
		}
	}
	return nearest(word, names)
}

// splitSchemaPath splits "remote/ip" (or "/zbgp:bgp/zbgp:peer") into names
// without prefixes.
func splitSchemaPath(p string) []string {
	var out []string
	for _, part := range strings.Split(p, "/") {
		if part == "" {
			continue
		}
		if i := strings.IndexByte(part, ':'); i >= 0 {
			part = part[i+1:]
		}
		out = append(out, part)
	}
	return out
}

// resolveLeafrefs finds the leaf each leafref points to, so that values
// can be checked against its type.
func (s *schema) resolveLeafrefs(sn *snode) {
	if sn.typ != nil {
		sn.typ.each(func(t *vtype) {
			if t.path != "" && t.target == nil {
				t.target = s.leafrefTarget(sn, t.path)
			}
		})
	}
	for _, c := range sn.children {
		s.resolveLeafrefs(c)
	}
}

// leafrefTarget resolves a leafref path from the leaf sn in the schema;
// predicates are ignored. It returns nil when the path leads nowhere.
func (s *schema) leafrefTarget(sn *snode, path string) *snode {
	steps, abs := leafrefSteps(path)
	cur := sn
	if abs {
		cur = s.root
	}
	for _, st := range steps {
		if st == ".." {
			if cur = cur.parent; cur == nil {
				return nil
			}
			continue
		}
		if cur = cur.child(st); cur == nil {
			return nil
		}
	}
	if cur.kind != Leaf && cur.kind != LeafList {
		return nil
	}
	return cur
}

// leafrefSteps splits a leafref path into steps ("..", or a name without
// prefix), dropping predicates, and reports whether it is absolute.
func leafrefSteps(path string) ([]string, bool) {
	var b strings.Builder
	depth := 0
	for _, r := range path {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0 && r != ' ' && r != '\t' && r != '\n':
			b.WriteRune(r)
		}
	}
	p := b.String()
	return splitSchemaPath(p), strings.HasPrefix(p, "/")
}
