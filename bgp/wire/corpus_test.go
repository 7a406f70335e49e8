package wire_test

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/mrt"
	"github.com/zebgp/ze/bgp/wire"
)

// corpusDir is the shared corpus, relative to this package. A missing
// corpus fails the tests rather than skipping them.
const corpusDir = "../../../shared/corpus"

func corpusGlob(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus missing: no %s under %s (err %v)", pattern, corpusDir, err)
	}
	return files
}

// tally is what walking a set of messages found.
type tally struct {
	messages int // messages framed
	updates  int // UPDATEs parsed
	attrs    int // path attributes walked
	prefixes int // NLRI walked: withdrawn, NLRI, MP_REACH, MP_UNREACH
	// errs counts failures by where they happened ("header", "update",
	// "attribute", "withdrawn", "nlri", "mp-reach attribute", "mp-reach"
	// (its NLRI), "mp-unreach attribute", "mp-unreach"). NLRI of
	// a family that no codec in package wire handles are not errors of
	// the decoder: they count as "no-codec <family>".
	errs map[string]int
}

func newTally() *tally { return &tally{errs: map[string]int{}} }

func (t *tally) errString() string {
	keys := make([]string, 0, len(t.errs))
	for k := range t.errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%d", k, t.errs[k])
	}
	return b.String()
}

// walkMessage decodes one whole message (header included) with ctx and
// walks every element of an UPDATE to its end.
func walkMessage(tl *tally, msg []byte, ctx *wire.EncodingContext, maxLen int) {
	tl.messages++
	h, err := wire.ParseHeader(msg, maxLen)
	if err != nil {
		tl.errs["header"]++
		return
	}
	if int(h.Length) != len(msg) {
		tl.errs["header"]++
		return
	}
	if h.Type != wire.MsgUpdate {
		return
	}
	walkUpdateBody(tl, msg[wire.HeaderLen:], ctx)
}

// walkUpdateBody parses an UPDATE body and walks every attribute and prefix.
func walkUpdateBody(tl *tally, body []byte, ctx *wire.EncodingContext) {
	u, err := wire.ParseUpdate(body, ctx)
	if err != nil {
		tl.errs["update"]++
		return
	}
	tl.updates++
	it := u.AttrIter()
	for _, ok := it.Next(); ok; _, ok = it.Next() {
		tl.attrs++
	}
	if it.Err() != nil {
		tl.errs["attribute"]++
	}
	walkNLRI(tl, "withdrawn", u.WithdrawnIter())
	walkNLRI(tl, "nlri", u.NLRIIter())
	if mp, ok, err := u.MPReach(); err != nil {
		tl.errs["mp-reach attribute"]++
	} else if ok {
		walkNLRI(tl, "mp-reach", mp.Iter(ctx))
	}
	if mp, ok, err := u.MPUnreach(); err != nil {
		tl.errs["mp-unreach attribute"]++
	} else if ok {
		walkNLRI(tl, "mp-unreach", mp.Iter(ctx))
	}
}

func walkNLRI(tl *tally, where string, it wire.NLRIIter) {
	for n, ok := it.Next(); ok; n, ok = it.Next() {
		if len(n.Bytes) == 0 {
			tl.errs[where+" empty"]++
		}
		tl.prefixes++
	}
	if err := it.Err(); err != nil {
		var uf *wire.UnknownFamilyError
		if errors.As(err, &uf) {
			tl.errs["no-codec "+uf.Family.String()]++
			return
		}
		tl.errs[where]++
	}
}

// ---- ExaBGP vectors ----

// exaContexts lists the vectors whose config changes the encoding context;
// every other one runs with ExaBGP's default: 4-octet AS, no ADD-PATH.
// "add-path send/receive" applies to every family of the neighbor, or to
// those of its add-path block (conf-addpath).
var exaContexts = map[string]func(*wire.EncodingContext){
	"conf-no-asn4": func(c *wire.EncodingContext) { c.ASN4 = false },
	"api-attributes-path": func(c *wire.EncodingContext) {
		c.SetAddPath(wire.IPv4Unicast, true)
		c.SetAddPath(wire.IPv6Unicast, true)
	},
	"api-open":              func(c *wire.EncodingContext) { c.SetAddPath(wire.IPv4Unicast, true) },
	"conf-path-information": func(c *wire.EncodingContext) { c.SetAddPath(wire.IPv4Unicast, true) },
	"conf-addpath": func(c *wire.EncodingContext) {
		c.SetAddPath(wire.IPv4Unicast, true)
		c.SetAddPath(wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIVPN}, true)
	},
}

func exaContext(file string) *wire.EncodingContext {
	ctx := wire.NewContext(true, false)
	if f, ok := exaContexts[strings.TrimSuffix(filepath.Base(file), ".msg")]; ok {
		f(ctx)
	}
	return ctx
}

// unhex decodes hex written with optional ':' and ' ' separators.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %.40q…: %v", s, err)
	}
	return b
}

// splitAll frames the messages of b; a framing error counts once.
func splitAll(tl *tally, b []byte, ctx *wire.EncodingContext) {
	for len(b) > 0 {
		msg, rest, err := wire.Split(b, wire.ExtMaxMsgLen)
		if err != nil {
			tl.messages++
			tl.errs["header"]++
			return
		}
		walkMessage(tl, msg, ctx, ctx.MaxLen())
		b = rest
	}
}

// exaMsgFile walks the "N:raw:MARKER:LEN:TYPE:BODY" lines of a .msg file
// (the separators are not always all there, so they are dropped).
func exaMsgFile(t *testing.T, file string) *tally {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tl := newTally()
	ctx := exaContext(file)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		_, raw, ok := strings.Cut(line, ":raw:")
		if !ok { // "#2:raw:…", commented out of the functional test, is decoded too
			continue
		}
		splitAll(tl, unhex(t, raw), ctx)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return tl
}

// exaDecodingFile walks the second line of a vectors-5.0/decoding file: a
// whole message, or (when it lacks the marker) an UPDATE body, or for
// "nlri …" headers a bare NLRI, which is not a message and is skipped.
func exaDecodingFile(t *testing.T, file string) *tally {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 3)
	if len(lines) < 2 {
		t.Fatalf("%s: %d lines, want 3", file, len(lines))
	}
	tl := newTally()
	ctx := wire.NewContext(true, false)
	msg := unhex(t, lines[1])
	switch {
	case strings.HasPrefix(lines[0], "nlri "):
	case len(msg) >= wire.MarkerLen && strings.Count(string(msg[:wire.MarkerLen]), "\xff") == wire.MarkerLen:
		splitAll(tl, msg, ctx)
	default:
		tl.messages++
		walkUpdateBody(tl, msg, ctx)
	}
	return tl
}

// TestExaBGPVectors decodes every raw message of the ExaBGP functional
// tests. Most need no family beyond what package wire registers; the rest
// carry NLRI of plugin families (flowspec, VPN, EVPN, BGP-LS, …), counted
// as no-codec below: when wire grows a codec for one of them the count
// moves from no-codec to prefixes and the wanted numbers must follow.
func TestExaBGPVectors(t *testing.T) {
	type want struct {
		files, messages, updates, attrs, prefixes int
		errs                                      string
	}
	tests := []struct {
		name  string
		glob  string
		parse func(*testing.T, string) *tally
		want  want
	}{
		{"vectors-4.2/ci", "exabgp/vectors-4.2/ci/*.msg", exaMsgFile, want{53, 182, 180, 652, 75,
			"no-codec ipv4/flowspec=33, no-codec ipv4/flowspec-vpn=4, no-codec ipv4/mpls-label=4, " +
				"no-codec ipv4/vpn=17, no-codec ipv6/flowspec=3, no-codec ipv6/vpn=4, no-codec l2vpn/vpls=8"}},
		{"vectors-5.0/encoding", "exabgp/vectors-5.0/encoding/*.msg", exaMsgFile, want{72, 372, 362, 1297, 189,
			"no-codec ipv4/flowspec=45, no-codec ipv4/flowspec-vpn=4, no-codec ipv4/mpls-label=4, " +
				"no-codec ipv4/mup=11, no-codec ipv4/mvpn=9, no-codec ipv4/vpn=13, no-codec ipv6/flowspec=3, " +
				"no-codec ipv6/mup=9, no-codec ipv6/mvpn=9, no-codec ipv6/vpn=4, no-codec l2vpn/vpls=7"}},
		// 18 files, 17 messages: bgp-ls-1 holds a bare BGP-LS NLRI.
		{"vectors-5.0/decoding", "exabgp/vectors-5.0/decoding/*", exaDecodingFile, want{18, 17, 16, 79, 5,
			"no-codec bgp-ls/bgp-ls=9, no-codec ipv4/flowspec=3, no-codec ipv6/flowspec=1, no-codec l2vpn/evpn=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total := newTally()
			files := corpusGlob(t, tt.glob)
			for _, f := range files {
				tl := tt.parse(t, f)
				if len(tl.errs) > 0 {
					t.Logf("%s: %s", filepath.Base(f), tl.errString())
				}
				total.messages += tl.messages
				total.updates += tl.updates
				total.attrs += tl.attrs
				total.prefixes += tl.prefixes
				for k, v := range tl.errs {
					total.errs[k] += v
				}
			}
			got := want{len(files), total.messages, total.updates, total.attrs, total.prefixes, total.errString()}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// ---- MRT ----

// mrtContext returns the context a BGP4MP subtype implies: *_AS4 subtypes
// were recorded on 4-octet AS sessions, ADDPATH subtypes on ADD-PATH ones
// (RFC 8050 §3 says nothing of the family: every family gets it).
func mrtContext(st mrt.Subtype, addPath bool) *wire.EncodingContext {
	ctx := wire.NewContext(st.IsAS4(), false)
	if st.IsAddPath() || addPath {
		for _, f := range wire.Families() {
			ctx.SetAddPath(f, true)
		}
	}
	return ctx
}

// walkMRT decodes every BGP message of an MRT file.
// addPath forces ADD-PATH on for every message, whatever the subtype says.
func walkMRT(t *testing.T, file string, addPath bool) *tally {
	r, err := mrt.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tl := newTally()
	ctxs := map[mrt.Subtype]*wire.EncodingContext{}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return tl
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if rec.Type != mrt.TypeBGP4MP && rec.Type != mrt.TypeBGP4MPET {
			continue
		}
		m, err := rec.BGP4MP()
		if err != nil {
			t.Fatalf("%s record %d: %v", file, r.Count(), err)
		}
		if !m.Subtype.IsMessage() {
			continue
		}
		ctx, ok := ctxs[m.Subtype]
		if !ok {
			ctx = mrtContext(m.Subtype, addPath)
			ctxs[m.Subtype] = ctx
		}
		// MRT may hold RFC 8654 extended messages: the session's limit is
		// not recorded, so allow the largest.
		walkMessage(tl, m.Message, ctx, wire.ExtMaxMsgLen)
	}
}

// TestMRTMessages decodes every BGP message of every MRT file of the corpus.
// TABLE_DUMP_V2 files hold no BGP messages (their attributes are walked by
// TestMRTRIBAttributes).
func TestMRTMessages(t *testing.T) {
	type want struct {
		messages, updates, attrs, prefixes int
		errs                               string
	}
	wants := map[string]want{
		"bgpdump__bview.64k_stream_overflow.gz":   {},
		"bgpdump__bview.ipv4_unicast_add_path.gz": {},
		"bgpdump__bview.ipv6_unicast_add_path.gz": {},
		"mrtparse__bird-mrtdump_rib":              {},
		"mrtparse__bird6-mrtdump_rib":             {},
		"mrtparse__openbgpd_rib_table-v2":         {},
		"mrtparse__quagga_rib":                    {},
		// bgpdump -m lists 32,710 + 6,546 announced and 1,616 + 340
		// withdrawn prefixes: 41,212.
		"bgpdump__updates.20160811.1600.gz": {17384, 17216, 72887, 41212, ""},
		// 577,737 announced + 3 withdrawn (bgpdump -m), 1 OPEN, 2 KEEPALIVE.
		"bgpdump__updates.et-header.2015.gz": {89682, 89679, 738910, 577740, ""},
		// ADD-PATH sessions recorded as MESSAGE_AS4 (see
		// TestMRTAddPathWithoutSubtype): read without path identifiers, 6
		// of the 8 UPDATEs end in a truncated prefix. The two that do not
		// are End-of-RIB markers.
		"mrtparse__bird_bgp":  {17, 8, 46, 24, "nlri=6"},
		"mrtparse__bird6_bgp": {17, 8, 48, 24, "mp-reach=6"},
		// VPNv4 routes in MP_REACH_NLRI: no codec in package wire.
		"mrtparse__openbgpd_bgp": {71, 48, 264, 93, "no-codec ipv4/vpn=6"},
		"mrtparse__quagga_bgp":   {47, 24, 98, 18, "no-codec ipv4/vpn=6"},
	}
	files := corpusGlob(t, "mrt/*")
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			tl := walkMRT(t, f, false)
			got := want{tl.messages, tl.updates, tl.attrs, tl.prefixes, tl.errString()}
			w, ok := wants[name]
			if !ok {
				t.Fatalf("no expectation for %s: got %+v", name, got)
			}
			if got != w {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
		})
	}
}

// TestMRTAddPathWithoutSubtype decodes the BIRD captures as what they are:
// BIRD recorded its ADD-PATH sessions with the plain MESSAGE_AS4 subtype
// (RFC 8050's ADDPATH subtypes came later), so only a reader told about
// ADD-PATH gets the prefixes right; bgpdump, which is not, prints
// "0.0.0.0/0 0.0.0.0/0 0.0.0.0/0 24.0.0.0/2" for the first of them.
func TestMRTAddPathWithoutSubtype(t *testing.T) {
	tests := []struct {
		file  string
		first string // the NLRI of the first UPDATE: "path-id prefix"
		tally string
	}{
		{"mrtparse__bird_bgp", "2 172.17.0.0/24, 2 172.17.1.0/24, 2 172.17.2.0/24",
			"messages 17, updates 8, prefixes 14, errors []"},
		{"mrtparse__bird6_bgp", "1 fd01:1::/64, 1 fd01:1:1::/64, 1 fd01:1:2::/64",
			"messages 17, updates 8, prefixes 14, errors []"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			file := corpusGlob(t, "mrt/"+tt.file)[0]
			tl := walkMRT(t, file, true)
			if got := fmt.Sprintf("messages %d, updates %d, prefixes %d, errors [%s]",
				tl.messages, tl.updates, tl.prefixes, tl.errString()); got != tt.tally {
				t.Errorf("got %s, want %s", got, tt.tally)
			}
			r, err := mrt.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for {
				rec, err := r.Next()
				if err != nil {
					t.Fatalf("no UPDATE: %v", err)
				}
				m, err := rec.BGP4MP()
				if err != nil || m.Message == nil || wire.MsgType(m.Message[18]) != wire.MsgUpdate {
					continue
				}
				ctx := mrtContext(m.Subtype, true)
				u, err := wire.ParseUpdateMessage(m.Message, ctx)
				if err != nil {
					t.Fatal(err)
				}
				it := u.NLRIIter()
				if mp, ok, _ := u.MPReach(); ok {
					it = mp.Iter(ctx)
				}
				var got []string
				for n, ok := it.Next(); ok; n, ok = it.Next() {
					p, err := wire.PrefixFromNLRI(n.Bytes, it.Family().AFI == wire.AFIIPv6)
					if err != nil || !n.HasPathID {
						t.Fatalf("%X: %v (path id %v)", n.Bytes, err, n.HasPathID)
					}
					got = append(got, fmt.Sprintf("%d %s", n.PathID, p))
				}
				if strings.Join(got, ", ") != tt.first {
					t.Errorf("first UPDATE: got %q, want %q", strings.Join(got, ", "), tt.first)
				}
				return
			}
		})
	}
}

// TestExaBGPPathInformation checks that the vectors run with the context
// their config negotiates: conf-path-information sends the same prefix
// twice with path identifiers 0.0.0.1 and 0.0.0.2, then another with 0.0.0.3.
func TestExaBGPPathInformation(t *testing.T) {
	file := corpusGlob(t, "exabgp/vectors-4.2/ci/conf-path-information.msg")[0]
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx := exaContext(file)
	var got []string
	for _, line := range strings.Split(string(b), "\n") {
		_, raw, ok := strings.Cut(line, ":raw:")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		u, err := wire.ParseUpdateMessage(unhex(t, raw), ctx)
		if err != nil {
			t.Fatal(err)
		}
		it := u.NLRIIter()
		for n, ok := it.Next(); ok; n, ok = it.Next() {
			p, err := wire.PrefixFromNLRI(n.Bytes, false)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d %s", n.PathID, p))
		}
	}
	if want := "1 10.0.0.10/32, 2 10.0.0.10/32, 3 10.1.0.10/32"; strings.Join(got, ", ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, ", "), want)
	}
}

// TestMRTRIBAttributes walks the path attributes of every TABLE_DUMP_V2 RIB
// entry. Their MP_REACH_NLRI is the abbreviated RFC 6396 §4.3.4 form (next
// hop length and next hop only), so it is framed but not parsed.
func TestMRTRIBAttributes(t *testing.T) {
	wants := map[string][2]int{ // entries, attributes
		"bgpdump__bview.64k_stream_overflow.gz":   {23, 85},
		"bgpdump__bview.ipv4_unicast_add_path.gz": {62, 240},
		"bgpdump__bview.ipv6_unicast_add_path.gz": {62, 180},
		"mrtparse__bird-mrtdump_rib":              {18, 96},
		"mrtparse__bird6-mrtdump_rib":             {10, 42},
		"mrtparse__openbgpd_rib_table-v2":         {33, 162},
		"mrtparse__quagga_rib":                    {9, 54},
	}
	for name, want := range wants {
		t.Run(name, func(t *testing.T) {
			r, err := mrt.Open(corpusGlob(t, "mrt/"+name)[0])
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var got [2]int
			for {
				rec, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if !rec.Subtype.IsRIB() {
					continue
				}
				rib, err := rec.RIB()
				if err != nil {
					t.Fatal(err)
				}
				entries := rib.Entries()
				for e, ok := entries.Next(); ok; e, ok = entries.Next() {
					got[0]++
					it := wire.NewAttrIter(e.Attrs)
					for _, ok := it.Next(); ok; _, ok = it.Next() {
						got[1]++
					}
					if it.Err() != nil {
						t.Errorf("record %d peer %d: %v", r.Count(), e.PeerIndex, it.Err())
					}
				}
			}
			if got != want {
				t.Errorf("got %d entries with %d attributes, want %d with %d", got[0], got[1], want[0], want[1])
			}
		})
	}
}
