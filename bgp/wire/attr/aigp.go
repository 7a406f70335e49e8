package attr

import (
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/zebgp/ze/bgp/wire"
)

// AIGP is a view of an AIGP value (RFC 7311 §3): TLVs of a type octet and
// a 2-octet length that counts the whole TLV. Type 1, the AIGP TLV, holds
// the 8-octet accumulated IGP metric; other TLVs are kept and passed along.
type AIGP struct{ b []byte }

// AIGPMetric is an AIGP attribute with one AIGP TLV, to send.
type AIGPMetric uint64

// ErrAIGPMalformed is the error of an AIGP attribute that RFC 7311 §3.2
// handles by attribute discard.
var ErrAIGPMalformed = errors.New("attr: aigp: malformed")

// DecodeAIGP reads an AIGP value. RFC 7311 §3.2: an empty value, a TLV
// shorter than 3 or overrunning the value, an AIGP TLV whose length is not
// 11 and a first AIGP TLV holding 0xFFFFFFFFFFFFFFFF are malformed. Repeated
// or unknown TLVs are not.
func DecodeAIGP(v []byte) (AIGP, error) {
	if len(v) == 0 {
		return AIGP{}, ErrAIGPMalformed
	}
	seen := false
	for off := 0; off < len(v); {
		if len(v)-off < 3 {
			return AIGP{}, ErrAIGPMalformed
		}
		l := int(binary.BigEndian.Uint16(v[off+1:]))
		if l < 3 || off+l > len(v) {
			return AIGP{}, ErrAIGPMalformed
		}
		if v[off] == 1 {
			if l != 11 {
				return AIGP{}, ErrAIGPMalformed
			}
			if !seen && binary.BigEndian.Uint64(v[off+3:]) == ^uint64(0) {
				return AIGP{}, ErrAIGPMalformed
			}
			seen = true
		}
		off += l
	}
	return AIGP{v}, nil
}

// Metric returns the value of the first AIGP TLV.
func (a AIGP) Metric() (uint64, bool) {
	for off := 0; off+3 <= len(a.b); {
		l := int(binary.BigEndian.Uint16(a.b[off+1:]))
		if l < 3 || off+l > len(a.b) {
			return 0, false
		}
		if a.b[off] == 1 && l == 11 {
			return binary.BigEndian.Uint64(a.b[off+3:]), true
		}
		off += l
	}
	return 0, false
}

// Raw returns the value bytes.
func (a AIGP) Raw() []byte { return a.b }

// AppendText appends the metric in decimal, or the value in uppercase hex
// when there is no AIGP TLV or other TLVs come with it.
func (a AIGP) AppendText(dst []byte) []byte {
	if m, ok := a.Metric(); ok && len(a.b) == 11 {
		return strconv.AppendUint(dst, m, 10)
	}
	return appendHex(dst, a.b)
}

// String returns the text form.
func (a AIGP) String() string { return string(a.AppendText(nil)) }

// Len returns the size of the whole attribute with flags 0x80.
func (a AIGP) Len() int { return Size(flagsOptNonTrans, len(a.b)) }

// WriteTo writes the AIGP attribute with flags 0x80.
func (a AIGP) WriteTo(buf []byte, off int) int { return a.WriteAttr(buf, off, flagsOptNonTrans) }

// WriteAttr writes the AIGP attribute with the given flags.
func (a AIGP) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeValue(buf, off, flags, wire.AttrAIGP, a.b)
}

// ParseAIGP reads a metric in decimal.
func ParseAIGP(s string) (AIGPMetric, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == ^uint64(0) {
		return 0, errors.New("attr: bad aigp metric " + strconv.Quote(s) + ": want 0-18446744073709551614")
	}
	return AIGPMetric(n), nil
}

// String returns the metric in decimal.
func (m AIGPMetric) String() string { return strconv.FormatUint(uint64(m), 10) }

// Len returns the size of the whole attribute (14).
func (m AIGPMetric) Len() int { return 14 }

// WriteTo writes an AIGP attribute (flags 0x80) with one AIGP TLV:
// type 1, length 11, the 8-octet metric.
func (m AIGPMetric) WriteTo(buf []byte, off int) int {
	h := wire.WriteAttrHeader(buf, off, flagsOptNonTrans, wire.AttrAIGP, 11)
	o := off + h
	buf[o], buf[o+1], buf[o+2] = 1, 0, 11
	binary.BigEndian.PutUint64(buf[o+3:], uint64(m))
	return h + 11
}
