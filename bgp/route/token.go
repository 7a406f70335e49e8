package route

import (
	"fmt"
	"strings"
)

// token is one word of a command with its position (1-based column) for errors.
type token struct {
	text string
	col  int
}

// tokenize splits a command on white space; '[', ']', '(' and ')' are tokens
// of their own even when written against a word ("[65001" is "[" "65001").
func tokenize(s string) []token {
	var out []token
	start := -1
	flush := func(i int) {
		if start >= 0 {
			out = append(out, token{s[start:i], start + 1})
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			flush(i)
		case '[', ']', '(', ')':
			flush(i)
			out = append(out, token{s[i : i+1], i + 1})
		default:
			if start < 0 {
				start = i
			}
		}
	}
	flush(len(s))
	return out
}

// Error is a parse error that points at the failing word.
type Error struct {
	Col   int    // 1-based column of the token, 0 at end of input
	Token string // the failing token, empty at end of input
	Msg   string
}

func (e *Error) Error() string {
	if e.Token == "" {
		return "route: at end of command: " + e.Msg
	}
	return fmt.Sprintf("route: column %d %q: %s", e.Col, e.Token, e.Msg)
}

// parser walks the tokens.
type parser struct {
	toks []token
	pos  int
}

func (p *parser) done() bool { return p.pos >= len(p.toks) }

func (p *parser) peek() string {
	if p.done() {
		return ""
	}
	return p.toks[p.pos].text
}

func (p *parser) next() (token, bool) {
	if p.done() {
		return token{}, false
	}
	t := p.toks[p.pos]
	p.pos++
	return t, true
}

// errAt reports an error at token t (or at the end if t is empty).
func errAt(t token, format string, args ...any) *Error {
	return &Error{Col: t.col, Token: t.text, Msg: fmt.Sprintf(format, args...)}
}

// values reads one value or a bracketed list "[a b c]".
func (p *parser) values(what string) ([]token, error) {
	t, ok := p.next()
	if !ok {
		return nil, errAt(t, "missing value for %s", what)
	}
	if t.text == "]" {
		return nil, errAt(t, "unexpected ] (no list is open)")
	}
	if t.text != "[" {
		return []token{t}, nil
	}
	var vs []token
	for {
		v, ok := p.next()
		if !ok {
			return nil, errAt(token{}, "list for %s opened at column %d is not closed with ]", what, t.col)
		}
		if v.text == "]" {
			return vs, nil
		}
		if v.text == "[" {
			return nil, errAt(v, "nested [ in the list for %s", what)
		}
		vs = append(vs, v)
	}
}

// suggest returns the word of words nearest to s, if near enough.
func suggest(s string, words []string) string {
	best, bestD := "", 3
	for _, w := range words {
		if d := distance(s, w); d < bestD || (d == bestD && best == "" && strings.HasPrefix(w, s)) {
			best, bestD = w, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
