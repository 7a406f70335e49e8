package config

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF     tokKind = iota
	tWord            // a bare word
	tString          // a quoted string (text holds it unquoted)
	tLBrace          // {
	tRBrace          // }
	tSemi            // ;
	tLBrack          // [
	tRBrack          // ]
	tComment         // # to the end of the line (text holds what follows "# ")
)

// token is one token of a configuration text.
type token struct {
	kind tokKind
	text string
	pos  Pos
	nl   bool // the first token of its line
}

// describe names the token for a message: `"}"`, `"hold-time"`, `end of file`.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tLBrace:
		return `"{"`
	case tRBrace:
		return `"}"`
	case tSemi:
		return `";"`
	case tLBrack:
		return `"["`
	case tRBrack:
		return `"]"`
	case tComment:
		return "a comment"
	}
	return quoteMsg(t.text)
}

// isWord reports whether the token is a word or a string: something that
// can be a keyword, a key or a value.
func (t token) isWord() bool { return t.kind == tWord || t.kind == tString }

// isSpace reports whether c separates tokens.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isPunct reports whether c is a token of its own.
func isPunct(c byte) bool {
	return c == '{' || c == '}' || c == ';' || c == '[' || c == ']'
}

// lexer splits a configuration text into tokens. Columns count characters
// (a tab counts one).
type lexer struct {
	src  []byte
	off  int
	line int
	col  int
	nl   bool
	errs *collector
}

// tokenize returns the tokens of src, ending with tEOF. Problems (an
// unterminated string, an unknown escape, invalid UTF-8) go to errs; the
// tokens are still returned as well as they can be read.
func tokenize(src []byte, errs *collector) []token {
	lx := &lexer{src: src, line: 1, col: 1, nl: true, errs: errs}
	toks := make([]token, 0, len(src)/4+1)
	for {
		t := lx.next()
		toks = append(toks, t)
		if t.kind == tEOF {
			return toks
		}
	}
}

func (lx *lexer) pos() Pos { return Pos{Line: lx.line, Col: lx.col} }

// advance moves over one byte, keeping line and column.
func (lx *lexer) advance() {
	c := lx.src[lx.off]
	lx.off++
	switch {
	case c == '\n':
		lx.line++
		lx.col = 1
		lx.nl = true
	case c&0xC0 != 0x80: // not a UTF-8 continuation byte
		lx.col++
	}
}

func (lx *lexer) next() token {
	for lx.off < len(lx.src) && isSpace(lx.src[lx.off]) {
		lx.advance()
	}
	nl := lx.nl
	lx.nl = false
	pos := lx.pos()
	if lx.off >= len(lx.src) {
		return token{kind: tEOF, pos: pos, nl: true}
	}
	c := lx.src[lx.off]
	switch c {
	case '{', '}', ';', '[', ']':
		lx.advance()
		return token{kind: punctKinds[c], pos: pos, nl: nl}
	case '#':
		start := lx.off + 1
		for lx.off < len(lx.src) && lx.src[lx.off] != '\n' {
			lx.advance()
		}
		text := strings.TrimRight(string(lx.src[start:lx.off]), "\r")
		text = strings.TrimPrefix(text, " ")
		lx.checkUTF8(text, pos)
		return token{kind: tComment, text: text, pos: pos, nl: nl}
	case '"':
		return token{kind: tString, text: lx.doubleQuoted(pos), pos: pos, nl: nl}
	case '\'':
		lx.advance()
		start := lx.off
		for lx.off < len(lx.src) && lx.src[lx.off] != '\'' {
			lx.advance()
		}
		text := string(lx.src[start:lx.off])
		if lx.off >= len(lx.src) {
			lx.errs.add(pos, "", "unterminated string: missing the closing '")
		} else {
			lx.advance()
		}
		lx.checkUTF8(text, pos)
		return token{kind: tString, text: text, pos: pos, nl: nl}
	}
	start := lx.off
	for lx.off < len(lx.src) && !isSpace(lx.src[lx.off]) && !isPunct(lx.src[lx.off]) {
		lx.advance()
	}
	text := string(lx.src[start:lx.off])
	lx.checkUTF8(text, pos)
	return token{kind: tWord, text: text, pos: pos, nl: nl}
}

// doubleQuoted reads a "string" with the escapes \" \\ \n \t \r.
func (lx *lexer) doubleQuoted(pos Pos) string {
	lx.advance()
	var b strings.Builder
	start := lx.off
	for {
		if lx.off >= len(lx.src) {
			lx.errs.add(pos, "", `unterminated string: missing the closing "`)
			break
		}
		c := lx.src[lx.off]
		if c == '"' {
			b.Write(lx.src[start:lx.off])
			lx.advance()
			break
		}
		if c != '\\' {
			lx.advance()
			continue
		}
		b.Write(lx.src[start:lx.off])
		epos := lx.pos()
		lx.advance()
		if lx.off >= len(lx.src) {
			continue
		}
		e := lx.src[lx.off]
		switch e {
		case '"', '\\':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		default:
			lx.errs.add(epos, "", `unknown escape "\%c" in a string: use \" \\ \n \t or \r`, e)
			b.WriteByte('\\')
			b.WriteByte(e)
		}
		lx.advance()
		start = lx.off
	}
	s := b.String()
	lx.checkUTF8(s, pos)
	return s
}

func (lx *lexer) checkUTF8(s string, pos Pos) {
	if !utf8.ValidString(s) {
		lx.errs.add(pos, "", "invalid UTF-8")
	}
}

// needsQuote reports whether a word must be quoted to read back as itself.
func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	switch s[0] {
	case '"', '\'', '#':
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f || isPunct(c) || c == '"' || c == '\\' {
			return true
		}
	}
	return false
}

// quote returns s as a word of the text: bare when it can be, else in
// double quotes with \" \\ \n \t \r escaped.
func quote(s string) string {
	if !needsQuote(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// quoteMsg quotes s for a message, as Go does.
func quoteMsg(s string) string { return strconv.Quote(s) }

var punctKinds = [256]tokKind{'{': tLBrace, '}': tRBrace, ';': tSemi, '[': tLBrack, ']': tRBrack}
