package config

import (
	"fmt"
)

// Value is the effective value of one leaf or leaf-list (what applies
// once inheritance, bgp → group → peer, and YANG defaults are taken into
// account), or an entry or presence container that applies (so that
// "family { ipv4 unicast; }", which has nothing but its key, shows).
type Value struct {
	Path   []string // the leaf, under the path asked for ("bgp group g peer p hold-time")
	Values []string // the value of a leaf (one; "" for an empty leaf), the values of a leaf-list; none for an entry or a presence container
	Node   *Node    // the node that sets it, at this level or one above; nil for a default
	From   []string // the path of Node; nil for a default
	// Inherited is true when Node is in an enclosing level (the group or
	// bgp, for a peer's value).
	Inherited bool
	sn        *snode
}

// IsDefault reports whether the value is the YANG default (no level sets it).
func (v Value) IsDefault() bool { return v.Node == nil }

// seg is one step of a path: a container, a list entry with its keys, a
// leaf or a leaf-list.
type seg struct {
	sn   *snode
	keys []string
}

func segWords(segs []seg) []string {
	var w []string
	for _, s := range segs {
		w = append(w, s.sn.name)
		w = append(w, s.keys...)
	}
	return w
}

// segments resolves path words in the schema. A path may not end at a
// list's name or carry a value.
func (t *Tree) segments(path []string) ([]seg, error) {
	errs := newCollector(t.File, 1)
	sn := t.s.root
	var segs []seg
	for i := 0; i < len(path); {
		c := sn.child(path[i])
		if c == nil || !c.config || c.isKey() {
			errs.add(Pos{}, JoinPath(segWords(segs)), "%s", unknownMsg(segWords(segs), sn, c, path[i]))
			return nil, errs.errs.Err()
		}
		i++
		s := seg{sn: c}
		if c.kind == List {
			if len(path)-i < len(c.keys) {
				return nil, fmt.Errorf("config: %s: name one entry (by %s)", JoinPath(path), JoinPath(c.keyNames()))
			}
			for _, k := range c.keys {
				v, msg := k.typ.check(path[i])
				if msg != "" {
					return nil, fmt.Errorf("config: %s: %s", JoinPath(path[:i]), msg)
				}
				s.keys = append(s.keys, v)
				i++
			}
		}
		segs = append(segs, s)
		if (c.kind == Leaf || c.kind == LeafList) && i < len(path) {
			return nil, fmt.Errorf("config: %s: a path names no value", JoinPath(path))
		}
		sn = c
	}
	return segs, nil
}

// at returns the data node at segs in t, or nil.
func (t *Tree) at(segs []seg) *Node {
	n := t.root
	for _, s := range segs {
		if n.kind != Container && n.kind != Entry {
			return nil
		}
		c := n.childFor(s.sn)
		if c == nil {
			return nil
		}
		if s.sn.kind == List {
			if c = c.Entry(s.keys...); c == nil {
				return nil
			}
		}
		n = c
	}
	return n
}

// levels returns, for the node at segs, the data nodes it inherits from,
// nearest first: the node itself, then the same relative path in the
// enclosing level (a group for a peer), then the one above (bgp). Absent
// nodes are nil; the list stops where the level above has no such node.
func (t *Tree) levels(segs []seg) []*Node {
	lvl := -1 // the last entry of a list marked zt:inherit
	for i, s := range segs {
		if s.sn.inherit {
			lvl = i
		}
	}
	if lvl < 0 {
		return []*Node{t.at(segs)}
	}
	rel := segs[lvl+1:]
	out := []*Node{t.at(segs)}
	for a := lvl - 1; a >= -1; a-- {
		// The anchor above the level at a+1 is its parent: segs[:a+1].
		anchor := segs[:a+1]
		up, ok := resegment(anchor, rel)
		if !ok {
			break
		}
		out = append(out, t.at(up))
		if a < 0 || !segs[a].sn.inherit {
			break
		}
	}
	return out
}

// resegment returns anchor followed by rel resolved from anchor's schema
// node (the same names and keys, other schema nodes); false when the
// anchor has no such node.
func resegment(anchor, rel []seg) ([]seg, bool) {
	if len(anchor) == 0 {
		return nil, false
	}
	out := append([]seg(nil), anchor...)
	sn := anchor[len(anchor)-1].sn
	for _, r := range rel {
		c := sn.child(r.sn.name)
		if c == nil || c.kind != r.sn.kind {
			return nil, false
		}
		out = append(out, seg{sn: c, keys: r.keys})
		sn = c
	}
	return out, true
}

// Effective returns the effective values at path (in the words of the set
// form, without a value): for a leaf or leaf-list, its value; for a
// container or an entry (a peer, a group), every leaf beneath it, in
// schema order. A node a level leaves unset comes from the enclosing level
// (peer → group → bgp, for the nodes that zt:inherit marks), else from its
// YANG default; containers merge deeply and lists merge by key, entries of
// the upper levels first. Keys, and nodes the level above does not have
// (a peer's remote ip), are not inherited. Inactive nodes do not count.
// Leaves without a value or a default are left out.
func Effective(t *Tree, path []string) ([]Value, error) {
	segs, err := t.segments(path)
	if err != nil {
		return nil, err
	}
	a := t.Active()
	lv := a.levels(segs)
	var out []Value
	if len(segs) == 0 {
		mergeInto(&out, []*Node{a.root}, a.s.root, nil)
		return out, nil
	}
	last := segs[len(segs)-1].sn
	switch last.kind {
	case Leaf, LeafList:
		if v, ok := leafValue(lv, last, path); ok {
			out = append(out, v)
		}
	default:
		if lv[0] == nil && (last.kind == List || last.presence) {
			return nil, fmt.Errorf("%s: %w", JoinPath(path), ErrNotFound)
		}
		mergeInto(&out, lv, last, segWords(segs))
	}
	own := segWords(segs[:ownLevel(segs)+1])
	for i := range out {
		out[i].Inherited = out[i].Node != nil && !hasPrefix(out[i].From, own)
	}
	return out, nil
}

// ownLevel returns the index of the last entry of a level in segs (the
// peer of a peer's leaf), or len(segs)-1 when there is none.
func ownLevel(segs []seg) int {
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].sn.inherit {
			return i
		}
	}
	return len(segs) - 1
}

func hasPrefix(path, prefix []string) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i, w := range prefix {
		if path[i] != w {
			return false
		}
	}
	return true
}

// levelOf returns the level that n is set in: the nearest entry of a list
// marked zt:inherit above it, or the container that holds such lists
// (bgp); nil when there is none.
func levelOf(n *Node) *Node {
	for p := n.up(); p != nil && p.parent != nil; p = p.up() {
		if p.kind == Entry && p.s.inherit {
			return p
		}
		for _, c := range p.s.children {
			if c.inherit {
				return p
			}
		}
	}
	return nil
}

// leafValue is the effective value of a leaf or leaf-list whose nodes at
// each level are lv.
func leafValue(lv []*Node, sn *snode, path []string) (Value, bool) {
	for _, n := range lv {
		if n == nil {
			continue
		}
		v := Value{Path: path, Node: n, From: n.Path(), sn: sn}
		if n.kind == Leaf {
			v.Values = []string{n.value}
		} else {
			v.Values = append([]string(nil), n.values...)
		}
		return v, true
	}
	if len(sn.defaults) > 0 {
		return Value{Path: path, Values: append([]string(nil), sn.defaults...), sn: sn}, true
	}
	return Value{}, false
}

// mergeInto adds the effective values beneath a container or entry whose
// nodes at each level are lv (nearest first; nil where absent).
func mergeInto(out *[]Value, lv []*Node, sn *snode, path []string) {
	for _, c := range sn.children {
		if !c.config || c.isKey() {
			continue
		}
		clv := make([]*Node, 0, len(lv))
		for k, n := range lv {
			if k > 0 && c.y.Inherited() == nil {
				break
			}
			var d *Node
			if n != nil && (n.kind == Container || n.kind == Entry) {
				if cs := n.s.child(c.name); cs != nil {
					d = n.childFor(cs)
				}
			}
			clv = append(clv, d)
		}
		cpath := extend(path, c.name)
		switch c.kind {
		case Leaf, LeafList:
			if v, ok := leafValue(clv, c, cpath); ok {
				*out = append(*out, v)
			}
		case Container:
			if c.presence {
				n := firstNode(clv)
				if n == nil {
					continue
				}
				*out = append(*out, Value{Path: cpath, Node: n, From: n.Path(), sn: c})
			}
			mergeInto(out, clv, c, cpath)
		case List:
			var order [][]string
			seen := map[string]bool{}
			for k := len(clv) - 1; k >= 0; k-- {
				if clv[k] == nil {
					continue
				}
				for _, e := range clv[k].children {
					if key := joinKeys(e.keys); !seen[key] {
						seen[key] = true
						order = append(order, e.keys)
					}
				}
			}
			for _, keys := range order {
				elv := make([]*Node, len(clv))
				for k, l := range clv {
					if l != nil {
						elv[k] = l.Entry(keys...)
					}
				}
				epath := extend(cpath, keys...)
				n := firstNode(elv)
				*out = append(*out, Value{Path: epath, Node: n, From: n.Path(), sn: c})
				mergeInto(out, elv, c, epath)
			}
		}
	}
}

func firstNode(ns []*Node) *Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

// EffectiveTree returns the effective configuration at path as a tree of
// its own: every value of Effective set at its path, each annotated with
// where it comes from ("from bgp group g", "default"). Printed, it is what
// "show" displays for the effective configuration of a peer.
func EffectiveTree(t *Tree, path []string) (*Tree, error) {
	vals, err := Effective(t, path)
	if err != nil {
		return nil, err
	}
	e := New(t.s.y)
	for _, v := range vals {
		note := ""
		switch {
		case v.IsDefault():
			note = "default"
		case v.Inherited:
			if l := levelOf(v.Node); l != nil {
				note = "from " + l.PathString()
			}
		}
		if v.sn.kind != Leaf && v.sn.kind != LeafList || v.sn.typ.kind == kindEmpty {
			err = e.Set(v.Path)
		} else {
			for _, x := range v.Values {
				if err = e.Set(extend(v.Path, x)); err != nil {
					break
				}
			}
		}
		if err != nil {
			return nil, err
		}
		if note != "" {
			if err := e.Annotate(v.Path, note); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}
