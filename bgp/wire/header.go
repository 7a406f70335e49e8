package wire

import (
	"encoding/binary"
	"strconv"
)

// RFC 4271 §4.1 message header.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	+                           Marker (16)                         +
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Length               |      Type     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	MarkerLen = 16
	HeaderLen = 19
	// MaxMsgLen is the RFC 4271 maximum message size.
	MaxMsgLen = 4096
	// ExtMaxMsgLen is the RFC 8654 maximum once extended message is negotiated.
	ExtMaxMsgLen = 65535
)

// MsgType is the BGP message type (RFC 4271 §4.1, RFC 2918).
type MsgType uint8

// Message types.
const (
	MsgOpen         MsgType = 1
	MsgUpdate       MsgType = 2
	MsgNotification MsgType = 3
	MsgKeepalive    MsgType = 4
	MsgRouteRefresh MsgType = 5
)

// String returns the lowercase message name ("update", "route-refresh").
func (t MsgType) String() string {
	switch t {
	case MsgOpen:
		return "open"
	case MsgUpdate:
		return "update"
	case MsgNotification:
		return "notification"
	case MsgKeepalive:
		return "keepalive"
	case MsgRouteRefresh:
		return "route-refresh"
	}
	return "type-" + strconv.Itoa(int(t))
}

// ParseMsgType maps a message name back to its type.
func ParseMsgType(s string) (MsgType, bool) {
	for t := MsgOpen; t <= MsgRouteRefresh; t++ {
		if t.String() == s {
			return t, true
		}
	}
	return 0, false
}

// Header is a decoded message header.
type Header struct {
	Length uint16
	Type   MsgType
}

// ParseHeader checks the marker, length and type of the message that starts b
// (RFC 4271 §6.1). maxLen is 4096, or 65535 with RFC 8654 extended message.
// It returns the header or a *NotifyError for the Message Header Error to send.
func ParseHeader(b []byte, maxLen int) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, errShortHeader
	}
	for i := 0; i < MarkerLen; i++ {
		if b[i] != 0xFF {
			return Header{}, NewNotifyError(NotifyHeader, HeaderConnNotSync, nil)
		}
	}
	h := Header{Length: binary.BigEndian.Uint16(b[16:18]), Type: MsgType(b[18])}
	if h.Type < MsgOpen || h.Type > MsgRouteRefresh {
		return h, NewNotifyError(NotifyHeader, HeaderBadType, b[18:19])
	}
	if int(h.Length) < HeaderLen || int(h.Length) > maxLen || int(h.Length) < minLen(h.Type) ||
		(h.Type == MsgKeepalive && h.Length != HeaderLen) {
		return h, NewNotifyError(NotifyHeader, HeaderBadLength, b[16:18])
	}
	if h.Type == MsgOpen && h.Length > MaxMsgLen {
		// RFC 8654 §4: OPEN and KEEPALIVE never exceed 4096.
		return h, NewNotifyError(NotifyHeader, HeaderBadLength, b[16:18])
	}
	return h, nil
}

// minLen is the smallest valid total length for each type (RFC 4271 §4).
func minLen(t MsgType) int {
	switch t {
	case MsgOpen:
		return 29
	case MsgUpdate:
		return 23
	case MsgNotification:
		return 21
	}
	// ROUTE-REFRESH of a bad length is answered by the message decoder with
	// ROUTE-REFRESH Message Error / Invalid Message Length (RFC 7313 §5).
	return HeaderLen
}

// WriteHeader writes a header with the given total length and type at off.
// It returns the number of bytes written (HeaderLen).
func WriteHeader(buf []byte, off int, length int, t MsgType) int {
	b := buf[off : off+HeaderLen]
	for i := 0; i < MarkerLen; i++ {
		b[i] = 0xFF
	}
	binary.BigEndian.PutUint16(b[16:18], uint16(length))
	b[18] = byte(t)
	return HeaderLen
}

// BackfillLength sets the length field of the header that starts at off.
func BackfillLength(buf []byte, off int, length int) {
	binary.BigEndian.PutUint16(buf[off+16:off+18], uint16(length))
}

// Split returns the first message of b and the rest. It checks only that the
// length field is in range and that b holds the whole message; full header
// validation is ParseHeader's.
func Split(b []byte, maxLen int) (msg, rest []byte, err error) {
	if len(b) < HeaderLen {
		return nil, b, errShortHeader
	}
	n := int(binary.BigEndian.Uint16(b[16:18]))
	if n < HeaderLen || n > maxLen {
		return nil, b, NewNotifyError(NotifyHeader, HeaderBadLength, b[16:18])
	}
	if n > len(b) {
		return nil, b, errShortMessage
	}
	return b[:n], b[n:], nil
}
