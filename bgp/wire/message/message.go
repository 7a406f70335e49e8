// Package message decodes and encodes the BGP messages other than UPDATE:
// OPEN (RFC 4271 §4.2 with RFC 9072 extended optional parameters),
// NOTIFICATION (RFC 4271 §4.5, RFC 9003 shutdown communication, RFC 8538
// Hard Reset), KEEPALIVE (RFC 4271 §4.4) and ROUTE-REFRESH (RFC 2918,
// RFC 7313). UPDATE bodies are left to wire.ParseUpdate.
//
// Decoders take the message body (the bytes after the 19-byte header), return
// typed values whose byte fields alias the message, and report malformed
// input as the *wire.NotifyError to send; they never panic. Encoders write
// whole messages into a caller buffer:
//
//	buf := make([]byte, m.Len())
//	n := m.WriteTo(buf, 0)
//
// and do not allocate.
package message

import (
	"fmt"

	"github.com/zebgp/ze/bgp/wire"
)

// Message is one parsed message. Type says which field is set; Body is the
// message body for every type (for an UPDATE, the input of wire.ParseUpdate).
// It is a plain struct so that Parse does not allocate.
type Message struct {
	Type         wire.MsgType
	Open         Open         // MsgOpen
	Notification Notification // MsgNotification
	RouteRefresh RouteRefresh // MsgRouteRefresh
	Body         []byte
}

// Encoder is what the typed messages of this package have in common.
type Encoder interface {
	// Type returns the message type.
	Type() wire.MsgType
	// Len returns the size of the whole encoded message.
	Len() int
	// WriteTo writes the whole message at buf[off:] and returns Len.
	WriteTo(buf []byte, off int) int
}

var (
	_ Encoder = Open{}
	_ Encoder = Notification{}
	_ Encoder = RouteRefresh{}
)

// Parse checks the header of msg, which must be exactly one message (as cut
// by wire.Split), with wire.ParseHeader and decodes the body by type.
// maxLen is wire.MaxMsgLen, or wire.ExtMaxMsgLen once RFC 8654 extended
// message is negotiated. Protocol errors are a *wire.NotifyError; the other
// errors are framing faults of the caller.
func Parse(msg []byte, maxLen int) (Message, error) {
	h, err := wire.ParseHeader(msg, maxLen)
	if err != nil {
		return Message{Type: h.Type}, err
	}
	if int(h.Length) != len(msg) {
		return Message{Type: h.Type}, fmt.Errorf("message: length field %d, but %d bytes given", h.Length, len(msg))
	}
	m := Message{Type: h.Type, Body: msg[wire.HeaderLen:]}
	switch h.Type {
	case wire.MsgOpen:
		m.Open, err = ParseOpen(m.Body)
	case wire.MsgNotification:
		m.Notification, err = ParseNotification(m.Body)
	case wire.MsgKeepalive:
		err = ParseKeepalive(m.Body)
	case wire.MsgRouteRefresh:
		m.RouteRefresh, err = ParseRouteRefresh(m.Body)
	}
	return m, err
}
