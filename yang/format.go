package yang

import (
	"bufio"
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
	bw := bufio.NewWriter(w)
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
			writeNodes(bw, tops, "  ")
		}
	} else {
		writeNodes(bw, []*Node{n}, "  ")
	}
	return bw.Flush()
}

// writeNodes writes sibling nodes with prefix before their "+--".
func writeNodes(w *bufio.Writer, nodes []*Node, prefix string) {
	width := 0
	for _, c := range nodes {
		if c.kind == Leaf || c.kind == LeafList {
			width = max(width, len(c.Name()+mark(c)))
		}
	}
	for i, c := range nodes {
		last := i == len(nodes)-1
		w.WriteString(prefix)
		w.WriteString(nodeLine(c, width))
		w.WriteByte('\n')
		if len(c.children) > 0 {
			next := prefix + "|  "
			if last {
				next = prefix + "   "
			}
			writeNodes(w, c.children, next)
		}
	}
}

func nodeLine(n *Node, width int) string {
	flags := "rw"
	if !n.Config() {
		flags = "ro"
	}
	switch n.kind {
	case Case:
		return "+--:(" + n.Name() + ")"
	case Choice:
		s := "+--" + flags + " (" + n.Name() + ")"
		if !n.Mandatory() {
			s += "?"
		}
		return s
	}
	s := "+--" + flags + " " + n.Name() + mark(n)
	switch n.kind {
	case List:
		if k := n.Keys(); len(k) > 0 {
			s += " [" + strings.Join(k, " ") + "]"
		}
	case Leaf, LeafList:
		if t := n.Type(); t != nil {
			pad := width - len(n.Name()+mark(n))
			s += strings.Repeat(" ", pad) + "   " + treeType(t)
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
