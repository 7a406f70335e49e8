package shell

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zebgp/ze/yang"
)

// A grammar says which arguments a command takes: check validates them,
// when the line is run (final) or when more words may follow (completion,
// help), and next lists what may follow them.
type grammar interface {
	check(sh *Shell, args []Token, final bool) *SyntaxError
	next(sh *Shell, args []Token) []Item
}

// endPos is the position just after the last token, for "missing …".
func endPos(args []Token, fallback int) int {
	if len(args) == 0 {
		return fallback
	}
	return args[len(args)-1].End + 1
}

// pathArgs is a configuration path relative to the edit level.
type pathArgs struct {
	kind     pathKind
	optional bool // may be empty
}

func (g pathArgs) check(sh *Shell, args []Token, final bool) *SyntaxError {
	if len(args) == 0 && g.optional {
		return nil
	}
	if len(args) == 0 && final {
		return &SyntaxError{Pos: -1, Msg: "missing configuration path"}
	}
	_, err := walk(sh.cursor(), args, g.kind, final)
	return err
}

func (g pathArgs) next(sh *Shell, args []Token) []Item {
	p, err := walk(sh.cursor(), args, g.kind, false)
	if err != nil {
		return nil
	}
	items := nextItems(p, g.kind)
	if (len(args) > 0 || g.optional) && complete(p, g.kind) == "" {
		items = append(items, Item{Word: "<[Enter]>", Help: "execute this command", Placeholder: true})
	}
	return items
}

// slot is one position of a seqArgs: keywords to choose from, or a
// placeholder value checked by valid.
type slot struct {
	words    []Item
	value    string // the placeholder, "<minutes>"
	help     string
	valid    func(string) string // "" when good
	optional bool                // this slot and those after it may be left out
}

// seqArgs is a fixed sequence of slots.
type seqArgs []slot

func (g seqArgs) check(_ *Shell, args []Token, final bool) *SyntaxError {
	for i, a := range args {
		if i >= len(g) {
			return &SyntaxError{Pos: a.Pos, Msg: fmt.Sprintf("unexpected %q", a.Text)}
		}
		if why := g[i].accept(a.Text); why != "" {
			return &SyntaxError{Pos: a.Pos, Msg: why}
		}
	}
	if final && len(args) < len(g) && !g[len(args)].optional {
		return &SyntaxError{Pos: endPos(args, -1), Msg: "missing " + g[len(args)].name()}
	}
	return nil
}

func (s slot) name() string {
	if s.value != "" {
		return s.value
	}
	return strings.Join(wordsOf(s.words), " or ")
}

func (s slot) accept(w string) string {
	for _, it := range s.words {
		if it.Word == w {
			return ""
		}
	}
	if s.valid != nil {
		return s.valid(w)
	}
	if s.value != "" {
		return ""
	}
	return fmt.Sprintf("unexpected %q: expecting %s", w, s.name())
}

func (g seqArgs) next(_ *Shell, args []Token) []Item {
	var out []Item
	if len(args) < len(g) {
		s := g[len(args)]
		out = append(out, s.words...)
		if s.value != "" {
			out = append(out, Item{Word: s.value, Help: s.help, Placeholder: true})
		}
	}
	if len(args) >= len(g) || g[len(args)].optional {
		out = append(out, Item{Word: "<[Enter]>", Help: "execute this command", Placeholder: true})
	}
	return out
}

func validUint(limit uint64) func(string) string {
	return func(w string) string {
		n, err := strconv.ParseUint(w, 10, 64)
		if err != nil || n > limit {
			return fmt.Sprintf("%q is not a number from 0 to %d", w, limit)
		}
		return ""
	}
}

func validRange(lo, hi uint64) func(string) string {
	return func(w string) string {
		n, err := strconv.ParseUint(w, 10, 64)
		if err != nil || n < lo || n > hi {
			return fmt.Sprintf("%q is not a number from %d to %d", w, lo, hi)
		}
		return ""
	}
}

// optArgs is a set of keywords in any order, each at most once, some with
// a value (commit check | comment "…" | confirmed N | and-quit).
type optArgs struct {
	opts []opt
}

type opt struct {
	word  string
	help  string
	value string              // the placeholder of its value, "" for none
	valid func(string) string // checks the value
	def   string              // the value when it is left out ("" : it must be given)
	alone bool                // may not be combined with others
}

func (g optArgs) find(w string) *opt {
	for i := range g.opts {
		if g.opts[i].word == w {
			return &g.opts[i]
		}
	}
	return nil
}

// parse returns the options given, with their values.
func (g optArgs) parse(args []Token, final bool) (map[string]string, *SyntaxError) {
	got := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		last := i == len(args)-1
		o := g.find(a.Text)
		if o == nil {
			return nil, &SyntaxError{Pos: a.Pos, Msg: fmt.Sprintf("unexpected %q: expecting %s", a.Text, strings.Join(wordsOf(g.items(nil)), ", "))}
		}
		if _, dup := got[o.word]; dup {
			return nil, &SyntaxError{Pos: a.Pos, Msg: fmt.Sprintf("%s given twice", o.word)}
		}
		if o.alone && len(args) > 1 || len(got) > 0 && g.anyAlone(got) {
			return nil, &SyntaxError{Pos: a.Pos, Msg: fmt.Sprintf("%s cannot be combined with other options", o.word)}
		}
		got[o.word] = ""
		if o.value != "" {
			if o.def != "" && (last || g.find(args[i+1].Text) != nil) {
				got[o.word] = o.def // the value may be left out
				continue
			}
			if last {
				if final {
					return nil, &SyntaxError{Pos: a.End + 1, Msg: "missing " + o.value + " after " + o.word}
				}
				return got, nil
			}
			i++
			if o.valid != nil {
				if why := o.valid(args[i].Text); why != "" {
					return nil, &SyntaxError{Pos: args[i].Pos, Msg: why}
				}
			}
			got[o.word] = args[i].Text
		}
	}
	return got, nil
}

func (g optArgs) anyAlone(got map[string]string) bool {
	for w := range got {
		if o := g.find(w); o != nil && o.alone {
			return true
		}
	}
	return false
}

func (g optArgs) items(got map[string]string) []Item {
	var out []Item
	for _, o := range g.opts {
		if _, ok := got[o.word]; ok {
			continue
		}
		if len(got) > 0 && (o.alone || g.anyAlone(got)) {
			continue
		}
		h := o.help
		if o.value != "" {
			h += " " + o.value
		}
		out = append(out, Item{Word: o.word, Help: h})
	}
	return out
}

func (g optArgs) check(_ *Shell, args []Token, final bool) *SyntaxError {
	_, err := g.parse(args, final)
	return err
}

func (g optArgs) next(_ *Shell, args []Token) []Item {
	got, err := g.parse(args, true)
	if len(args) > 0 {
		if o := g.find(args[len(args)-1].Text); o != nil && o.value != "" && o.def != "" {
			return append([]Item{{Word: o.value, Help: o.help + " (default " + o.def + ")", Placeholder: true}}, g.items(got)...)
		}
	}
	if err != nil {
		// a keyword waiting for its value
		if len(args) > 0 {
			if o := g.find(args[len(args)-1].Text); o != nil && o.value != "" {
				return []Item{{Word: o.value, Help: o.help, Placeholder: true}}
			}
		}
		return nil
	}
	return append(g.items(got), Item{Word: "<[Enter]>", Help: "execute this command", Placeholder: true})
}

// freeArgs takes any words (the commands components register).
type freeArgs struct{ help string }

func (freeArgs) check(*Shell, []Token, bool) *SyntaxError { return nil }

func (g freeArgs) next(*Shell, []Token) []Item {
	out := []Item{}
	if g.help != "" {
		out = append(out, Item{Word: g.help, Help: "arguments", Placeholder: true})
	}
	return append(out, Item{Word: "<[Enter]>", Help: "execute this command", Placeholder: true})
}

// textArgs is a path followed by one text word (annotate PATH "TEXT").
type textArgs struct{}

func (textArgs) check(sh *Shell, args []Token, final bool) *SyntaxError {
	if !final {
		if len(args) == 0 {
			return nil
		}
		_, err := walk(sh.cursor(), args[:len(args)-1], pathAny, false)
		return err
	}
	if len(args) < 2 {
		return &SyntaxError{Pos: endPos(args, -1), Msg: "missing path and comment text"}
	}
	_, err := walk(sh.cursor(), args[:len(args)-1], pathAny, true)
	return err
}

func (textArgs) next(sh *Shell, args []Token) []Item {
	p, err := walk(sh.cursor(), args, pathAny, false)
	if err != nil {
		return nil
	}
	items := nextItems(p, pathAny)
	if len(args) > 0 && complete(p, pathAny) == "" {
		items = append(items, Item{Word: `"<comment>"`, Help: "the comment text, in quotes", Placeholder: true})
	}
	return items
}

// moveArgs is FROM to TO (rename, copy): a list entry and its new keys.
type moveArgs struct{}

func (moveArgs) cut(args []Token) (from, to []Token, found bool) {
	for i, a := range args {
		if a.Text == "to" && !a.Quoted && i > 0 {
			return args[:i], args[i+1:], true
		}
	}
	return args, nil, false
}

func (g moveArgs) check(sh *Shell, args []Token, final bool) *SyntaxError {
	from, to, found := g.cut(args)
	if !found {
		if final {
			return &SyntaxError{Pos: endPos(args, -1), Msg: "missing: to NEW-NAME"}
		}
		return nil
	}
	p, err := walk(sh.cursor(), from, pathAny, true)
	if err != nil {
		return err
	}
	if p.node.Kind() != yang.List || p.data == nil { // an existing entry
		return &SyntaxError{Pos: from[0].Pos, Msg: "not an existing list entry: " + strings.Join(texts(from), " ")}
	}
	if final && len(to) == 0 {
		return &SyntaxError{Pos: endPos(args, -1), Msg: "missing the new name after to"}
	}
	return nil
}

func (g moveArgs) next(sh *Shell, args []Token) []Item {
	from, to, found := g.cut(args)
	if !found {
		p, err := walk(sh.cursor(), from, pathAny, false)
		if err != nil {
			return nil
		}
		items := nextItems(p, pathAny)
		if len(from) > 0 && p.node.Kind() == yang.List && !p.inList() {
			items = append(items, Item{Word: "to", Help: "the new name"})
		}
		return items
	}
	p, _ := walk(sh.cursor(), from, pathAny, true)
	if len(to) == 0 && p.node != nil {
		return []Item{
			{Word: p.node.Name(), Help: "an entry of the same list"},
			{Word: "<" + strings.Join(p.node.Keys(), " ") + ">", Help: "the new key", Placeholder: true},
		}
	}
	return []Item{{Word: "<[Enter]>", Help: "execute this command", Placeholder: true}}
}

// runArgs is an operational command run from configure mode.
type runArgs struct{}

func (runArgs) check(sh *Shell, args []Token, final bool) *SyntaxError {
	if len(args) == 0 {
		if final {
			return &SyntaxError{Pos: -1, Msg: "missing operational command"}
		}
		return nil
	}
	_, err := sh.checkLine(sh.opTree(), args, final)
	return err
}

func (runArgs) next(sh *Shell, args []Token) []Item {
	return sh.nextWords(sh.opTree(), args)
}
