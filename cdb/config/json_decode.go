package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonDecoder reads RFC 7951 JSON into a tree, token by token, so that
// entries keep their order and errors their place.
type jsonDecoder struct {
	src   []byte
	dec   *json.Decoder
	errs  *collector
	lines []int // offsets where lines start
	bad   bool  // a syntax error: stop

	lastOff int // the last offset posAt was asked for, and its place
	lastPos Pos
}

// decodeJSON reads src into t.
func decodeJSON(t *Tree, src []byte, errs *collector) {
	d := &jsonDecoder{src: src, dec: json.NewDecoder(bytes.NewReader(src)), errs: errs, lines: []int{0}}
	d.dec.UseNumber()
	for i, c := range src {
		if c == '\n' {
			d.lines = append(d.lines, i+1)
		}
	}
	pos, tok, ok := d.token()
	if !ok {
		return
	}
	if tok != json.Delim('{') {
		errs.add(pos, "", "JSON: want an object at the top, got %s", describeJSON(tok))
		return
	}
	d.object(t.root, "")
	if !d.bad {
		if pos, _, err := d.next(); !errors.Is(err, io.EOF) {
			errs.add(pos, "", "JSON: unexpected data after the top-level object")
		}
	}
}

// posAt returns the place of the byte offset off. Offsets mostly grow, so
// the column is counted on from the last one asked for on the same line:
// a long line costs no more than a short one.
func (d *jsonDecoder) posAt(off int) Pos {
	i := sort.Search(len(d.lines), func(i int) bool { return d.lines[i] > off }) - 1
	from, col := d.lines[i], 1
	if d.lastPos.Line == i+1 && d.lastOff <= off {
		from, col = d.lastOff, d.lastPos.Col
	}
	p := Pos{Line: i + 1, Col: col + utf8.RuneCount(d.src[from:off])}
	d.lastOff, d.lastPos = off, p
	return p
}

// next returns the next token and where it starts.
func (d *jsonDecoder) next() (Pos, json.Token, error) {
	off := int(d.dec.InputOffset())
	for off < len(d.src) && (isSpace(d.src[off]) || d.src[off] == ',' || d.src[off] == ':') {
		off++
	}
	tok, err := d.dec.Token()
	return d.posAt(min(off, len(d.src))), tok, err
}

// token is next, reporting a syntax error.
func (d *jsonDecoder) token() (Pos, json.Token, bool) {
	pos, tok, err := d.next()
	if err != nil {
		d.fail(pos, err)
		return pos, nil, false
	}
	return pos, tok, true
}

// fail reports a syntax error (at pos, unless the error has a place) and
// stops the decoding: the decoder cannot go on after one.
func (d *jsonDecoder) fail(pos Pos, err error) {
	if d.bad {
		return
	}
	d.bad = true
	var se *json.SyntaxError
	if errors.As(err, &se) {
		pos = d.posAt(min(int(se.Offset), len(d.src)))
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "unexpected end of the text"
	}
	d.errs.add(pos, "", "JSON: %s", msg)
}

func describeJSON(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(v))
	case string:
		return fmt.Sprintf("the string %q", v)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

// skip reads past one value.
func (d *jsonDecoder) skip() {
	var raw json.RawMessage
	if err := d.dec.Decode(&raw); err != nil {
		d.fail(d.posAt(min(int(d.dec.InputOffset()), len(d.src))), err)
	}
}

type jsonMeta struct {
	pos  Pos
	name string // "" for the object's own
	note string
	off  bool
	has  bool
}

// object reads the members of an object (its "{" read) into n, a
// container, an entry or the root; mod is the module of n.
func (d *jsonDecoder) object(n *Node, mod string) {
	var metas []jsonMeta
	for !d.bad && !d.errs.full && d.dec.More() {
		pos, tok, ok := d.token()
		if !ok {
			return
		}
		name, isName := tok.(string)
		if !isName {
			d.fail(pos, errors.New("want a member name"))
			return
		}
		if strings.HasPrefix(name, "@") {
			metas = append(metas, d.meta(pos, strings.TrimPrefix(name, "@")))
			continue
		}
		local := name
		if i := strings.IndexByte(name, ':'); i >= 0 {
			local = name[i+1:]
		}
		sn := n.s.child(local)
		if sn != nil && local != name && name[:len(name)-len(local)-1] != sn.module {
			sn = nil
		}
		if sn == nil || !sn.config || sn.isKey() {
			d.errs.add(pos, n.PathString(), "%s", unknownMsg(n.Path(), n.s, sn, name))
			d.skip()
			continue
		}
		if local == name && sn.module != mod {
			d.errs.add(pos, n.PathString(), "JSON: %q must be qualified by its module: %q", name, sn.module+":"+name)
		}
		d.member(n, sn, pos)
	}
	if !d.bad {
		d.token() // the "}"
	}
	for _, m := range metas {
		d.applyMeta(n, m)
	}
}

// member reads the value of the member sn of n.
func (d *jsonDecoder) member(n *Node, sn *snode, pos Pos) {
	path := pathOf(n, sn.name)
	if old := n.childFor(sn); old != nil && sn.kind != List {
		d.errs.add(pos, path, "%s: given twice (first at %s)", path, old.pos)
		d.skip()
		return
	}
	switch sn.kind {
	case Container:
		if !d.expect(json.Delim('{'), path) {
			return
		}
		d.object(n.ensureChild(sn, pos), sn.module)
	case List:
		if !d.expect(json.Delim('['), path) {
			return
		}
		for !d.bad && d.dec.More() {
			d.entry(n, sn, path)
		}
		if !d.bad {
			d.token()
		}
	case Leaf:
		vpos, v, ok := d.scalar(sn, path)
		if ok {
			c := n.ensureChild(sn, pos)
			c.value, c.vpos = v, []Pos{vpos}
		}
	case LeafList:
		if !d.expect(json.Delim('['), path) {
			return
		}
		var vals []string
		var vpos []Pos
		for !d.bad && d.dec.More() {
			p, v, ok := d.scalar(sn, path)
			switch {
			case !ok:
			case slices.Contains(vals, v):
				d.errs.add(p, path, "%s: value %s given twice", path, quote(v))
			default:
				vals = append(vals, v)
				vpos = append(vpos, p)
			}
		}
		if !d.bad {
			d.token()
		}
		if len(vals) > 0 {
			c := n.ensureChild(sn, pos)
			c.values, c.vpos = vals, vpos
		}
	}
}

// entry reads one entry of the list sn under n.
func (d *jsonDecoder) entry(n *Node, sn *snode, path string) {
	pos, tok, ok := d.token()
	if !ok {
		return
	}
	if tok != json.Delim('{') {
		d.errs.add(pos, path, "%s: want an object for an entry, got %s", path, describeJSON(tok))
		if _, isDelim := tok.(json.Delim); isDelim {
			d.skipRest()
		}
		return
	}
	// The keys may come anywhere in the object: read it into a loose
	// entry, then file it under its keys.
	tmp := &Node{s: sn, kind: Entry, parent: &Node{s: sn, kind: List, parent: n}, pos: pos}
	keys := make([]string, len(sn.keys))
	have := make([]bool, len(sn.keys))
	var metas []jsonMeta
	for !d.bad && !d.errs.full && d.dec.More() {
		mpos, mtok, ok := d.token()
		if !ok {
			return
		}
		name, isName := mtok.(string)
		if !isName {
			d.fail(mpos, errors.New("want a member name"))
			return
		}
		if strings.HasPrefix(name, "@") {
			metas = append(metas, d.meta(mpos, strings.TrimPrefix(name, "@")))
			continue
		}
		if i := slices.IndexFunc(sn.keys, func(k *snode) bool { return k.name == name }); i >= 0 {
			if _, v, ok := d.scalar(sn.keys[i], path); ok {
				keys[i], have[i] = v, true
			}
			continue
		}
		local := name
		if i := strings.IndexByte(name, ':'); i >= 0 {
			local = name[i+1:]
		}
		c := sn.child(local)
		if c == nil || !c.config || c.isKey() {
			d.errs.add(mpos, path, "%s", unknownMsg(strings.Fields(path), sn, c, name))
			d.skip()
			continue
		}
		d.member(tmp, c, mpos)
	}
	if !d.bad {
		d.token()
	}
	for i, k := range sn.keys {
		if !have[i] {
			d.errs.add(pos, path, "%s: an entry without its key %s", path, k.name)
			return
		}
	}
	l := n.ensureChild(sn, pos)
	if l.Entry(keys...) != nil {
		d.errs.add(pos, path, "%s %s: given twice", path, JoinPath(keys))
		return
	}
	e := l.ensureEntry(keys, pos)
	e.children = tmp.children
	for _, c := range e.children {
		c.parent = e
	}
	for _, m := range metas {
		d.applyMeta(e, m)
	}
}

// expect reads a token that must be want.
func (d *jsonDecoder) expect(want json.Delim, path string) bool {
	pos, tok, ok := d.token()
	if !ok {
		return false
	}
	if tok != want {
		d.errs.add(pos, path, "%s: want %q, got %s", path, string(want), describeJSON(tok))
		if _, isDelim := tok.(json.Delim); isDelim {
			d.skipRest()
		}
		return false
	}
	return true
}

// skipRest reads to the end of an object or array whose opening was read.
func (d *jsonDecoder) skipRest() {
	for !d.bad && d.dec.More() {
		d.skip()
	}
	if !d.bad {
		d.token()
	}
}

// scalar reads one value of a leaf or leaf-list: a string, a number, a
// boolean or [null] (for an empty leaf), checked against the type.
func (d *jsonDecoder) scalar(sn *snode, path string) (Pos, string, bool) {
	pos, tok, ok := d.token()
	if !ok {
		return pos, "", false
	}
	var text string
	switch v := tok.(type) {
	case string:
		text = v
	case json.Number:
		text = v.String()
	case bool:
		text = strconv.FormatBool(v)
	case json.Delim:
		if v == '[' && sn.typ.kind == kindEmpty {
			if _, n, ok := d.token(); ok && n == nil {
				if _, end, ok := d.token(); ok && end == json.Delim(']') {
					return pos, "", true
				}
			}
			d.errs.add(pos, path, "%s: an empty leaf is [null]", path)
			return pos, "", false
		}
		d.errs.add(pos, path, "%s: want a value, got %s", path, describeJSON(tok))
		d.skipRest()
		return pos, "", false
	default:
		d.errs.add(pos, path, "%s: want a value, got %s", path, describeJSON(tok))
		return pos, "", false
	}
	if sn.typ.kind == kindEmpty {
		d.errs.add(pos, path, "%s: an empty leaf is [null], got %s", path, describeJSON(tok))
		return pos, "", false
	}
	c, msg := sn.typ.check(text)
	if msg != "" {
		d.errs.add(pos, path, "%s: %s", path, msg)
		return pos, "", false
	}
	return pos, c, true
}

// meta reads the metadata object (or, for a leaf-list, array of objects)
// of the member name.
func (d *jsonDecoder) meta(pos Pos, name string) jsonMeta {
	m := jsonMeta{pos: pos, name: name}
	var raw json.RawMessage
	if err := d.dec.Decode(&raw); err != nil {
		d.fail(pos, err)
		return m
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		var arr []map[string]json.RawMessage
		if json.Unmarshal(raw, &arr) != nil || len(arr) == 0 {
			d.errs.add(pos, "", "JSON: metadata %q: want an object", "@"+name)
			return m
		}
		obj = arr[0]
	}
	for k, v := range obj {
		switch k {
		case metaAnnotation:
			if json.Unmarshal(v, &m.note) != nil {
				d.errs.add(pos, "", "JSON: %s: want a string", k)
			}
		case metaInactive:
			if json.Unmarshal(v, &m.off) != nil {
				d.errs.add(pos, "", "JSON: %s: want true or false", k)
			}
		default:
			d.errs.add(pos, "", "JSON: unknown metadata %q (want %s or %s)", k, metaAnnotation, metaInactive)
		}
	}
	m.has = true
	return m
}

// applyMeta gives the metadata to the node it is for.
func (d *jsonDecoder) applyMeta(n *Node, m jsonMeta) {
	if !m.has {
		return
	}
	target := n
	if m.name != "" {
		local := m.name
		if i := strings.IndexByte(local, ':'); i >= 0 {
			local = local[i+1:]
		}
		target = n.Child(local)
		if target == nil || target.kind != Leaf && target.kind != LeafList {
			d.errs.add(m.pos, n.PathString(), "JSON: metadata %q is for no leaf of %s", "@"+m.name, n.PathString())
			return
		}
	} else if n.parent == nil {
		d.errs.add(m.pos, "", "JSON: metadata for the top level")
		return
	}
	target.note = normalizeNote(m.note)
	target.inactive = m.off
}
