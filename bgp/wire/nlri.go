package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// NLRICodec splits, prints and parses the NLRI of one family. Families
// beyond IPv4/IPv6 unicast and multicast are registered by their plugins.
type NLRICodec struct {
	// Len returns the size in bytes of the NLRI at the start of b (any
	// ADD-PATH path identifier already removed), or an error if it does not
	// fit or is invalid.
	Len func(b []byte) (int, error)
	// AppendText appends the NLRI's text form ("10.0.0.0/24").
	AppendText func(dst, nlri []byte) []byte
	// ParseText writes the NLRI described by s at buf[off:] and returns its size.
	ParseText func(s string, buf []byte, off int) (int, error)
}

var registry = map[Family]*NLRICodec{}

// RegisterFamily registers the NLRI codec of f. Call it from init; a second
// registration of the same family is a programmer error and panics.
func RegisterFamily(f Family, c NLRICodec) {
	if _, dup := registry[f]; dup {
		panic("wire: family " + f.String() + " registered twice")
	}
	registry[f] = &c
}

// LookupFamily returns the codec registered for f.
func LookupFamily(f Family) (*NLRICodec, bool) {
	c, ok := registry[f]
	return c, ok
}

// Families returns every registered family.
func Families() []Family {
	out := make([]Family, 0, len(registry))
	for f := range registry {
		out = append(out, f)
	}
	return out
}

func init() {
	for _, f := range []Family{IPv4Unicast, IPv4Multicast} {
		RegisterFamily(f, NLRICodec{Len: prefixLen4, AppendText: appendPrefix4, ParseText: parsePrefix4})
	}
	for _, f := range []Family{IPv6Unicast, IPv6Multicast} {
		RegisterFamily(f, NLRICodec{Len: prefixLen6, AppendText: appendPrefix6, ParseText: parsePrefix6})
	}
}

// NLRI is one NLRI as it sits in the message: Bytes aliases the message and
// excludes the path identifier.
type NLRI struct {
	PathID    uint32
	HasPathID bool
	Bytes     []byte
}

// NLRIIter walks the NLRI of one family one at a time without allocating.
type NLRIIter struct {
	b       []byte
	off     int
	addPath bool
	codec   *NLRICodec
	family  Family
	err     error
}

// NewNLRIIter returns an iterator over the NLRI of family f in b; addPath
// says whether each NLRI is preceded by a 4-octet path identifier (RFC 7911).
func NewNLRIIter(f Family, b []byte, addPath bool) NLRIIter {
	it := NLRIIter{b: b, addPath: addPath, family: f}
	c, ok := registry[f]
	if !ok {
		it.err = &UnknownFamilyError{Family: f}
		return it
	}
	it.codec = c
	return it
}

// UnknownFamilyError reports NLRI of a family no codec is registered for.
type UnknownFamilyError struct{ Family Family }

func (e *UnknownFamilyError) Error() string {
	return fmt.Sprintf("wire: no codec for family %s (afi %d safi %d)", e.Family, e.Family.AFI, e.Family.SAFI)
}

// Family returns the family being iterated.
func (it *NLRIIter) Family() Family { return it.family }

// Next returns the next NLRI, or false at the end or on an error (see Err).
func (it *NLRIIter) Next() (NLRI, bool) {
	if it.err != nil || it.off >= len(it.b) {
		return NLRI{}, false
	}
	rest := it.b[it.off:]
	var n NLRI
	if it.addPath {
		if len(rest) < 4 {
			it.err = errNLRITruncated
			return NLRI{}, false
		}
		n.PathID, n.HasPathID = binary.BigEndian.Uint32(rest), true
		rest = rest[4:]
		it.off += 4
	}
	l, err := it.codec.Len(rest)
	if err != nil {
		it.err = err
		return NLRI{}, false
	}
	n.Bytes = rest[:l]
	it.off += l
	return n, true
}

// Err returns the error that stopped the iteration, if any.
func (it *NLRIIter) Err() error { return it.err }

// Count walks the remaining NLRI and returns how many there are.
func (it NLRIIter) Count() (int, error) {
	n := 0
	for {
		if _, ok := it.Next(); !ok {
			return n, it.err
		}
		n++
	}
}

var (
	errNLRITruncated = NewNotifyError(NotifyUpdate, UpdateInvalidNetwork, nil)
	errPrefixTooLong = NewNotifyError(NotifyUpdate, UpdateInvalidNetwork, nil)
)

// RFC 4271 §4.3: a prefix is a length in bits followed by the fewest octets
// that hold it.
func prefixLenBits(b []byte, maxBits int) (int, error) {
	if len(b) == 0 {
		return 0, errNLRITruncated
	}
	bits := int(b[0])
	if bits > maxBits {
		return 0, errPrefixTooLong
	}
	n := 1 + (bits+7)/8
	if n > len(b) {
		return 0, errNLRITruncated
	}
	return n, nil
}

func prefixLen4(b []byte) (int, error) { return prefixLenBits(b, 32) }
func prefixLen6(b []byte) (int, error) { return prefixLenBits(b, 128) }

// PrefixFromNLRI decodes a prefix NLRI (length octet + address octets) of an
// IPv4 (is6 false) or IPv6 family. Host bits beyond the length are cleared.
func PrefixFromNLRI(nlri []byte, is6 bool) (netip.Prefix, error) {
	if len(nlri) == 0 {
		return netip.Prefix{}, errNLRITruncated
	}
	bits := int(nlri[0])
	if is6 {
		if bits > 128 || len(nlri) < 1+(bits+7)/8 {
			return netip.Prefix{}, errPrefixTooLong
		}
		var a [16]byte
		copy(a[:], nlri[1:1+(bits+7)/8])
		return netip.PrefixFrom(netip.AddrFrom16(a), bits).Masked(), nil
	}
	if bits > 32 || len(nlri) < 1+(bits+7)/8 {
		return netip.Prefix{}, errPrefixTooLong
	}
	var a [4]byte
	copy(a[:], nlri[1:1+(bits+7)/8])
	return netip.PrefixFrom(netip.AddrFrom4(a), bits).Masked(), nil
}

// WritePrefix writes p as a prefix NLRI at buf[off:] and returns its size.
func WritePrefix(buf []byte, off int, p netip.Prefix) int {
	bits := p.Bits()
	n := (bits + 7) / 8
	buf[off] = byte(bits)
	if p.Addr().Is4() {
		a := p.Addr().As4()
		copy(buf[off+1:], a[:n])
	} else {
		a := p.Addr().As16()
		copy(buf[off+1:], a[:n])
	}
	if r := bits % 8; r != 0 {
		buf[off+n] &= byte(0xFF << (8 - r))
	}
	return 1 + n
}

func appendPrefix4(dst, nlri []byte) []byte {
	p, err := PrefixFromNLRI(nlri, false)
	if err != nil {
		return append(dst, "invalid"...)
	}
	return p.AppendTo(dst)
}

func appendPrefix6(dst, nlri []byte) []byte {
	p, err := PrefixFromNLRI(nlri, true)
	if err != nil {
		return append(dst, "invalid"...)
	}
	return p.AppendTo(dst)
}

func parsePrefixText(s string, buf []byte, off int, want6 bool) (int, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		a, aerr := netip.ParseAddr(s)
		if aerr != nil {
			return 0, fmt.Errorf("wire: bad prefix %q: %w", s, err)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if p.Addr().Is4() == want6 || p.Addr().Is4In6() {
		fam := "ipv4"
		if want6 {
			fam = "ipv6"
		}
		return 0, errors.New("wire: prefix " + strconv.Quote(s) + " is not an " + fam + " prefix")
	}
	if p != p.Masked() {
		return 0, fmt.Errorf("wire: prefix %q has host bits set (did you mean %s?)", s, p.Masked())
	}
	if len(buf)-off < 1+(p.Bits()+7)/8 {
		return 0, ErrShortBuffer
	}
	return WritePrefix(buf, off, p), nil
}

func parsePrefix4(s string, buf []byte, off int) (int, error) {
	return parsePrefixText(s, buf, off, false)
}
func parsePrefix6(s string, buf []byte, off int) (int, error) {
	return parsePrefixText(s, buf, off, true)
}
