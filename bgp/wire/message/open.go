package message

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
)

// Version is the only BGP version spoken (RFC 4271 §4.2).
const Version = 4

// ASTrans is the 2-octet AS placed in My Autonomous System by a speaker
// whose AS does not fit 16 bits (RFC 6793 §9).
const ASTrans = 23456

// Open is a decoded OPEN message (RFC 4271 §4.2, RFC 9072 §2).
//
//	+-+-+-+-+-+-+-+-+
//	|    Version    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     My Autonomous System      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Hold Time           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         BGP Identifier                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Opt Parm Len  |  Optional Parameters (variable) …
//	+-+-+-+-+-+-+-+-+
//
// In the RFC 9072 form Opt Parm Len is 255, followed by the marker type 255
// and a 2-octet length, and each parameter has a 2-octet length.
type Open struct {
	Version  uint8      `json:"version"`
	MyAS     uint16     `json:"my-as"`
	HoldTime uint16     `json:"hold-time"`
	BGPID    netip.Addr `json:"bgp-id"`
	// Params is the optional parameters area without its length field(s);
	// it aliases the message when decoded.
	Params []byte `json:"-"`
	// ExtParams says Params uses RFC 9072 2-octet parameter lengths. Set it
	// to force the extended form on encoding; without it the encoders pick
	// it only when the parameters exceed 255 bytes.
	ExtParams bool `json:"extended-parameters"`
}

// openFixed is the size of the OPEN body before the optional parameters.
const openFixed = 9

// ParseOpen decodes the body of an OPEN message (the bytes after the 19-byte
// header) and applies the checks that belong to the message itself (RFC 4271
// §6.2): version, hold time, BGP identifier (RFC 6286 §2.2: any non-zero
// value) and the structure of the optional parameters, where only
// Capabilities parameters are supported (RFC 5492 §3). Checks against the
// configured peer (AS, role, required capabilities) belong to the session.
// Errors are a *wire.NotifyError. Params aliases body.
func ParseOpen(body []byte) (Open, error) {
	if len(body) < openFixed+1 {
		return Open{}, badLength(len(body))
	}
	o := Open{
		Version:  body[0],
		MyAS:     binary.BigEndian.Uint16(body[1:]),
		HoldTime: binary.BigEndian.Uint16(body[3:]),
		BGPID:    netip.AddrFrom4([4]byte(body[5:9])),
	}
	if o.Version != Version {
		// The data is the largest locally supported version below the bid,
		// or the smallest supported: 4 either way.
		return o, wire.NewNotifyError(wire.NotifyOpen, wire.OpenUnsupportedVersion, []byte{0, Version})
	}
	if o.HoldTime == 1 || o.HoldTime == 2 {
		return o, wire.NewNotifyError(wire.NotifyOpen, wire.OpenUnacceptableHoldTime, nil)
	}
	if o.BGPID.As4() == [4]byte{} {
		return o, wire.NewNotifyError(wire.NotifyOpen, wire.OpenBadBGPID, nil)
	}
	optLen, rest := int(body[openFixed]), body[openFixed+1:]
	switch {
	case optLen != 0 && len(rest) > 0 && rest[0] == capability.ParamExtLength:
		// RFC 9072 §2: the octet after a non-zero length decides the form,
		// whatever the length octet says.
		if len(rest) < 3 || 3+int(binary.BigEndian.Uint16(rest[1:])) != len(rest) {
			return o, wire.NewNotifyError(wire.NotifyOpen, 0, nil)
		}
		o.Params, o.ExtParams = rest[3:], true
	case optLen != len(rest):
		return o, wire.NewNotifyError(wire.NotifyOpen, 0, nil)
	default:
		o.Params = rest
	}
	if err := capability.Validate(o.Params, o.ExtParams); err != nil {
		ne, _ := wire.AsNotify(err)
		return o, ne
	}
	return o, nil
}

// badLength is the Message Header Error for a body too short for its type.
func badLength(bodyLen int) *wire.NotifyError {
	n := wire.HeaderLen + bodyLen
	return wire.NewNotifyError(wire.NotifyHeader, wire.HeaderBadLength, []byte{byte(n >> 8), byte(n)})
}

// Capabilities returns an iterator over the capabilities of the OPEN.
func (o Open) Capabilities() capability.Iter {
	return capability.NewIter(o.Params, o.ExtParams)
}

// AS returns the speaker's AS: the value of the 4-octet AS capability when
// present (RFC 6793 §3), else My Autonomous System.
func (o Open) AS() uint32 {
	it := o.Capabilities()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		if r.Code == capability.CodeASN4 && len(r.Value) == 4 {
			return binary.BigEndian.Uint32(r.Value)
		}
	}
	return uint32(o.MyAS)
}

// Type returns wire.MsgOpen.
func (Open) Type() wire.MsgType { return wire.MsgOpen }

// layout says how Params is written: in the extended form or not, and
// whether classic 1-octet parameter lengths must first be widened.
func (o Open) layout() (ext, widen bool) {
	if o.ExtParams {
		return true, false
	}
	return len(o.Params) > 255, len(o.Params) > 255
}

// Len returns the size of the encoded message.
func (o Open) Len() int {
	ext, widen := o.layout()
	switch {
	case widen:
		return wire.HeaderLen + openFixed + 4 + len(o.Params) + countParams(o.Params)
	case ext:
		return wire.HeaderLen + openFixed + 4 + len(o.Params)
	}
	return wire.HeaderLen + openFixed + 1 + len(o.Params)
}

// WriteTo writes the message at buf[off:] and returns its length (Len).
// Params over 255 bytes in the classic form are rewritten with 2-octet
// lengths in the RFC 9072 form. buf must have room for Len bytes.
func (o Open) WriteTo(buf []byte, off int) int {
	p := off + o.writeFixed(buf, off)
	ext, widen := o.layout()
	if !ext {
		buf[p] = byte(len(o.Params))
		p += 1 + copy(buf[p+1:], o.Params)
		wire.BackfillLength(buf, off, p-off)
		return p - off
	}
	start := writeExtMarker(buf, p)
	p = start
	if widen {
		p += widenParams(buf, p, o.Params)
	} else {
		p += copy(buf[p:], o.Params)
	}
	binary.BigEndian.PutUint16(buf[start-2:], uint16(p-start))
	wire.BackfillLength(buf, off, p-off)
	return p - off
}

// writeFixed writes the header and the fixed fields and returns their size.
func (o Open) writeFixed(buf []byte, off int) int {
	p := off + wire.WriteHeader(buf, off, 0, wire.MsgOpen)
	buf[p] = o.Version
	binary.BigEndian.PutUint16(buf[p+1:], o.MyAS)
	binary.BigEndian.PutUint16(buf[p+3:], o.HoldTime)
	var id [4]byte
	if o.BGPID.Is4() {
		id = o.BGPID.As4()
	}
	copy(buf[p+5:], id[:])
	return wire.HeaderLen + openFixed
}

// writeExtMarker writes the RFC 9072 §2 length octet 255, marker type 255
// and a 2-octet length to backfill, and returns where the parameters start.
func writeExtMarker(buf []byte, p int) int {
	buf[p] = 255
	buf[p+1] = capability.ParamExtLength
	return p + 4
}

// countParams counts the classic-form parameters of params. A malformed
// tail counts as none: it is then copied unchanged.
func countParams(params []byte) int {
	n := 0
	for p := 0; p+2 <= len(params) && p+2+int(params[p+1]) <= len(params); p += 2 + int(params[p+1]) {
		n++
	}
	return n
}

// widenParams copies classic-form parameters with 2-octet lengths. Bytes
// that do not form a whole parameter are copied unchanged.
func widenParams(buf []byte, off int, params []byte) int {
	w, p := off, 0
	for p+2 <= len(params) && p+2+int(params[p+1]) <= len(params) {
		n := int(params[p+1])
		buf[w] = params[p]
		binary.BigEndian.PutUint16(buf[w+1:], uint16(n))
		w += 3 + copy(buf[w+3:], params[p+2:p+2+n])
		p += 2 + n
	}
	w += copy(buf[w:], params[p:])
	return w - off
}

// OpenLen returns the size of the OPEN that WriteOpen writes.
func OpenLen(o Open, caps []capability.Capability) int {
	n, ext := capability.ParamsLen(caps)
	if o.ExtParams || ext {
		return wire.HeaderLen + openFixed + 4 + capability.ExtParamsLen(caps)
	}
	return wire.HeaderLen + openFixed + 1 + n
}

// WriteOpen writes an OPEN with the fixed fields of o and caps as its
// optional parameters, one Capabilities parameter each (o.Params is not
// used). The RFC 9072 form is used when the parameters exceed 255 bytes or
// o.ExtParams is set. It returns the message length (OpenLen) and does not
// allocate. buf must have room for OpenLen bytes.
func WriteOpen(buf []byte, off int, o Open, caps []capability.Capability) int {
	p := off + o.writeFixed(buf, off)
	n, ext := capability.ParamsLen(caps)
	ext = ext || o.ExtParams
	if !ext {
		buf[p] = byte(n)
		p++
	} else {
		p = writeExtMarker(buf, p)
	}
	w := capability.WriteParams(buf, p, caps, ext)
	if ext {
		binary.BigEndian.PutUint16(buf[p-2:], uint16(w))
	}
	p += w
	wire.BackfillLength(buf, off, p-off)
	return p - off
}

// capJSON is one capability in the JSON view of an OPEN.
type capJSON struct {
	Code  capability.Code       `json:"code"`
	Name  string                `json:"name"`
	Value capability.Capability `json:"value,omitempty"`
	Raw   string                `json:"raw,omitempty"`   // hex, when it did not decode
	Error string                `json:"error,omitempty"` // why it did not decode
}

// MarshalJSON adds to the fixed fields the speaker's AS (see AS) and the
// decoded capabilities, in order. A capability that does not decode is
// shown as hex with the reason; a structural fault of the parameters ends
// the list with "capabilities-error".
func (o Open) MarshalJSON() ([]byte, error) {
	type plain Open // drops the method, keeps the tags
	caps := []capJSON{}
	it := o.Capabilities()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		c := capJSON{Code: r.Code, Name: r.Code.String()}
		v, err := r.Parse()
		if err != nil {
			c.Raw, c.Error = fmt.Sprintf("%X", r.Value), err.Error()
		} else {
			c.Value = v
		}
		caps = append(caps, c)
	}
	var capErr string
	if err := it.Err(); err != nil {
		capErr = err.Error()
	}
	return json.Marshal(struct {
		plain
		AS           uint32    `json:"as"`
		Capabilities []capJSON `json:"capabilities"`
		CapErr       string    `json:"capabilities-error,omitempty"`
	}{plain(o), o.AS(), caps, capErr})
}
