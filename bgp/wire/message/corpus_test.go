package message

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
)

// corpusDir is ../shared/corpus/exabgp seen from the repository root.
const corpusDir = "../../../../shared/corpus/exabgp"

var (
	rawLine  = regexp.MustCompile(`^[A-Za-z0-9]+:raw:([0-9A-Fa-f:]+)$`)
	openLine = regexp.MustCompile(`^#open-received:([0-9A-Fa-f]+)$`)
	hexLine  = regexp.MustCompile(`^(FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF[0-9A-F]+)$`)
	jsonMsg  = regexp.MustCompile(`"header": "0x([0-9A-F]+)", "body": "0x([0-9A-F]*)"`)
	jsonRaw  = regexp.MustCompile(`"raw": "(F{32}[0-9A-F]+)"`)
)

// corpusMessages returns every BGP message found in the exabgp corpus: the
// raw lines of the .msg/.ci vectors (N:raw:MARKER:LEN:TYPE:BODY), the hex
// lines of the 5.0 decoding vectors and the header/body pairs and raw
// fields of the 4.2 JSON captures. Keys are "file:line".
func corpusMessages(t *testing.T) map[string][]byte {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Fatalf("corpus not found (shared/ must sit beside the checkout): %v", err)
	}
	var files []string
	for _, g := range []string{"vectors-4.2/ci/*.msg", "vectors-5.0/encoding/*.msg", "vectors-5.0/decoding/*",
		"json-4.2/*.jsonl", "json-4.2/*.ci"} {
		m, err := filepath.Glob(filepath.Join(corpusDir, g))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	out := map[string][]byte{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			var hexes []string
			if m := rawLine.FindStringSubmatch(line); m != nil {
				hexes = append(hexes, strings.ReplaceAll(m[1], ":", ""))
			} else if m := openLine.FindStringSubmatch(line); m != nil {
				hexes = append(hexes, m[1])
			} else if m := hexLine.FindStringSubmatch(line); m != nil {
				hexes = append(hexes, m[1])
			}
			for _, m := range jsonMsg.FindAllStringSubmatch(line, -1) {
				hexes = append(hexes, m[1]+m[2])
			}
			for _, m := range jsonRaw.FindAllStringSubmatch(line, -1) {
				hexes = append(hexes, m[1])
			}
			for i, h := range hexes {
				b, err := hex.DecodeString(h)
				if err != nil {
					t.Fatalf("%s:%d: %v", f, n, err)
				}
				key := filepath.Base(f) + ":" + strconv.Itoa(n)
				if i > 0 {
					key += "." + strconv.Itoa(i)
				}
				out[key] = b
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	return out
}

// TestCorpus parses every OPEN, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH
// of the corpus, re-encodes each to the same bytes, and rebuilds each OPEN
// from its decoded capabilities with WriteOpen to the same bytes too.
func TestCorpus(t *testing.T) {
	counts := map[wire.MsgType]int{}
	for key, msg := range corpusMessages(t) {
		if len(msg) < wire.HeaderLen || msg[18] == byte(wire.MsgUpdate) {
			counts[wire.MsgUpdate]++
			continue
		}
		m, err := Parse(msg, wire.ExtMaxMsgLen)
		if err != nil {
			t.Errorf("%s: %X: %v", key, msg, err)
			continue
		}
		counts[m.Type]++
		var enc Encoder
		switch m.Type {
		case wire.MsgOpen:
			enc = m.Open
			rebuildOpen(t, key, m.Open, msg)
		case wire.MsgNotification:
			enc = m.Notification
		case wire.MsgRouteRefresh:
			enc = m.RouteRefresh
		case wire.MsgKeepalive:
			buf := make([]byte, KeepaliveLen)
			WriteKeepalive(buf, 0)
			if !bytes.Equal(buf, msg) {
				t.Errorf("%s: keepalive %X, want %X", key, buf, msg)
			}
			continue
		}
		buf := make([]byte, enc.Len())
		if n := enc.WriteTo(buf, 0); n != len(msg) || !bytes.Equal(buf, msg) {
			t.Errorf("%s: re-encoded\n%X\nwant\n%X", key, buf[:n], msg)
		}
	}
	t.Logf("corpus messages by type: %v", counts)
	for typ, least := range map[wire.MsgType]int{wire.MsgOpen: 5, wire.MsgNotification: 5,
		wire.MsgKeepalive: 1, wire.MsgRouteRefresh: 5, wire.MsgUpdate: 100} {
		if counts[typ] < least {
			t.Errorf("found %d %s messages, want at least %d", counts[typ], typ, least)
		}
	}
}

// rebuildOpen decodes the capabilities of o and writes them again.
func rebuildOpen(t *testing.T, key string, o Open, msg []byte) {
	var caps []capability.Capability
	it := o.Capabilities()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		c, err := r.Parse()
		if err != nil {
			t.Errorf("%s: %v", key, err)
			return
		}
		caps = append(caps, c)
	}
	buf := make([]byte, OpenLen(o, caps))
	if n := WriteOpen(buf, 0, o, caps); !bytes.Equal(buf[:n], msg) {
		t.Errorf("%s: WriteOpen of the decoded capabilities\n%X\nwant\n%X", key, buf[:n], msg)
	}
}
