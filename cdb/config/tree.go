package config

import (
	"slices"
	"strings"

	"github.com/zebgp/ze/yang"
)

// Kind is the kind of a data node.
type Kind uint8

// The kinds of data nodes. A list is a node of its own that holds its
// entries, so that a path can name all of a list ("bgp group") or one entry
// ("bgp group g").
const (
	Container Kind = iota + 1
	List           // the entries of one list, in order
	Entry          // one entry of a list, named by its keys
	Leaf
	LeafList
)

var kindNames = [...]string{"invalid", "container", "list", "entry", "leaf", "leaf-list"}

// String returns "container", "list", "entry", "leaf" or "leaf-list".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// A Tree is a configuration: data shaped by a YANG schema. Containers hold
// their children in schema order; a list holds its entries in the order
// they were added, each named by the values of its keys; leaves and
// leaf-lists hold values checked against their types and kept in canonical
// form. Any node but a list may carry an annotation (a comment) and be
// inactive (kept, but not applied).
//
// A Tree is not safe for concurrent changes; Clone it to hand it on.
type Tree struct {
	s    *schema
	root *Node
	// File names the file the tree was read from, for messages; may be "".
	File string
}

// A Node is one node of a Tree.
type Node struct {
	s        *snode
	kind     Kind
	parent   *Node
	keys     []string // Entry: the key values, in key order
	value    string   // Leaf
	values   []string // LeafList
	children []*Node  // Container and Entry: children in schema order; List: entries
	index    map[string]*Node
	note     string
	inactive bool
	pos      Pos   // where the node was first named
	vpos     []Pos // Leaf, LeafList: where each value was given
}

// extend returns path followed by words, never sharing path's array.
func extend(path []string, words ...string) []string {
	return append(slices.Clip(path), words...)
}

// indexAt is the number of entries from which a list keeps a map of its
// entries by key.
const indexAt = 8

// New returns an empty configuration of the schema y.
func New(y *yang.Tree) *Tree {
	s := schemaOf(y)
	return &Tree{s: s, root: &Node{s: s.root, kind: Container}}
}

// Schema returns the schema of the tree.
func (t *Tree) Schema() *yang.Tree { return t.s.y }

// Root returns the root: a container without a name whose children are
// the top-level nodes (system, environment, bgp, plugin, …).
func (t *Tree) Root() *Node { return t.root }

// IsEmpty reports whether the tree holds no configuration.
func (t *Tree) IsEmpty() bool { return isVoid(t.root) }

// Clone returns a deep copy of t.
func (t *Tree) Clone() *Tree {
	return &Tree{s: t.s, root: t.root.clone(nil), File: t.File}
}

// Equal reports whether t and u hold the same configuration, with the same
// order of entries and values, annotations and inactive flags: exactly
// when their canonical texts are the same. Positions are not compared.
func (t *Tree) Equal(u *Tree) bool {
	return t.s.y == u.s.y && t.root.Equal(u.root)
}

// Walk calls fn for every node of the tree, parents before children, in
// schema order (a list, then its entries, then each entry's children).
// When fn returns false, the children of that node are skipped.
func (t *Tree) Walk(fn func(n *Node) bool) {
	for _, c := range t.root.children {
		c.walk(fn)
	}
}

func (n *Node) walk(fn func(*Node) bool) {
	if !fn(n) {
		return
	}
	for _, c := range n.children {
		c.walk(fn)
	}
}

// Name returns the schema name of the node ("hold-time"; for a list and
// its entries, the list's name); "" for the root.
func (n *Node) Name() string { return n.s.name }

// Kind returns the kind of the node.
func (n *Node) Kind() Kind { return n.kind }

// Schema returns the schema node; for the root, the root of the schema.
func (n *Node) Schema() *yang.Node { return n.s.y }

// Parent returns the parent: for an entry its list, for a list the
// container or entry that holds it; nil for the root.
func (n *Node) Parent() *Node { return n.parent }

// Keys returns the key values of an entry, in the order of the list's
// keys; nil for other kinds. The slice must not be changed.
func (n *Node) Keys() []string { return n.keys }

// Value returns the value of a leaf ("" for an empty leaf).
func (n *Node) Value() string { return n.value }

// Values returns the values of a leaf-list, in order. The slice must not
// be changed.
func (n *Node) Values() []string { return n.values }

// Children returns the children of a container or entry in schema order,
// or the entries of a list. The slice must not be changed.
func (n *Node) Children() []*Node { return n.children }

// Child returns the child of a container or entry called name, or nil.
func (n *Node) Child(name string) *Node {
	if n.kind != Container && n.kind != Entry {
		return nil
	}
	sn := n.s.child(name)
	if sn == nil {
		return nil
	}
	return n.childFor(sn)
}

// Entry returns the entry of a list with the given keys, or nil.
func (n *Node) Entry(keys ...string) *Node {
	if n.kind != List {
		return nil
	}
	if n.index != nil {
		return n.index[joinKeys(keys)]
	}
	for _, e := range n.children {
		if slices.Equal(e.keys, keys) {
			return e
		}
	}
	return nil
}

// Annotation returns the comment attached to the node ("" for none); lines
// are separated by "\n".
func (n *Node) Annotation() string { return n.note }

// Inactive reports whether the node is inactive: kept in the configuration
// but not applied, with everything beneath it.
func (n *Node) Inactive() bool { return n.inactive }

// Pos returns where the node was first named in the text it was read
// from; the zero Pos when it was not read from text.
func (n *Node) Pos() Pos { return n.pos }

// ValuePos returns where the i-th value of a leaf (i = 0) or leaf-list was
// given, or the node's own position when unknown.
func (n *Node) ValuePos(i int) Pos {
	if i >= 0 && i < len(n.vpos) && n.vpos[i].IsValid() {
		return n.vpos[i]
	}
	return n.pos
}

// Path returns the words that name the node in the set form: schema names
// and, for an entry, its keys ("bgp", "group", "g", "peer", "p").
func (n *Node) Path() []string {
	if n.parent == nil {
		return nil
	}
	var p []string
	if n.kind == Entry {
		p = n.parent.parent.Path()
		p = append(p, n.s.name)
		return append(p, n.keys...)
	}
	p = n.parent.Path()
	return append(p, n.s.name)
}

// PathString returns the path as one line, words quoted where needed.
func (n *Node) PathString() string { return JoinPath(n.Path()) }

// JoinPath joins path words with blanks, quoting a word that needs it.
func JoinPath(path []string) string {
	var b strings.Builder
	for i, w := range path {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(w))
	}
	return b.String()
}

// Equal reports whether n and m hold the same data, annotations and
// inactive flags (see Tree.Equal); void containers count as absent.
func (n *Node) Equal(m *Node) bool {
	if n.s != m.s || n.kind != m.kind || n.note != m.note || n.inactive != m.inactive ||
		n.value != m.value || !slices.Equal(n.keys, m.keys) || !slices.Equal(n.values, m.values) {
		return false
	}
	a, b := n.children, m.children
	for {
		for len(a) > 0 && isVoid(a[0]) {
			a = a[1:]
		}
		for len(b) > 0 && isVoid(b[0]) {
			b = b[1:]
		}
		if len(a) == 0 || len(b) == 0 {
			return len(a) == len(b)
		}
		if !a[0].Equal(b[0]) {
			return false
		}
		a, b = a[1:], b[1:]
	}
}

// isVoid reports whether n means nothing: a container without presence,
// annotation or inactive flag that holds nothing but void containers, or a
// list without entries.
func isVoid(n *Node) bool {
	switch n.kind {
	case List:
		return len(n.children) == 0
	case Container:
		if n.s.presence || n.note != "" || n.inactive {
			return false
		}
		for _, c := range n.children {
			if !isVoid(c) {
				return false
			}
		}
		return true
	}
	return false
}

func (n *Node) clone(parent *Node) *Node {
	c := *n
	c.parent = parent
	c.keys = slices.Clone(n.keys)
	c.values = slices.Clone(n.values)
	c.vpos = slices.Clone(n.vpos)
	c.index = nil
	if n.children != nil {
		c.children = make([]*Node, len(n.children))
		for i, ch := range n.children {
			c.children[i] = ch.clone(&c)
		}
	}
	if n.kind == List && len(c.children) >= indexAt {
		c.index = make(map[string]*Node, len(c.children))
		for _, e := range c.children {
			c.index[joinKeys(e.keys)] = e
		}
	}
	return &c
}

// childFor returns the child of a container or entry for the schema node
// sn, or nil. Children are in schema order, so the search is binary.
func (n *Node) childFor(sn *snode) *Node {
	i, ok := n.childIndex(sn)
	if !ok {
		return nil
	}
	return n.children[i]
}

func (n *Node) childIndex(sn *snode) (int, bool) {
	return slices.BinarySearchFunc(n.children, sn.index, func(c *Node, idx int) int { return c.s.index - idx })
}

// ensureChild returns the child for sn, adding it (at pos) when missing.
func (n *Node) ensureChild(sn *snode, pos Pos) *Node {
	i, ok := n.childIndex(sn)
	if ok {
		return n.children[i]
	}
	c := &Node{s: sn, kind: sn.kind, parent: n, pos: pos}
	n.children = slices.Insert(n.children, i, c)
	return c
}

// removeChild removes c from n's children (or entries).
func (n *Node) removeChild(c *Node) {
	if n.kind == List {
		if n.index != nil {
			delete(n.index, joinKeys(c.keys))
		}
		n.children = slices.DeleteFunc(n.children, func(e *Node) bool { return e == c })
		return
	}
	if i, ok := n.childIndex(c.s); ok {
		n.children = slices.Delete(n.children, i, i+1)
	}
}

// ensureEntry returns the entry of list n with keys, adding it at the end
// when missing.
func (n *Node) ensureEntry(keys []string, pos Pos) *Node {
	if e := n.Entry(keys...); e != nil {
		return e
	}
	e := &Node{s: n.s, kind: Entry, parent: n, keys: slices.Clone(keys), pos: pos}
	n.children = append(n.children, e)
	if n.index != nil {
		n.index[joinKeys(keys)] = e
	} else if len(n.children) >= indexAt {
		n.index = make(map[string]*Node, 2*indexAt)
		for _, e := range n.children {
			n.index[joinKeys(e.keys)] = e
		}
	}
	return e
}

func joinKeys(keys []string) string {
	if len(keys) == 1 {
		return keys[0]
	}
	return strings.Join(keys, "\x00")
}

// addNote appends text to the node's annotation.
func (n *Node) addNote(text string) {
	if n.note == "" {
		n.note = text
	} else {
		n.note += "\n" + text
	}
}

// up returns the container or entry that holds n (skipping a list).
func (n *Node) up() *Node {
	p := n.parent
	if p != nil && p.kind == List {
		p = p.parent
	}
	return p
}

// prune removes void containers and empty lists beneath n. Entries are
// never removed, so a list's index stays right.
func prune(n *Node) {
	out := n.children[:0]
	for _, c := range n.children {
		if c.kind == Container || c.kind == Entry || c.kind == List {
			prune(c)
		}
		if c.kind == List && len(c.children) == 0 || c.kind == Container && isVoid(c) {
			continue
		}
		out = append(out, c)
	}
	clear(n.children[len(out):])
	n.children = out
}
