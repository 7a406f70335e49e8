package attr

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// Prefix-SID TLV types (RFC 8669 §3, RFC 9252 §2).
const (
	SIDLabelIndex     uint8 = 1
	SIDOriginatorSRGB uint8 = 3
	SIDSRv6L3Service  uint8 = 5
	SIDSRv6L2Service  uint8 = 6
	srv6SIDInfoSubTLV uint8 = 1  // RFC 9252 §3.1
	srv6SIDInfoMinLen       = 21 // reserved, SID (16), flags, behavior (2), reserved
)

// PrefixSID is a view of a BGP Prefix-SID value (RFC 8669 §3): TLVs of a
// type octet, a 2-octet length and a value. Unknown TLVs are kept and
// written back unmodified.
type PrefixSID struct{ b []byte }

// PrefixSIDTLV is one TLV of a Prefix-SID.
type PrefixSIDTLV struct {
	Type  uint8
	Value []byte
}

var (
	// ErrPrefixSIDMalformed is the error of a Prefix-SID that RFC 8669 §6
	// handles by attribute discard.
	ErrPrefixSIDMalformed = errors.New("attr: prefix-sid: malformed")
	// ErrSRv6ServiceMalformed is the error of a Prefix-SID with a malformed
	// SRv6 Service TLV, which RFC 9252 §7 handles by treat-as-withdraw.
	ErrSRv6ServiceMalformed = errors.New("attr: prefix-sid: malformed srv6 service tlv")
)

// DecodePrefixSID reads a Prefix-SID value. RFC 8669 §6: an empty value, a
// TLV that overruns the attribute, a Label-Index TLV whose length is not 7
// and an Originator SRGB TLV whose length is not 2 plus a non-zero multiple
// of 6 are malformed (ErrPrefixSIDMalformed). RFC 9252 §7: an SRv6 Service
// TLV shorter than 1, or whose sub-TLVs or sub-sub-TLVs overrun it, or with
// an SRv6 SID Information sub-TLV shorter than 21, is malformed
// (ErrSRv6ServiceMalformed, the stronger of the two).
func DecodePrefixSID(v []byte) (PrefixSID, error) {
	if len(v) == 0 {
		return PrefixSID{}, ErrPrefixSIDMalformed
	}
	var err error
	for it := (PrefixSID{v}).TLVs(); ; {
		t, ok := it.Next()
		if !ok {
			if it.off != len(v) {
				return PrefixSID{}, ErrPrefixSIDMalformed
			}
			break
		}
		switch t.Type {
		case SIDLabelIndex:
			if len(t.Value) != 7 {
				err = ErrPrefixSIDMalformed
			}
		case SIDOriginatorSRGB:
			if len(t.Value) < 8 || (len(t.Value)-2)%6 != 0 {
				err = ErrPrefixSIDMalformed
			}
		case SIDSRv6L3Service, SIDSRv6L2Service:
			if !validSRv6Service(t.Value) {
				return PrefixSID{}, ErrSRv6ServiceMalformed
			}
		}
	}
	if err != nil {
		return PrefixSID{}, err
	}
	return PrefixSID{v}, nil
}

// validSRv6Service checks an SRv6 Service TLV value (RFC 9252 §2): a
// reserved octet, then sub-TLVs (type, 2-octet length, value); an SRv6 SID
// Information sub-TLV holds 21 octets and then sub-sub-TLVs.
func validSRv6Service(v []byte) bool {
	if len(v) < 1 {
		return false
	}
	for off := 1; off < len(v); {
		t, sv, next, ok := tlv3(v, off)
		if !ok {
			return false
		}
		if t == srv6SIDInfoSubTLV {
			if len(sv) < srv6SIDInfoMinLen {
				return false
			}
			for o := srv6SIDInfoMinLen; o < len(sv); {
				_, _, n, ok := tlv3(sv, o)
				if !ok {
					return false
				}
				o = n
			}
		}
		off = next
	}
	return true
}

// tlv3 reads a TLV with a 1-octet type and a 2-octet length at b[off:].
func tlv3(b []byte, off int) (t uint8, v []byte, next int, ok bool) {
	if len(b)-off < 3 {
		return 0, nil, 0, false
	}
	l := int(binary.BigEndian.Uint16(b[off+1:]))
	if off+3+l > len(b) {
		return 0, nil, 0, false
	}
	return b[off], b[off+3 : off+3+l], off + 3 + l, true
}

// PrefixSIDIter walks the TLVs of a Prefix-SID.
type PrefixSIDIter struct {
	b   []byte
	off int
}

// TLVs returns an iterator over the TLVs.
func (p PrefixSID) TLVs() PrefixSIDIter { return PrefixSIDIter{b: p.b} }

// Next returns the next TLV, or false at the end.
func (it *PrefixSIDIter) Next() (PrefixSIDTLV, bool) {
	t, v, next, ok := tlv3(it.b, it.off)
	if !ok {
		return PrefixSIDTLV{}, false
	}
	it.off = next
	return PrefixSIDTLV{t, v}, true
}

// Find returns the first TLV of type t (later ones are ignored, RFC 8669 §6).
func (p PrefixSID) Find(t uint8) ([]byte, bool) {
	for it := p.TLVs(); ; {
		x, ok := it.Next()
		if !ok {
			return nil, false
		}
		if x.Type == t {
			return x.Value, true
		}
	}
}

// LabelIndex returns the label index of the Label-Index TLV (RFC 8669 §3.1).
func (p PrefixSID) LabelIndex() (uint32, bool) {
	v, ok := p.Find(SIDLabelIndex)
	if !ok || len(v) != 7 {
		return 0, false
	}
	return binary.BigEndian.Uint32(v[3:]), true
}

// SRGB is one range of an Originator SRGB TLV (RFC 8669 §3.2): the first
// label and the number of labels, 3 octets each.
type SRGB struct{ Base, Range uint32 }

// SRGBs returns the ranges of the Originator SRGB TLV, read by index.
func (p PrefixSID) SRGBs() SRGBList {
	v, ok := p.Find(SIDOriginatorSRGB)
	if !ok || len(v) < 2 {
		return SRGBList{}
	}
	return SRGBList{v[2:]}
}

// SRGBList is a view of the ranges of an Originator SRGB TLV.
type SRGBList struct{ b []byte }

// Count returns the number of ranges.
func (l SRGBList) Count() int { return len(l.b) / 6 }

// At returns the i-th range.
func (l SRGBList) At(i int) SRGB {
	b := l.b[6*i:]
	return SRGB{uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]), uint32(b[3])<<16 | uint32(b[4])<<8 | uint32(b[5])}
}

// Raw returns the value bytes.
func (p PrefixSID) Raw() []byte { return p.b }

// Len returns the size of the whole attribute with flags 0xC0.
func (p PrefixSID) Len() int { return Size(flagsOptTrans, len(p.b)) }

// WriteTo writes the Prefix-SID attribute with flags 0xC0.
func (p PrefixSID) WriteTo(buf []byte, off int) int { return p.WriteAttr(buf, off, flagsOptTrans) }

// WriteAttr writes the Prefix-SID attribute with the given flags.
func (p PrefixSID) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeValue(buf, off, flags, wire.AttrPrefixSID, p.b)
}

// AppendText appends the TLVs separated by spaces: "label-index:INDEX",
// "srgb:BASE:RANGE" per range, "srv6-l3-service:HEX", "srv6-l2-service:HEX"
// and "tlv-TYPE:HEX" for the others (HEX is the TLV value, uppercase).
func (p PrefixSID) AppendText(dst []byte) []byte {
	first := true
	sep := func() {
		if !first {
			dst = append(dst, ' ')
		}
		first = false
	}
	for it := p.TLVs(); ; {
		t, ok := it.Next()
		if !ok {
			return dst
		}
		switch {
		case t.Type == SIDLabelIndex && len(t.Value) == 7 && zero(t.Value[:3]):
			sep()
			dst = append(dst, "label-index:"...)
			dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(t.Value[3:])), 10)
		case t.Type == SIDOriginatorSRGB && len(t.Value) >= 8 && (len(t.Value)-2)%6 == 0 && zero(t.Value[:2]):
			l := SRGBList{t.Value[2:]}
			for i := 0; i < l.Count(); i++ {
				sep()
				r := l.At(i)
				dst = append(dst, "srgb:"...)
				dst = strconv.AppendUint(dst, uint64(r.Base), 10)
				dst = append(dst, ':')
				dst = strconv.AppendUint(dst, uint64(r.Range), 10)
			}
		default:
			sep()
			switch t.Type {
			case SIDSRv6L3Service:
				dst = append(dst, "srv6-l3-service:"...)
			case SIDSRv6L2Service:
				dst = append(dst, "srv6-l2-service:"...)
			default:
				dst = append(dst, "tlv-"...)
				dst = strconv.AppendUint(dst, uint64(t.Type), 10)
				dst = append(dst, ':')
			}
			dst = appendHex(dst, t.Value)
		}
	}
}

// String returns the text form.
func (p PrefixSID) String() string { return string(p.AppendText(nil)) }

// ParsePrefixSID reads the text form of AppendText and returns a view over
// new bytes. Consecutive "srgb:" items form one Originator SRGB TLV.
func ParsePrefixSID(s string) (PrefixSID, error) {
	var b []byte
	srgb := -1 // offset of the open Originator SRGB TLV
	bad := func(f string) (PrefixSID, error) {
		return PrefixSID{}, errors.New("attr: bad prefix-sid item " + strconv.Quote(f))
	}
	for _, f := range strings.Fields(s) {
		name, arg, _ := strings.Cut(f, ":")
		if name != "srgb" {
			srgb = -1
		}
		switch name {
		case "label-index":
			n, ok := parseUintArg(arg, 32)
			if !ok {
				return bad(f)
			}
			b = append(b, SIDLabelIndex, 0, 7, 0, 0, 0)
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		case "srgb":
			bs, rs, _ := strings.Cut(arg, ":")
			base, ok1 := parseUintArg(bs, 24)
			rng, ok2 := parseUintArg(rs, 24)
			if !ok1 || !ok2 {
				return bad(f)
			}
			if srgb < 0 {
				srgb = len(b)
				b = append(b, SIDOriginatorSRGB, 0, 2, 0, 0)
			}
			b = append(b, byte(base>>16), byte(base>>8), byte(base), byte(rng>>16), byte(rng>>8), byte(rng))
			binary.BigEndian.PutUint16(b[srgb+1:], uint16(len(b)-srgb-3))
		default:
			var t uint64
			var ok bool
			switch {
			case name == "srv6-l3-service":
				t, ok = uint64(SIDSRv6L3Service), true
			case name == "srv6-l2-service":
				t, ok = uint64(SIDSRv6L2Service), true
			case strings.HasPrefix(name, "tlv-"):
				t, ok = parseUintArg(name[4:], 8)
			}
			v, err := hex.DecodeString(arg)
			if !ok || err != nil || len(v) > 0xFFFF {
				return bad(f)
			}
			b = append(b, byte(t), byte(len(v)>>8), byte(len(v)))
			b = append(b, v...)
		}
	}
	return DecodePrefixSID(b)
}
