package reactor

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
)

// Errors of Reencode.
var (
	ErrReencodeTooLong = errors.New("reactor: the re-encoded UPDATE is longer than the destination accepts")
	ErrReencodeNextHop = errors.New("reactor: an IPv6 next hop for IPv4 routes needs extended next hop (RFC 8950) on the destination")
)

// Reencode writes the UPDATE u, read with its session's receive context,
// as a whole message for a session that sends with dst, into buf (which
// must hold wire.ExtMaxMsgLen octets), and returns its length. What
// differs between contexts is rewritten:
//
//   - 4-octet AS numbers (RFC 6793): toward a 2-octet session AS_PATH and
//     AGGREGATOR are written with 2-octet AS numbers, AS_TRANS where one
//     does not fit, and AS4_PATH / AS4_AGGREGATOR carry the real ones
//     (§4.2.2); from a 2-octet session AS_PATH and AS4_PATH are merged into
//     one 4-octet AS_PATH (§4.2.3) and the AS4 attributes dropped;
//   - ADD-PATH (RFC 7911) per family: path identifiers are added (0) or
//     removed in the Withdrawn Routes and NLRI fields, MP_REACH_NLRI and
//     MP_UNREACH_NLRI;
//   - an IPv4 family with an IPv6 next hop needs extended next hop on the
//     destination (ErrReencodeNextHop); an UPDATE longer than the
//     destination's maximum (4096 without RFC 8654) is ErrReencodeTooLong.
//
// Every other attribute is copied as received.
func Reencode(u *wire.WireUpdate, dst *wire.EncodingContext, buf []byte) (int, error) {
	src := u.Context()
	if len(buf) < wire.ExtMaxMsgLen {
		return 0, wire.ErrShortBuffer
	}
	off := wire.HeaderLen
	// Withdrawn Routes.
	wlen := off
	off += 2
	n, err := repackNLRI(buf, off, wire.IPv4Unicast, u.Withdrawn(), src, dst)
	if err != nil {
		return 0, fmt.Errorf("reactor: re-encoding withdrawn routes: %w", err)
	}
	off += n
	binary.BigEndian.PutUint16(buf[wlen:], uint16(n))
	// Path attributes.
	alen := off
	off += 2
	n, err = reencodeAttrs(buf, off, u, src, dst)
	if err != nil {
		return 0, err
	}
	off += n
	binary.BigEndian.PutUint16(buf[alen:], uint16(n))
	// NLRI.
	n, err = repackNLRI(buf, off, wire.IPv4Unicast, u.NLRI(), src, dst)
	if err != nil {
		return 0, fmt.Errorf("reactor: re-encoding NLRI: %w", err)
	}
	off += n
	if off > dst.MaxLen() {
		return 0, ErrReencodeTooLong
	}
	wire.WriteHeader(buf, 0, off, wire.MsgUpdate)
	return off, nil
}

// repackNLRI writes the NLRI of family f with or without path identifiers
// as dst wants them.
func repackNLRI(buf []byte, off int, f wire.Family, nlri []byte, src, dst *wire.EncodingContext) (int, error) {
	sa, da := src.AddPath(f), dst.AddPath(f)
	if sa == da {
		if off+len(nlri) > len(buf) {
			return 0, ErrReencodeTooLong
		}
		return copy(buf[off:], nlri), nil
	}
	start := off
	it := wire.NewNLRIIter(f, nlri, sa)
	for n, ok := it.Next(); ok; n, ok = it.Next() {
		need := len(n.Bytes)
		if da {
			need += 4
		}
		if off+need > len(buf) {
			return 0, ErrReencodeTooLong
		}
		if da {
			binary.BigEndian.PutUint32(buf[off:], 0)
			off += 4
		}
		off += copy(buf[off:], n.Bytes)
	}
	if err := it.Err(); err != nil {
		return 0, err
	}
	return off - start, nil
}

// reencodeAttrs writes the path attributes for dst and returns their size.
func reencodeAttrs(buf []byte, off int, u *wire.WireUpdate, src, dst *wire.EncodingContext) (int, error) {
	start := off
	sASN4, dASN4 := src.ASN4Enabled(), dst.ASN4Enabled()
	var path attr.ASPath
	var agg attr.Aggregator
	hasAgg := false
	if sASN4 != dASN4 {
		scratch := wire.GetBuf(wire.MaxMsgLen)
		defer wire.PutBuf(scratch)
		var err error
		path, agg, hasAgg, err = attr.MergeAS4((*scratch)[:0], u.Attrs(), sASN4)
		if err != nil {
			return 0, fmt.Errorf("reactor: re-encoding the AS path: %w", err)
		}
	}
	room := func(n int) error {
		if off+n > len(buf) {
			return ErrReencodeTooLong
		}
		return nil
	}
	// Toward a 2-octet session AS4_PATH and AS4_AGGREGATOR go where their
	// type codes put them among the attributes received.
	as4Path := !dASN4 && sASN4 && path.NeedsAS4Path()
	as4Agg := !dASN4 && sASN4 && hasAgg && agg.ASN > 0xFFFF
	flush := func(before wire.AttrCode) error {
		if as4Path && before > wire.AttrAS4Path {
			if err := room(path.AS4PathValueLen() + 4); err != nil {
				return err
			}
			off += path.WriteAS4Path(buf, off)
			as4Path = false
		}
		if as4Agg && before > wire.AttrAS4Aggregator {
			if err := room(11); err != nil {
				return err
			}
			off += attr.AS4Aggregator(agg).WriteAttr(buf, off, wire.FlagOptional|wire.FlagTransitive)
			as4Agg = false
		}
		return nil
	}
	it := u.AttrIter()
	for a, ok := it.Next(); ok; a, ok = it.Next() {
		if a.Code != wire.AttrMPReach && a.Code != wire.AttrMPUnreach {
			if err := flush(a.Code); err != nil {
				return 0, err
			}
		}
		switch {
		case a.Code == wire.AttrMPReach || a.Code == wire.AttrMPUnreach:
			n, err := reencodeMP(buf, off, a, src, dst)
			if err != nil {
				return 0, err
			}
			off += n
			continue
		case sASN4 == dASN4:
		case a.Code == wire.AttrAS4Path || a.Code == wire.AttrAS4Aggregator:
			continue // merged (from 2-octet) or written anew (to 2-octet)
		case a.Code == wire.AttrASPath:
			if err := room(path.ValueLenAs(dASN4) + 4); err != nil {
				return 0, err
			}
			off += path.WriteAs(buf, off, dASN4)
			continue
		case a.Code == wire.AttrAggregator && hasAgg:
			if err := room(11); err != nil {
				return 0, err
			}
			off += agg.WriteAs(buf, off, a.Flags&^wire.FlagExtLen, dASN4)
			continue
		}
		if err := room(len(a.Raw)); err != nil {
			return 0, err
		}
		off += copy(buf[off:], a.Raw)
	}
	if err := flush(255); err != nil {
		return 0, err
	}
	if err := it.Err(); err != nil {
		return 0, fmt.Errorf("reactor: re-encoding attributes: %w", err)
	}
	return off - start, nil
}

// reencodeMP writes MP_REACH_NLRI or MP_UNREACH_NLRI with its NLRI
// repacked for dst (RFC 4760 §3, §4).
func reencodeMP(buf []byte, off int, a wire.Attr, src, dst *wire.EncodingContext) (int, error) {
	// The value is written after room for a 4-octet header, then moved
	// next to a 3-octet one when it is short enough and the peer did not
	// use the extended length: the bytes of an unchanged attribute stay.
	start := off
	vstart := off + 4
	if vstart+len(a.Value) > len(buf) {
		return 0, ErrReencodeTooLong
	}
	off = vstart
	var f wire.Family
	var nlri []byte
	if a.Code == wire.AttrMPReach {
		mp, err := wire.ParseMPReach(a.Value)
		if err != nil {
			return 0, err
		}
		f, nlri = mp.Family, mp.NLRI
		if f.AFI == wire.AFIIPv4 && len(mp.NextHop) >= 16 && !dst.ExtNextHop(f) {
			return 0, ErrReencodeNextHop
		}
		hdr := 5 + len(mp.NextHop) // AFI, SAFI, length, next hop, reserved
		off += copy(buf[off:], a.Value[:hdr])
	} else {
		mp, err := wire.ParseMPUnreach(a.Value)
		if err != nil {
			return 0, err
		}
		f, nlri = mp.Family, mp.NLRI
		off += copy(buf[off:], a.Value[:3])
	}
	n, err := repackNLRI(buf, off, f, nlri, src, dst)
	if err != nil {
		return 0, fmt.Errorf("reactor: re-encoding %s NLRI: %w", f, err)
	}
	off += n
	vlen := off - vstart
	h := wire.WriteAttrHeader(buf, start, a.Flags, a.Code, vlen)
	if h < 4 {
		copy(buf[start+h:], buf[vstart:off])
	}
	return h + vlen, nil
}
