package mrt_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/mrt"
	"github.com/zebgp/ze/bgp/wire"
)

// corpusDir is the shared MRT corpus, relative to this package.
const corpusDir = "../../../shared/corpus/mrt"

// corpusPath returns the path of a corpus file; a missing corpus fails the
// test rather than skipping it, so a broken checkout cannot pass silently.
func corpusPath(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(corpusDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("MRT corpus file missing (want %s relative to bgp/mrt): %v", p, err)
	}
	return p
}

// readCorpus returns the uncompressed bytes of a corpus file.
func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(corpusPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return b
}

// fileSummary is what a whole-file walk finds; the expected values below
// were checked against bgpdump 1.6.2 (Debian) where it prints them.
type fileSummary struct {
	records  map[string]int // "TYPE/SUBTYPE" → records
	messages map[string]int // BGP message type → count (BGP4MP)
	entries  int            // RIB entries (TABLE_DUMP_V2)
	maxLen   uint32         // largest Length field
}

func summarize(t *testing.T, name string) fileSummary {
	t.Helper()
	r, err := mrt.Open(corpusPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := fileSummary{records: map[string]int{}, messages: map[string]int{}}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s.records[rec.Type.String()+"/"+mrt.SubtypeName(rec.Type, rec.Subtype)]++
		s.maxLen = max(s.maxLen, rec.Length)
		switch {
		case rec.Type == mrt.TypeBGP4MP || rec.Type == mrt.TypeBGP4MPET:
			m, err := rec.BGP4MP()
			if err != nil {
				t.Fatalf("%s record %d: %v", name, r.Count(), err)
			}
			if m.Message != nil {
				s.messages[wire.MsgType(m.Message[18]).String()]++
			}
		case rec.Type == mrt.TypeTableDumpV2 && rec.Subtype == mrt.PeerIndexTable:
			if _, err := rec.PeerTable(); err != nil {
				t.Fatalf("%s record %d: %v", name, r.Count(), err)
			}
		case rec.Type == mrt.TypeTableDumpV2:
			rib, err := rec.RIB()
			if err != nil {
				t.Fatalf("%s record %d: %v", name, r.Count(), err)
			}
			it := rib.Entries()
			for {
				if _, ok := it.Next(); !ok {
					break
				}
				s.entries++
			}
			if it.Err() != nil {
				t.Fatalf("%s record %d: %v", name, r.Count(), it.Err())
			}
		}
	}
	return s
}

func TestCorpusFiles(t *testing.T) {
	m := func(kv ...any) map[string]int {
		out := map[string]int{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1].(int)
		}
		return out
	}
	tests := []struct {
		file     string
		records  map[string]int
		messages map[string]int
		entries  int // bgpdump prints one line per entry (it skips RIB_GENERIC)
		maxLen   uint32
	}{
		{"bgpdump__bview.64k_stream_overflow.gz",
			m("TABLE_DUMP_V2/PEER_INDEX_TABLE", 1, "TABLE_DUMP_V2/RIB_IPV6_UNICAST", 1), m(), 23, 69700},
		{"bgpdump__bview.ipv4_unicast_add_path.gz",
			m("TABLE_DUMP_V2/PEER_INDEX_TABLE", 1, "TABLE_DUMP_V2/RIB_IPV4_UNICAST_ADDPATH", 31), m(), 62, 204},
		{"bgpdump__bview.ipv6_unicast_add_path.gz",
			m("TABLE_DUMP_V2/PEER_INDEX_TABLE", 1, "TABLE_DUMP_V2/RIB_IPV6_UNICAST_ADDPATH", 31), m(), 62, 193},
		{"bgpdump__updates.20160811.1600.gz",
			m("BGP4MP/MESSAGE_AS4", 17384, "BGP4MP/STATE_CHANGE_AS4", 22),
			m("update", 17216, "keepalive", 168), 0, 442},
		{"bgpdump__updates.et-header.2015.gz",
			m("BGP4MP_ET/MESSAGE", 1, "BGP4MP_ET/MESSAGE_AS4", 89681, "BGP4MP_ET/STATE_CHANGE_AS4", 4),
			m("open", 1, "update", 89679, "keepalive", 2), 0, 4119},
		{"mrtparse__bird-mrtdump_rib",
			m("TABLE_DUMP_V2/PEER_INDEX_TABLE", 2, "TABLE_DUMP_V2/RIB_IPV4_UNICAST", 4,
				"TABLE_DUMP_V2/RIB_IPV4_UNICAST_ADDPATH", 8), m(), 18, 200},
		{"mrtparse__bird6-mrtdump_rib",
			m("TABLE_DUMP_V2/PEER_INDEX_TABLE", 2, "TABLE_DUMP_V2/RIB_IPV6_UNICAST", 2,
				"TABLE_DUMP_V2/RIB_IPV6_UNICAST_ADDPATH", 5), m(), 10, 191},
		{"mrtparse__bird6_bgp",
			m("BGP4MP/MESSAGE", 1, "BGP4MP/MESSAGE_AS4", 16, "BGP4MP/STATE_CHANGE_AS4", 12),
			m("open", 2, "update", 8, "notification", 1, "keepalive", 5, "route-refresh", 1), 0, 223},
		{"mrtparse__bird_bgp",
			m("BGP4MP/MESSAGE", 1, "BGP4MP/MESSAGE_AS4", 16, "BGP4MP/STATE_CHANGE_AS4", 12),
			m("open", 2, "update", 8, "notification", 1, "keepalive", 5, "route-refresh", 1), 0, 151},
		{"mrtparse__openbgpd_bgp",
			m("BGP4MP/MESSAGE", 4, "BGP4MP/MESSAGE_AS4", 67, "BGP4MP/STATE_CHANGE", 8, "BGP4MP/STATE_CHANGE_AS4", 8),
			m("open", 4, "update", 48, "notification", 2, "keepalive", 13, "route-refresh", 4), 0, 173},
		// bgpdump prints 31 entries: it skips the two RIB_GENERIC (VPNv4) records.
		{"mrtparse__openbgpd_rib_table-v2",
			m("TABLE_DUMP_V2/PEER_INDEX_TABLE", 1, "TABLE_DUMP_V2/RIB_IPV4_UNICAST", 11,
				"TABLE_DUMP_V2/RIB_IPV6_UNICAST", 10, "TABLE_DUMP_V2/RIB_GENERIC", 2), m(), 33, 121},
		{"mrtparse__quagga_bgp",
			m("BGP4MP/MESSAGE", 4, "BGP4MP/MESSAGE_AS4", 43, "BGP4MP/STATE_CHANGE_AS4", 20),
			m("open", 4, "update", 24, "notification", 2, "keepalive", 10, "route-refresh", 7), 0, 211},
		{"mrtparse__quagga_rib",
			m("TABLE_DUMP_V2/PEER_INDEX_TABLE", 1, "TABLE_DUMP_V2/RIB_IPV4_UNICAST", 3,
				"TABLE_DUMP_V2/RIB_IPV6_UNICAST", 3), m(), 9, 239},
	}
	files, err := filepath.Glob(filepath.Join(corpusDir, "*"))
	if err != nil || len(files) != len(tests) {
		t.Fatalf("corpus has %d files, the table %d: add the new file to the table (err %v)", len(files), len(tests), err)
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := summarize(t, tt.file)
			if !mapsEqual(s.records, tt.records) {
				t.Errorf("records: got %v, want %v", s.records, tt.records)
			}
			if !mapsEqual(s.messages, tt.messages) {
				t.Errorf("BGP messages: got %v, want %v", s.messages, tt.messages)
			}
			if s.entries != tt.entries {
				t.Errorf("RIB entries: got %d, want %d", s.entries, tt.entries)
			}
			if s.maxLen != tt.maxLen {
				t.Errorf("largest record: got %d, want %d", s.maxLen, tt.maxLen)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestETHeaderStream checks the BGP4MP_ET file record by record against what
// bgpdump prints and the corpus README: 89,679 UPDATEs carrying 577,737
// announced and 3 withdrawn IPv4 prefixes, 577,706 distinct.
func TestETHeaderStream(t *testing.T) {
	r, err := mrt.Open(corpusPath(t, "bgpdump__updates.et-header.2015.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var (
		updates, announced, withdrawn int
		unique                        = make(map[netip.Prefix]struct{}, 600_000)
		lastTS                        uint64
	)
	ctx := wire.NewContext(true, false)
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		m, err := rec.BGP4MP()
		if err != nil {
			t.Fatalf("record %d: %v", r.Count(), err)
		}
		ts := uint64(rec.Timestamp)*1e6 + uint64(rec.Microseconds)
		if rec.Microseconds >= 1e6 || ts < lastTS {
			t.Fatalf("record %d: time %d.%06d after %d: microseconds misread", r.Count(), rec.Timestamp, rec.Microseconds, lastTS)
		}
		lastTS = ts
		switch r.Count() {
		case 1: // BGP4MP_ET|1445565678.509481|STATE|206.220.231.55|3856|1|2
			// The local address is not known before the connection: 0.0.0.0.
			want := mrt.BGP4MP{Subtype: mrt.StateChangeAS4, PeerAS: 3856, LocalAS: 3856, AFI: wire.AFIIPv4,
				PeerIP: netip.MustParseAddr("206.220.231.55"), LocalIP: netip.IPv4Unspecified(),
				OldState: mrt.StateIdle, NewState: mrt.StateConnect}
			if rec.Timestamp != 1445565678 || rec.Microseconds != 509481 || !bgp4mpEqual(m, want) {
				t.Errorf("record 1: got %d.%06d %+v, want 1445565678.509481 %+v", rec.Timestamp, rec.Microseconds, m, want)
			}
		case 3: // the OPEN, recorded with the 2-octet subtype MESSAGE
			// FROM: 206.220.231.55 AS3856 TO: 216.21.3.6 AS3856
			if m.Subtype != mrt.Message || rec.Microseconds != 357523 || len(m.Message) < 29 ||
				m.LocalIP != netip.MustParseAddr("216.21.3.6") || m.PeerAS != 3856 || m.LocalAS != 3856 ||
				m.Message[18] != byte(wire.MsgOpen) || m.Message[19] != 4 ||
				binary.BigEndian.Uint16(m.Message[20:]) != 3856 || binary.BigEndian.Uint16(m.Message[22:]) != 180 ||
				netip.AddrFrom4([4]byte(m.Message[24:28])) != netip.MustParseAddr("206.220.231.55") ||
				m.Message[28] != 30 {
				t.Errorf("record 3: got %s µs %d %X, want OPEN version 4 AS 3856 hold 180 id 206.220.231.55 opt-len 30",
					mrt.SubtypeName(rec.Type, m.Subtype), rec.Microseconds, m.Message)
			}
		case 8: // the first UPDATE: 0.0.0.0/0, 178.215.220.0/22, 178.215.216.0/22, …
			u, err := wire.ParseUpdateMessage(m.Message, ctx)
			if err != nil {
				t.Fatalf("record 8: %v", err)
			}
			var got []string
			it := u.NLRIIter()
			for n, ok := it.Next(); ok && len(got) < 3; n, ok = it.Next() {
				p, _ := wire.PrefixFromNLRI(n.Bytes, false)
				got = append(got, p.String())
			}
			if want := "0.0.0.0/0 178.215.220.0/22 178.215.216.0/22"; strings.Join(got, " ") != want {
				t.Errorf("record 8 NLRI: got %q, want %q", strings.Join(got, " "), want)
			}
		}
		if m.Message == nil || m.Message[18] != byte(wire.MsgUpdate) {
			continue
		}
		updates++
		u, err := wire.ParseUpdateMessage(m.Message, ctx)
		if err != nil {
			t.Fatalf("record %d: %v", r.Count(), err)
		}
		for _, it := range []wire.NLRIIter{u.NLRIIter(), u.WithdrawnIter()} {
			for n, ok := it.Next(); ok; n, ok = it.Next() {
				p, err := wire.PrefixFromNLRI(n.Bytes, false)
				if err != nil {
					t.Fatalf("record %d: %v", r.Count(), err)
				}
				unique[p] = struct{}{}
			}
			if it.Err() != nil {
				t.Fatalf("record %d: %v", r.Count(), it.Err())
			}
		}
		a, _ := u.NLRIIter().Count()
		w, _ := u.WithdrawnIter().Count()
		announced += a
		withdrawn += w
	}
	if r.Count() != 89686 || updates != 89679 || announced != 577737 || withdrawn != 3 || len(unique) != 577706 {
		t.Errorf("got %d records, %d updates, %d announced, %d withdrawn, %d distinct prefixes; "+
			"want 89686, 89679, 577737, 3, 577706", r.Count(), updates, announced, withdrawn, len(unique))
	}
}

func bgp4mpEqual(a, b mrt.BGP4MP) bool {
	return a.Subtype == b.Subtype && a.PeerAS == b.PeerAS && a.LocalAS == b.LocalAS &&
		a.Interface == b.Interface && a.AFI == b.AFI && a.PeerIP == b.PeerIP && a.LocalIP == b.LocalIP &&
		a.OldState == b.OldState && a.NewState == b.NewState && bytes.Equal(a.Message, b.Message)
}

// TestUpdates20160811 counts announced and withdrawn prefixes per AFI of a
// 40-peer RIS file, IPv6 in MP_REACH/MP_UNREACH, as `bgpdump -m` lists them.
func TestUpdates20160811(t *testing.T) {
	r, err := mrt.Open(corpusPath(t, "bgpdump__updates.20160811.1600.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := map[string]int{}
	peers := map[netip.Addr]bool{}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		m, err := rec.BGP4MP()
		if err != nil {
			t.Fatal(err)
		}
		peers[m.PeerIP] = true
		if r.Count() == 1 {
			// BGP4MP|1470931200|A|2001:7f8:54::188|59689|2804:14d::/40|59689 6939 3356 4230 28573|…
			if rec.Timestamp != 1470931200 || m.PeerAS != 59689 || m.PeerIP != netip.MustParseAddr("2001:7f8:54::188") ||
				m.AFI != wire.AFIIPv6 || !m.Subtype.IsAS4() || m.Subtype.IsLocal() || m.Subtype.IsAddPath() {
				t.Errorf("record 1: got %d %+v", rec.Timestamp, m)
			}
		}
		if m.Message == nil || m.Message[18] != byte(wire.MsgUpdate) {
			continue
		}
		ctx := wire.NewContext(m.Subtype.IsAS4(), false)
		u, err := wire.ParseUpdateMessage(m.Message, ctx)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := u.NLRIIter().Count()
		got["announce ipv4"] += n
		n, _ = u.WithdrawnIter().Count()
		got["withdraw ipv4"] += n
		if mp, ok, err := u.MPReach(); ok && err == nil {
			n, _ := mp.Iter(ctx).Count()
			got["announce "+mp.Family.AFI.String()] += n
		}
		if mp, ok, err := u.MPUnreach(); ok && err == nil {
			n, _ := mp.Iter(ctx).Count()
			got["withdraw "+mp.Family.AFI.String()] += n
		}
	}
	want := map[string]int{"announce ipv4": 32710, "withdraw ipv4": 1616, "announce ipv6": 6546, "withdraw ipv6": 340}
	// bgpdump's FROM/PEER lines name 45 addresses (the README's "40 peers"
	// counts the sessions `bgpdump -m` shows).
	if !mapsEqual(got, want) || len(peers) != 45 {
		t.Errorf("got %v from %d peers, want %v from 45", got, len(peers), want)
	}
}

// asPath renders an AS_PATH value of 4-octet ASNs (as in TABLE_DUMP_V2).
func asPath(v []byte) string {
	var parts []string
	for len(v) >= 2 {
		n := int(v[1])
		v = v[2:]
		for i := 0; i < n && len(v) >= 4; i++ {
			parts = append(parts, strconv.FormatUint(uint64(binary.BigEndian.Uint32(v)), 10))
			v = v[4:]
		}
	}
	return strings.Join(parts, " ")
}

// ribLine is one RIB entry the way `bgpdump -m` shows it.
type ribLine struct {
	peerIP netip.Addr
	peerAS uint32
	prefix string
	pathID uint32
	asPath string
}

// ribLines walks a TABLE_DUMP_V2 file and returns one line per entry.
func ribLines(t *testing.T, name string) ([]ribLine, []mrt.RIB) {
	t.Helper()
	r, err := mrt.Open(corpusPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var peers []mrt.Peer
	var lines []ribLine
	var ribs []mrt.RIB
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Subtype == mrt.PeerIndexTable {
			pt, err := rec.PeerTable()
			if err != nil {
				t.Fatal(err)
			}
			if peers, err = pt.AppendPeers(peers[:0]); err != nil {
				t.Fatal(err)
			}
			continue
		}
		rib, err := rec.RIB()
		if err != nil {
			t.Fatal(err)
		}
		rib.NLRI = slices.Clone(rib.NLRI) // outlives the record
		ribs = append(ribs, rib)
		p, _ := rib.Prefix()
		it := rib.Entries()
		for e, ok := it.Next(); ok; e, ok = it.Next() {
			if int(e.PeerIndex) >= len(peers) {
				t.Fatalf("%s: peer index %d of %d", name, e.PeerIndex, len(peers))
			}
			l := ribLine{peerIP: peers[e.PeerIndex].IP, peerAS: peers[e.PeerIndex].AS, prefix: p.String(), pathID: e.PathID}
			if a, ok := wire.FindAttr(e.Attrs, wire.AttrASPath); ok {
				l.asPath = asPath(a.Value)
			}
			lines = append(lines, l)
		}
	}
	return lines, ribs
}

func TestRIBAddPath(t *testing.T) {
	tests := []struct {
		file        string
		n           int
		first, last ribLine
	}{
		// TABLE_DUMP2_AP|1452168107|B|10.0.15.1|65015|10.0.10.0/24|36|65015 65014 65013 65012 65011|…
		// TABLE_DUMP2_AP|1452168107|B|10.0.16.2|65017|10.0.21.0/24|19|65017 65018 65019 65020 65021 65022|…
		{"bgpdump__bview.ipv4_unicast_add_path.gz", 62,
			ribLine{netip.MustParseAddr("10.0.15.1"), 65015, "10.0.10.0/24", 36, "65015 65014 65013 65012 65011"},
			ribLine{netip.MustParseAddr("10.0.16.2"), 65017, "10.0.21.0/24", 19, "65017 65018 65019 65020 65021 65022"}},
		// TABLE_DUMP2_AP|1452169448|B|2001:db8:16::2|65017|2001:db8:28::/48|59|65017 65018 … 65028|…
		{"bgpdump__bview.ipv6_unicast_add_path.gz", 62,
			ribLine{netip.MustParseAddr("2001:db8:16::2"), 65017, "2001:db8:28::/48", 59,
				"65017 65018 65019 65020 65021 65022 65023 65024 65025 65026 65027 65028"},
			// TABLE_DUMP2_AP|1452169448|B|2001:db8:15::1|65015|2001:db8:13::/48|12|65015 65014 65013|…
			ribLine{netip.MustParseAddr("2001:db8:15::1"), 65015, "2001:db8:13::/48", 12, "65015 65014 65013"}},
		// TABLE_DUMP2|1537344000|B|193.0.0.56|3333|2001:579:1040::/46|3333 2914 22773|…
		// TABLE_DUMP2|1537344000|B|2a0a:3640:0:d::191|29504|2001:579:1040::/46|29504 6939 22773|…
		{"bgpdump__bview.64k_stream_overflow.gz", 23,
			ribLine{netip.MustParseAddr("193.0.0.56"), 3333, "2001:579:1040::/46", 0, "3333 2914 22773"},
			ribLine{netip.MustParseAddr("2a0a:3640:0:d::191"), 29504, "2001:579:1040::/46", 0, "29504 6939 22773"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			lines, _ := ribLines(t, tt.file)
			if len(lines) != tt.n {
				t.Fatalf("got %d entries, want %d", len(lines), tt.n)
			}
			if lines[0] != tt.first {
				t.Errorf("first entry: got %+v, want %+v", lines[0], tt.first)
			}
			if lines[len(lines)-1] != tt.last {
				t.Errorf("last entry: got %+v, want %+v", lines[len(lines)-1], tt.last)
			}
		})
	}
}

// TestRIBGeneric checks the two RIB_GENERIC records OpenBGPD wrote for
// VPNv4 routes: label 16, RD 0:65010:15, 192.168.0.0/16 and 192.168.7.0/24.
func TestRIBGeneric(t *testing.T) {
	_, ribs := ribLines(t, "mrtparse__openbgpd_rib_table-v2")
	var got []string
	for _, r := range ribs {
		if r.Subtype == mrt.RIBGeneric {
			got = append(got, fmt.Sprintf("%s seq %d %X entries %d", r.Family, r.Sequence, r.NLRI, r.EntryCount))
		}
	}
	want := []string{
		"ipv4/vpn seq 21 680001010000FDF20000000FC0A8 entries 1",
		"ipv4/vpn seq 22 700001010000FDF20000000FC0A807 entries 1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestMalformed cuts real records short and corrupts their fields: every
// case is an error of the right kind, none a panic.
func TestMalformed(t *testing.T) {
	rib := readCorpus(t, "bgpdump__bview.ipv4_unicast_add_path.gz")
	upd := readCorpus(t, "mrtparse__bird6_bgp")
	et := readCorpus(t, "bgpdump__updates.et-header.2015.gz")[:4096]
	set := func(b []byte, off int, v ...byte) []byte {
		b = slices.Clone(b)
		copy(b[off:], v)
		return b
	}
	tests := []struct {
		name string
		in   []byte
		max  int
		want error
	}{
		{"short header", upd[:7], 0, mrt.ErrTruncated},
		{"short body", upd[:mrt.HeaderLen+3], 0, mrt.ErrTruncated},
		{"length over limit", upd, 10, mrt.ErrTooLarge},
		{"huge length", set(upd, 8, 0xFF, 0xFF, 0xFF, 0xFF), 0, mrt.ErrTooLarge},
		{"ET without microseconds", set(et, 8, 0, 0, 0, 2), 0, mrt.ErrTruncated},
		{"BGP4MP bad AFI", set(upd, mrt.HeaderLen+10, 0, 9), 0, mrt.ErrMalformed},
		{"BGP4MP unknown subtype", set(upd, 6, 0, 2), 0, mrt.ErrMalformed},
		{"BGP4MP state change too long", set(upd, 6, 0, 0), 0, mrt.ErrMalformed},
		{"peer table count too high", set(rib, mrt.HeaderLen+4+2+6, 0, 4), 0, mrt.ErrTruncated},
		{"peer table count too low", set(rib, mrt.HeaderLen+4+2+6, 0, 2), 0, mrt.ErrMalformed},
		{"RIB prefix length 33", set(rib, secondRecord(rib)+mrt.HeaderLen+4, 33), 0, mrt.ErrMalformed},
		{"RIB entry count too high", set(rib, secondRecord(rib)+mrt.HeaderLen+8, 0, 3), 0, mrt.ErrTruncated},
		{"RIB attribute length overrun", set(rib, secondRecord(rib)+mrt.HeaderLen+10+10, 0xFF), 0, mrt.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := walkAll(tt.in, tt.max)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// secondRecord is the offset of the second record (the first RIB record
// after the peer index table).
func secondRecord(b []byte) int {
	return mrt.HeaderLen + int(binary.BigEndian.Uint32(b[8:12]))
}

// walkAll reads every record of b and decodes every view and element; it
// returns the first error.
func walkAll(b []byte, maxLen int) error {
	r := mrt.NewReader(bytes.NewReader(b))
	r.MaxRecordLen = maxLen
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := walkRecord(&rec); err != nil {
			return err
		}
	}
}

func walkRecord(rec *mrt.Record) error {
	switch rec.Type {
	case mrt.TypeBGP4MP, mrt.TypeBGP4MPET:
		_, err := rec.BGP4MP()
		return err
	case mrt.TypeTableDumpV2:
		if rec.Subtype == mrt.PeerIndexTable {
			pt, err := rec.PeerTable()
			if err != nil {
				return err
			}
			it := pt.Peers()
			for _, ok := it.Next(); ok; _, ok = it.Next() {
			}
			return it.Err()
		}
		if !rec.Subtype.IsRIB() {
			return nil
		}
		rib, err := rec.RIB()
		if err != nil {
			return err
		}
		_, _ = rib.Prefix()
		it := rib.Entries()
		for _, ok := it.Next(); ok; _, ok = it.Next() {
		}
		return it.Err()
	}
	return nil
}

// TestTruncatedEverywhere cuts every record of the small files at every
// length and decodes the rest as a body: no cut may panic, and a cut
// record must not decode as a different valid one silently dropping data
// (RIB and peer table parsers check their counts).
func TestTruncatedEverywhere(t *testing.T) {
	for _, name := range smallFiles {
		b := readCorpus(t, name)
		for off := 0; off < len(b); {
			rec, n, err := mrt.ParseRecord(b[off:])
			if err != nil {
				t.Fatalf("%s at %d: %v", name, off, err)
			}
			for cut := 0; cut < len(rec.Data); cut++ {
				short := rec
				short.Data = rec.Data[:cut]
				err := walkRecord(&short)
				if err == nil && (rec.Type == mrt.TypeTableDumpV2 || rec.Subtype.IsStateChange()) {
					t.Errorf("%s record at %d cut to %d of %d bytes: no error", name, off, cut, len(rec.Data))
				}
			}
			off += n
		}
	}
}

// smallFiles seed the fuzzer and the exhaustive truncation test.
var smallFiles = []string{
	"bgpdump__bview.ipv4_unicast_add_path.gz",
	"bgpdump__bview.ipv6_unicast_add_path.gz",
	"mrtparse__bird-mrtdump_rib",
	"mrtparse__bird6-mrtdump_rib",
	"mrtparse__bird6_bgp",
	"mrtparse__bird_bgp",
	"mrtparse__openbgpd_bgp",
	"mrtparse__openbgpd_rib_table-v2",
	"mrtparse__quagga_bgp",
	"mrtparse__quagga_rib",
}

// TestReaderMatchesParseRecord reads a file both through the streaming
// Reader and by ParseRecord over the same bytes: same records, same order.
func TestReaderMatchesParseRecord(t *testing.T) {
	b := readCorpus(t, "bgpdump__updates.20160811.1600.gz")
	r := mrt.NewReader(bytes.NewReader(b))
	off := 0
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		want, n, err := mrt.ParseRecord(b[off:])
		if err != nil {
			t.Fatal(err)
		}
		if rec.Header != want.Header || !bytes.Equal(rec.Data, want.Data) || r.Offset() != int64(off+n) {
			t.Fatalf("record %d: reader %+v, ParseRecord %+v", r.Count(), rec.Header, want.Header)
		}
		off += n
	}
	if off != len(b) || r.Count() != 17406 {
		t.Errorf("read %d of %d bytes, %d records; want all and 17406", off, len(b), r.Count())
	}
}

// TestReaderAllocs: reading and decoding a record allocates nothing once
// the reader's buffer has grown.
func TestReaderAllocs(t *testing.T) {
	b := readCorpus(t, "bgpdump__updates.20160811.1600.gz")
	br := bytes.NewReader(b)
	r := mrt.NewReader(br)
	var sink uint32
	allocs := testing.AllocsPerRun(10_000, func() {
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err) // 17,406 records: the run never reaches the end
		}
		m, err := rec.BGP4MP()
		if err != nil {
			t.Fatal(err)
		}
		sink += m.PeerAS
	})
	if allocs != 0 {
		t.Errorf("got %.2f allocs per record, want 0", allocs)
	}
	rib := readCorpus(t, "bgpdump__bview.64k_stream_overflow.gz")
	rec0, n, _ := mrt.ParseRecord(rib)
	rec1, _, _ := mrt.ParseRecord(rib[n:])
	allocs = testing.AllocsPerRun(100, func() {
		pt, _ := rec0.PeerTable()
		pi := pt.Peers()
		for p, ok := pi.Next(); ok; p, ok = pi.Next() {
			sink += p.AS
		}
		x, _ := rec1.RIB()
		it := x.Entries()
		for e, ok := it.Next(); ok; e, ok = it.Next() {
			sink += uint32(len(e.Attrs))
		}
	})
	if allocs != 0 {
		t.Errorf("got %.2f allocs per RIB record walk, want 0", allocs)
	}
}
