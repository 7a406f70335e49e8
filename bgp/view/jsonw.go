package view

import (
	"strconv"
	"unicode/utf8"
)

// W appends JSON to a byte slice without reflection: the writer keeps track
// of where commas go, so callers only say what comes next. It allocates only
// when the slice grows.
type W struct {
	B     []byte
	comma bool // a value was written at this level: the next one needs a comma
}

func (w *W) sep() {
	if w.comma {
		w.B = append(w.B, ',')
	}
	w.comma = true
}

// Key writes `"k":` (with the comma before it when needed).
func (w *W) Key(k string) {
	w.sep()
	w.B = appendString(w.B, k)
	w.B = append(w.B, ':')
	w.comma = false
}

// Open writes '{' or '['.
func (w *W) Open(c byte) {
	w.sep()
	w.B = append(w.B, c)
	w.comma = false
}

// Close writes '}' or ']'.
func (w *W) Close(c byte) {
	w.B = append(w.B, c)
	w.comma = true
}

// Str writes a JSON string.
func (w *W) Str(s string) {
	w.sep()
	w.B = appendString(w.B, s)
}

// StrBytes writes b as a JSON string.
func (w *W) StrBytes(b []byte) {
	w.sep()
	w.B = appendString(w.B, string(b))
}

// Uint writes an unsigned number.
func (w *W) Uint(n uint64) {
	w.sep()
	w.B = strconv.AppendUint(w.B, n, 10)
}

// Int writes a signed number.
func (w *W) Int(n int64) {
	w.sep()
	w.B = strconv.AppendInt(w.B, n, 10)
}

// Bool writes true or false.
func (w *W) Bool(v bool) {
	w.sep()
	w.B = strconv.AppendBool(w.B, v)
}

// Hex writes b as an uppercase hex string (DESIGN: raw hex uppercase, no 0x).
func (w *W) Hex(b []byte) {
	w.sep()
	w.B = append(w.B, '"')
	w.B = AppendHex(w.B, b)
	w.B = append(w.B, '"')
}

// Raw writes pre-formatted JSON.
func (w *W) Raw(j []byte) {
	w.sep()
	w.B = append(w.B, j...)
}

// Text writes the text that fn appends, as a JSON string.
func (w *W) Text(fn func([]byte) []byte) {
	w.sep()
	start := len(w.B)
	w.B = append(w.B, '"')
	w.B = fn(w.B)
	// Escape in place only when needed (texts here are addresses and names).
	for i := start + 1; i < len(w.B); i++ {
		if c := w.B[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			s := string(w.B[start+1:])
			w.B = appendString(w.B[:start], s)
			return
		}
	}
	w.B = append(w.B, '"')
}

// AppendHex appends b in uppercase hex.
func AppendHex(dst, b []byte) []byte {
	const digits = "0123456789ABCDEF"
	for _, c := range b {
		dst = append(dst, digits[c>>4], digits[c&15])
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
