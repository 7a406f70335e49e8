package config

import (
	"github.com/zebgp/ze/yang"
)

// WithDefaults returns a copy of t completed with the defaults of its
// schema, as NETCONF's with-defaults "report-all" (RFC 6243) reports a
// configuration: every leaf and leaf-list that has a default and no value
// is set to it, in every container and entry that exists and in every
// non-presence container, which exists for that purpose when a default is
// beneath it. Presence containers and lists are never created. A default in
// a case of a choice applies when that case is the one chosen (a node of it
// is set) or, when no case is, the choice's default case. Nodes that are
// not configuration (config false) get nothing; when and if-feature are
// not evaluated. Values set in t are kept as they are.
func (t *Tree) WithDefaults() *Tree {
	c := t.Clone()
	complete(c.root)
	return c
}

// JSONWithDefaults returns t completed with its defaults (WithDefaults) as
// RFC 7951 JSON: what a plugin receives as its configuration.
func (t *Tree) JSONWithDefaults() ([]byte, error) {
	return t.WithDefaults().JSON()
}

// CompleteJSON reads doc, a configuration in RFC 7951 JSON (the whole
// configuration or some top-level members of it), with the schema y and
// returns it completed with the schema's defaults, as RFC 7951 JSON. An
// empty doc is {}. It checks what Parse checks (names, types), not what
// needs Validate.
func CompleteJSON(y *yang.Tree, doc []byte) ([]byte, error) {
	if len(doc) == 0 {
		doc = []byte("{}")
	}
	t, err := Parse(y, doc, Options{Format: JSON})
	if err != nil {
		return nil, err
	}
	return t.JSONWithDefaults()
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
		if !caseActive(n, sc) {
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
