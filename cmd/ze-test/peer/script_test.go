package peer

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusScripts lists every .msg file of the ExaBGP corpus.
func corpusScripts(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"vectors-4.2/ci", "vectors-5.0/encoding"} {
		m, err := filepath.Glob(filepath.Join(corpus, "exabgp", dir, "*.msg"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 100 {
		t.Fatalf("found %d .msg files under %s, want the whole corpus", len(files), corpus)
	}
	return files
}

func TestParseScriptCorpus(t *testing.T) {
	for _, f := range corpusScripts(t) {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !IsScript(text) {
			t.Errorf("%s: not recognized as a .msg file", f)
		}
		s, err := ParseScript(text)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		want := strings.Count(string(text), ":raw:") + strings.Count(string(text), ":announce:") + strings.Count(string(text), ":withdraw:")
		got := 0
		for _, c := range s.Conns {
			got += c.Expected()
		}
		// Commented-out lines hold ":raw:" too.
		commented := 0
		for l := range strings.Lines(string(text)) {
			if strings.HasPrefix(strings.TrimSpace(l), "#") && strings.Contains(l, ":raw:") {
				commented++
			}
		}
		if got != want-commented {
			t.Errorf("%s: %d expectations, want %d", f, got, want-commented)
		}
	}
}

func TestParseScriptTeardown(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(corpus, "exabgp/vectors-5.0/encoding/api-teardown.msg"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseScript(text)
	if err != nil {
		t.Fatal(err)
	}
	if s.TCPConnections != 3 || len(s.Conns) != 3 {
		t.Fatalf("connections: option %d, parsed %d, want 3 and 3", s.TCPConnections, len(s.Conns))
	}
	for i, want := range []struct {
		name   byte
		groups []int // items per group
	}{{'A', []int{2, 1}}, {'B', []int{3, 1}}, {'C', []int{4}}} {
		c := s.Conns[i]
		if c.Name != want.name || len(c.Groups) != len(want.groups) {
			t.Fatalf("connection %d: %c with %d groups, want %c with %d", i, c.Name, len(c.Groups), want.name, len(want.groups))
		}
		for j, n := range want.groups {
			if len(c.Groups[j].Items) != n {
				t.Errorf("connection %c group %d: %d items, want %d", c.Name, c.Groups[j].Seq, len(c.Groups[j].Items), n)
			}
		}
	}
	n := s.Conns[0].Groups[1].Items[0]
	if n.Kind != ItemRaw || n.Line != 6 || hexString(n.Raw) != "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002A03060414"+"41646D696E697374726174697665205265736574" {
		t.Errorf("A2 = %+v, %s", n, hexString(n.Raw))
	}
}

func TestParseScript(t *testing.T) {
	kaHex := "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0013:04"
	s, err := ParseScript([]byte(strings.Join([]string{
		"# comment",
		"option:asn:65000",
		"option:open:inspect-open-message",
		"option:update:send-default-route",
		"3:raw:" + kaHex,
		"1:raw:ffffffffffffffffffffffffffffffff001304",
		"2:send:00",
		"",
		"B1:announce:10.0.0.1/8",
		"B2:withdraw:2001:db8::/32",
		"B3:notification:bye now",
		"B4:signal:SIGHUP",
	}, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if s.ASN != 65000 || !s.InspectOpen || !s.SendDefaultRoute || s.SendUnknownCap {
		t.Errorf("options = %+v", s)
	}
	a, b := s.Conns[0], s.Conns[1]
	if a.Prefixes || !b.Prefixes {
		t.Errorf("prefix mode: A %v, B %v; want false, true", a.Prefixes, b.Prefixes)
	}
	if len(a.Groups) != 3 || a.Groups[0].Seq != 1 || a.Groups[1].Seq != 2 || a.Groups[2].Seq != 3 {
		t.Fatalf("A groups not sorted by sequence: %+v", a.Groups)
	}
	if it := a.Groups[1].Items[0]; it.Kind != ItemSend || hexString(it.Raw) != "00" || it.Line != 7 {
		t.Errorf("A2 = %+v", it)
	}
	if it := b.Groups[0].Items[0]; it.Kind != ItemAnnounce || it.Prefix != netip.MustParsePrefix("10.0.0.0/8") {
		t.Errorf("B1 = %+v (the prefix is masked)", it)
	}
	if it := b.Groups[1].Items[0]; it.Kind != ItemWithdraw || it.Prefix != netip.MustParsePrefix("2001:db8::/32") {
		t.Errorf("B2 = %+v", it)
	}
	if it := b.Groups[2].Items[0]; it.Kind != ItemNotification || it.Text != "bye now" {
		t.Errorf("B3 = %+v", it)
	}
	if a.Expected() != 2 || b.Expected() != 2 {
		t.Errorf("expected counts %d %d, want 2 2", a.Expected(), b.Expected())
	}
}

func TestParseScriptErrors(t *testing.T) {
	ka := "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304"
	tests := []struct{ text, err string }{
		{"", "line 0: no message lines: nothing to expect or send"},
		{"option:asn:65000\n", "line 1: no message lines"},
		{"option:frob:1\n1:raw:" + ka, `line 1: unknown option "frob:1"`},
		{"option:asn:x\n", `line 1: option:asn: want an AS number from 1 to 4294967295, got "x"`},
		{"1:raw:" + ka + "\nhello\n", `line 2: want option:KEY:VALUE or [CONN]SEQ:KIND:DATA, got "hello"`},
		{"1:fetch:00\n", `line 1: unknown kind "fetch"`},
		{"1:raw:FFF\n", "line 1: raw: odd number of hex digits (3)"},
		{"1:raw:GG\n", "line 1: raw: not hex"},
		{"1:raw:FFFF\n", "line 1: raw: 2 bytes, shorter than a message header (19)"},
		{"1:raw:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001404\n", "line 1: raw: the length field says 20 but the message has 19 bytes"},
		{"1:raw:00FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304\n", "line 1: raw: the marker is not 16 bytes of FF"},
		{"1:announce:10.0.0.0/33\n", "line 1: announce: netip.ParsePrefix"},
		{"1:signal:SIGFOO\n", `line 1: signal: unknown signal "SIGFOO"`},
		{"1:send:\n", "line 1: send: no bytes"},
		{"1:raw:" + ka + "\n2:announce:10.0.0.0/8\n", "line 2: connection A mixes raw lines (line 1) with announce/withdraw lines (line 2)"},
		{"B1:raw:" + ka + "\n", "connection B has lines but connection A has none"},
		{"option:tcp_connections:2\n1:raw:" + ka + "\n", "option:tcp_connections:2 but the lines name 1 connection(s)"},
	}
	for _, tt := range tests {
		_, err := ParseScript([]byte(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseScript(%q) = %v, want %q", tt.text, err, tt.err)
		}
	}
}

func TestIsScript(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"1:raw:FF\n", true},
		{"# c\noption:asn:1\n", true},
		{"A12:announce:10.0.0.0/8", true},
		{"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0013:04\n", false},
		{"00:11:22\n", false},
		{"# only a comment\n", false},
	}
	for _, tt := range tests {
		if got := IsScript([]byte(tt.text)); got != tt.want {
			t.Errorf("IsScript(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestLoadInput(t *testing.T) {
	hexFile := writeFile(t, "a.hex", "# c\n"+upd1+"\n  \n"+upd2+"\n")
	in, err := LoadInput(hexFile)
	if err != nil || in.Kind != InputHex || len(in.Hex) != 2 || len(in.Hex[0]) != 47 {
		t.Fatalf("hex: %+v, %v", in, err)
	}
	in, err = LoadInput(filepath.Join(corpus, "exabgp/vectors-4.2/ci/api-eor.msg"))
	if err != nil || in.Kind != InputScript {
		t.Fatalf("msg: %+v, %v", in, err)
	}
	for _, f := range []string{"mrt/mrtparse__quagga_bgp", "mrt/bgpdump__updates.20160811.1600.gz"} {
		in, err = LoadInput(filepath.Join(corpus, f))
		if err != nil || in.Kind != InputMRT {
			t.Fatalf("%s: %+v, %v", f, in, err)
		}
	}
	for _, tt := range []struct{ text, err string }{
		{"", "is empty"},
		{"# nothing\n", "no hex lines"},
		{"FFZZ\n", "line 1: not hex"},
		{"1:announce:10.0.0.0/8\n", "line 1: announce lines cannot be replayed"},
	} {
		_, err := LoadInput(writeFile(t, "x", tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("LoadInput(%q) = %v, want %q", tt.text, err, tt.err)
		}
	}
}

func FuzzParseScript(f *testing.F) {
	for _, p := range corpusScripts(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("option:tcp_connections:2\nA1:raw:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304\nB1:announce:10.0.0.0/8\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseScript(b)
		if err != nil {
			if s != nil {
				t.Fatal("a script together with an error")
			}
			return
		}
		if len(s.Conns) == 0 {
			t.Fatal("a script without connections")
		}
		for i, c := range s.Conns {
			if c.Name != byte('A'+i) {
				t.Fatalf("connection %d is named %c", i, c.Name)
			}
			for j, g := range c.Groups {
				if j > 0 && c.Groups[j-1].Seq >= g.Seq {
					t.Fatalf("groups out of order: %d then %d", c.Groups[j-1].Seq, g.Seq)
				}
				for _, it := range g.Items {
					if it.Kind == ItemRaw && checkFrame(it.Raw) != nil {
						t.Fatalf("line %d: raw message not framed", it.Line)
					}
				}
			}
		}
		if !IsScript(b) {
			t.Fatal("parsed as a script but IsScript says no")
		}
	})
}
