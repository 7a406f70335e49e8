package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ErrNotFound is returned (wrapped) by an edit of a node that is not there.
var ErrNotFound = errors.New("config: not found")

// A path names a node the way the set form does: schema names, each list
// name followed by the values of its keys, and for Set the value of a leaf
// or leaf-list last:
//
//	[]string{"bgp", "group", "g", "peer", "p", "hold-time", "90"}
//
// A path may end at a list's name (all its entries), an entry, a
// container, a leaf or a leaf-list.

// Set sets what path names, creating what is missing on the way: a leaf's
// value (replacing the old one), a value added to a leaf-list, or an empty
// container or entry. Setting a node of one case of a choice removes the
// nodes of the other cases.
func (t *Tree) Set(path []string) error {
	errs := newCollector(t.File, 1)
	if len(path) == 0 {
		return errors.New("config: set: empty path")
	}
	p := &parser{t: t, toks: wordTokens(path), errs: errs, lineMode: true}
	p.statement(t.root)
	return errs.errs.Err()
}

// Get returns the node at path, or nil when it is not in the tree. The
// error is for a path the schema does not have.
func (t *Tree) Get(path []string) (*Node, error) {
	errs := newCollector(t.File, 1)
	l, ok := t.lookup(wordTokens(path), errs, false)
	if !ok {
		return nil, errs.errs.Err()
	}
	return l.node, nil
}

// Delete removes what path names with everything beneath it; a path that
// ends in a value removes that value of a leaf-list (or the leaf, if it
// has this value). Containers left void are removed too. It returns an
// error wrapping ErrNotFound when there is nothing to remove.
func (t *Tree) Delete(path []string) error {
	errs := newCollector(t.File, 1)
	l, ok := t.lookup(wordTokens(path), errs, true)
	if !ok {
		return errs.errs.Err()
	}
	return t.deleteAt(l)
}

// Deactivate marks the node at path inactive: kept, but not applied.
func (t *Tree) Deactivate(path []string) error { return t.setInactive(path, true) }

// Activate clears the inactive mark of the node at path.
func (t *Tree) Activate(path []string) error { return t.setInactive(path, false) }

// Annotate attaches text to the node at path as its comment, replacing the
// one it had; an empty text removes it.
func (t *Tree) Annotate(path []string, text string) error {
	n, err := t.existing(path)
	if err != nil {
		return err
	}
	n.note = normalizeNote(text)
	return nil
}

func (t *Tree) setInactive(path []string, on bool) error {
	n, err := t.existing(path)
	if err != nil {
		return err
	}
	n.inactive = on
	return nil
}

// existing returns the node at path that can carry a mark: not a whole list.
func (t *Tree) existing(path []string) (*Node, error) {
	n, err := t.Get(path)
	switch {
	case err != nil:
		return nil, err
	case n == nil:
		return nil, fmt.Errorf("%s: %w", JoinPath(path), ErrNotFound)
	case n.kind == List:
		return nil, fmt.Errorf("config: %s names a whole list: name one entry", JoinPath(path))
	}
	return n, nil
}

// normalizeNote makes text an annotation that prints and reads back the
// same: valid UTF-8, no carriage return at the end of a line.
func normalizeNote(text string) string {
	lines := strings.Split(strings.ToValidUTF8(text, "\uFFFD"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return strings.Join(lines, "\n")
}

// wordTokens turns path words into tokens that are taken literally.
func wordTokens(words []string) []token {
	toks := make([]token, 0, len(words)+1)
	for _, w := range words {
		toks = append(toks, token{kind: tString, text: w})
	}
	return append(toks, token{kind: tEOF})
}

// loc is where a path leads.
type loc struct {
	sn       *snode
	parent   *Node // the container or entry that holds the node; nil when absent
	node     *Node // the node; nil when absent
	value    string
	hasValue bool
	path     []string
	pos      Pos
}

// lookup follows path words from the root without changing anything.
func (t *Tree) lookup(ws []token, errs *collector, allowValue bool) (loc, bool) {
	var l loc
	ws = ws[:len(ws)-1] // the tEOF
	if len(ws) == 0 {
		errs.add(Pos{}, "", "missing path")
		return l, false
	}
	l.pos = ws[0].pos
	cur, csn := t.root, t.s.root
	for i := 0; i < len(ws); {
		w := ws[i]
		if !w.isWord() {
			errs.add(w.pos, JoinPath(l.path), "expected a keyword, got %s", w.describe())
			return l, false
		}
		sn := csn.child(w.text)
		if sn == nil || !sn.config || sn.isKey() {
			errs.add(w.pos, JoinPath(l.path), "%s", unknownMsg(l.path, csn, sn, w.text))
			return l, false
		}
		i++
		l.sn, l.parent = sn, cur
		l.path = append(l.path, sn.name)
		var n *Node
		if cur != nil {
			n = cur.childFor(sn)
		}
		switch sn.kind {
		case Container:
			cur, csn = n, sn
		case List:
			if i == len(ws) {
				l.node = n
				return l, true
			}
			if len(ws)-i < len(sn.keys) {
				k := sn.keys[len(ws)-i]
				errs.add(ws[len(ws)-1].pos, JoinPath(l.path), "missing the key %s of %s", k.name, JoinPath(l.path))
				return l, false
			}
			keys := make([]string, len(sn.keys))
			for j, k := range sn.keys {
				kw := ws[i+j]
				c, msg := k.typ.check(kw.text)
				if msg != "" {
					errs.add(kw.pos, JoinPath(l.path), "%s: %s", JoinPath(l.path), msg)
					return l, false
				}
				keys[j] = c
			}
			i += len(sn.keys)
			l.path = append(l.path, keys...)
			var e *Node
			if n != nil {
				e = n.Entry(keys...)
			}
			cur, csn = e, sn
		case Leaf, LeafList:
			l.node = n
			if i < len(ws) {
				if !allowValue {
					errs.add(ws[i].pos, JoinPath(l.path), "unexpected %s after %s: a path names no value", ws[i].describe(), JoinPath(l.path))
					return l, false
				}
				c, msg := sn.typ.check(ws[i].text)
				if msg != "" {
					c = ws[i].text // no such value can be there: Delete reports it missing
				}
				l.value, l.hasValue = c, true
				i++
			}
			if i < len(ws) {
				errs.add(ws[i].pos, JoinPath(l.path), "unexpected %s after %s", ws[i].describe(), JoinPath(l.path))
				return l, false
			}
			return l, true
		}
	}
	l.node = cur
	return l, true
}

// deleteAt removes what l names.
func (t *Tree) deleteAt(l loc) error {
	n := l.node
	if n == nil {
		return fmt.Errorf("%s: %w", JoinPath(l.path), ErrNotFound)
	}
	if l.hasValue {
		switch n.kind {
		case Leaf:
			if n.value != l.value {
				return fmt.Errorf("%s %s: %w", JoinPath(l.path), quote(l.value), ErrNotFound)
			}
		case LeafList:
			i := indexOf(n.values, l.value)
			if i < 0 {
				return fmt.Errorf("%s %s: %w", JoinPath(l.path), quote(l.value), ErrNotFound)
			}
			n.values = append(n.values[:i], n.values[i+1:]...)
			if i < len(n.vpos) {
				n.vpos = append(n.vpos[:i], n.vpos[i+1:]...)
			}
			if len(n.values) > 0 {
				return nil
			}
		}
	}
	removeUp(n)
	return nil
}

// removeUp removes n from its parent, then every parent that is left void.
func removeUp(n *Node) {
	for p := n.parent; p != nil; n, p = p, p.parent {
		p.removeChild(n)
		emptied := p.kind == List && len(p.children) == 0 || p.kind == Container && isVoid(p)
		if p.parent == nil || !emptied {
			return
		}
	}
}

func indexOf(vals []string, v string) int {
	for i, x := range vals {
		if x == v {
			return i
		}
	}
	return -1
}

// setVerbs are the commands of the set form.
var setVerbs = map[string]func(t *Tree, line []token, errs *collector){
	"set":        (*Tree).setLine,
	"delete":     (*Tree).deleteLine,
	"deactivate": func(t *Tree, line []token, errs *collector) { t.markLine(line, errs, true) },
	"activate":   func(t *Tree, line []token, errs *collector) { t.markLine(line, errs, false) },
	"annotate":   (*Tree).annotateLine,
}

var verbNames = []string{"set", "delete", "deactivate", "activate", "annotate"}

// ApplySet applies set-form lines to t in order: set, delete, deactivate,
// activate and annotate commands; blank lines and # comments are skipped.
// A delete of something not there is no error. Every error is returned.
func (t *Tree) ApplySet(src []byte, o Options) error {
	errs := newCollector(o.File, o.MaxErrors)
	t.applySet(src, errs)
	prune(t.root)
	return errs.errs.Err()
}

func (t *Tree) applySet(src []byte, errs *collector) {
	toks := tokenize(src, errs)
	for i := 0; toks[i].kind != tEOF && !errs.full; {
		j := i + 1
		for toks[j].kind != tEOF && !toks[j].nl {
			j++
		}
		var line []token
		for _, tk := range toks[i:j] {
			if tk.kind != tComment {
				line = append(line, tk)
			}
		}
		i = j
		if len(line) == 0 {
			continue
		}
		last := line[len(line)-1]
		end := Pos{Line: last.pos.Line, Col: last.pos.Col + utf8.RuneCountInString(last.text) + 1}
		line = append(line, token{kind: tEOF, pos: end})
		verb := line[0]
		do := setVerbs[verb.text]
		if verb.kind != tWord || do == nil {
			msg := fmt.Sprintf("unknown command %s: want set, delete, deactivate, activate or annotate", verb.describe())
			if s := nearest(verb.text, verbNames); s != "" && verb.isWord() {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			errs.add(verb.pos, "", "%s", msg)
			continue
		}
		do(t, line, errs)
	}
}

func (t *Tree) setLine(line []token, errs *collector) {
	if line[1].kind == tEOF {
		errs.add(line[1].pos, "", "set: missing path")
		return
	}
	p := &parser{t: t, toks: line[1:], errs: errs, lineMode: true}
	p.statement(t.root)
}

func (t *Tree) deleteLine(line []token, errs *collector) {
	l, ok := t.lookup(line[1:], errs, true)
	if !ok {
		return
	}
	_ = t.deleteAt(l) // deleting what is not there is no error in a set file
}

func (t *Tree) markLine(line []token, errs *collector, inactive bool) {
	if n := t.lineNode(line[1:], errs, line[0].text); n != nil {
		n.inactive = inactive
	}
}

func (t *Tree) annotateLine(line []token, errs *collector) {
	if len(line) < 4 {
		errs.add(line[0].pos, "", "annotate: want a path and a text")
		return
	}
	text := line[len(line)-2]
	rest := slices.Concat(line[1:len(line)-2], line[len(line)-1:])
	if n := t.lineNode(rest, errs, "annotate"); n != nil {
		n.note = normalizeNote(text.text)
	}
}

// lineNode returns the node a command line names, which must be there.
func (t *Tree) lineNode(ws []token, errs *collector, verb string) *Node {
	l, ok := t.lookup(ws, errs, false)
	switch {
	case !ok:
		return nil
	case l.node == nil:
		errs.add(l.pos, JoinPath(l.path), "%s: %s is not in the configuration", verb, JoinPath(l.path))
		return nil
	case l.node.kind == List:
		errs.add(l.pos, JoinPath(l.path), "%s: %s names a whole list: name one entry", verb, JoinPath(l.path))
		return nil
	}
	return l.node
}
