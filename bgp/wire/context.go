package wire

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// EncodingContext is what one direction of a session negotiated that changes
// how bytes are read or written: 4-octet AS numbers (RFC 6793), ADD-PATH per
// family (RFC 7911), extended next hop per family (RFC 8950) and extended
// message (RFC 8654). A session has one for receiving and one for sending.
//
// The same bytes decode differently per context: the AS numbers 00 01 FD E8
// are one AS (130536) with ASN4 and two (1, 65000) without, and the NLRI
// 00 00 00 01 18 0A 00 00 is path-id 1 + 10.0.0.0/24 with ADD-PATH but a run
// of unrelated short prefixes (0.0.0.0/0 three times, …) without.
type EncodingContext struct {
	ASN4       bool
	ExtMessage bool
	addPath    []Family // families whose NLRI carry a path identifier
	extNH      []Family // families that may use a next hop of another AFI
}

// NewContext returns a context with the given ASN4 and extended-message
// settings and no ADD-PATH or extended next hop.
func NewContext(asn4, extMessage bool) *EncodingContext {
	return &EncodingContext{ASN4: asn4, ExtMessage: extMessage}
}

// SetAddPath turns ADD-PATH path identifiers on or off for family f.
func (c *EncodingContext) SetAddPath(f Family, on bool) {
	c.addPath = setFamily(c.addPath, f, on)
}

// SetExtNextHop records that family f may carry a next hop of another AFI.
func (c *EncodingContext) SetExtNextHop(f Family, on bool) {
	c.extNH = setFamily(c.extNH, f, on)
}

// AddPath reports whether NLRI of family f carry a path identifier.
func (c *EncodingContext) AddPath(f Family) bool {
	if c == nil {
		return false
	}
	for _, x := range c.addPath {
		if x == f {
			return true
		}
	}
	return false
}

// ExtNextHop reports whether family f may carry a next hop of another AFI.
func (c *EncodingContext) ExtNextHop(f Family) bool {
	if c == nil {
		return false
	}
	for _, x := range c.extNH {
		if x == f {
			return true
		}
	}
	return false
}

// AddPathFamilies returns the families with ADD-PATH (sorted).
func (c *EncodingContext) AddPathFamilies() []Family { return slices.Clone(c.addPath) }

// MaxLen returns the largest message size the context allows.
func (c *EncodingContext) MaxLen() int {
	if c != nil && c.ExtMessage {
		return ExtMaxMsgLen
	}
	return MaxMsgLen
}

// ASN4Enabled is nil-safe: the default context (nil) is ASN4, which is what
// every modern speaker negotiates.
func (c *EncodingContext) ASN4Enabled() bool { return c == nil || c.ASN4 }

func setFamily(s []Family, f Family, on bool) []Family {
	i := slices.IndexFunc(s, func(x Family) bool { return x == f })
	switch {
	case on && i < 0:
		s = append(s, f)
		slices.SortFunc(s, func(a, b Family) int { return int(a.Key()) - int(b.Key()) })
	case !on && i >= 0:
		s = slices.Delete(s, i, i+1)
	}
	return s
}

// key is the canonical text of the context, used to intern ContextIDs.
func (c *EncodingContext) key() string {
	var b strings.Builder
	b.WriteString(strconv.FormatBool(c.ASN4))
	b.WriteByte(',')
	b.WriteString(strconv.FormatBool(c.ExtMessage))
	for _, f := range c.addPath {
		b.WriteString(",ap" + strconv.Itoa(int(f.Key())))
	}
	for _, f := range c.extNH {
		b.WriteString(",nh" + strconv.Itoa(int(f.Key())))
	}
	return b.String()
}

// ContextID names an encoding context. Two sessions whose contexts are equal
// get the same ID, so an UPDATE received on one can be sent on the other as
// the same bytes. The zero ContextID is never handed out.
type ContextID uint16

var contexts = struct {
	sync.Mutex
	ids map[string]ContextID
}{ids: map[string]ContextID{}}

// ID interns the context and returns its ContextID. Call it once when a
// session's context is fixed (after OPEN negotiation), not per message.
func (c *EncodingContext) ID() ContextID {
	k := c.key()
	contexts.Lock()
	defer contexts.Unlock()
	id, ok := contexts.ids[k]
	if !ok {
		id = ContextID(len(contexts.ids) + 1)
		contexts.ids[k] = id
	}
	return id
}
