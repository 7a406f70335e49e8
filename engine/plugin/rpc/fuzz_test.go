package rpc

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// seedLines are frames as the five-stage handshake and the RPCs after it
// write them, plus near misses.
var seedLines = []string{
	`#1 ze-plugin-engine:declare-registration {"name":"bgp-rib","version":"1.0.0","module":"ze-bgp-rib","topics":["bgp/update","bgp/event/peer"],"rpcs":["ze-bgp-rib:show-routes"]}`,
	`#1 ok`,
	`#1 ze-plugin-callback:configure {"ze-bgp-rib:rib":{"max-routes":1000000,"families":["ipv4/unicast","ipv6/unicast"]}}`,
	`#2 ze-plugin-engine:declare-capabilities {"capabilities":[{"code":2,"name":"route-refresh"}]}`,
	`#2 ze-plugin-callback:share-registry {"families":{"ipv4/unicast":"ze","l2vpn/evpn":"bgp-nlri-evpn"},"commands":["ze-bgp:peer-list"]}`,
	`#3 ze-plugin-engine:ready`,
	`#42 ze-bgp:peer-list {"selector":"10.0.0.1"}`,
	`#42 ok {"peers":[{"address":"10.0.0.1","state":"established"}]}`,
	`#43 error {"error":"no such peer: 10.9.9.9"}`,
	`#18446744073709551615 ok {"text":"café \u00e9 ✓","hex":"FFFFFFFF"}`,
	`#0 ze-bgp:update-text {"text":"update text nlri ipv4/unicast add 10.0.0.0/24"}`,
	`#7 ok {"a":[1,2.5e3,-0,true,false,null,{"b":{}}]}`,
	`#01 ok`,
	`#7  ok`,
	`#7 ok [1]`,
	`#7 error`,
	`#7 ze-bgp:`,
	`#7 ok {"a":"\xff"}`,
	"#7 ok {}\r",
	`garbage`,
	``,
}

// FuzzParseLine: no input panics; an accepted line aliases its input and
// prints back to exactly itself (the grammar has one spelling per frame);
// a rejected line is a *SyntaxError.
func FuzzParseLine(f *testing.F) {
	for _, s := range seedLines {
		f.Add([]byte(s))
		f.Add([]byte(s + "\n"))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ParseLine(b)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Col < 1 || se.Col > len(b)+1 {
				t.Fatalf("column %d outside a %d-byte line", se.Col, len(b))
			}
			return
		}
		line := bytes.TrimSuffix(b, []byte("\n"))
		if got := fr.AppendTo(nil); !bytes.Equal(got, append(line[:len(line):len(line)], '\n')) {
			t.Fatalf("%q prints back as %q", b, got)
		}
		if len(fr.JSON) > 0 && &fr.JSON[len(fr.JSON)-1] != &line[len(line)-1] {
			t.Fatal("JSON is not a sub-slice of the line")
		}
		if fr.Kind == 0 {
			t.Fatal("accepted a frame without a kind")
		}
	})
}

// FuzzLineReader: any stream, read with a small limit, yields lines no longer
// than the limit and ends in io.EOF or io.ErrUnexpectedEOF.
func FuzzLineReader(f *testing.F) {
	var all []byte
	for _, s := range seedLines {
		all = append(all, s...)
		all = append(all, '\n')
	}
	f.Add(all, 16)
	f.Add(all, 200)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		limit := 1 + (n&0xff)%256
		r := NewReader(bytes.NewReader(b), limit)
		for range len(b) + 2 {
			line, err := r.ReadLine()
			if err == nil {
				if len(line) > limit || bytes.IndexByte(line, '\n') >= 0 {
					t.Fatalf("line %q over the limit %d or holding a newline", line, limit)
				}
				continue
			}
			if errors.Is(err, ErrLineTooLong) {
				continue
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("unexpected error %v", err)
			}
			if len(r.buf) > limit+1 {
				t.Fatalf("buffer %d bytes for limit %d", len(r.buf), limit)
			}
			return
		}
		t.Fatal("reader did not finish")
	})
}
