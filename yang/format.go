package yang

import (
	"io"
	"strings"
)

// WriteTree writes the schema tree in the form of `pyang -f tree` (RFC 8340):
// one line per node with its flags (rw for configuration, ro for state), its
// name with a mark (? optional, * list or leaf-list, ! presence container),
// the type of a leaf, and the keys of a list. For the root, each module's
// top-level nodes follow a "module: NAME" line; for another node, the node
// and its subtree.
func WriteTree(w io.Writer, t *Tree, n *Node) error {
	var bw strings.Builder
	if n.IsRoot() {
		first := true
		for _, m := range t.Modules() {
			var tops []*Node
			for _, c := range n.Children() {
				if c.Module() == m.Name {
					tops = append(tops, c)
				}
			}
			if len(tops) == 0 {
				continue
			}
			if !first {
				bw.WriteByte('\n')
			}
			first = false
			bw.WriteString("module: " + m.Name + "\n")
			writeNodes(&bw, t, tops, "  ")
		}
	} else {
		writeNodes(&bw, t, []*Node{n}, "  ")
	}
	_, err := io.WriteString(w, bw.String())
	return err
}

// writeNodes writes sibling nodes with prefix before their "+--". As pyang
// does, the types of the leaves line up one column after the longest
// sibling name, whatever its kind.
func writeNodes(w *strings.Builder, t *Tree, nodes []*Node, prefix string) {
	width := nameWidth(t, nodes)
	for i, c := range nodes {
		w.WriteString(prefix)
		w.WriteString(nodeLine(t, c, width))
		w.WriteByte('\n')
		if len(c.children) > 0 {
			next := prefix + "|  "
			if i == len(nodes)-1 {
				next = prefix + "   "
			}
			writeNodes(w, t, c.children, next)
		}
	}
}

// nameWidth returns the length of the longest name among nodes; a choice or
// case counts as its children plus the 3 columns of "(" ")" and the mark.
func nameWidth(t *Tree, nodes []*Node) int {
	width := 0
	for _, c := range nodes {
		n := len(displayName(t, c))
		if c.kind == Choice || c.kind == Case {
			n = 3 + nameWidth(t, c.children)
		}
		width = max(width, n)
	}
	return width
}

// displayName returns the name, with its module's prefix when the node comes
// from another module than its parent (an augment).
func displayName(t *Tree, n *Node) string {
	if p := n.parent; p != nil && !p.IsRoot() && p.module != n.module {
		if m := t.Module(n.module); m != nil && m.Prefix != "" {
			return m.Prefix + ":" + n.Name()
		}
	}
	return n.Name()
}

func nodeLine(t *Tree, n *Node, width int) string {
	flags := "rw"
	if !n.Config() {
		flags = "ro"
	}
	name := displayName(t, n)
	switch n.kind {
	case Case:
		return "+--:(" + name + ")"
	case Choice:
		s := "+--" + flags + " (" + name + ")"
		if !n.Mandatory() {
			s += "?"
		}
		return s
	}
	s := "+--" + flags + " " + name + mark(n)
	switch n.kind {
	case List:
		if k := n.Keys(); len(k) > 0 {
			s += " [" + strings.Join(k, " ") + "]"
		}
	case Leaf, LeafList:
		if ty := n.Type(); ty != nil {
			pad := width + 1 - len(name+mark(n))
			s += strings.Repeat(" ", pad) + "   " + treeType(ty)
		}
	}
	return s
}

// mark returns the suffix RFC 8340 gives a node name.
func mark(n *Node) string {
	switch n.kind {
	case List, LeafList:
		return "*"
	case Container:
		if _, ok := n.Presence(); ok {
			return "!"
		}
	case Leaf, AnyData:
		if !n.Mandatory() {
			return "?"
		}
	}
	return ""
}

func treeType(t *Type) string {
	if t.Kind() == "leafref" {
		return "-> " + t.Path()
	}
	return t.Name()
}
