package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// UpdateBuilder packs routes that share one attribute set into as few UPDATE
// messages as the session's maximum size allows (4096, or 65535 with RFC 8654
// extended message). It owns one pooled buffer; each message is handed to an
// emit function and is only valid during that call.
//
// NLRI are given packed as they go on the wire for the builder's context: one
// after the other, each preceded by its 4-octet path identifier when the
// context has ADD-PATH for the family. The builder splits only on NLRI
// boundaries, found through the family's codec.
type UpdateBuilder struct {
	ctx *EncodingContext
	max int
	buf *[]byte
}

// NewUpdateBuilder returns a builder for messages sent with ctx.
func NewUpdateBuilder(ctx *EncodingContext) *UpdateBuilder {
	m := ctx.MaxLen()
	return &UpdateBuilder{ctx: ctx, max: m, buf: GetBuf(m)}
}

// Release returns the builder's buffer to the pool; the builder is unusable after.
func (ub *UpdateBuilder) Release() {
	if ub.buf != nil {
		PutBuf(ub.buf)
		ub.buf = nil
	}
}

// MaxLen is the largest message the builder writes.
func (ub *UpdateBuilder) MaxLen() int { return ub.max }

var (
	errNLRITooBig  = errors.New("wire: one NLRI does not fit in a message with these attributes")
	errAttrsTooBig = errors.New("wire: path attributes do not fit in one message")
)

// Announce writes UPDATEs that announce nlri of family f with the path
// attributes attrs (already encoded, without NEXT_HOP, MP_REACH_NLRI or
// MP_UNREACH_NLRI) and the next hop nextHop (4 or 16 or 32 octets, or the
// family's own form). IPv4 unicast with an IPv4 next hop uses the NEXT_HOP
// attribute and the NLRI field (RFC 4271); everything else goes in
// MP_REACH_NLRI (RFC 4760). NEXT_HOP is inserted in type code order;
// MP_REACH_NLRI goes last, after the attributes, as ExaBGP sends it, so that
// migrated configurations produce the same bytes. It calls emit once per
// message.
func (ub *UpdateBuilder) Announce(f Family, attrs, nextHop, nlri []byte, emit func(msg []byte) error) error {
	if len(nlri) == 0 {
		return nil
	}
	codec, ok := registry[f]
	if !ok {
		return &UnknownFamilyError{Family: f}
	}
	addPath := ub.ctx.AddPath(f)
	classic := f == IPv4Unicast && len(nextHop) == 4
	// Room left for NLRI once the fixed parts are written.
	fixed := HeaderLen + 2 + 2 + len(attrs)
	if classic {
		fixed += 3 + 4
	} else {
		fixed += 4 + 2 + 1 + 1 + len(nextHop) + 1 // MP_REACH header (extended length) + AFI SAFI NHlen NH reserved
	}
	room := ub.max - fixed
	if room <= 0 {
		return errAttrsTooBig
	}
	for len(nlri) > 0 {
		n, err := fitNLRI(codec, nlri, room, addPath)
		if err != nil {
			return err
		}
		var size int
		if classic {
			size = ub.writeClassic(attrs, nextHop, nlri[:n])
		} else {
			size = ub.writeMPReach(f, attrs, nextHop, nlri[:n])
		}
		if err := emit((*ub.buf)[:size]); err != nil {
			return err
		}
		nlri = nlri[n:]
	}
	return nil
}

// Withdraw writes UPDATEs that withdraw nlri of family f: the Withdrawn Routes
// field for IPv4 unicast, MP_UNREACH_NLRI otherwise.
func (ub *UpdateBuilder) Withdraw(f Family, nlri []byte, emit func(msg []byte) error) error {
	codec, ok := registry[f]
	if !ok {
		return &UnknownFamilyError{Family: f}
	}
	addPath := ub.ctx.AddPath(f)
	room := ub.max - HeaderLen - 4
	if f != IPv4Unicast {
		room -= 4 + 3
	}
	for len(nlri) > 0 {
		n, err := fitNLRI(codec, nlri, room, addPath)
		if err != nil {
			return err
		}
		b := *ub.buf
		off := WriteHeader(b, 0, 0, MsgUpdate)
		if f == IPv4Unicast {
			binary.BigEndian.PutUint16(b[off:], uint16(n))
			off += 2 + copy(b[off+2:], nlri[:n])
			binary.BigEndian.PutUint16(b[off:], 0)
			off += 2
		} else {
			binary.BigEndian.PutUint16(b[off:], 0)
			off += 2
			alOff := off
			off += 2
			off += WriteAttrHeader(b, off, FlagOptional, AttrMPUnreach, 3+n)
			binary.BigEndian.PutUint16(b[off:], uint16(f.AFI))
			b[off+2] = byte(f.SAFI)
			off += 3 + copy(b[off+3:], nlri[:n])
			binary.BigEndian.PutUint16(b[alOff:], uint16(off-alOff-2))
		}
		BackfillLength(b, 0, off)
		if err := emit(b[:off]); err != nil {
			return err
		}
		nlri = nlri[n:]
	}
	return nil
}

// WriteEndOfRIB writes the End-of-RIB marker of family f (RFC 4724 §2) at
// buf[off:] and returns its size.
func WriteEndOfRIB(buf []byte, off int, f Family) int {
	start := off
	off += WriteHeader(buf, off, 0, MsgUpdate)
	binary.BigEndian.PutUint16(buf[off:], 0)
	if f == IPv4Unicast {
		binary.BigEndian.PutUint16(buf[off+2:], 0)
		off += 4
	} else {
		binary.BigEndian.PutUint16(buf[off+2:], 7)
		off += 4
		// The extended-length form, as ExaBGP and GoBGP send it.
		off += WriteAttrHeader(buf, off, FlagOptional|FlagExtLen, AttrMPUnreach, 3)
		binary.BigEndian.PutUint16(buf[off:], uint16(f.AFI))
		buf[off+2] = byte(f.SAFI)
		off += 3
	}
	BackfillLength(buf, start, off-start)
	return off - start
}

// fitNLRI returns how many leading bytes of nlri hold whole NLRI and fit in room.
func fitNLRI(codec *NLRICodec, nlri []byte, room int, addPath bool) (int, error) {
	n := 0
	for n < len(nlri) {
		l := 0
		if addPath {
			l = 4
		}
		if n+l > len(nlri) {
			return 0, errNLRITruncated
		}
		m, err := codec.Len(nlri[n+l:])
		if err != nil {
			return 0, fmt.Errorf("wire: building update: %w", err)
		}
		if n+l+m > room {
			if n == 0 {
				return 0, errNLRITooBig
			}
			break
		}
		n += l + m
	}
	return n, nil
}

// splitAttrs returns the attributes of attrs that sort before code c and
// those that sort after it, so an added attribute lands in type code order.
func splitAttrs(attrs []byte, c AttrCode) (before, after []byte) {
	it := NewAttrIter(attrs)
	for {
		off := it.Offset()
		a, ok := it.Next()
		if !ok || a.Code > c {
			return attrs[:off], attrs[off:]
		}
	}
}

func (ub *UpdateBuilder) writeClassic(attrs, nextHop, nlri []byte) int {
	b := *ub.buf
	off := WriteHeader(b, 0, 0, MsgUpdate)
	binary.BigEndian.PutUint16(b[off:], 0)
	off += 2
	alOff := off
	off += 2
	before, after := splitAttrs(attrs, AttrNextHop)
	off += copy(b[off:], before)
	off += WriteAttrHeader(b, off, FlagTransitive, AttrNextHop, 4)
	off += copy(b[off:], nextHop)
	off += copy(b[off:], after)
	binary.BigEndian.PutUint16(b[alOff:], uint16(off-alOff-2))
	off += copy(b[off:], nlri)
	BackfillLength(b, 0, off)
	return off
}

func (ub *UpdateBuilder) writeMPReach(f Family, attrs, nextHop, nlri []byte) int {
	b := *ub.buf
	off := WriteHeader(b, 0, 0, MsgUpdate)
	binary.BigEndian.PutUint16(b[off:], 0)
	off += 2
	alOff := off
	off += 2
	off += copy(b[off:], attrs)
	vlen := 2 + 1 + 1 + len(nextHop) + 1 + len(nlri)
	off += WriteAttrHeader(b, off, FlagOptional, AttrMPReach, vlen)
	binary.BigEndian.PutUint16(b[off:], uint16(f.AFI))
	b[off+2] = byte(f.SAFI)
	b[off+3] = byte(len(nextHop))
	off += 4
	off += copy(b[off:], nextHop)
	b[off] = 0
	off++
	off += copy(b[off:], nlri)
	binary.BigEndian.PutUint16(b[alOff:], uint16(off-alOff-2))
	BackfillLength(b, 0, off)
	return off
}
