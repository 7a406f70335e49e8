package config

import (
	"fmt"
	"slices"
	"strings"
)

// parser reads statements into a tree, from the hierarchical form
// (strict) or one line of the set form (line mode).
type parser struct {
	t        *Tree
	toks     []token
	i        int
	errs     *collector
	strict   bool     // hierarchical form: a leaf given twice is an error
	lineMode bool     // set form: the statement is all the tokens
	pending  []string // comments waiting for the node of the next statement
	last     *Node    // the node whose statement or block ended last
}

// peek returns the next token that is not a comment. Comments on the way
// become annotations: one on the line where a statement ended belongs to
// that statement's node, others to the next statement's.
func (p *parser) peek() token {
	for p.toks[p.i].kind == tComment {
		c := p.toks[p.i]
		p.i++
		switch {
		case p.lineMode:
		case !c.nl && p.last != nil:
			p.last.addNote(c.text)
		default:
			p.pending = append(p.pending, c.text)
		}
	}
	return p.toks[p.i]
}

func (p *parser) next() token {
	t := p.peek()
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// where names a data node for a message: its path, or "the top level".
func where(n *Node) string {
	if n.parent == nil {
		return "at the top level"
	}
	return "under " + n.PathString()
}

// pathOf is the path of a child called name of n, for messages.
func pathOf(n *Node, name ...string) string {
	return JoinPath(append(n.Path(), name...))
}

// parseBlock reads statements into n up to its closing "}" (or the end of
// the text for the root).
func (p *parser) parseBlock(n *Node, open token) {
	for !p.errs.full {
		t := p.peek()
		switch t.kind {
		case tEOF:
			if n.parent != nil {
				p.errs.add(open.pos, n.PathString(), `missing "}" to close %s (opened at %s)`, n.PathString(), open.pos)
			}
			p.attachDangling(n)
			return
		case tRBrace:
			p.i++
			if n.parent == nil {
				p.errs.add(t.pos, "", `unexpected "}" at the top level`)
				continue
			}
			p.attachDangling(n)
			p.last = n
			return
		case tWord, tString:
			p.statement(n)
		default:
			p.i++
			p.errs.add(t.pos, n.PathString(), "unexpected %s %s", t.describe(), where(n))
			if t.kind == tLBrace {
				p.skipBlock()
			}
		}
	}
}

// attachDangling gives comments that no statement followed to n (or, at
// the end of the text, to the node of the last statement).
func (p *parser) attachDangling(n *Node) {
	if len(p.pending) == 0 {
		return
	}
	target := n
	if n.parent == nil {
		if target = p.last; target == nil {
			p.pending = nil
			return
		}
	}
	target.addNote(strings.Join(p.pending, "\n"))
	p.pending = nil
}

// step is one node a statement names: a container, a list entry with its
// keys, or last a leaf or leaf-list.
type step struct {
	sn   *snode
	pos  Pos
	keys []string
}

// statement reads one statement into n: words that walk the schema from n
// (containers, list entries with their keys, a leaf with its value or a
// leaf-list with its values), then ";" or a block (or, in line mode, the
// end of the line). Nothing is added to the tree unless the words are all
// right. The node the statement ends at gets the comments that came
// before it and the "inactive:" mark.
func (p *parser) statement(n *Node) {
	p.last = nil
	inactive := false
	if t := p.peek(); t.kind == tWord && t.text == "inactive:" && !p.lineMode {
		inactive = true
		p.i++
	}
	sn := n.s
	var steps []step
	var vals []token
	for {
		t := p.next()
		if !t.isWord() {
			path := stepPath(n, steps)
			p.errs.add(t.pos, JoinPath(path), "expected a keyword %s, got %s", whereAt(path), t.describe())
			p.recover(t)
			return
		}
		c := sn.child(t.text)
		if c == nil || !c.config || c.isKey() {
			path := stepPath(n, steps)
			p.errs.add(t.pos, JoinPath(path), "%s", unknownMsg(path, sn, c, t.text))
			p.skip()
			return
		}
		sn = c
		st := step{sn: sn, pos: t.pos}
		here := func() string { return JoinPath(stepPath(n, steps, st)) } // for messages only
		ok := true
		switch sn.kind {
		case List:
			st.keys, ok = p.keys(sn, here)
		case Leaf:
			vals, ok = p.leafValue(sn, here, t)
		case LeafList:
			vals, ok = p.leafListValues(sn, here)
		}
		if !ok {
			p.skip()
			return
		}
		steps = append(steps, st)
		if sn.kind == Leaf || sn.kind == LeafList {
			break
		}
		if nx := p.peek(); !nx.isWord() || (!p.lineMode && nx.nl) {
			break // the statement ends at this container or entry
		}
	}
	node := p.apply(n, steps, vals)
	if node == nil {
		p.skip()
		return
	}
	if len(p.pending) > 0 {
		node.addNote(strings.Join(p.pending, "\n"))
		p.pending = p.pending[:0]
	}
	if inactive {
		node.inactive = true
	}
	p.end(node)
}

// stepPath returns the path of the node that steps lead to from n.
func stepPath(n *Node, steps []step, more ...step) []string {
	path := n.Path()
	for _, st := range append(steps[:len(steps):len(steps)], more...) {
		path = append(path, st.sn.name)
		path = append(path, st.keys...)
	}
	return path
}

// whereAt names the node at path for a message: "under PATH", or "at the
// top level".
func whereAt(path []string) string {
	if len(path) == 0 {
		return "at the top level"
	}
	return "under " + JoinPath(path)
}

// keys reads the keys after the name of the list sn; here is its path.
func (p *parser) keys(sn *snode, here func() string) ([]string, bool) {
	keys := make([]string, len(sn.keys))
	for i, k := range sn.keys {
		kt := p.peek()
		if !kt.isWord() || (p.strict && kt.nl) {
			at := here()
			p.errs.add(kt.pos, at, "missing the key %s of %s, got %s", k.name, at, kt.describe())
			return nil, false
		}
		p.i++
		c, msg := k.typ.check(kt.text)
		if msg != "" {
			at := here()
			p.errs.add(kt.pos, at, "%s: %s", at, msg)
			return nil, false
		}
		keys[i] = c
	}
	return keys, true
}

// leafValue reads a leaf's value: one word, or none for type empty (then
// the value is "" at the place of the keyword t).
func (p *parser) leafValue(sn *snode, here func() string, t token) ([]token, bool) {
	if sn.typ.kind == kindEmpty {
		return []token{{kind: tString, pos: t.pos}}, true
	}
	vt := p.peek()
	if !vt.isWord() {
		at := here()
		p.errs.add(vt.pos, at, "%s: missing value, got %s", at, vt.describe())
		return nil, false
	}
	p.i++
	c, msg := sn.typ.check(vt.text)
	if msg != "" {
		at := here()
		p.errs.add(vt.pos, at, "%s: %s", at, msg)
		return nil, false
	}
	vt.text = c
	return []token{vt}, true
}

// leafListValues reads one value or "[ values ]", each checked.
func (p *parser) leafListValues(sn *snode, here func() string) ([]token, bool) {
	var vals []token
	switch vt := p.peek(); {
	case vt.kind == tLBrack:
		p.i++
		for {
			w := p.peek()
			if w.kind == tRBrack {
				p.i++
				break
			}
			if !w.isWord() {
				at := here()
				p.errs.add(w.pos, at, `%s: missing "]" to close the values opened at %s, got %s`, at, vt.pos, w.describe())
				return nil, false
			}
			p.i++
			vals = append(vals, w)
		}
		if len(vals) == 0 {
			at := here()
			p.errs.add(vt.pos, at, "%s: [ ] holds no value", at)
			return nil, false
		}
	case vt.isWord():
		p.i++
		vals = append(vals, vt)
	default:
		at := here()
		p.errs.add(vt.pos, at, "%s: missing value, got %s", at, vt.describe())
		return nil, false
	}
	ok := true
	for i, v := range vals {
		c, msg := sn.typ.check(v.text)
		if msg != "" {
			at := here()
			p.errs.add(v.pos, at, "%s: %s", at, msg)
			ok = false
		}
		vals[i].text = c
	}
	return vals, ok
}

// apply adds the nodes of a statement to the tree under n and returns the
// last. A leaf given twice, or a value given twice to a leaf-list, is an
// error in the hierarchical form (nothing is added); in the set form the
// leaf's value is replaced and the value already there is kept once.
func (p *parser) apply(n *Node, steps []step, vals []token) *Node {
	last := steps[len(steps)-1]
	old := n
	for _, st := range steps {
		if old = old.childFor(st.sn); old != nil && st.sn.kind == List {
			old = old.Entry(st.keys...)
		}
		if old == nil {
			break
		}
	}
	switch last.sn.kind {
	case Leaf:
		if old != nil && p.strict {
			at := JoinPath(stepPath(n, steps))
			p.errs.add(last.pos, at, "%s: given twice (first at %s)", at, old.pos)
			return nil
		}
	case LeafList:
		have := map[string]bool{}
		if old != nil {
			for _, v := range old.values {
				have[v] = true
			}
		}
		kept := vals[:0]
		for _, v := range vals {
			switch {
			case !have[v.text]:
				have[v.text] = true
				kept = append(kept, v)
			case p.strict:
				at := JoinPath(stepPath(n, steps))
				p.errs.add(v.pos, at, "%s: value %s given twice", at, quote(v.text))
				return nil
			}
		}
		vals = kept
	}
	cur := n
	for _, st := range steps {
		if !p.strict {
			clearOtherCases(cur, st.sn)
		}
		c := cur.ensureChild(st.sn, st.pos)
		if st.sn.kind == List {
			c = c.ensureEntry(st.keys, st.pos)
		}
		cur = c
	}
	switch cur.kind {
	case Leaf:
		cur.value = vals[0].text
		cur.vpos = append(cur.vpos[:0], vals[0].pos)
		cur.pos = last.pos
	case LeafList:
		for _, v := range vals {
			cur.values = append(cur.values, v.text)
			cur.vpos = append(cur.vpos, v.pos)
		}
	}
	return cur
}

// end reads what ends a statement that named node.
func (p *parser) end(node *Node) {
	t := p.peek()
	if p.lineMode {
		if t.kind != tEOF {
			p.errs.add(t.pos, node.PathString(), "unexpected %s after %s", t.describe(), p.stmtText(node))
		}
		return
	}
	block := node.kind == Container || node.kind == Entry
	switch {
	case t.kind == tSemi:
		p.i++
		p.last = node
		return
	case t.kind == tLBrace && block:
		p.i++
		p.last = node
		p.parseBlock(node, t)
		return
	}
	if block {
		p.errs.add(t.pos, node.PathString(), `expected ";" or "{" after %s, got %s`, p.stmtText(node), t.describe())
	} else {
		p.errs.add(t.pos, node.PathString(), `expected ";" after %s, got %s`, p.stmtText(node), t.describe())
	}
	// A statement on a new line, a "}" or the end: only the ";" is missing.
	if t.nl || t.kind == tRBrace || t.kind == tEOF {
		p.last = node
		return
	}
	p.skip()
}

// stmtText is a short form of the statement that named node, for messages:
// its path, with the value of a leaf.
func (p *parser) stmtText(node *Node) string {
	s := node.PathString()
	switch node.kind {
	case Leaf:
		if node.value != "" {
			s += " " + quote(node.value)
		}
	case LeafList:
		if len(node.values) > 0 {
			s += " " + quote(node.values[len(node.values)-1])
		}
	}
	return s
}

// unknownMsg says that word is no keyword of the node at path (schema
// parent), and what it may be instead; sn is what the schema has by that
// name, if anything (a key, or state data).
func unknownMsg(path []string, parent, sn *snode, word string) string {
	at := "at the top level"
	if len(path) > 0 {
		at = "under " + JoinPath(path)
	}
	switch {
	case sn != nil && sn.isKey():
		return fmt.Sprintf("%q is the key of %s: it is given after %q, not inside", word, JoinPath(path), parent.name)
	case sn != nil && !sn.config:
		return fmt.Sprintf("%q %s is state data, not configuration", word, at)
	}
	msg := fmt.Sprintf("unknown keyword %q %s", word, at)
	if s := parent.nearest(word); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return msg
}

// skip moves past the rest of a statement: to its ";" or past its block,
// stopping before a "}" that closes the enclosing block. In line mode the
// rest of the line is the statement.
func (p *parser) skip() {
	for {
		t := p.toks[p.i]
		switch t.kind {
		case tEOF:
			return
		case tRBrace:
			if !p.lineMode {
				return
			}
		case tSemi:
			if !p.lineMode {
				p.i++
				return
			}
		case tLBrace:
			if !p.lineMode {
				p.i++
				p.skipBlock()
				return
			}
		}
		p.i++
	}
}

// skipBlock moves past the "}" that closes a block whose "{" was read.
func (p *parser) skipBlock() {
	depth := 1
	for {
		t := p.toks[p.i]
		switch t.kind {
		case tEOF:
			return
		case tLBrace:
			depth++
		case tRBrace:
			if depth--; depth == 0 {
				p.i++
				return
			}
		}
		p.i++
	}
}

// recover moves on after a token that cannot start a statement.
func (p *parser) recover(t token) {
	switch t.kind {
	case tLBrace:
		p.skipBlock()
	case tRBrace:
		p.i-- // let the enclosing block see it
	}
}

// clearOtherCases removes the children of cur that belong to another case
// of a choice that sn is in: setting a node of one case replaces the
// others (RFC 7950 section 7.9).
func clearOtherCases(cur *Node, sn *snode) {
	if len(sn.cases) == 0 {
		return
	}
	cur.children = slices.DeleteFunc(cur.children, func(c *Node) bool {
		for _, mine := range sn.cases {
			for _, theirs := range c.s.cases {
				if mine.choice == theirs.choice && mine.cas != theirs.cas {
					return true
				}
			}
		}
		return false
	})
}
