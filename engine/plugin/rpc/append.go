package rpc

import (
	"strconv"
	"unicode/utf8"
)

// AppendRequest appends "#id method [params]\n" to dst. params is a JSON
// object on one line, or empty for none; it is not checked here (Conn.Call
// checks it).
func AppendRequest(dst []byte, id uint64, method string, params []byte) []byte {
	dst = appendHead(dst, id)
	dst = append(dst, method...)
	return appendJSON(dst, params)
}

// AppendOK appends "#id ok [result]\n" to dst; result is a one-line JSON
// object or empty.
func AppendOK(dst []byte, id uint64, result []byte) []byte {
	dst = appendHead(dst, id)
	dst = append(dst, "ok"...)
	return appendJSON(dst, result)
}

// AppendError appends `#id error {"error":"msg"}` and a newline to dst,
// escaping msg as a JSON string.
func AppendError(dst []byte, id uint64, msg string) []byte {
	dst = appendHead(dst, id)
	dst = append(dst, `error {"error":`...)
	dst = AppendJSONString(dst, msg)
	return append(dst, "}\n"...)
}

// AppendTo appends the frame as a line, ending in a newline.
func (f Frame) AppendTo(dst []byte) []byte {
	dst = appendHead(dst, f.ID)
	dst = append(dst, f.Verb...)
	return appendJSON(dst, f.JSON)
}

func appendHead(dst []byte, id uint64) []byte {
	dst = append(dst, '#')
	dst = strconv.AppendUint(dst, id, 10)
	return append(dst, ' ')
}

func appendJSON(dst, js []byte) []byte {
	if len(js) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, js...)
	}
	return append(dst, '\n')
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD, so the
// result is always valid JSON on one line.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
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
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
