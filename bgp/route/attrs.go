package route

import "github.com/zebgp/ze/bgp/wire"

// attrSpec says how one text-mode attribute keyword is encoded.
type attrSpec struct {
	name string
	code wire.AttrCode
	list bool // several values, and several clauses merge
	// encode writes the whole attribute (header and value) at buf[off:].
	encode func(vals []token, ctx *wire.EncodingContext, buf []byte, off int) (int, error)
}

// attrSpecs maps each keyword of the grammar to its encoder.
var attrSpecs = map[string]*attrSpec{}
