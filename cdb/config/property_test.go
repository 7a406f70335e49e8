package config

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// valuePool holds candidate values; a generator keeps those a type accepts.
var valuePool = []string{
	"a", "ab", "abc", "x y", "UPPER", "XYZ", "0", "1", "3", "90", "255", "65535", "-1", "-10",
	"4294967295", "18446744073709551615", "1.5", "-1.5", "99.99", "true", "false",
	"192.0.2.1", "10.1.2.3", "2001:db8::1", "::", "10.0.0.0/24", "2001:db8::/32",
	"65000:100", "65000:1:2", "target:65000:100", "no-export", "65001 65002 {65010}",
	"ssh-ed25519 AAAAC3Nza x@y", "$6$salt$hash", "edge1.example.net", "bgp-rib", "/usr/bin/x",
	"quote\"and\\back", "tab\there", "#hash", "{brace}", "semi;colon", "[bracket]",
	"ünïcode ✓", "line\nbreak", "inactive:", "'single'", "AQID", "read write", "red", "none",
}

type treeGen struct {
	r *rand.Rand
	t *Tree
}

// value returns a random value of type t, or false when the pool has none.
func (g *treeGen) value(t *vtype) (string, bool) {
	var ok []string
	for _, v := range valuePool {
		if _, msg := t.check(v); msg == "" {
			ok = append(ok, v)
		}
	}
	ok = append(ok, t.enums...)
	ok = append(ok, t.idents...)
	for _, r := range t.ranges {
		ok = append(ok, r.Min.String(), r.Max.String())
	}
	var good []string
	for _, v := range ok {
		if _, msg := t.check(v); msg == "" {
			good = append(good, v)
		}
	}
	if len(good) == 0 {
		return "", false
	}
	return good[g.r.IntN(len(good))], true
}

func (g *treeGen) set(tb testing.TB, path []string) {
	tb.Helper()
	if err := g.t.Set(path); err != nil {
		tb.Fatalf("Set(%q): %v", path, err)
	}
}

// fill adds random data beneath the node of schema sn at path.
func (g *treeGen) fill(tb testing.TB, sn *snode, path []string, depth int) {
	for _, c := range sn.children {
		if !c.config || c.isKey() || g.r.IntN(10) < 5 || depth > 6 {
			continue
		}
		p := extend(path, c.name)
		switch c.kind {
		case Leaf:
			if c.typ.kind == kindEmpty {
				g.set(tb, p)
			} else if v, ok := g.value(c.typ); ok {
				g.set(tb, append(p, v))
			}
		case LeafList:
			for range 1 + g.r.IntN(3) {
				if v, ok := g.value(c.typ); ok {
					g.set(tb, extend(p, v))
				}
			}
		case Container:
			if c.presence {
				g.set(tb, p)
			}
			g.fill(tb, c, p, depth+1)
		case List:
			for range 1 + g.r.IntN(3) {
				ep := p
				ok := true
				for _, k := range c.keys {
					v, has := g.value(k.typ)
					ok = ok && has
					ep = extend(ep, v)
				}
				if !ok {
					break
				}
				g.set(tb, ep)
				g.fill(tb, c, ep, depth+1)
			}
		}
	}
}

// mark annotates and deactivates random nodes.
func (g *treeGen) mark() {
	notes := []string{"a note", "two\nlines", " leading blank", "", "trailing\n", "# hash", "ünï"}
	g.t.Walk(func(n *Node) bool {
		if n.kind == List {
			return true
		}
		if g.r.IntN(8) == 0 {
			n.note = normalizeNote(notes[g.r.IntN(len(notes))])
		}
		if g.r.IntN(12) == 0 {
			n.inactive = true
		}
		return true
	})
}

// Random trees over the core and test schemas read back Equal from each
// of their forms, and Diff finds nothing between a tree and its clone but
// something between trees that are not Equal.
func TestPropertyRoundTrip(t *testing.T) {
	y := testSchema(t)
	var prev *Tree
	for seed := range uint64(300) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			g := &treeGen{r: rand.New(rand.NewPCG(seed, 7)), t: New(y)}
			g.fill(t, g.t.s.root, nil, 0)
			g.mark()
			roundTrip(t, g.t)
			if d := Diff(g.t, g.t.Clone()); len(d) != 0 {
				t.Fatalf("Diff with its clone: %v", d)
			}
			if prev != nil && !prev.Equal(g.t) && len(Diff(prev, g.t)) == 0 && len(Compare(prev, g.t)) == 0 {
				t.Fatalf("no difference found between\n%s\nand\n%s", prev.Text(), g.t.Text())
			}
			prev = g.t
		})
	}
}
