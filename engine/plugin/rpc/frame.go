// Package rpc is the wire framing of ze's plugin protocol and a connection
// that multiplexes concurrent calls over it.
//
// A frame is one UTF-8 line:
//
//	frame   = "#" id SP verb [SP json] LF
//	id      = "0" / %x31-39 *DIGIT        ; decimal uint64, no leading zero
//	verb    = "ok" / "error" / method
//	method  = identifier ":" identifier   ; YANG module name ":" RPC name
//	json    = a JSON object on one line
//
// A request carries a method and, optionally, its input; the answer reuses
// its id with "ok" (and, optionally, the output) or "error" and an object
// whose "error" member says why:
//
//	#42 ze-bgp:peer-list {"selector":"10.0.0.1"}
//	#42 ok {"peers":[{"address":"10.0.0.1","state":"established"}]}
//	#43 ze-bgp:peer-clear {"selector":"10.9.9.9"}
//	#43 error {"error":"no such peer: 10.9.9.9"}
//
// Each side numbers its own requests; a line with a method is a request
// from the other side, a line with ok or error answers one of ours.
package rpc

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Kind is what a frame is: a request, or one of the two answers.
type Kind uint8

// The kinds of frame; the zero Kind is not a valid frame.
const (
	KindRequest Kind = iota + 1
	KindOK
	KindError
)

// String returns "request", "ok" or "error".
func (k Kind) String() string {
	switch k {
	case KindRequest:
		return "request"
	case KindOK:
		return "ok"
	case KindError:
		return "error"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Frame is one parsed line. Verb and JSON alias the parsed line: they are
// valid as long as its bytes are.
type Frame struct {
	ID   uint64
	Kind Kind
	Verb []byte // the method of a request; "ok" or "error" for an answer
	JSON []byte // the JSON object, or nil when the line has none
}

// Method returns the request's method as a string (it allocates; compare
// Verb with a string conversion instead on hot paths).
func (f Frame) Method() string {
	if f.Kind != KindRequest {
		return ""
	}
	return string(f.Verb)
}

// ErrLineTooLong is wrapped by the SyntaxError a Reader returns for a line
// longer than its limit.
var ErrLineTooLong = errors.New("rpc: line too long")

// SyntaxError is a line that is not a valid frame. ID and Kind hold what
// was parsed before the fault (HasID tells whether the id was), so a
// connection can still answer or fail the call it belongs to.
type SyntaxError struct {
	Line  int // 1-based line number in its stream
	Col   int // 1-based byte column of the fault
	Msg   string
	HasID bool
	ID    uint64
	Kind  Kind
	err   error
}

// Error returns "rpc: line N: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("rpc: line %d: %s", e.Line, e.Msg)
}

// Unwrap returns ErrLineTooLong for an overlong line, nil otherwise.
func (e *SyntaxError) Unwrap() error { return e.err }

// ParseLine parses one frame, with or without its final newline. The
// returned Frame aliases b. Errors are *SyntaxError, reported as line 1
// (a Reader puts in the real line number).
func ParseLine(b []byte) (Frame, error) {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	var f Frame
	hasID := false
	fail := func(col int, format string, args ...any) (Frame, error) {
		return Frame{}, &SyntaxError{Line: 1, Col: col + 1, Msg: fmt.Sprintf(format, args...),
			HasID: hasID, ID: f.ID, Kind: f.Kind}
	}
	if len(b) == 0 {
		return fail(0, "empty line")
	}
	if b[0] != '#' {
		return fail(0, "missing '#'")
	}
	// id
	i := 1
	if i == len(b) || !isDigit(b[i]) {
		return fail(i, "bad id: want a decimal number after '#'")
	}
	if b[i] == '0' && i+1 < len(b) && isDigit(b[i+1]) {
		return fail(i, "bad id: leading zero")
	}
	var id uint64
	for ; i < len(b) && isDigit(b[i]); i++ {
		d := uint64(b[i] - '0')
		if id > (1<<64-1-d)/10 {
			return fail(i, "bad id: larger than 18446744073709551615")
		}
		id = id*10 + d
	}
	f.ID = id
	if i == len(b) {
		return fail(i, "missing verb after id %d", id)
	}
	if b[i] != ' ' {
		return fail(i, "bad id: unexpected %q after %d", b[i], id)
	}
	hasID = true
	i++
	// verb
	start := i
	for i < len(b) && b[i] != ' ' {
		i++
	}
	verb := b[start:i]
	if len(verb) == 0 {
		return fail(start, "empty verb")
	}
	switch {
	case string(verb) == "ok":
		f.Kind = KindOK
	case string(verb) == "error":
		f.Kind = KindError
	default:
		if col, msg := checkMethod(verb); msg != "" {
			return fail(start+col, "%s", msg)
		}
		f.Kind = KindRequest
	}
	f.Verb = verb
	// json
	if i == len(b) {
		if f.Kind == KindError {
			return fail(i, `error without {"error":"…"}`)
		}
		return f, nil
	}
	i++ // the space
	js := b[i:]
	switch {
	case len(js) == 0:
		return fail(i, "missing JSON after space")
	case js[0] != '{':
		return fail(i, "JSON is not an object")
	case bytes.IndexByte(js, '\n') >= 0:
		return fail(i+bytes.IndexByte(js, '\n'), "newline inside the line")
	case !utf8.Valid(js):
		return fail(i, "JSON is not valid UTF-8")
	case !validJSON(js):
		return fail(i, "invalid JSON")
	case js[len(js)-1] != '}':
		return fail(i+len(js)-1, "data after the JSON object")
	}
	f.JSON = js
	return f, nil
}

// checkMethod checks "module:rpc-name", where both are YANG identifiers
// (RFC 7950 §6.2). It returns the column (0-based) and text of a fault.
func checkMethod[T string | []byte](v T) (int, string) {
	colon := -1
	for i := range len(v) {
		if v[i] == ':' {
			colon = i
			break
		}
	}
	if colon < 0 {
		return 0, fmt.Sprintf("unknown verb %q: want ok, error or module:rpc-name", v)
	}
	if c := checkIdentifier(v[:colon]); c >= 0 {
		return c, fmt.Sprintf("bad method %q: module is not a YANG identifier", v)
	}
	if c := checkIdentifier(v[colon+1:]); c >= 0 {
		return colon + 1 + c, fmt.Sprintf("bad method %q: rpc name is not a YANG identifier", v)
	}
	return 0, ""
}

// checkIdentifier returns -1 for a YANG identifier ([A-Za-z_][A-Za-z0-9_.-]*),
// else the offset of the first bad byte.
func checkIdentifier[T string | []byte](s T) int {
	if len(s) == 0 {
		return 0
	}
	for i := range len(s) {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (isDigit(c) || c == '-' || c == '.'):
		default:
			return i
		}
	}
	return -1
}

// CheckMethod reports whether method is a valid "module:rpc-name".
func CheckMethod(method string) error {
	if _, msg := checkMethod(method); msg != "" {
		return errors.New("rpc: " + msg)
	}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
