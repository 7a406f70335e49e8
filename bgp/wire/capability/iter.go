package capability

import (
	"encoding/binary"
	"fmt"

	"github.com/zebgp/ze/bgp/wire"
)

// OPEN optional parameter types (RFC 4271 §4.2, RFC 5492 §4, RFC 9072 §2).
const (
	ParamCapabilities uint8 = 2
	// ParamExtLength marks the RFC 9072 extended parameters encoding. It is
	// never a parameter of its own.
	ParamExtLength uint8 = 255
)

// Raw is one capability as it sits in the OPEN: Value aliases the message.
type Raw struct {
	Code  Code
	Value []byte
}

// Parse decodes the capability (see Parse).
func (r Raw) Parse() (Capability, error) { return Parse(r.Code, r.Value) }

// Iter walks the capabilities of an OPEN's optional parameters area one at a
// time, without allocating. Each Capabilities parameter (type 2) may hold
// several capabilities and there may be several such parameters (RFC 5492
// §4). Any other parameter type stops the walk with OPEN Message Error /
// Unsupported Optional Parameter (RFC 4271 §6.2, RFC 5492 §3).
//
//	it := capability.NewIter(params, ext)
//	for r, ok := it.Next(); ok; r, ok = it.Next() { … }
//	if err := it.Err(); err != nil { … }
type Iter struct {
	params []byte
	ext    bool
	off    int    // start of the next parameter in params
	cur    []byte // the rest of the current Capabilities parameter
	err    error
}

// NewIter returns an iterator over params, the optional parameters area
// without its length field(s). ext says the parameters use 2-octet lengths
// (RFC 9072 §2).
func NewIter(params []byte, ext bool) Iter { return Iter{params: params, ext: ext} }

// Next returns the next capability, or false at the end or on error.
func (it *Iter) Next() (Raw, bool) {
	for it.err == nil {
		if len(it.cur) > 0 {
			return it.capability()
		}
		if it.off >= len(it.params) {
			return Raw{}, false
		}
		it.param()
	}
	return Raw{}, false
}

// capability cuts the next capability out of the current parameter.
func (it *Iter) capability() (Raw, bool) {
	c := it.cur
	if len(c) < 2 {
		it.fail(wire.NewNotifyError(wire.NotifyOpen, 0, nil),
			"capability: capability header needs 2 bytes, %d left in parameter", len(c))
		return Raw{}, false
	}
	n := int(c[1])
	if 2+n > len(c) {
		it.fail(wire.NewNotifyError(wire.NotifyOpen, 0, nil),
			"capability: %s: length %d overruns the %d bytes left in parameter", Code(c[0]), n, len(c)-2)
		return Raw{}, false
	}
	it.cur = c[2+n:]
	return Raw{Code: Code(c[0]), Value: c[2 : 2+n]}, true
}

// param moves to the next optional parameter.
func (it *Iter) param() {
	rest := it.params[it.off:]
	hl := 2
	if it.ext {
		hl = 3
	}
	if len(rest) < hl {
		it.fail(wire.NewNotifyError(wire.NotifyOpen, 0, nil),
			"capability: optional parameter at offset %d: header needs %d bytes, %d left", it.off, hl, len(rest))
		return
	}
	t, n := rest[0], int(rest[1])
	if it.ext {
		n = int(binary.BigEndian.Uint16(rest[1:]))
	}
	if hl+n > len(rest) {
		it.fail(wire.NewNotifyError(wire.NotifyOpen, 0, nil),
			"capability: optional parameter at offset %d: length %d overruns the %d bytes left", it.off, n, len(rest)-hl)
		return
	}
	if t != ParamCapabilities {
		it.fail(wire.NewNotifyError(wire.NotifyOpen, wire.OpenUnsupportedOptParam, nil),
			"capability: optional parameter at offset %d: unsupported type %d", it.off, t)
		return
	}
	it.cur = rest[hl : hl+n]
	it.off += hl + n
}

func (it *Iter) fail(n *wire.NotifyError, format string, args ...any) {
	it.err = &Error{msg: fmt.Sprintf(format, args...), notify: n}
	it.cur = nil
}

// Err returns the error that stopped the walk, if any: an *Error whose
// Unwrap is the *wire.NotifyError to send.
func (it *Iter) Err() error { return it.err }

// Validate walks the whole area and returns the first structural error.
func Validate(params []byte, ext bool) error {
	it := NewIter(params, ext)
	for _, ok := it.Next(); ok; _, ok = it.Next() {
	}
	return it.Err()
}

// ParamsLen returns the size of the optional parameters area that WriteParams
// writes for caps, and whether it needs the RFC 9072 extended form because
// the classic form would exceed 255 bytes (or one capability alone does not
// fit a 1-octet parameter length).
func ParamsLen(caps []Capability) (n int, ext bool) {
	for _, c := range caps {
		l := c.Len()
		n += 2 + l
		ext = ext || l > 255
	}
	if n <= 255 && !ext {
		return n, false
	}
	return n + len(caps), true
}

// ExtParamsLen returns the size of the area in the extended form.
func ExtParamsLen(caps []Capability) int {
	n := 0
	for _, c := range caps {
		n += 3 + c.Len()
	}
	return n
}

// WriteParams writes caps as an optional parameters area, one Capabilities
// parameter per capability (RFC 5492 §4 allows either layout; this one is
// understood by every implementation), with 2-octet parameter lengths when
// ext is set (RFC 9072 §2). It returns the number of bytes written, which is
// ParamsLen or ExtParamsLen.
func WriteParams(buf []byte, off int, caps []Capability, ext bool) int {
	p := off
	for _, c := range caps {
		buf[p] = ParamCapabilities
		hl := 2
		if ext {
			hl = 3
		}
		n := c.WriteTo(buf, p+hl)
		if ext {
			binary.BigEndian.PutUint16(buf[p+1:], uint16(n))
		} else {
			buf[p+1] = byte(n)
		}
		p += hl + n
	}
	return p - off
}
