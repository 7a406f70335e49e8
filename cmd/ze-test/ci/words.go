package ci

import (
	"errors"
	"strings"
)

// Lookup returns the value of a .ci variable ($TMP, $PORT, …). ok is false for
// a name the runner does not define; such a reference is kept as written.
type Lookup func(name string) (value string, ok bool)

var (
	errUnterminatedSingle = errors.New("unterminated single quote")
	errUnterminatedDouble = errors.New("unterminated double quote")
	errTrailingBackslash  = errors.New("backslash at end of line")
)

// splitWords splits one line into words the way a shell would, minus
// globbing, pipes and command substitution:
//   - blanks separate words;
//   - 'single quotes' keep everything literally;
//   - "double quotes" expand variables and understand \n \t \" \\ \$ (any
//     other backslash is kept, so "\d+" stays a usable regexp);
//   - outside quotes a backslash makes the next character literal;
//   - $NAME and ${NAME} expand through lookup outside single quotes.
//
// An empty pair of quotes, single or double, is a word of its own.
func splitWords(line string, lookup Lookup) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		inW   bool // a word has started (possibly empty, from quotes)
	)
	end := func() {
		if inW {
			words = append(words, cur.String())
			cur.Reset()
			inW = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch c {
		case ' ', '\t':
			end()
		case '\'':
			inW = true
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, errUnterminatedSingle
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
		case '"':
			inW = true
			n, err := doubleQuoted(line[i+1:], &cur, lookup)
			if err != nil {
				return nil, err
			}
			i += n + 1
		case '\\':
			inW = true
			if i+1 >= len(line) {
				return nil, errTrailingBackslash
			}
			i++
			cur.WriteByte(line[i])
		case '$':
			inW = true
			i += expandVar(line[i:], &cur, lookup) - 1
		default:
			inW = true
			cur.WriteByte(c)
		}
	}
	end()
	return words, nil
}

// doubleQuoted copies the inside of a double-quoted string (s starts just
// after the opening quote) into b and returns the index of the closing quote.
func doubleQuoted(s string, b *strings.Builder, lookup Lookup) (int, error) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return i, nil
		case '\\':
			if i+1 >= len(s) {
				return 0, errUnterminatedDouble
			}
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '"', '\\', '$':
				b.WriteByte(s[i+1])
			default:
				b.WriteByte('\\')
				b.WriteByte(s[i+1])
			}
			i++
		case '$':
			i += expandVar(s[i:], b, lookup) - 1
		default:
			b.WriteByte(c)
		}
	}
	return 0, errUnterminatedDouble
}

// expandVar expands the variable reference at the start of s (s[0] == '$')
// into b and returns how many bytes of s it consumed. A reference to a name
// lookup does not know, or a lone '$', is copied unchanged.
func expandVar(s string, b *strings.Builder, lookup Lookup) int {
	name, n := varName(s)
	if name == "" {
		b.WriteByte('$')
		return 1
	}
	if lookup != nil {
		if v, ok := lookup(name); ok {
			b.WriteString(v)
			return n
		}
	}
	b.WriteString(s[:n])
	return n
}

// varName parses $NAME or ${NAME} at the start of s and returns the name and
// the length of the reference, or "" when s holds no valid reference.
func varName(s string) (string, int) {
	if len(s) < 2 {
		return "", 0
	}
	if s[1] == '{' {
		end := strings.IndexByte(s, '}')
		if end < 0 || !isName(s[2:end]) {
			return "", 0
		}
		return s[2:end], end + 1
	}
	n := 1
	for n < len(s) && isNameByte(s[n], n == 1) {
		n++
	}
	if n == 1 {
		return "", 0
	}
	return s[1:n], n
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

func isNameByte(c byte, first bool) bool {
	switch {
	case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return false
}

// expandText expands $NAME and ${NAME} in s (a heredoc body); nothing else
// is special.
func expandText(s string, lookup Lookup) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '$' {
			i += expandVar(s[i:], &b, lookup) - 1
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
