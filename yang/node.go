package yang

import (
	"strings"

	goyang "github.com/openconfig/goyang/pkg/yang"
)

// Kind is the kind of a schema node.
type Kind uint8

// The kinds of schema nodes (RFC 7950 section 3).
const (
	Container Kind = iota + 1
	List
	Leaf
	LeafList
	Choice
	Case
	AnyData
)

var kindNames = [...]string{"invalid", "container", "list", "leaf", "leaf-list", "choice", "case", "anydata"}

// String returns the YANG keyword of k ("leaf-list").
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// A Node is one node of a schema Tree: a container, list, leaf, leaf-list,
// choice, case or anydata. It wraps the goyang entry and adds the order of
// the children as written in the modules.
type Node struct {
	e        *goyang.Entry
	kind     Kind
	parent   *Node
	module   string
	children []*Node          // schema children in document order
	byName   map[string]*Node // data children, seen through choice and case
	inherit  bool             // a list marked zt:inherit
}

func wrap(e *goyang.Entry, parent *Node, module string) *Node {
	n := &Node{e: e, kind: kindOf(e), parent: parent, module: module}
	if exts, err := goyang.MatchingEntryExtensions(e, "ze-types", "inherit"); err == nil && len(exts) > 0 {
		n.inherit = n.kind == List
	}
	if e.Dir == nil {
		return n
	}
	n.byName = make(map[string]*Node, len(e.Dir))
	for _, name := range order(e) {
		c := e.Dir[name]
		m := module
		if im, err := c.InstantiatingModule(); err == nil && im != "" {
			m = im // a node added by another module's augment
		}
		cn := wrap(c, n, m)
		n.children = append(n.children, cn)
		for _, d := range dataNodes(cn) {
			n.byName[d.Name()] = d
		}
	}
	return n
}

func kindOf(e *goyang.Entry) Kind {
	switch e.Kind {
	case goyang.ChoiceEntry:
		return Choice
	case goyang.CaseEntry:
		return Case
	case goyang.AnyDataEntry, goyang.AnyXMLEntry:
		return AnyData
	case goyang.LeafEntry:
		if e.ListAttr != nil {
			return LeafList
		}
		return Leaf
	}
	if e.ListAttr != nil {
		return List
	}
	return Container
}

// dataNodes returns n itself, or for a choice or a case the data nodes
// beneath it.
func dataNodes(n *Node) []*Node {
	if n.kind != Choice && n.kind != Case {
		return []*Node{n}
	}
	var out []*Node
	for _, c := range n.children {
		out = append(out, dataNodes(c)...)
	}
	return out
}

// Name returns the node's name ("hold-time"); the root's is empty.
func (n *Node) Name() string {
	if n.e == nil {
		return ""
	}
	return n.e.Name
}

// Kind returns the kind of the node; the root is a Container.
func (n *Node) Kind() Kind { return n.kind }

// IsRoot reports whether n is the root of its Tree.
func (n *Node) IsRoot() bool { return n.parent == nil }

// Entry returns the goyang entry of the node (nil for the root), for what
// this package does not expose. It must not be changed.
func (n *Node) Entry() *goyang.Entry { return n.e }

// Module returns the name of the module that defines the node.
func (n *Node) Module() string { return n.module }

// Parent returns the parent node (a choice or case included); nil for the root.
func (n *Node) Parent() *Node { return n.parent }

// Children returns the schema children in the order of the modules: for a
// list, its keys come where they are written, usually first. Choices and
// cases appear as nodes of their own.
func (n *Node) Children() []*Node { return n.children }

// DataChildren returns the children as they appear in data: the nodes under
// a choice and its cases take the place of the choice.
func (n *Node) DataChildren() []*Node {
	var out []*Node
	for _, c := range n.children {
		out = append(out, dataNodes(c)...)
	}
	return out
}

// Child returns the data child called name, looking through choices and
// cases, or nil.
func (n *Node) Child(name string) *Node { return n.byName[name] }

// Lookup follows names from n, one data child per name; nil when one is
// missing.
func (n *Node) Lookup(names ...string) *Node {
	for _, name := range names {
		if n = n.Child(name); n == nil {
			return nil
		}
	}
	return n
}

// Find follows a path of data node names separated by '/' from n.
func (n *Node) Find(path string) *Node { return n.Lookup(splitPath(path)...) }

// Path returns the data path from the root, names separated by '/'
// ("bgp/group/peer/hold-time"); choices and cases are left out.
func (n *Node) Path() string {
	var names []string
	for c := n; c != nil && c.parent != nil; c = c.parent {
		if c.kind != Choice && c.kind != Case {
			names = append(names, c.Name())
		}
	}
	var b strings.Builder
	for i := len(names) - 1; i >= 0; i-- {
		b.WriteString(names[i])
		if i > 0 {
			b.WriteByte('/')
		}
	}
	return b.String()
}

// String returns the path.
func (n *Node) String() string { return n.Path() }

// Description returns the description statement, with the indentation of
// its continuation lines removed.
func (n *Node) Description() string {
	if n.e == nil {
		return ""
	}
	return Unindent(n.e.Description)
}

// Summary returns the first sentence of the description, for one-line help.
func (n *Node) Summary() string { return Summary(n.Description()) }

// Keys returns the key leaf names of a list, in order; nil otherwise.
func (n *Node) Keys() []string {
	if n.kind != List || n.e.Key == "" {
		return nil
	}
	return strings.Fields(n.e.Key)
}

// IsKey reports whether n is a key leaf of its list.
func (n *Node) IsKey() bool {
	if n.kind != Leaf || n.parent == nil {
		return false
	}
	for _, k := range n.parent.Keys() {
		if k == n.Name() {
			return true
		}
	}
	return false
}

// Type returns the type of a leaf or leaf-list; nil for other kinds.
func (n *Node) Type() *Type {
	if (n.kind != Leaf && n.kind != LeafList) || n.e.Type == nil {
		return nil
	}
	var ast *goyang.Type
	switch a := n.e.Node.(type) {
	case *goyang.Leaf:
		ast = a.Type
	case *goyang.LeafList:
		ast = a.Type
	}
	return newType(n.e.Type, ast)
}

// Default returns the default of a leaf (or choice) and whether it has one;
// a default given by the leaf's typedef counts.
func (n *Node) Default() (string, bool) {
	if n.e == nil {
		return "", false
	}
	if v, ok := n.e.SingleDefaultValue(); ok {
		return v, true
	}
	if (n.kind == Leaf) && n.e.Type != nil && n.e.Type.HasDefault {
		return n.e.Type.Default, true
	}
	return "", false
}

// Defaults returns the defaults of a leaf-list (YANG 1.1), or the default of
// a leaf as a one-element slice.
func (n *Node) Defaults() []string {
	if n.e == nil {
		return nil
	}
	if d := n.e.DefaultValues(); len(d) > 0 {
		return d
	}
	if v, ok := n.Default(); ok {
		return []string{v}
	}
	return nil
}

// Units returns the units of a leaf ("seconds"), from the leaf or its type.
func (n *Node) Units() string {
	if n.e == nil {
		return ""
	}
	if n.e.Units != "" {
		return n.e.Units
	}
	if n.e.Type != nil {
		return n.e.Type.Units
	}
	return ""
}

// Mandatory reports whether the node must be present: a leaf, choice or
// anydata marked "mandatory true", or a list key.
func (n *Node) Mandatory() bool {
	if n.e == nil {
		return false
	}
	return n.e.Mandatory == goyang.TSTrue || n.IsKey()
}

// Presence returns the presence statement of a container and whether it has
// one: a presence container means something by existing.
func (n *Node) Presence() (string, bool) {
	if c, ok := n.entryNode().(*goyang.Container); ok && c.Presence != nil {
		return c.Presence.Name, true
	}
	return "", false
}

// Config reports whether the node is configuration (config true, the
// default, inherited from the parent).
func (n *Node) Config() bool {
	for c := n; c != nil && c.e != nil; c = c.parent {
		switch c.e.Config {
		case goyang.TSFalse:
			return false
		case goyang.TSTrue:
			return true
		}
	}
	return true
}

// OrderedByUser reports whether a list or leaf-list is "ordered-by user":
// its order is part of the data.
func (n *Node) OrderedByUser() bool {
	return n.e != nil && n.e.ListAttr != nil && n.e.ListAttr.OrderedByUser
}

// MinElements returns the min-elements of a list or leaf-list (0 for other
// nodes).
func (n *Node) MinElements() uint64 {
	if n.e == nil || n.e.ListAttr == nil {
		return 0
	}
	return n.e.ListAttr.MinElements
}

// MaxElements returns the max-elements of a list or leaf-list
// (math.MaxUint64 when unbounded; 0 for other nodes).
func (n *Node) MaxElements() uint64 {
	if n.e == nil || n.e.ListAttr == nil {
		return 0
	}
	return n.e.ListAttr.MaxElements
}

// Uniques returns the unique statements of a list: each a set of descendant
// paths ("remote/ip") whose values must not repeat across entries.
func (n *Node) Uniques() [][]string {
	l, ok := n.entryNode().(*goyang.List)
	if !ok {
		return nil
	}
	var out [][]string
	for _, u := range l.Unique {
		out = append(out, strings.Fields(u.Name))
	}
	return out
}

// InheritLevel reports whether n is a list marked zt:inherit: a level of
// the bgp → group → peer inheritance.
func (n *Node) InheritLevel() bool { return n.inherit }

// Inherited returns the node that n takes its value from when it is unset:
// the node at the same path relative to the enclosing level (for
// bgp/group/peer/hold-time, bgp/group/hold-time; for that one,
// bgp/hold-time). It returns nil when n is not under a level, is a key of
// the level, or the level above has no such node.
func (n *Node) Inherited() *Node {
	var rel []string
	for c := n; c != nil && c.parent != nil; c = c.parent {
		if c.inherit {
			if len(rel) == 0 || (len(rel) == 1 && n.IsKey() && n.parent == c) {
				return nil
			}
			return c.parent.Lookup(rel...)
		}
		if c.kind != Choice && c.kind != Case {
			rel = append([]string{c.Name()}, rel...)
		}
	}
	return nil
}

// entryNode returns the AST node behind the entry, or nil.
func (n *Node) entryNode() goyang.Node {
	if n.e == nil {
		return nil
	}
	return n.e.Node
}
