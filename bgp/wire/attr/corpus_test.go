package attr

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

// corpusDir is the shared capture corpus, beside the repository.
const corpusDir = "../../../../shared/corpus/exabgp"

// corpusUpdates returns the body of every UPDATE in the raw lines
// ("N:raw:MARKER:LEN:TYPE:BODY") of the ExaBGP vectors. The lines are not
// all well formed (colons inside the hex, two messages on one line), so each
// ":raw:" run is read as hex with colons removed and cut at its length field.
func corpusUpdates(tb testing.TB) [][]byte {
	tb.Helper()
	var files []string
	for _, g := range []string{"vectors-4.2/ci/*.msg", "vectors-5.0/encoding/*.msg"} {
		m, _ := filepath.Glob(filepath.Join(corpusDir, g))
		files = append(files, m...)
	}
	if len(files) == 0 {
		tb.Fatalf("no corpus files under %s", corpusDir)
	}
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			parts := strings.Split(line, ":raw:")
			for _, p := range parts[1:] {
				h := strings.ReplaceAll(p, ":", "")
				if len(h)%2 == 1 {
					h = h[:len(h)-1] // the line number of a message glued on
				}
				b, err := hex.DecodeString(h)
				if err != nil || len(b) < wire.HeaderLen || !bytes.Equal(b[:16], bytes.Repeat([]byte{0xFF}, 16)) {
					continue
				}
				n := int(binary.BigEndian.Uint16(b[16:18]))
				if n < wire.HeaderLen || n > len(b) || b[18] != byte(wire.MsgUpdate) {
					continue
				}
				out = append(out, b[wire.HeaderLen:n])
			}
		}
	}
	return out
}

// corpusAttrs returns every attribute of every corpus UPDATE that parses.
func corpusAttrs(tb testing.TB) []wire.Attr {
	var out []wire.Attr
	for _, body := range corpusUpdates(tb) {
		u, err := wire.ParseUpdate(body, nil)
		if err != nil {
			continue
		}
		it := u.AttrIter()
		for {
			a, ok := it.Next()
			if !ok {
				break
			}
			out = append(out, a)
		}
	}
	return out
}

// corpusContext guesses the width the corpus session used for AS numbers:
// the vectors are 4-octet sessions, except where an AS_PATH only reads as
// 2-octet.
func corpusContext(a wire.Attr) *wire.EncodingContext {
	if a.Code == wire.AttrASPath || a.Code == wire.AttrAggregator {
		if _, err := DecodeASPath(a.Value, true); a.Code == wire.AttrASPath && err != nil {
			return wire.NewContext(false, false)
		}
		if a.Code == wire.AttrAggregator && len(a.Value) == 6 {
			return wire.NewContext(false, false)
		}
	}
	return nil
}

func TestCorpusRoundTrip(t *testing.T) {
	attrs := corpusAttrs(t)
	if len(attrs) < 1000 {
		t.Fatalf("corpus gave %d attributes, want at least 1000", len(attrs))
	}
	perCode := map[wire.AttrCode]int{}
	buf := make([]byte, 70000)
	for _, a := range attrs {
		ctx := corpusContext(a)
		n, err := Reencode(a, ctx, buf, 0)
		if err != nil {
			t.Errorf("%s: decode %X: %v", a.Code, a.Raw, err)
			continue
		}
		if !bytes.Equal(buf[:n], a.Raw) {
			t.Errorf("%s: re-encoded\n got %X\nwant %X", a.Code, buf[:n], a.Raw)
		}
		if _, err := AppendText(nil, a, ctx); err != nil {
			t.Errorf("%s: text of %X: %v", a.Code, a.Raw, err)
		}
		perCode[a.Code]++
	}
	for _, c := range []wire.AttrCode{wire.AttrOrigin, wire.AttrASPath, wire.AttrNextHop, wire.AttrMED,
		wire.AttrLocalPref, wire.AttrCommunity, wire.AttrExtCommunity, wire.AttrLargeCommunity} {
		if perCode[c] == 0 {
			t.Errorf("corpus has no %s attribute", c)
		}
	}
	t.Logf("%d attributes re-encoded: %v", len(attrs), perCode)
}

func TestCorpusCheck(t *testing.T) {
	bodies := corpusUpdates(t)
	counts := map[Action]int{}
	for _, body := range bodies {
		u, err := wire.ParseUpdate(body, nil)
		if err != nil {
			continue
		}
		v := CheckUpdate(&u)
		counts[v.Action]++
		if v.Action != ActionNone {
			t.Logf("%s (%s): %s %X", v.Action, v.Attr, v.Reason, body)
		}
	}
	t.Logf("%d updates: %v", len(bodies), counts)
}
