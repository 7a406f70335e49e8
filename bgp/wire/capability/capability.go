// Package capability decodes and encodes BGP capabilities (RFC 5492), walks
// the capabilities of an OPEN's optional parameters without allocating, and
// computes what an OPEN exchange negotiated, as the two encoding contexts of
// package wire.
//
// Every capability is one Go type implementing Capability. Decoding (Parse)
// builds the typed value; encoding writes into a caller buffer:
//
//	buf := make([]byte, c.Len())
//	n := c.WriteTo(buf, 0) // code, length, value
//
// Capabilities of a fixed size are values (ASN4{ASN: 65001}); those holding
// lists or text are pointers (&AddPath{…}, &Hostname{…}). Capabilities this
// package does not know stay an *Unknown holding the code and the raw value,
// and re-encode to the same bytes.
package capability

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/zebgp/ze/bgp/wire"
)

// Code is a capability code (IANA "Capability Codes").
type Code uint8

// Capability codes.
const (
	CodeMultiprotocol        Code = 1  // RFC 4760
	CodeRouteRefresh         Code = 2  // RFC 2918
	CodeExtendedNextHop      Code = 5  // RFC 8950
	CodeExtendedMessage      Code = 6  // RFC 8654
	CodeRole                 Code = 9  // RFC 9234
	CodeGracefulRestart      Code = 64 // RFC 4724
	CodeASN4                 Code = 65 // RFC 6793
	CodeAddPath              Code = 69 // RFC 7911
	CodeEnhancedRouteRefresh Code = 70 // RFC 7313
	CodeLLGR                 Code = 71 // RFC 9494
	CodeHostname             Code = 73 // draft-walton-bgp-hostname-capability
	CodeSoftwareVersion      Code = 75 // draft-ietf-idr-software-version
	CodeLinkLocalNextHop     Code = 77 // draft-ietf-idr-linklocal-capability
	// CodeRouteRefreshCisco is the pre-standard route refresh code, still
	// sent by some speakers next to code 2. It is kept as an Unknown.
	CodeRouteRefreshCisco Code = 128
)

var codeNames = map[Code]string{
	CodeMultiprotocol:        "multiprotocol",
	CodeRouteRefresh:         "route-refresh",
	CodeExtendedNextHop:      "extended-next-hop",
	CodeExtendedMessage:      "extended-message",
	CodeRole:                 "role",
	CodeGracefulRestart:      "graceful-restart",
	CodeASN4:                 "asn4",
	CodeAddPath:              "add-path",
	CodeEnhancedRouteRefresh: "enhanced-route-refresh",
	CodeLLGR:                 "llgr",
	CodeHostname:             "hostname",
	CodeSoftwareVersion:      "software-version",
	CodeLinkLocalNextHop:     "link-local-next-hop",
}

// String returns the capability's kebab-case name ("add-path") or
// "capability-N".
func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return "capability-" + strconv.Itoa(int(c))
}

// MaxValueLen is the largest capability value: the length field is one octet
// (RFC 5492 §4).
const MaxValueLen = 255

// Capability is one decoded capability.
type Capability interface {
	// Code returns the capability code.
	Code() Code
	// Len returns the encoded size: 2 (code and length) plus the value.
	Len() int
	// WriteTo writes code, length and value at buf[off:] and returns the
	// number of bytes written (Len). buf must have room for Len bytes.
	WriteTo(buf []byte, off int) int
}

// Error is a capability that could not be decoded. Its text names the
// capability and the fault; Unwrap gives the NOTIFICATION to send if the
// session treats the fault as fatal (RFC 4271 §6.2: a recognized but
// malformed optional parameter is OPEN Message Error, subcode 0).
type Error struct {
	msg    string
	notify *wire.NotifyError
}

// Error returns the text, e.g. "capability: asn4: length 3, want 4".
func (e *Error) Error() string { return e.msg }

// Unwrap returns the *wire.NotifyError that matches the fault.
func (e *Error) Unwrap() error { return e.notify }

// errorf builds the error of a malformed value of capability c.
func errorf(c Code, format string, args ...any) *Error {
	return &Error{
		msg:    "capability: " + c.String() + ": " + fmt.Sprintf(format, args...),
		notify: wire.NewNotifyError(wire.NotifyOpen, 0, nil),
	}
}

// Parse decodes the value of a capability with the given code. Unknown codes
// give an *Unknown holding a copy of value. The result never aliases value;
// it is nil when err is not.
func Parse(code Code, value []byte) (Capability, error) {
	switch code {
	case CodeMultiprotocol:
		return parseMultiprotocol(value)
	case CodeRouteRefresh:
		return empty(RouteRefresh{}, value)
	case CodeExtendedNextHop:
		return parseExtendedNextHop(value)
	case CodeExtendedMessage:
		return empty(ExtendedMessage{}, value)
	case CodeRole:
		return parseRole(value)
	case CodeGracefulRestart:
		return parseGracefulRestart(value)
	case CodeASN4:
		return parseASN4(value)
	case CodeAddPath:
		return parseAddPath(value)
	case CodeEnhancedRouteRefresh:
		return empty(EnhancedRouteRefresh{}, value)
	case CodeLLGR:
		return parseLLGR(value)
	case CodeHostname:
		return parseHostname(value)
	case CodeSoftwareVersion:
		return parseSoftwareVersion(value)
	case CodeLinkLocalNextHop:
		return empty(LinkLocalNextHop{}, value)
	}
	return &Unknown{Type: code, Value: append([]byte(nil), value...)}, nil
}

// empty returns c, a capability that carries no value, if value is empty.
func empty(c Capability, value []byte) (Capability, error) {
	if len(value) != 0 {
		return nil, errorf(c.Code(), "length %d, want 0", len(value))
	}
	return c, nil
}

// writeHeader writes the capability code and value length at off.
func writeHeader(buf []byte, off int, c Code, vlen int) int {
	buf[off] = byte(c)
	buf[off+1] = byte(vlen)
	return 2
}

// Unknown is a capability this package does not decode, kept as its code and
// raw value so that it re-encodes identically.
type Unknown struct {
	Type  Code   `json:"code"`
	Value []byte `json:"value"`
}

// Code returns the capability code.
func (u *Unknown) Code() Code { return u.Type }

// Len returns the encoded size.
func (u *Unknown) Len() int { return 2 + min(len(u.Value), MaxValueLen) }

// WriteTo writes the capability; a value over 255 bytes is cut at 255.
func (u *Unknown) WriteTo(buf []byte, off int) int {
	v := u.Value[:min(len(u.Value), MaxValueLen)]
	n := writeHeader(buf, off, u.Type, len(v))
	return n + copy(buf[off+n:], v)
}

// MarshalJSON shows the value as uppercase hex (DESIGN.md conventions).
func (u *Unknown) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Code  Code   `json:"code"`
		Value string `json:"value"`
	}{u.Type, fmt.Sprintf("%X", u.Value)})
}

// familyJSON is a family as "afi/safi" text inside the JSON view.
type familyJSON wire.Family

// MarshalText returns "afi/safi".
func (f familyJSON) MarshalText() ([]byte, error) { return []byte(wire.Family(f).String()), nil }
