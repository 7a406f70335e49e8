package shell

import (
	"fmt"
	"strings"
)

// A Token is one word of a command line: its text (quotes removed) and
// where it stands in the line, for the caret of an error.
type Token struct {
	Text   string
	Pos    int  // byte offset of its first character in the line
	End    int  // byte offset just after it
	Quoted bool // written in quotes
	Pipe   bool // an unquoted "|"
}

// A SyntaxError is a command line that does not parse: the place of the
// failing token (a byte offset in the line) and the reason.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return e.Msg }

// maxLine bounds what the shell reads as one command line.
const maxLine = 64 << 10

// Tokenize splits a command line into words: blanks separate them, double
// or single quotes keep blanks inside one (a backslash escapes the next
// character inside double quotes), and an unquoted "|" is a token of its
// own. An unterminated quote is an error at the quote.
func Tokenize(line string) ([]Token, error) {
	toks, open, err := tokenize(line)
	if err != nil {
		return nil, err
	}
	if open >= 0 {
		return nil, &SyntaxError{Pos: open, Msg: "unterminated quoted string"}
	}
	return toks, nil
}

// tokenize is Tokenize that also returns the offset of an unterminated
// quote (-1 when none): completion works on an unfinished line.
func tokenize(line string) ([]Token, int, error) {
	if len(line) > maxLine {
		return nil, -1, &SyntaxError{Pos: maxLine, Msg: fmt.Sprintf("command line longer than %d bytes", maxLine)}
	}
	var toks []Token
	i := 0
	for i < len(line) {
		switch c := line[i]; c {
		case ' ', '\t', '\r', '\n':
			i++
		case '|':
			toks = append(toks, Token{Text: "|", Pos: i, End: i + 1, Pipe: true})
			i++
		default:
			start := i
			var b strings.Builder
			quoted := false
			for i < len(line) {
				c = line[i]
				if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '|' {
					break
				}
				if c == '"' || c == '\'' {
					quoted = true
					q := c
					open := i
					i++
					closed := false
					for i < len(line) {
						if line[i] == q {
							closed = true
							i++
							break
						}
						if q == '"' && line[i] == '\\' && i+1 < len(line) {
							i++
						}
						b.WriteByte(line[i])
						i++
					}
					if !closed {
						toks = append(toks, Token{Text: b.String(), Pos: start, End: i, Quoted: true})
						return toks, open, nil
					}
					continue
				}
				b.WriteByte(c)
				i++
			}
			toks = append(toks, Token{Text: b.String(), Pos: start, End: i, Quoted: quoted})
		}
	}
	return toks, -1, nil
}

// Quote returns word as the shell reads it back: in double quotes when it
// is empty or holds a blank, a quote, a backslash or "|".
func Quote(word string) string {
	if word != "" && !strings.ContainsAny(word, " \t\r\n\"'\\|") {
		return word
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(word) + `"`
}

// split cuts the tokens at the pipes: the command, then each pipe's words.
// A pipe without words is an error at the pipe.
func split(toks []Token) ([]Token, [][]Token, error) {
	var segs [][]Token
	cur := []Token{}
	pipeAt := -1
	for _, t := range toks {
		if t.Pipe {
			if pipeAt >= 0 && len(cur) == 0 {
				return nil, nil, &SyntaxError{Pos: t.Pos, Msg: "missing pipe command after '|'"}
			}
			segs = append(segs, cur)
			cur = []Token{}
			pipeAt = t.Pos
			continue
		}
		cur = append(cur, t)
	}
	segs = append(segs, cur)
	if pipeAt >= 0 && len(cur) == 0 {
		return nil, nil, &SyntaxError{Pos: pipeAt, Msg: "missing pipe command after '|'"}
	}
	return segs[0], segs[1:], nil
}

func texts(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
	}
	return out
}
