package config

import "testing"

// Values are checked against the types of the schema and kept in
// canonical form.
func TestCheckValue(t *testing.T) {
	s := schemaOf(testSchema(t))
	tests := []struct {
		leaf  string // schema path
		value string
		canon string // "" when the value is refused
		msg   string
	}{
		{"bgp/hold-time", "90", "90", ""},
		{"bgp/hold-time", "0", "0", ""},
		{"bgp/hold-time", "00", "0", ""},
		{"bgp/hold-time", "+3", "3", ""},
		{"bgp/hold-time", "2", "", `"2" is out of range 0 | 3..65535`},
		{"bgp/hold-time", "65536", "", `"65536" is out of range 0 | 3..65535`},
		{"bgp/hold-time", "-0", "0", ""},
		{"bgp/hold-time", "-1", "", `"-1" is out of range 0 | 3..65535`},
		{"bgp/hold-time", "99999999999999999999", "", `"99999999999999999999" is out of range 0 | 3..65535`},
		{"bgp/hold-time", "0x10", "", `"0x10" is not an integer`},
		{"bgp/hold-time", "", "", `"" is not an integer`},
		{"cfgtest/i8", "-10", "-10", ""},
		{"cfgtest/i8", "-11", "", `"-11" is out of range -10..10`},
		{"cfgtest/i64", "-9223372036854775808", "-9223372036854775808", ""},
		{"cfgtest/u64", "18446744073709551616", "", `"18446744073709551616" is out of range 0..18446744073709551615`},
		{"cfgtest/dec", "0100", "100.0", ""},
		{"cfgtest/dec", "-1.50", "-1.5", ""},
		{"cfgtest/dec", "-0.0", "0.0", ""},
		{"cfgtest/dec", "-1.51", "", `"-1.51" is out of range -1.50..100.00`},
		{"cfgtest/dec", "1e3", "", `"1e3" is not a decimal number`},
		{"cfgtest/word", "abc", "abc", ""},
		{"cfgtest/word", "a", "", `"a" has 1 character, want 2..5`},
		{"cfgtest/word", "ABC", "", `"ABC" is not a valid short-word: want a short lowercase word`},
		{"cfgtest/code", "AB1", "", `"AB1" does not match the pattern '[A-Z]+'`},
		{"cfgtest/code", "ÄÖÜ", "", `"ÄÖÜ" does not match the pattern '[A-Z]+'`},
		{"cfgtest/flag", "true", "true", ""},
		{"cfgtest/flag", "True", "", `"True" is not a boolean: want true or false`},
		{"cfgtest/mode", "slow", "slow", ""},
		{"cfgtest/mode", "slwo", "", `"slwo" is not one of fast, slow, auto; did you mean "slow"?`},
		{"cfgtest/perms", "exec  read", "read exec", ""},
		{"cfgtest/perms", "", "", ""}, // no bit set is a value
		{"cfgtest/perms", "reed", "", `"reed" is not one of read, write, exec; did you mean "read"?`},
		{"cfgtest/blob", "AQIDBA==", "AQIDBA==", ""},
		{"cfgtest/blob", "AQIDBAU=", "", `"AQIDBAU=" has 5 octets, want 1..4`},
		{"cfgtest/either", "7", "7", ""},
		{"cfgtest/either", "none", "none", ""},
		{"cfgtest/either", "x", "", `"x" matches no type of the union (uint8, enumeration)`},
		{"cfgtest/color", "ct:blue", "blue", ""},
		{"cfgtest/color", "ze-cfgtest:red", "red", ""},
		{"cfgtest/color", "green", "", `"green" is not one of blue, red`},
		{"cfgtest/asn", "0", "", `"0" is out of range 1..4294967295`},
		{"cfgtest/primary", "anything", "anything", ""}, // a leafref takes its target's type
		{"bgp/router-id", "192.0.2.1", "192.0.2.1", ""},
		{"bgp/router-id", "192.0.2.256", "", `"192.0.2.256" is not a valid router-id: want a BGP identifier (RFC 6286): a 32-bit number written as an IPv4 address`},
		{"bgp/local-address", "2001:db8::1", "2001:db8::1", ""},
		{"bgp/local-address", "fe80::1%eth0", "", `"fe80::1%eth0" is not a valid ip-address: want an IPv4 or an IPv6 address`},
		{"bgp/static/route/community", "65535:65535", "65535:65535", ""},
		{"bgp/static/route/community", "no-export", "no-export", ""},
		{"bgp/static/route/community", "65536:1", "", `"65536:1" is not a valid community: want a standard community (RFC 1997): HIGH:LOW in decimal, such as 65000:100, or a well-known name`},
		{"bgp/static/route/next-hop", "self", "self", ""},
		{"bgp/group/description", "x\xff", "", `"x\xff" is not valid UTF-8`},
		{"bgp/family/ipv4/add-path/send", "", "", ""},
		{"bgp/family/ipv4/add-path/send", "x", "", `takes no value, got "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.leaf+"="+tt.value, func(t *testing.T) {
			sn := s.root
			for _, name := range splitSchemaPath(tt.leaf) {
				if sn = sn.child(name); sn == nil {
					t.Fatalf("no %s", tt.leaf)
				}
			}
			canon, msg := sn.typ.check(tt.value)
			if canon != tt.canon || msg != tt.msg {
				t.Errorf("check(%q) = %q, %q; want %q, %q", tt.value, canon, msg, tt.canon, tt.msg)
			}
		})
	}
}

// Suggestions come within a third of the word's length, or for an
// abbreviation.
func TestNearest(t *testing.T) {
	names := []string{"hold-time", "keepalive", "local-as", "local-address", "group"}
	tests := map[string]string{
		"hold-tme": "hold-time", "holdtime": "hold-time", "keepalvie": "keepalive", "local-addr": "local-address", "lcoal-as": "local-as",
		"loc": "local-as", "gruop": "group", "xyz": "", "": "", "hold-time-x-y-z": "",
	}
	for word, want := range tests {
		if got := nearest(word, names); got != want {
			t.Errorf("nearest(%q) = %q, want %q", word, got, want)
		}
	}
}
