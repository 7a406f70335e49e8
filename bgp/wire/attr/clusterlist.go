package attr

import (
	"errors"
	"net/netip"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// ClusterList is a view of a CLUSTER_LIST value (RFC 4456 §8): the
// CLUSTER_IDs (4 octets each) of the reflection path, read by index.
type ClusterList struct{ b []byte }

var errClusterListLen = errors.New("attr: cluster-list: length is not a non-zero multiple of 4")

// DecodeClusterList reads a CLUSTER_LIST value (RFC 7606 §7.10: the length
// must be a non-zero multiple of 4).
func DecodeClusterList(v []byte) (ClusterList, error) {
	if len(v) == 0 || len(v)%4 != 0 {
		return ClusterList{}, errClusterListLen
	}
	return ClusterList{v}, nil
}

// Count returns the number of cluster ids.
func (c ClusterList) Count() int { return len(c.b) / 4 }

// At returns the i-th cluster id.
func (c ClusterList) At(i int) netip.Addr { return netip.AddrFrom4([4]byte(c.b[4*i:])) }

// Has reports whether id is in the list (RFC 4456 §8 loop detection).
func (c ClusterList) Has(id netip.Addr) bool {
	for i := 0; i < c.Count(); i++ {
		if c.At(i) == id {
			return true
		}
	}
	return false
}

// Raw returns the value bytes.
func (c ClusterList) Raw() []byte { return c.b }

// AppendText appends the cluster ids separated by spaces.
func (c ClusterList) AppendText(dst []byte) []byte {
	for i := 0; i < c.Count(); i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = c.At(i).AppendTo(dst)
	}
	return dst
}

// String returns the text form.
func (c ClusterList) String() string { return string(c.AppendText(nil)) }

// Len returns the size of the whole attribute with flags 0x80.
func (c ClusterList) Len() int { return Size(flagsOptNonTrans, len(c.b)) }

// WriteTo writes the CLUSTER_LIST attribute with flags 0x80.
func (c ClusterList) WriteTo(buf []byte, off int) int {
	return c.WriteAttr(buf, off, flagsOptNonTrans)
}

// WriteAttr writes the CLUSTER_LIST attribute with the given flags.
func (c ClusterList) WriteAttr(buf []byte, off int, flags wire.AttrFlags) int {
	return writeValue(buf, off, flags, wire.AttrClusterList, c.b)
}

// WritePrepended writes the CLUSTER_LIST attribute (flags 0x80) with id put
// in front of the ids of c, as a route reflector does (RFC 4456 §8). c may
// be the zero ClusterList (no attribute received).
func (c ClusterList) WritePrepended(buf []byte, off int, id netip.Addr) int {
	h := wire.WriteAttrHeader(buf, off, flagsOptNonTrans, wire.AttrClusterList, 4+len(c.b))
	a := id.As4()
	copy(buf[off+h:], a[:])
	copy(buf[off+h+4:], c.b)
	return h + 4 + len(c.b)
}

// ClusterIDList is a list of cluster ids to send.
type ClusterIDList []netip.Addr

// Len returns the size of the whole attribute with flags 0x80.
func (l ClusterIDList) Len() int { return Size(flagsOptNonTrans, 4*len(l)) }

// WriteTo writes the CLUSTER_LIST attribute with flags 0x80.
func (l ClusterIDList) WriteTo(buf []byte, off int) int {
	h := wire.WriteAttrHeader(buf, off, flagsOptNonTrans, wire.AttrClusterList, 4*len(l))
	o := off + h
	for _, id := range l {
		a := id.As4()
		o += copy(buf[o:], a[:])
	}
	return o - off
}

// ParseClusterList reads IPv4 cluster ids separated by spaces or commas.
func ParseClusterList(s string) (ClusterIDList, error) {
	var l ClusterIDList
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
		a, err := parseIPv4(f)
		if err != nil {
			return nil, err
		}
		l = append(l, a)
	}
	return l, nil
}
