package view

import "github.com/zebgp/ze/bgp/wire"

// appendAttributes writes the path attributes as one object keyed by the
// attributes' JSON names. MP_REACH/MP_UNREACH are shown under announce and
// withdraw, not here; NEXT_HOP goes with the IPv4 NLRI.
func appendAttributes(w *W, attrs []byte, ctx *wire.EncodingContext) error {
	w.Open('{')
	defer w.Close('}')
	it := wire.NewAttrIter(attrs)
	for {
		a, ok := it.Next()
		if !ok {
			break
		}
		switch a.Code {
		case wire.AttrMPReach, wire.AttrMPUnreach, wire.AttrNextHop:
			continue
		}
		w.Key(a.Code.String())
		w.Hex(a.Value)
	}
	return it.Err()
}
