package config

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"

	goyang "github.com/openconfig/goyang/pkg/yang"
)

// The metadata names (RFC 7952 form) that carry annotations and inactive
// flags in JSON: "@hold-time": {"ze-config:annotation": "…",
// "ze-config:inactive": true}; for a container or entry, an "@" member of
// its own object; for a leaf-list, the object is the first element of the
// "@name" array.
const (
	metaAnnotation = "ze-config:annotation"
	metaInactive   = "ze-config:inactive"
)

// JSON returns the tree as RFC 7951 JSON, indented by two spaces: members
// in schema order, top-level names (and names from another module than
// their parent's) qualified by their module, integers of up to 32 bits as
// numbers and other values as strings, an empty leaf as [null].
func (t *Tree) JSON() ([]byte, error) {
	var b bytes.Buffer
	writeObject(&b, t.root, "", 0)
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// WriteJSON writes JSON to w.
func (t *Tree) WriteJSON(w io.Writer) error {
	out, _ := t.JSON()
	_, err := w.Write(out)
	return err
}

func jsonIndent(b *bytes.Buffer, depth int) {
	b.WriteByte('\n')
	for range depth {
		b.WriteString("  ")
	}
}

func jsonString(b *bytes.Buffer, s string) {
	out, _ := json.Marshal(s)
	b.Write(out)
}

// memberName is the JSON name of n under a parent of module mod.
func memberName(sn *snode, mod string) string {
	if sn.module != mod {
		return sn.module + ":" + sn.name
	}
	return sn.name
}

// writeObject writes a container, entry or the root as an object.
func writeObject(b *bytes.Buffer, n *Node, mod string, depth int) {
	b.WriteByte('{')
	first := true
	member := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		jsonIndent(b, depth+1)
		jsonString(b, name)
		b.WriteString(": ")
	}
	if n.kind == Entry {
		for i, k := range n.s.keys {
			member(k.name)
			writeScalar(b, k, n.keys[i])
		}
	}
	for _, c := range n.children {
		if isVoid(c) {
			continue
		}
		name := memberName(c.s, mod)
		member(name)
		switch c.kind {
		case Leaf:
			writeScalar(b, c.s, c.value)
		case LeafList:
			b.WriteByte('[')
			for i, v := range c.values {
				if i > 0 {
					b.WriteString(", ")
				}
				writeScalar(b, c.s, v)
			}
			b.WriteByte(']')
		case Container:
			writeObject(b, c, c.s.module, depth+1)
		case List:
			b.WriteByte('[')
			for i, e := range c.children {
				if i > 0 {
					b.WriteByte(',')
				}
				jsonIndent(b, depth+2)
				writeObject(b, e, c.s.module, depth+2)
			}
			jsonIndent(b, depth+1)
			b.WriteByte(']')
		}
		if (c.kind == Leaf || c.kind == LeafList) && (c.note != "" || c.inactive) {
			member("@" + name)
			if c.kind == Leaf {
				writeMeta(b, c)
				continue
			}
			b.WriteByte('[')
			writeMeta(b, c)
			for range len(c.values) - 1 {
				b.WriteString(", null")
			}
			b.WriteByte(']')
		}
	}
	if (n.kind == Container || n.kind == Entry) && n.parent != nil && (n.note != "" || n.inactive) {
		member("@")
		writeMeta(b, n)
	}
	if !first {
		jsonIndent(b, depth)
	}
	b.WriteByte('}')
}

func writeMeta(b *bytes.Buffer, n *Node) {
	b.WriteByte('{')
	if n.note != "" {
		jsonString(b, metaAnnotation)
		b.WriteString(": ")
		jsonString(b, n.note)
	}
	if n.inactive {
		if n.note != "" {
			b.WriteString(", ")
		}
		jsonString(b, metaInactive)
		b.WriteString(": true")
	}
	b.WriteByte('}')
}

// writeScalar writes one value of a leaf or leaf-list of schema sn.
func writeScalar(b *bytes.Buffer, sn *snode, v string) {
	m := sn.typ.member(v)
	switch m.kind {
	case goyang.Yint8, goyang.Yint16, goyang.Yint32, goyang.Yuint8, goyang.Yuint16, goyang.Yuint32, goyang.Ybool:
		b.WriteString(v)
	case goyang.Yempty:
		b.WriteString("[null]")
	case goyang.Yidentityref: // RFC 7951 section 6.8: qualified by its module
		if i := slices.Index(m.idents, v); i >= 0 && m.identMods[i] != "" {
			v = m.identMods[i] + ":" + v
		}
		jsonString(b, v)
	default:
		jsonString(b, v)
	}
}
