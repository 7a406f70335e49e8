package config

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/zebgp/ze/yang"
)

// WithDefaults returns a copy of t completed with the defaults of its
// schema, as NETCONF's with-defaults "report-all" (RFC 6243) reports a
// configuration: every leaf and leaf-list that has a default and no value
// is set to it, in every container and entry that exists and in every
// non-presence container, which exists for that purpose when a default is
// beneath it. Presence containers and lists are never created. A default in
// a case of a choice applies when that case is the one chosen (a node of it
// is set) or, when no case is, the choice's default case. A leaf that
// inherits its value from an enclosing level (a peer's hold-time, from its
// group, from bgp: zt:inherit) gets no default of its own: the level it
// inherits from has it. Nodes that are not configuration (config false)
// get nothing; when and if-feature are not evaluated. Values set in t are
// kept as they are.
func (t *Tree) WithDefaults() *Tree { return t.WithDefaultsIf(nil) }

// WithDefaultsIf is WithDefaults for the top-level nodes whose module keep
// accepts (nil: every module); the others are copied as they are.
func (t *Tree) WithDefaultsIf(keep func(module string) bool) *Tree {
	c := t.Clone()
	completeRoot(c.root, keep)
	return c
}

// JSONWithDefaults returns t completed with its defaults (WithDefaults) as
// RFC 7951 JSON.
func (t *Tree) JSONWithDefaults() ([]byte, error) {
	return t.WithDefaults().JSON()
}

// CompleteJSON reads doc, a configuration in RFC 7951 JSON (the whole
// configuration or some top-level members of it; empty is {}), with the
// schema y and returns the members of module completed with their
// defaults (WithDefaults), as RFC 7951 JSON: {"MODULE:NAME":{…}}, {} when
// the module has neither members nor defaults. It is what a plugin whose
// module is module is configured with. module "" completes and returns
// every module. It checks what Parse checks (names, types), not what needs
// Validate.
func CompleteJSON(y *yang.Tree, doc []byte, module string) ([]byte, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		doc = []byte("{}")
	}
	t, err := Parse(y, doc, Options{Format: JSON})
	if err != nil {
		return nil, err
	}
	if module == "" {
		return t.JSONWithDefaults()
	}
	if y.Module(module) == nil {
		return nil, fmt.Errorf("config: no module %s in the schema", module)
	}
	c := t.WithDefaultsIf(func(m string) bool { return m == module })
	for i := 0; i < len(c.root.children); {
		if ch := c.root.children[i]; ch.s.module != module {
			c.root.children = slices.Delete(c.root.children, i, i+1)
			continue
		}
		i++
	}
	return c.JSON()
}

// completeRoot completes the top-level nodes whose module keep accepts.
func completeRoot(root *Node, keep func(string) bool) {
	for _, c := range root.children {
		if c.kind == Container && (keep == nil || keep(c.s.module)) {
			complete(c)
		}
	}
	for _, sc := range root.s.children {
		if sc.kind != Container || sc.presence || !sc.config || (keep != nil && !keep(sc.module)) {
			continue
		}
		if _, ok := root.childIndex(sc); ok || !caseActive(root, sc) || !hasDefaults(sc) {
			continue
		}
		c := root.ensureChild(sc, Pos{})
		complete(c)
		if len(c.children) == 0 {
			root.removeChild(c)
		}
	}
}

// complete adds the defaults beneath the container or entry n.
func complete(n *Node) {
	for _, c := range n.children {
		switch c.kind {
		case Container:
			complete(c)
		case List:
			for _, e := range c.children {
				complete(e)
			}
		}
	}
	for _, sc := range n.s.children {
		if !sc.config || sc.isKey() {
			continue
		}
		if _, ok := n.childIndex(sc); ok {
			continue // completed above, or a value set
		}
		if !caseActive(n, sc) || (sc.kind == Leaf || sc.kind == LeafList) && sc.y.Inherited() != nil {
			continue
		}
		switch sc.kind {
		case Leaf:
			if len(sc.defaults) > 0 {
				c := n.ensureChild(sc, Pos{})
				c.value = canonical(sc, sc.defaults[0])
			}
		case LeafList:
			if len(sc.defaults) > 0 {
				c := n.ensureChild(sc, Pos{})
				c.values = make([]string, len(sc.defaults))
				for i, v := range sc.defaults {
					c.values[i] = canonical(sc, v)
				}
			}
		case Container:
			if sc.presence || !hasDefaults(sc) {
				continue
			}
			c := n.ensureChild(sc, Pos{})
			complete(c)
			if len(c.children) == 0 {
				n.removeChild(c)
			}
		}
	}
}

// canonical returns the canonical form of a default value (the form a value
// set by a user is kept in), or the value itself when the type refuses it.
func canonical(sn *snode, v string) string {
	if sn.typ == nil {
		return v
	}
	if c, msg := sn.typ.check(v); msg == "" {
		return c
	}
	return v
}

// hasDefaults reports whether a default may be added beneath the
// container sn: a leaf or leaf-list with a default, directly or through
// non-presence containers.
func hasDefaults(sn *snode) bool {
	for _, c := range sn.children {
		if !c.config {
			continue
		}
		switch c.kind {
		case Leaf, LeafList:
			if len(c.defaults) > 0 {
				return true
			}
		case Container:
			if !c.presence && hasDefaults(c) {
				return true
			}
		}
	}
	return false
}

// caseActive reports whether the defaults of sn, a child of n's schema
// node, apply: for each choice sn is in, its case is the one that a set
// sibling chose or, when none did, the choice's default case.
func caseActive(n *Node, sn *snode) bool {
	for _, cc := range sn.cases {
		chosen := false
		for _, c := range n.children {
			if isVoid(c) {
				continue
			}
			for _, oc := range c.s.cases {
				if oc.choice != cc.choice {
					continue
				}
				if oc.cas != cc.cas {
					return false // another case is chosen
				}
				chosen = true
			}
		}
		if chosen {
			continue
		}
		if d, ok := cc.choice.Default(); !ok || d != cc.cas.Name() {
			return false
		}
	}
	return true
}
