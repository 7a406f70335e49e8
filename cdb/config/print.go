package config

import (
	"bytes"
	"errors"
	"io"
	"strings"
)

// Indent is the indentation of one level in the hierarchical form.
const Indent = "    "

// Text returns the canonical hierarchical text of the tree: nodes in schema
// order (entries and leaf-list values in their order), one statement per
// line, four spaces per level, values quoted only where needed, each
// annotation as "# " lines above its node and "inactive: " before an
// inactive node. Two trees are Equal exactly when their texts are the same.
func (t *Tree) Text() []byte {
	var b bytes.Buffer
	for _, c := range t.root.children {
		writeNode(&b, c, 0)
	}
	return b.Bytes()
}

// WriteText writes Text to w.
func (t *Tree) WriteText(w io.Writer) error {
	_, err := w.Write(t.Text())
	return err
}

// Format returns the tree in the form f (Auto is Hierarchical).
func (t *Tree) Format(f Format) ([]byte, error) {
	switch f {
	case Auto, Hierarchical:
		return t.Text(), nil
	case SetForm:
		return t.SetText(), nil
	case JSON:
		return t.JSON()
	}
	return nil, errors.New("config: unknown format")
}

func writeIndent(b *bytes.Buffer, depth int) {
	for range depth {
		b.WriteString(Indent)
	}
}

// writeNote writes an annotation as comment lines.
func writeNote(b *bytes.Buffer, note string, depth int) {
	if note == "" {
		return
	}
	for _, line := range strings.Split(note, "\n") {
		writeIndent(b, depth)
		if line == "" {
			b.WriteString("#\n")
		} else {
			b.WriteString("# ")
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
}

// hasContent reports whether a container or entry has a child to print.
func hasContent(n *Node) bool {
	for _, c := range n.children {
		if !isVoid(c) {
			return true
		}
	}
	return false
}

func writeNode(b *bytes.Buffer, n *Node, depth int) {
	if isVoid(n) {
		return
	}
	if n.kind == List {
		for _, e := range n.children {
			writeNode(b, e, depth)
		}
		return
	}
	writeNote(b, n.note, depth)
	writeIndent(b, depth)
	if n.inactive {
		b.WriteString("inactive: ")
	}
	b.WriteString(n.s.name)
	switch n.kind {
	case Entry:
		for _, k := range n.keys {
			b.WriteByte(' ')
			b.WriteString(quote(k))
		}
	case Leaf:
		if n.s.typ.kind != kindEmpty {
			b.WriteByte(' ')
			b.WriteString(quote(n.value))
		}
		b.WriteString(";\n")
		return
	case LeafList:
		writeValues(b, n.values)
		b.WriteString(";\n")
		return
	}
	if !hasContent(n) {
		b.WriteString(";\n")
		return
	}
	b.WriteString(" {\n")
	for _, c := range n.children {
		writeNode(b, c, depth+1)
	}
	writeIndent(b, depth)
	b.WriteString("}\n")
}

// writeValues writes a leaf-list's values: " v" for one, " [ a b ]" for more.
func writeValues(b *bytes.Buffer, vals []string) {
	if len(vals) == 1 {
		b.WriteByte(' ')
		b.WriteString(quote(vals[0]))
		return
	}
	b.WriteString(" [")
	for _, v := range vals {
		b.WriteByte(' ')
		b.WriteString(quote(v))
	}
	b.WriteString(" ]")
}

// SetText returns the tree in the set form: one "set" line per leaf value
// (and per entry or presence container with nothing beneath it), in the
// order of Text; after each annotated or inactive node's lines, an
// "annotate PATH TEXT" or "deactivate PATH" line. Reading it with
// ApplySet on an empty tree gives an Equal tree.
func (t *Tree) SetText() []byte {
	var b bytes.Buffer
	for _, c := range t.root.children {
		writeSet(&b, c)
	}
	return b.Bytes()
}

func writeSet(b *bytes.Buffer, n *Node) {
	if isVoid(n) {
		return
	}
	if n.kind == List {
		for _, e := range n.children {
			writeSet(b, e)
		}
		return
	}
	path := n.PathString()
	switch n.kind {
	case Leaf:
		b.WriteString("set ")
		b.WriteString(path)
		if n.s.typ.kind != kindEmpty {
			b.WriteByte(' ')
			b.WriteString(quote(n.value))
		}
		b.WriteByte('\n')
	case LeafList:
		for _, v := range n.values {
			b.WriteString("set ")
			b.WriteString(path)
			b.WriteByte(' ')
			b.WriteString(quote(v))
			b.WriteByte('\n')
		}
	default:
		if !hasContent(n) {
			b.WriteString("set ")
			b.WriteString(path)
			b.WriteByte('\n')
		}
		for _, c := range n.children {
			writeSet(b, c)
		}
	}
	if n.note != "" {
		b.WriteString("annotate ")
		b.WriteString(path)
		b.WriteByte(' ')
		b.WriteString(quote(n.note))
		b.WriteByte('\n')
	}
	if n.inactive {
		b.WriteString("deactivate ")
		b.WriteString(path)
		b.WriteByte('\n')
	}
}
