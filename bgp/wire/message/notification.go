package message

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/zebgp/ze/bgp/wire"
)

// Notification is a decoded NOTIFICATION message (RFC 4271 §4.5).
//
//	0                   1                   2                   3
//	0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Error code    | Error subcode |   Data (variable)             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Notification struct {
	Code    wire.NotifyCode `json:"code"`
	Subcode uint8           `json:"subcode"`
	// Data aliases the message when decoded.
	Data []byte `json:"data"`
}

// maxNotifyData keeps an encoded NOTIFICATION within 4096 bytes, the size
// every peer accepts (RFC 8654 §4 allows more only once negotiated).
const maxNotifyData = wire.MaxMsgLen - wire.HeaderLen - 2

// ParseNotification decodes the body of a NOTIFICATION message. Any code and
// subcode are accepted, unknown ones too (RFC 4271 §6.4: a NOTIFICATION is
// never answered with one); only a body under 2 bytes is an error.
func ParseNotification(body []byte) (Notification, error) {
	if len(body) < 2 {
		return Notification{}, badLength(len(body))
	}
	return Notification{Code: wire.NotifyCode(body[0]), Subcode: body[1], Data: body[2:]}, nil
}

// FromError returns the NOTIFICATION that reports e.
func FromError(e *wire.NotifyError) Notification {
	return Notification{Code: e.Code, Subcode: e.Subcode, Data: e.Data}
}

// Type returns wire.MsgNotification.
func (Notification) Type() wire.MsgType { return wire.MsgNotification }

// Len returns the size of the encoded message.
func (n Notification) Len() int { return wire.HeaderLen + 2 + min(len(n.Data), maxNotifyData) }

// WriteTo writes the message at buf[off:] and returns its length (Len).
// Data that would take the message over 4096 bytes is cut.
func (n Notification) WriteTo(buf []byte, off int) int {
	l := n.Len()
	p := off + wire.WriteHeader(buf, off, l, wire.MsgNotification)
	buf[p] = byte(n.Code)
	buf[p+1] = n.Subcode
	copy(buf[p+2:off+l], n.Data)
	return l
}

// String returns "code-name/subcode-name", with the shutdown communication
// or the data in hex when there is one, for logs.
func (n Notification) String() string {
	s := n.Code.String() + "/" + wire.SubcodeString(n.Code, n.Subcode)
	if text, err := n.Communication(); err == nil && text != "" {
		return s + fmt.Sprintf(" %q", text)
	}
	if len(n.Data) > 0 {
		s += fmt.Sprintf(" data %X", n.Data)
	}
	return s
}

// IsShutdown reports Cease / Administrative Shutdown or Administrative
// Reset, the two that carry a shutdown communication (RFC 9003 §2).
func (n Notification) IsShutdown() bool {
	return n.Code == wire.NotifyCease && (n.Subcode == wire.CeaseAdminShutdown || n.Subcode == wire.CeaseAdminReset)
}

// Errors of Communication.
var (
	ErrNoCommunication     = errors.New("message: not an administrative shutdown or reset")
	ErrCommunicationLength = errors.New("message: shutdown communication length does not match the data")
	ErrCommunicationUTF8   = errors.New("message: shutdown communication is not valid utf-8")
)

// Communication returns the shutdown communication of an Administrative
// Shutdown or Reset (RFC 9003 §2: a length octet, then at most 255 octets of
// UTF-8). No data, or a zero length, is no communication (""). A length
// that does not match the data wraps ErrCommunicationLength, invalid UTF-8
// ErrCommunicationUTF8 (RFC 9003 §4: not to be interpreted); Data keeps the
// raw bytes either way.
func (n Notification) Communication() (string, error) {
	if !n.IsShutdown() {
		return "", ErrNoCommunication
	}
	if len(n.Data) == 0 {
		return "", nil
	}
	if int(n.Data[0]) != len(n.Data)-1 {
		return "", fmt.Errorf("%w: length octet %d, %d bytes follow", ErrCommunicationLength, n.Data[0], len(n.Data)-1)
	}
	text := n.Data[1:]
	if !utf8.Valid(text) {
		return "", ErrCommunicationUTF8
	}
	return string(text), nil
}

// MaxCommunication is the longest shutdown communication (RFC 9003 §2).
const MaxCommunication = 255

// TruncateCommunication cuts text to at most 255 bytes at a UTF-8 character
// boundary.
func TruncateCommunication(text string) string {
	if len(text) <= MaxCommunication {
		return text
	}
	i := MaxCommunication
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	return text[:i]
}

// NewShutdown returns a Cease NOTIFICATION with subcode sub (normally
// wire.CeaseAdminShutdown or wire.CeaseAdminReset) carrying text as its
// shutdown communication (RFC 9003 §2), cut to 255 bytes at a character
// boundary. An empty text gives no data (RFC 4486).
func NewShutdown(sub uint8, text string) Notification {
	n := Notification{Code: wire.NotifyCease, Subcode: sub}
	if text == "" {
		return n
	}
	text = TruncateCommunication(text)
	n.Data = append(append(make([]byte, 0, 1+len(text)), byte(len(text))), text...)
	return n
}

// NewHardReset returns the Cease / Hard Reset that wraps inner (RFC 8538
// §3.1: the data is the inner code, subcode and data).
func NewHardReset(inner Notification) Notification {
	d := inner.Data[:min(len(inner.Data), maxNotifyData-2)]
	data := append(append(make([]byte, 0, 2+len(d)), byte(inner.Code), inner.Subcode), d...)
	return Notification{Code: wire.NotifyCease, Subcode: wire.CeaseHardReset, Data: data}
}

// HardReset returns the NOTIFICATION wrapped in a Cease / Hard Reset (RFC
// 8538 §3.1). It is false for other messages and for a Hard Reset whose data
// is too short to name a code and subcode.
func (n Notification) HardReset() (Notification, bool) {
	if n.Code != wire.NotifyCease || n.Subcode != wire.CeaseHardReset || len(n.Data) < 2 {
		return Notification{}, false
	}
	return Notification{Code: wire.NotifyCode(n.Data[0]), Subcode: n.Data[1], Data: n.Data[2:]}, true
}

// notificationJSON is the JSON view of a Notification.
type notificationJSON struct {
	Code          wire.NotifyCode   `json:"code"`
	Subcode       uint8             `json:"subcode"`
	CodeName      string            `json:"code-name"`
	SubcodeName   string            `json:"subcode-name"`
	Data          string            `json:"data"`
	Communication *string           `json:"communication,omitempty"`
	CommError     string            `json:"communication-error,omitempty"`
	HardReset     *notificationJSON `json:"hard-reset,omitempty"`
}

// MarshalJSON gives code and subcode by number and name, the data in hex,
// the shutdown communication (or why it is invalid) and the inner
// NOTIFICATION of a Hard Reset.
func (n Notification) MarshalJSON() ([]byte, error) { return json.Marshal(n.view()) }

func (n Notification) view() *notificationJSON {
	v := &notificationJSON{
		Code: n.Code, Subcode: n.Subcode, CodeName: n.Code.String(),
		SubcodeName: wire.SubcodeString(n.Code, n.Subcode), Data: fmt.Sprintf("%X", n.Data),
	}
	if n.IsShutdown() {
		if text, err := n.Communication(); err != nil {
			v.CommError = err.Error()
		} else {
			v.Communication = &text
		}
	}
	if inner, ok := n.HardReset(); ok {
		v.HardReset = inner.view()
	}
	return v
}
