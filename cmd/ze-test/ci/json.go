package ci

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// PathElem is one step of a JSON path: an object key or an array index.
type PathElem struct {
	Key     string
	Index   int // negative counts from the end: -1 is the last element
	IsIndex bool
}

// ParsePath parses a JSON path: keys separated by dots, array indexes in
// brackets, and keys that hold dots or brackets as quoted strings in brackets:
//
//	peers[0].state
//	families[-1]
//	neighbors["192.0.2.1"].state
//
// The empty path is the whole document.
func ParsePath(s string) ([]PathElem, error) {
	var path []PathElem
	i := 0
	for i < len(s) {
		switch c := s[i]; {
		case c == '[':
			end := strings.IndexByte(s[i:], ']')
			if i+1 < len(s) && s[i+1] == '"' {
				key, n, err := quotedKey(s[i+1:])
				if err != nil {
					return nil, err
				}
				if i+1+n >= len(s) || s[i+1+n] != ']' {
					return nil, fmt.Errorf("missing ] after %s at offset %d", s[i+1:i+1+n], i)
				}
				path = append(path, PathElem{Key: key})
				i += n + 2
				break
			}
			if end < 0 {
				return nil, fmt.Errorf("missing ] at offset %d", i)
			}
			n, err := strconv.Atoi(s[i+1 : i+end])
			if err != nil {
				return nil, fmt.Errorf("index %q is not a number", s[i+1:i+end])
			}
			path = append(path, PathElem{Index: n, IsIndex: true})
			i += end + 1
		case c == '.' && len(path) > 0:
			i++
			n := keyLen(s[i:])
			if n == 0 {
				return nil, fmt.Errorf("empty key at offset %d", i)
			}
			path = append(path, PathElem{Key: s[i : i+n]})
			i += n
		case len(path) == 0 && i == 0:
			n := keyLen(s)
			if n == 0 {
				return nil, fmt.Errorf("unexpected %q at offset 0", c)
			}
			path = append(path, PathElem{Key: s[:n]})
			i = n
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", c, i)
		}
	}
	return path, nil
}

func keyLen(s string) int {
	n := strings.IndexAny(s, ".[]")
	if n < 0 {
		return len(s)
	}
	return n
}

// quotedKey decodes the JSON string at the start of s and returns it with
// the number of bytes it took.
func quotedKey(s string) (string, int, error) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			key, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return "", 0, fmt.Errorf("bad quoted key %s: %w", s[:i+1], err)
			}
			return key, i + 1, nil
		}
	}
	return "", 0, errors.New("unterminated quoted key")
}

// FormatPath prints a path the way ParsePath reads it.
func FormatPath(path []PathElem) string {
	var b strings.Builder
	for i, e := range path {
		switch {
		case e.IsIndex:
			fmt.Fprintf(&b, "[%d]", e.Index)
		case strings.ContainsAny(e.Key, ".[]\"") || e.Key == "":
			fmt.Fprintf(&b, "[%s]", strconv.Quote(e.Key))
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.Key)
		}
	}
	return b.String()
}

// Get returns the value at path in v (a decoded JSON document). On a miss
// it says which part of the path was not there.
func Get(v any, path []PathElem) (any, error) {
	for i, e := range path {
		where := FormatPath(path[:i])
		if where == "" {
			where = "the document"
		}
		if e.IsIndex {
			arr, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s is %s, not an array", where, typeName(v))
			}
			idx := e.Index
			if idx < 0 {
				idx += len(arr)
			}
			if idx < 0 || idx >= len(arr) {
				return nil, fmt.Errorf("%s has %d elements, no index %d", where, len(arr), e.Index)
			}
			v = arr[idx]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is %s, not an object", where, typeName(v))
		}
		next, ok := obj[e.Key]
		if !ok {
			return nil, fmt.Errorf("%s has no key %q", where, e.Key)
		}
		v = next
	}
	return v, nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// decodeJSON decodes exactly one JSON value, keeping numbers as json.Number
// so that large integers compare exactly.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

// Equal compares two decoded JSON values semantically: object key order does
// not matter, array order does, numbers compare by value (1, 1.0 and 1e0 are
// equal).
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && numberEqual(x, y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !Equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

func numberEqual(a, b json.Number) bool {
	if a == b {
		return true
	}
	x, ok1 := new(big.Rat).SetString(string(a))
	y, ok2 := new(big.Rat).SetString(string(b))
	return ok1 && ok2 && x.Cmp(y) == 0
}

// compact prints a decoded JSON value on one line, keys sorted.
func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}
