package config

import (
	"fmt"
	"slices"
	"strings"
)

// Pos is a place in a configuration text: a line and a column, both
// counted from 1 (the column in characters). The zero Pos means "unknown":
// a node made through the API rather than parsed.
type Pos struct {
	Line, Col int
}

// IsValid reports whether p names a place.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String returns "line 12 col 5", or "" for the zero Pos.
func (p Pos) String() string {
	if !p.IsValid() {
		return ""
	}
	return fmt.Sprintf("line %d col %d", p.Line, p.Col)
}

// Error is one problem found in a configuration: where (file, line,
// column), at which path, and what. Path is in the words of the set form
// ("bgp group g peer p hold-time"); it is empty for a syntax error outside
// any node.
type Error struct {
	File    string
	Pos     Pos
	Path    string
	Message string
}

// Error returns "FILE: line L col C: MESSAGE", leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Pos.IsValid() {
		b.WriteString(e.Pos.String())
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// ErrorList is every problem found in one configuration, in the order
// found. A nil or empty ErrorList is no error: return it through Err.
type ErrorList []*Error

// Error returns the errors one per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Err returns l as an error, or nil when l is empty (so that an empty list
// never becomes a non-nil error).
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// DefaultMaxErrors is how many errors a parse or a validation collects
// before it stops.
const DefaultMaxErrors = 100

// collector gathers errors up to a limit.
type collector struct {
	file string
	max  int
	errs ErrorList
	full bool // the limit was reached: stop working
}

func newCollector(file string, maxErrs int) *collector {
	if maxErrs <= 0 {
		maxErrs = DefaultMaxErrors
	}
	return &collector{file: file, max: maxErrs}
}

// add records an error; once the limit is reached it records one last
// "too many errors" and sets full.
func (c *collector) add(pos Pos, path, format string, args ...any) {
	if c.full {
		return
	}
	if len(c.errs) >= c.max {
		c.errs = append(c.errs, &Error{File: c.file, Pos: pos, Message: fmt.Sprintf("too many errors (stopped after %d)", c.max)})
		c.full = true
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	c.errs = append(c.errs, &Error{File: c.file, Pos: pos, Path: path, Message: msg})
}

// sort orders the errors by place (stably: errors without a place stay in
// their order at the front); a final "too many errors" stays last.
func (c *collector) sort() {
	errs := c.errs
	if c.full {
		errs = errs[:len(errs)-1]
	}
	slices.SortStableFunc(errs, func(a, b *Error) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
}

// plural returns "1 entry", "2 entries", "0 values".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, word[:len(word)-1])
	}
	return fmt.Sprintf("%d %ss", n, word)
}
