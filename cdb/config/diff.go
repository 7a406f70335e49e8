package config

import (
	"bytes"
	"io"
	"slices"
	"strings"
)

// ChangeKind says how a node differs between two trees.
type ChangeKind uint8

// The kinds of change.
const (
	Added       ChangeKind = iota + 1 // in the new tree only (a whole subtree)
	Deleted                           // in the old tree only (a whole subtree)
	Modified                          // a leaf's value, a leaf-list's values, a user-ordered list's order
	Activated                         // inactive before, active now
	Deactivated                       // active before, inactive now
	Annotated                         // the annotation changed
)

var changeNames = [...]string{"invalid", "added", "deleted", "modified", "activated", "deactivated", "annotated"}

// String returns "added", "deleted", "modified", "activated", "deactivated"
// or "annotated".
func (k ChangeKind) String() string {
	if int(k) < len(changeNames) {
		return changeNames[k]
	}
	return "invalid"
}

// A Change is one difference between two trees: at Path, the node Old of
// the old tree became New of the new one (nil where absent). An added or
// deleted subtree is one change; so is a leaf-list whose values changed.
// One node may have several changes (modified and annotated, say).
type Change struct {
	Kind     ChangeKind
	Path     []string
	Old, New *Node
}

// Diff returns the changes that turn a into b, in schema order; within a
// list, the entries deleted come first, then those changed, then those
// added. Entries are matched by key, so the order of entries and of
// leaf-list values counts only for lists ordered by the user.
func Diff(a, b *Tree) []Change {
	var out []Change
	diffChildren(a.root, b.root, &out)
	return out
}

func diffMeta(a, b *Node, out *[]Change) {
	if a.inactive != b.inactive {
		k := Activated
		if b.inactive {
			k = Deactivated
		}
		*out = append(*out, Change{Kind: k, Path: b.Path(), Old: a, New: b})
	}
	if a.note != b.note {
		*out = append(*out, Change{Kind: Annotated, Path: b.Path(), Old: a, New: b})
	}
}

// diffChildren compares the children of two containers or entries.
func diffChildren(a, b *Node, out *[]Change) {
	i, j := 0, 0
	for i < len(a.children) || j < len(b.children) {
		var x, y *Node
		switch {
		case j >= len(b.children) || i < len(a.children) && a.children[i].s.index < b.children[j].s.index:
			x = a.children[i]
			i++
		case i >= len(a.children) || b.children[j].s.index < a.children[i].s.index:
			y = b.children[j]
			j++
		default:
			x, y = a.children[i], b.children[j]
			i++
			j++
		}
		if x != nil && isVoid(x) {
			x = nil
		}
		if y != nil && isVoid(y) {
			y = nil
		}
		diffNode(x, y, out)
	}
}

// diffNode compares two nodes of the same schema node, either nil.
func diffNode(x, y *Node, out *[]Change) {
	switch {
	case x == nil && y == nil:
		return
	case y == nil:
		if x.kind == List {
			for _, e := range x.children {
				*out = append(*out, Change{Kind: Deleted, Path: e.Path(), Old: e})
			}
			return
		}
		*out = append(*out, Change{Kind: Deleted, Path: x.Path(), Old: x})
		return
	case x == nil:
		if y.kind == List {
			for _, e := range y.children {
				*out = append(*out, Change{Kind: Added, Path: e.Path(), New: e})
			}
			return
		}
		*out = append(*out, Change{Kind: Added, Path: y.Path(), New: y})
		return
	}
	switch x.kind {
	case Leaf:
		if x.value != y.value {
			*out = append(*out, Change{Kind: Modified, Path: y.Path(), Old: x, New: y})
		}
		diffMeta(x, y, out)
	case LeafList:
		if !sameValues(x.values, y.values, x.s.ordered) {
			*out = append(*out, Change{Kind: Modified, Path: y.Path(), Old: x, New: y})
		}
		diffMeta(x, y, out)
	case Container, Entry:
		diffMeta(x, y, out)
		diffChildren(x, y, out)
	case List:
		diffList(x, y, out)
	}
}

func sameValues(a, b []string, ordered bool) bool {
	if ordered {
		return slices.Equal(a, b)
	}
	if len(a) != len(b) {
		return false
	}
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}

func diffList(x, y *Node, out *[]Change) {
	for _, e := range x.children {
		if y.Entry(e.keys...) == nil {
			*out = append(*out, Change{Kind: Deleted, Path: e.Path(), Old: e})
		}
	}
	if x.s.ordered {
		var xk, yk []string
		for _, e := range x.children {
			if y.Entry(e.keys...) != nil {
				xk = append(xk, joinKeys(e.keys))
			}
		}
		for _, e := range y.children {
			if x.Entry(e.keys...) != nil {
				yk = append(yk, joinKeys(e.keys))
			}
		}
		if !slices.Equal(xk, yk) {
			*out = append(*out, Change{Kind: Modified, Path: y.Path(), Old: x, New: y})
		}
	}
	for _, e := range y.children {
		if old := x.Entry(e.keys...); old != nil {
			diffNode(old, e, out)
		} else {
			*out = append(*out, Change{Kind: Added, Path: e.Path(), New: e})
		}
	}
}

// Compare returns the differences from a to b in the form of JunOS's
// "show | compare": for each place that changed, a "[edit PATH]" line,
// then the statements there: "-" removed, "+" added, "!" activated or
// deactivated, indented as in the hierarchical form. It is empty when the
// trees are the same.
func Compare(a, b *Tree) []byte {
	var buf bytes.Buffer
	ctx := "\x00"
	for _, c := range Diff(a, b) {
		node := c.New
		if node == nil {
			node = c.Old
		}
		here := context(node)
		if here != ctx {
			ctx = here
			buf.WriteString("[edit")
			if here != "" {
				buf.WriteByte(' ')
				buf.WriteString(here)
			}
			buf.WriteString("]\n")
		}
		writeChange(&buf, c)
	}
	return buf.Bytes()
}

// WriteCompare writes Compare to w.
func WriteCompare(w io.Writer, a, b *Tree) error {
	_, err := w.Write(Compare(a, b))
	return err
}

// context is the path of the container or entry that holds n, where its
// change is shown.
func context(n *Node) string {
	p := n.up()
	if n.kind == List {
		p = n.parent
	}
	if p == nil {
		return ""
	}
	return p.PathString()
}

func writeChange(b *bytes.Buffer, c Change) {
	switch c.Kind {
	case Added:
		prefixLines(b, "+", nodeText(c.New))
	case Deleted:
		prefixLines(b, "-", nodeText(c.Old))
	case Modified:
		if c.Old.kind == LeafList && !c.Old.s.ordered {
			for _, v := range c.Old.values {
				if !slices.Contains(c.New.values, v) {
					prefixLines(b, "-", Indent+c.Old.s.name+" "+quote(v)+";\n")
				}
			}
			for _, v := range c.New.values {
				if !slices.Contains(c.Old.values, v) {
					prefixLines(b, "+", Indent+c.New.s.name+" "+quote(v)+";\n")
				}
			}
			return
		}
		prefixLines(b, "-", bareText(c.Old))
		prefixLines(b, "+", bareText(c.New))
	case Activated, Deactivated:
		word := "active: "
		if c.Kind == Deactivated {
			word = "inactive: "
		}
		b.WriteString("!" + Indent + word + headline(c.New) + "\n")
	case Annotated:
		var old, cur bytes.Buffer
		writeNote(&old, c.Old.note, 1)
		writeNote(&cur, c.New.note, 1)
		prefixLines(b, "-", old.String())
		prefixLines(b, "+", cur.String())
		b.WriteString(" " + Indent + headline(c.New) + "\n")
	}
}

// nodeText is the hierarchical text of n at depth 1.
func nodeText(n *Node) string {
	var b bytes.Buffer
	writeNode(&b, n, 1)
	return b.String()
}

// bareText is nodeText without n's own annotation and inactive mark (they
// are changes of their own).
func bareText(n *Node) string {
	c := *n
	c.note, c.inactive = "", false
	return nodeText(&c)
}

// headline is the first line of n's statement, with "{ ... }" for a block:
// "peer p { ... }", "hold-time 90;".
func headline(n *Node) string {
	c := *n
	c.note, c.inactive = "", false
	line, rest, _ := strings.Cut(nodeText(&c), "\n")
	line = strings.TrimPrefix(line, Indent)
	if strings.HasSuffix(line, "{") && rest != "" {
		line += " ... }"
	}
	return line
}

func prefixLines(b *bytes.Buffer, prefix, text string) {
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		b.WriteString(prefix)
		b.WriteString(line)
	}
}
