package capability

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"testing"
)

// Optional parameter areas of real OPEN messages from ../shared/corpus/exabgp.
var fuzzSeeds = []string{
	exaParams,
	// json-4.2/exabgp-4.2.21-live-receive-all-kinds.jsonl, received OPEN.
	"020601040001000102060104000100850206010400020001020641040000FDEA02020600",
	// vectors-5.0/decoding/bgp-open-*-version (the file name drops the
	// "t" of "software").
	"0206010400010001020641040000FFFD02224B201F4578614247502F6D61696E2D633261326561386562642D3230323430373135",
	// vectors-5.0/encoding/conf-hostname.msg.
	"0206010400010001020641040000FFFD02020600022249200C6D792D686F73742D6E616D65126D792D646F6D61696E2D6E616D652E636F6D",
}

// FuzzParseCapabilities walks arbitrary parameter areas, decodes every
// capability and checks that encode → decode → encode is stable, for each
// capability and for the whole area.
func FuzzParseCapabilities(f *testing.F) {
	for _, s := range fuzzSeeds {
		b, _ := hex.DecodeString(s)
		f.Add(b, false)
	}
	for _, c := range capCases {
		b, _ := hex.DecodeString(stripSpaces(c.wire))
		f.Add(append([]byte{ParamCapabilities, byte(len(b))}, b...), false)
		f.Add(append([]byte{ParamCapabilities, 0, byte(len(b))}, b...), true)
	}
	f.Fuzz(func(t *testing.T, params []byte, ext bool) {
		it := NewIter(params, ext)
		var caps []Capability
		all := true
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			c, err := r.Parse()
			if err != nil {
				all = false
				continue
			}
			caps = append(caps, c)
			b1 := encode(c)
			if len(b1) != c.Len() {
				t.Fatalf("%s: Len %d, wrote %d", c.Code(), c.Len(), len(b1))
			}
			c2, err := Parse(Code(b1[0]), b1[2:])
			if err != nil {
				t.Fatalf("%s: re-encoded %X does not decode: %v", c.Code(), b1, err)
			}
			if !reflect.DeepEqual(c, c2) {
				t.Fatalf("%s: %#v decodes back as %#v", c.Code(), c, c2)
			}
			if b2 := encode(c2); !bytes.Equal(b1, b2) {
				t.Fatalf("%s: encoded %X, then %X", c.Code(), b1, b2)
			}
		}
		if it.Err() != nil || !all {
			return
		}
		n, x := ParamsLen(caps)
		if x {
			n = ExtParamsLen(caps)
		}
		buf := make([]byte, n)
		if w := WriteParams(buf, 0, caps, x); w != n {
			t.Fatalf("WriteParams wrote %d, ParamsLen %d", w, n)
		}
		it = NewIter(buf, x)
		var again []Capability
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			c, err := r.Parse()
			if err != nil {
				t.Fatalf("re-encoded area %X: %v", buf, err)
			}
			again = append(again, c)
		}
		if it.Err() != nil || !reflect.DeepEqual(caps, again) {
			t.Fatalf("area round trip: %#v, then %#v (%v)", caps, again, it.Err())
		}
	})
}

func stripSpaces(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil))
}
