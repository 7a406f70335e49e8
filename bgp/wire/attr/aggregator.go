package attr

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// Aggregator is the AGGREGATOR attribute (RFC 4271 §5.1.7): the AS number
// and BGP Identifier (an IPv4 address) of the speaker that aggregated the
// route. On the wire the AS number is 2 octets, or 4 octets when the
// session negotiated 4-octet AS numbers (RFC 6793 §3).
type Aggregator struct {
	ASN  uint32
	Addr netip.Addr
}

// AS4Aggregator is the AS4_AGGREGATOR attribute (RFC 6793 §3): the
// aggregator with a 4-octet AS number, sent beside a 2-octet AGGREGATOR.
type AS4Aggregator Aggregator

var (
	errAggregatorLen    = errors.New("attr: aggregator: length is not 6 (2-octet AS) or 8 (4-octet AS)")
	errAS4AggregatorLen = errors.New("attr: as4-aggregator: length is not 8")
)

// DecodeAggregator reads an AGGREGATOR value; RFC 7606 §7.7: its length
// must be 8 when asn4 (the session negotiated 4-octet AS numbers) and 6
// otherwise.
func DecodeAggregator(v []byte, asn4 bool) (Aggregator, error) {
	if asn4 && len(v) == 8 {
		return Aggregator{binary.BigEndian.Uint32(v), netip.AddrFrom4([4]byte(v[4:]))}, nil
	}
	if !asn4 && len(v) == 6 {
		return Aggregator{uint32(binary.BigEndian.Uint16(v)), netip.AddrFrom4([4]byte(v[2:]))}, nil
	}
	return Aggregator{}, errAggregatorLen
}

// DecodeAS4Aggregator reads an AS4_AGGREGATOR value (RFC 6793 §6: length 8).
func DecodeAS4Aggregator(v []byte) (AS4Aggregator, error) {
	if len(v) != 8 {
		return AS4Aggregator{}, errAS4AggregatorLen
	}
	return AS4Aggregator{binary.BigEndian.Uint32(v), netip.AddrFrom4([4]byte(v[4:]))}, nil
}

// ParseAggregator reads the text form "ASN:ADDRESS" ("65000:192.0.2.1").
func ParseAggregator(s string) (Aggregator, error) {
	as, ip, ok := strings.Cut(s, ":")
	if !ok {
		return Aggregator{}, errors.New("attr: bad aggregator " + strconv.Quote(s) + ": want ASN:IPV4")
	}
	n, err := ParseASN(as)
	if err != nil {
		return Aggregator{}, err
	}
	a, err := parseIPv4(ip)
	if err != nil {
		return Aggregator{}, err
	}
	return Aggregator{n, a}, nil
}

// AppendText appends "ASN:ADDRESS".
func (a Aggregator) AppendText(dst []byte) []byte {
	dst = strconv.AppendUint(dst, uint64(a.ASN), 10)
	dst = append(dst, ':')
	return a.Addr.AppendTo(dst)
}

// String returns "ASN:ADDRESS".
func (a Aggregator) String() string { return string(a.AppendText(nil)) }

// Len returns the size of the whole attribute with a 4-octet AS (11).
func (a Aggregator) Len() int { return 11 }

// WriteTo writes the AGGREGATOR attribute (flags 0xC0) with a 4-octet AS
// number, the form of a session that negotiated 4-octet AS numbers.
func (a Aggregator) WriteTo(buf []byte, off int) int {
	return a.WriteAs(buf, off, flagsOptTrans, true)
}

// WriteAs writes the AGGREGATOR attribute with the given flags and a 4-octet
// (asn4) or 2-octet AS number; in 2 octets an AS number above 65535 becomes
// AS_TRANS (RFC 6793 §4.2.2), to be sent with an AS4_AGGREGATOR.
func (a Aggregator) WriteAs(buf []byte, off int, flags wire.AttrFlags, asn4 bool) int {
	vlen := 6
	if asn4 {
		vlen = 8
	}
	h := wire.WriteAttrHeader(buf, off, flags, wire.AttrAggregator, vlen)
	o := off + h
	o += putASN(buf, o, a.ASN, asn4)
	ip := a.Addr.As4()
	o += copy(buf[o:], ip[:])
	return o - off
}

// AppendText appends "ASN:ADDRESS".
func (a AS4Aggregator) AppendText(dst []byte) []byte { return Aggregator(a).AppendText(dst) }

// String returns "ASN:ADDRESS".
func (a AS4Aggregator) String() string { return Aggregator(a).String() }

// Len returns the size of the whole attribute (11).
func (a AS4Aggregator) Len() int { return 11 }

// WriteTo writes the AS4_AGGREGATOR attribute with flags 0xC0.
func (a AS4Aggregator) WriteTo(buf []byte, off int) int {
	return a.WriteAttr(buf, off, flagsOptTrans)
}

// WriteAttr writes the AS4_AGGREGATOR attribute with the given flags.
func (a AS4Aggregator) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	h := wire.WriteAttrHeader(buf, off, flags, wire.AttrAS4Aggregator, 8)
	binary.BigEndian.PutUint32(buf[off+h:], a.ASN)
	ip := a.Addr.As4()
	copy(buf[off+h+4:], ip[:])
	return h + 8
}
