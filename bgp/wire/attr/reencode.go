package attr

import (
	"github.com/zebgp/ze/bgp/wire"
)

// Reencode decodes attribute a with the type of its code, as read with ctx,
// and writes it again with its original flags at buf[off:]; it returns the
// size written. For every minimally encoded attribute the output equals
// a.Raw, and an extended length used for a short value is kept. Attributes
// this package has no type for (MP_REACH_NLRI, MP_UNREACH_NLRI, PMSI
// tunnel, tunnel encapsulation, BGP-LS, unknown codes) are written as
// Unknown. A value that does not decode is returned as the decoder's
// error, with nothing written. buf must hold len(a.Raw)+1 octets.
func Reencode(a wire.Attr, ctx *wire.EncodingContext, buf []byte, off int) (int, error) {
	f, v := a.Flags, a.Value
	switch a.Code {
	case wire.AttrOrigin:
		x, err := DecodeOrigin(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrASPath:
		x, err := DecodeASPath(v, ctx.ASN4Enabled())
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrNextHop:
		x, err := DecodeNextHop(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrMED:
		x, err := DecodeMED(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrLocalPref:
		x, err := DecodeLocalPref(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrAtomicAggregate:
		x, err := DecodeAtomicAggregate(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrAggregator:
		x, err := DecodeAggregator(v, ctx.ASN4Enabled())
		if err != nil {
			return 0, err
		}
		return x.WriteAs(buf, off, f, ctx.ASN4Enabled()), nil
	case wire.AttrCommunity:
		x, err := DecodeCommunities(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrOriginatorID:
		x, err := DecodeOriginatorID(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrClusterList:
		x, err := DecodeClusterList(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrExtCommunity:
		x, err := DecodeExtCommunities(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrAS4Path:
		x, err := DecodeAS4Path(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrAS4Aggregator:
		x, err := DecodeAS4Aggregator(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrIPv6ExtCommunity:
		x, err := DecodeIPv6ExtCommunities(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrAIGP:
		x, err := DecodeAIGP(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrLargeCommunity:
		x, err := DecodeLargeCommunities(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrOTC:
		x, err := DecodeOTC(v)
		return wr(x.WriteAttr, buf, off, f, err)
	case wire.AttrPrefixSID:
		x, err := DecodePrefixSID(v)
		return wr(x.WriteAttr, buf, off, f, err)
	}
	return UnknownOf(a).WriteTo(buf, off), nil
}

func wr(w func([]byte, int, wire.AttrFlags) int, buf []byte, off int, f wire.AttrFlags, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return w(buf, off, f), nil
}

// AppendText appends the text form of attribute a's value, as read with
// ctx (the forms are in the package README). Attributes without a type here
// append their Unknown form. A value that does not decode is an error and
// nothing is appended.
func AppendText(dst []byte, a wire.Attr, ctx *wire.EncodingContext) ([]byte, error) {
	v := a.Value
	switch a.Code {
	case wire.AttrOrigin:
		x, err := DecodeOrigin(v)
		return app(dst, x.AppendText, err)
	case wire.AttrASPath:
		x, err := DecodeASPath(v, ctx.ASN4Enabled())
		return app(dst, x.AppendText, err)
	case wire.AttrNextHop:
		x, err := DecodeNextHop(v)
		return app(dst, x.AppendText, err)
	case wire.AttrMED:
		x, err := DecodeMED(v)
		return app(dst, x.AppendText, err)
	case wire.AttrLocalPref:
		x, err := DecodeLocalPref(v)
		return app(dst, x.AppendText, err)
	case wire.AttrAtomicAggregate:
		x, err := DecodeAtomicAggregate(v)
		return app(dst, x.AppendText, err)
	case wire.AttrAggregator:
		x, err := DecodeAggregator(v, ctx.ASN4Enabled())
		return app(dst, x.AppendText, err)
	case wire.AttrCommunity:
		x, err := DecodeCommunities(v)
		return app(dst, x.AppendText, err)
	case wire.AttrOriginatorID:
		x, err := DecodeOriginatorID(v)
		return app(dst, x.AppendText, err)
	case wire.AttrClusterList:
		x, err := DecodeClusterList(v)
		return app(dst, x.AppendText, err)
	case wire.AttrExtCommunity:
		x, err := DecodeExtCommunities(v)
		return app(dst, x.AppendText, err)
	case wire.AttrAS4Path:
		x, err := DecodeAS4Path(v)
		return app(dst, x.AppendText, err)
	case wire.AttrAS4Aggregator:
		x, err := DecodeAS4Aggregator(v)
		return app(dst, x.AppendText, err)
	case wire.AttrIPv6ExtCommunity:
		x, err := DecodeIPv6ExtCommunities(v)
		return app(dst, x.AppendText, err)
	case wire.AttrAIGP:
		x, err := DecodeAIGP(v)
		return app(dst, x.AppendText, err)
	case wire.AttrLargeCommunity:
		x, err := DecodeLargeCommunities(v)
		return app(dst, x.AppendText, err)
	case wire.AttrOTC:
		x, err := DecodeOTC(v)
		return app(dst, x.AppendText, err)
	case wire.AttrPrefixSID:
		x, err := DecodePrefixSID(v)
		return app(dst, x.AppendText, err)
	}
	return UnknownOf(a).AppendText(dst), nil
}

func app(dst []byte, f func([]byte) []byte, err error) ([]byte, error) {
	if err != nil {
		return dst, err
	}
	return f(dst), nil
}
