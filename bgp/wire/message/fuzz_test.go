package message

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

// seeds returns the messages of testdata/seeds.txt (real captures copied
// from ../shared/corpus/exabgp) of type t, or all of them for t == 0.
func seeds(f *testing.F, t wire.MsgType) [][]byte {
	fh, err := os.Open("testdata/seeds.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer fh.Close()
	var out [][]byte
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		b, err := hex.DecodeString(line)
		if err != nil || len(b) < wire.HeaderLen {
			f.Fatalf("bad seed %q: %v", line, err)
		}
		if t == 0 || wire.MsgType(b[18]) == t {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		f.Fatalf("no seeds of type %s", t)
	}
	return out
}

// encodeBody writes m and returns the body of the result.
func encodeBody(m Encoder) []byte {
	buf := make([]byte, m.Len())
	return buf[wire.HeaderLen:m.WriteTo(buf, 0)]
}

// FuzzParseOpen: no panic; a decoded OPEN re-encodes to a message that
// decodes to the same value and encodes to the same bytes, identical to the
// input unless the input used the RFC 9072 marker with a length octet other
// than 255 (which encoding canonicalizes).
func FuzzParseOpen(f *testing.F) {
	for _, s := range seeds(f, wire.MsgOpen) {
		f.Add(s[wire.HeaderLen:])
	}
	f.Add(unhex(f, "04 FDE9 00B4 01020304 FF FF 0005 02 0002 0200"))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := ParseOpen(body)
		if err != nil {
			var ne *wire.NotifyError
			if !errors.As(err, &ne) {
				t.Fatalf("error %T is not a *wire.NotifyError", err)
			}
			return
		}
		_ = o.AS()
		_, _ = o.MarshalJSON()
		b1 := encodeBody(o)
		if (!o.ExtParams || body[9] == 255) && !bytes.Equal(b1, body) {
			t.Fatalf("re-encoded %X, want %X", b1, body)
		}
		o2, err := ParseOpen(b1)
		if err != nil {
			t.Fatalf("re-encoded %X does not decode: %v", b1, err)
		}
		if !reflect.DeepEqual(o, o2) {
			t.Fatalf("decoded %+v, then %+v", o, o2)
		}
		if b2 := encodeBody(o2); !bytes.Equal(b1, b2) {
			t.Fatalf("encoded %X, then %X", b1, b2)
		}
	})
}

// FuzzParseNotification: no panic; the body round-trips exactly and the
// shutdown communication and Hard Reset views are consistent.
func FuzzParseNotification(f *testing.F) {
	for _, s := range seeds(f, wire.MsgNotification) {
		f.Add(s[wire.HeaderLen:])
	}
	f.Add(unhex(f, "0609 0602 03 627965"))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseNotification(body)
		if err != nil {
			if len(body) >= 2 {
				t.Fatalf("%X: %v", body, err)
			}
			return
		}
		_ = n.String()
		if _, err := n.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
		if text, err := n.Communication(); err == nil && text != "" {
			if again := NewShutdown(n.Subcode, text); !bytes.Equal(again.Data, n.Data) {
				t.Fatalf("communication %q re-encodes as %X, want %X", text, again.Data, n.Data)
			}
		}
		if inner, ok := n.HardReset(); ok && len(n.Data) <= maxNotifyData {
			if again := NewHardReset(inner); !bytes.Equal(again.Data, n.Data) {
				t.Fatalf("hard reset re-encodes as %X, want %X", again.Data, n.Data)
			}
		}
		if len(body) <= wire.MaxMsgLen-wire.HeaderLen {
			if b := encodeBody(n); !bytes.Equal(b, body) {
				t.Fatalf("re-encoded %X, want %X", b, body)
			}
		}
	})
}

// FuzzParseRouteRefresh: no panic; a decoded message round-trips exactly,
// a bad length carries the whole message.
func FuzzParseRouteRefresh(f *testing.F) {
	for _, s := range seeds(f, wire.MsgRouteRefresh) {
		f.Add(s[wire.HeaderLen:])
	}
	f.Add([]byte{0, 1, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseRouteRefresh(body)
		if err != nil {
			var ne *wire.NotifyError
			if !errors.As(err, &ne) || len(body) == 4 || !bytes.Equal(ne.Data[wire.HeaderLen:], body) {
				t.Fatalf("%X: %v", body, err)
			}
			return
		}
		if b := encodeBody(r); !bytes.Equal(b, body) {
			t.Fatalf("re-encoded %X, want %X", b, body)
		}
	})
}

// FuzzParse runs whole messages through Parse: no panic, and a message it
// accepts re-encodes to the same bytes (except UPDATE, not decoded here).
func FuzzParse(f *testing.F) {
	for _, s := range seeds(f, 0) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		m, err := Parse(msg, wire.ExtMaxMsgLen)
		if err != nil {
			return
		}
		var enc Encoder
		switch m.Type {
		case wire.MsgOpen:
			if m.Open.ExtParams && msg[wire.HeaderLen+9] != 255 {
				return
			}
			enc = m.Open
		case wire.MsgNotification:
			if len(msg) > wire.MaxMsgLen {
				return
			}
			enc = m.Notification
		case wire.MsgRouteRefresh:
			enc = m.RouteRefresh
		default:
			return
		}
		b := make([]byte, enc.Len())
		if n := enc.WriteTo(b, 0); n != len(msg) || !bytes.Equal(b, msg) {
			t.Fatalf("re-encoded %X, want %X", b, msg)
		}
	})
}
