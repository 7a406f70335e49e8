package yang

import (
	"regexp"
	"strconv"
	"testing"
)

// matches reports whether v is accepted by ty the way YANG reads patterns
// (anchored, every pattern of a type must match; a union needs one member),
// also checking lengths, integer ranges and enumerations.
func matches(t *testing.T, ty *Type, v string) bool {
	t.Helper()
	if m := ty.Union(); m != nil {
		for _, mt := range m {
			if matches(t, mt, v) {
				return true
			}
		}
		return false
	}
	switch ty.Kind() {
	case "enumeration":
		for _, e := range ty.EnumNames() {
			if e == v {
				return true
			}
		}
		return false
	case "uint8", "uint16", "uint32":
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return false
		}
		for _, r := range ty.Ranges() {
			lo, _ := strconv.ParseUint(r.Min, 10, 64)
			hi, _ := strconv.ParseUint(r.Max, 10, 64)
			if n >= lo && n <= hi {
				return true
			}
		}
		return false
	}
	for _, r := range ty.Lengths() {
		lo, _ := strconv.Atoi(r.Min)
		hi, _ := strconv.Atoi(r.Max)
		if len(v) < lo || len(v) > hi {
			return false
		}
	}
	for _, p := range ty.Patterns() {
		re, err := regexp.Compile("^(?:" + p + ")$")
		if err != nil {
			t.Fatalf("pattern %q: %v", p, err)
		}
		if !re.MatchString(v) {
			return false
		}
	}
	return true
}

// The patterns of ze-types read as intended (in Go's regexp, which ygot uses
// too; yanglint checks the same values from testdata/).
func TestTypePatterns(t *testing.T) {
	tr := core(t)
	for _, tt := range []struct {
		path string
		good []string
		bad  []string
	}{
		{"bgp/router-id", []string{"192.0.2.1", "0.0.0.0", "255.255.255.255"},
			[]string{"256.0.0.1", "1.2.3", "01.2.3.4", "1.2.3.4/32", "::1", ""}},
		{"bgp/peer/remote/ip", []string{"192.0.2.1", "::", "::1", "2001:db8::1", "fe80::1:2", "1:2:3:4:5:6:7:8", "::ffff:192.0.2.1", "2001:db8::"},
			[]string{"1::2::3", ":::", "2001:db8::g", "1:2:3:4:5:6:7:8:9", "2001:db8::1:2:3:4:5:6", "192.0.2", "host", ""}},
		{"bgp/peer/static/route/prefix", []string{"10.0.0.0/8", "0.0.0.0/0", "192.0.2.0/24", "2001:db8::/32", "::/0", "2001:db8::1/128"},
			[]string{"10.0.0.0", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/08", "2001:db8::"}},
		{"bgp/peer/local-as", []string{"1", "65000", "4294967295"}, []string{"0", "4294967296", "-1", "AS65000"}},
		{"bgp/peer/hold-time", []string{"0", "3", "90", "65535"}, []string{"1", "2", "65536"}},
		{"bgp/peer/ttl-security", []string{"1", "254"}, []string{"0", "255"}},
		{"bgp/peer/static/route/community", []string{"65000:100", "0:0", "65535:65535", "no-export", "blackhole"},
			[]string{"65536:1", "1:65536", "65000", "no-such", "65000:100:1"}},
		{"bgp/peer/static/route/large-community", []string{"65000:1:2", "4200000000:0:4294967295"}, []string{"65000:1", "a:b:c"}},
		{"bgp/peer/static/route/extended-community", []string{"target:65000:100", "origin:192.0.2.1:7", "color:100", "default-gateway", "ABCD010203040506", "0xabcd010203040506"},
			[]string{"Target:1:2", "target 1", "ABCD0102"}},
		{"bgp/peer/static/route/as-path", []string{"", "65001", "65001 65002 {65010 65011}", "(65100) [65200]", "1.10 65001"}, []string{"65001,65002", "AS1"}},
		{"bgp/peer/static/route/next-hop", []string{"self", "192.0.2.1", "2001:db8::1"}, []string{"peer", "192.0.2.0/24"}},
		{"system/host-name", []string{"r1", "edge-1.example.net", "a.b.", "1host"}, []string{"-r1", "r1-", "a..b", "r_1", ""}},
		{"system/login/user/name", []string{"alice", "_svc", "noc-2"}, []string{"Alice", "2fa", "a b", ""}},
		{"system/login/user/authentication/password", []string{"$6$salt$hash", "$2b$12$abcdefghij", "$2a$10$abc", "$1$x$y"},
			[]string{"secret", "$0$clear", "$6$", "6$salt$hash", "$y$j9T$salt$hash", "$2x$10$abc"}},
		{"system/login/user/authentication/ssh-key", []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH alice@laptop", "ssh-rsa AAAAB3NzaC1yc2E=", "ecdsa-sha2-nistp256 AAAAE2Vj"},
			[]string{"AAAAC3NzaC1lZDI1NTE5", "ssh-foo AAAA", "ssh-ed25519"}},
		{"bgp/group/name", []string{"my-peers", "peer-east", "192.0.2.1", "2001:db8::1", "a"}, []string{"-x", "a b", ""}},
		{"plugin/internal/name", []string{"bgp-rib", "rpki"}, []string{"Bgp", "bgp_rib", "1x"}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			ty := find(t, tr, tt.path).Type()
			for _, v := range tt.good {
				if !matches(t, ty, v) {
					t.Errorf("%q rejected, want accepted", v)
				}
			}
			for _, v := range tt.bad {
				if matches(t, ty, v) {
					t.Errorf("%q accepted, want rejected", v)
				}
			}
		})
	}
}

func TestTypeString(t *testing.T) {
	tr := core(t)
	for _, tt := range []struct{ path, want string }{
		{"bgp/peer/hold-time", "zt:hold-time"},
		{"bgp/peer/connect-retry", "uint16 {1..65535}"},
		{"bgp/peer/static/route/med", "uint32"},
		{"bgp/peer/md5-password", "string {length 1..80}"},
		{"environment/log/format", "enumeration {text|json}"},
		{"bgp/peer/passive", "boolean"},
		{"system/login/user/authentication/password", "crypt-hash"},
	} {
		if got := find(t, tr, tt.path).Type().String(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestSummaryUnindent(t *testing.T) {
	for _, tt := range []struct{ in, summary string }{
		{"The hold time.", "The hold time."},
		{"One sentence\n   over two lines.  And a second.", "One sentence over two lines."},
		{"Version 1.2 is here. Next.", "Version 1.2 is here."},
		{"No full stop", "No full stop"},
		{"First para\nline two\n\nSecond para.", "First para line two"},
		{"", ""},
	} {
		if got := Summary(Unindent(tt.in)); got != tt.summary {
			t.Errorf("Summary(%q) = %q, want %q", tt.in, got, tt.summary)
		}
	}
	if got, want := Unindent("  first\n     a\n       b\n     c  "), "first\na\n  b\nc"; got != want {
		t.Errorf("Unindent: got %q, want %q", got, want)
	}
}
