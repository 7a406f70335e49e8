package route

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

// build parses and builds cmd with ctx and returns the messages in hex.
func build(t *testing.T, cmd string, ctx *wire.EncodingContext) ([]string, error) {
	t.Helper()
	u, err := Parse(cmd)
	if err != nil {
		return nil, err
	}
	var out []string
	err = u.Build(ctx, func(m []byte) error { out = append(out, fmt.Sprintf("%X", m)); return nil })
	return out, err
}

const marker = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"

func TestHexMode(t *testing.T) {
	tests := []struct {
		name string
		cmd  string
		want []string
	}{
		{"ipv4 announce", "update hex attr set 40010100 nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000",
			[]string{marker + "0026020000000B40010100400304C0000201180A0000"}},
		{"no update word", "hex attr set 40010100 nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000 180A0001",
			[]string{marker + "002A020000000B40010100400304C0000201180A0000180A0001"}},
		{"ipv4 withdraw", "update hex nlri ipv4/unicast del 180A0000",
			[]string{marker + "001B020004180A00000000"}},
		{"ipv6 withdraw", "update hex nlri ipv6/unicast del 2020010DB8",
			[]string{marker + "0022020000000B800F080002012020010DB8"}},
		{"two sections", "update hex attr set 40010100 nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000 nlri ipv4/unicast del 180A0100",
			[]string{marker + "0026020000000B40010100400304C0000201180A0000", marker + "001B020004180A01000000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := build(t, tt.cmd, nil)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestNextHopForms(t *testing.T) {
	// IPv6 with a global and link-local next hop: 32 octets in MP_REACH.
	got, err := build(t, "update hex attr set 40010100 nhop set [2001:db8::1 fe80::1] nlri ipv6/unicast add 2020010DB8", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := wire.ParseUpdateMessage(mustHex(t, got[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, ok, _ := u.MPReach()
	g, ll, _ := r.NextHops()
	if !ok || g.String() != "2001:db8::1" || ll.String() != "fe80::1" {
		t.Fatalf("next hops %v %v", g, ll)
	}
	// An IPv4 next hop for IPv6 is IPv4-mapped.
	got, err = build(t, "update hex nhop set 192.0.2.1 nlri ipv6/unicast add 2020010DB8", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got[0], "00000000000000000000FFFFC0000201") {
		t.Fatalf("not mapped: %s", got[0])
	}
	// An IPv6 next hop for IPv4 needs extended next hop.
	if _, err := build(t, "update hex nhop set 2001:db8::1 nlri ipv4/unicast add 180A0000", nil); err == nil ||
		!strings.Contains(err.Error(), "extended next hop") {
		t.Fatalf("got %v", err)
	}
	ctx := wire.NewContext(true, false)
	ctx.SetExtNextHop(wire.IPv4Unicast, true)
	got, err = build(t, "update hex nhop set 2001:db8::1 nlri ipv4/unicast add 180A0000", ctx)
	if err != nil || !strings.Contains(got[0], "800E") {
		t.Fatalf("extended next hop: %v %v", got, err)
	}
}

func TestPathIDs(t *testing.T) {
	ctx := wire.NewContext(true, false)
	ctx.SetAddPath(wire.IPv4Unicast, true)
	got, err := build(t, "update hex attr set 40010100 nhop set 192.0.2.1 nlri ipv4/unicast add path-id 1 180A0000 path-id 2 180A0000 180A0100", ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got[0], "00000001180A000000000002180A000000000002180A0100") {
		t.Fatalf("path ids: %s", got[0])
	}
	// Without ADD-PATH on the session the path ids are left out, unless given.
	got, err = build(t, "update hex nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000", nil)
	if err != nil || !strings.HasSuffix(got[0], "C0000201180A0000") {
		t.Fatalf("no add-path: %v %v", got, err)
	}
	if _, err := build(t, "update hex nhop set 192.0.2.1 nlri ipv4/unicast add path-id 3 180A0000", nil); err == nil ||
		!strings.Contains(err.Error(), "ADD-PATH is not on for ipv4/unicast") {
		t.Fatalf("got %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ cmd, want string }{
		{"", `at end of command: expected "text" or "hex"`},
		{"update txt", `column 8 "txt": expected "text" or "hex"; did you mean "text"?`},
		{"update hex", `no "nlri" section`},
		{"update hex nlri", `expected a family (afi/safi) after nlri`},
		{"update hex nlri ipv4/unicast", `expected "add" or "del" after ipv4/unicast`},
		{"update hex nlri ipv4/unicast ad 18", `column 30 "ad": expected "add" or "del" after ipv4/unicast; did you mean "add"?`},
		{"update hex nlri ipv4/unicast add", `no NLRI after nlri ipv4/unicast add`},
		{"update hex nlri ipv4/unicat add 180A0000", `unknown safi "unicat"`},
		{"update hex nlri ipv4/unicast add 180A00", `hex is not one ipv4/unicast NLRI`},
		{"update hex nlri ipv4/unicast add 18ZZ", `bad hex NLRI`},
		{"update hex attr set 4001", `attributes do not parse at offset 0`},
		{"update hex attr set 400304C0000201 nlri ipv4/unicast add 00", `next-hop is built from nhop and nlri`},
		{"update hex attr sett 40", `expected "set" after attr; did you mean "set"?`},
		{"update hex nhop set [192.0.2.1", `list for nhop opened at column 21 is not closed with ]`},
		{"update hex nhop set ]", `unexpected ] (no list is open)`},
		{"update hex nhop set 192.0.2.300 nlri ipv4/unicast add 00", `"192.0.2.300": bad next hop address`},
		{"update hex nhop set [2001:db8::1 2001:db8::2] nlri ipv6/unicast add 00", `must be an IPv6 link-local address`},
		{"update hex nlri ipv4/unicast add 00 nhop set 1.2.3.4", `attributes must come before the first "nlri"`},
		{"update hex nhop set 1.2.3.4 next-hop set 1.2.3.5 nlri ipv4/unicast add 00", `column 29 "next-hop": next-hop is set twice`},
		{"update hex nlri ipv4/unicast add path-id x 00", `path-id takes a number`},
		{"update text nlri ipv4/unicast add 10.0.0.1/24", `host bits set (did you mean 10.0.0.0/24?)`},
		{"update text nlri ipv6/unicast add 10.0.0.0/24", `not an ipv6 prefix`},
		{"update text orign set igp nlri ipv4/unicast add 10.0.0.0/24", `"orign": unknown attribute`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.cmd)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", tt.cmd, err, tt.want)
		}
	}
	if _, err := build(t, "update hex nlri ipv4/unicast add 180A0000", nil); err == nil || !strings.Contains(err.Error(), "needs a next hop") {
		t.Errorf("announce without next hop: %v", err)
	}
}

func TestTokenize(t *testing.T) {
	var got []string
	for _, tk := range tokenize(" as-path set [65001  (65002 65003)]\tnlri") {
		got = append(got, fmt.Sprintf("%d:%s", tk.col, tk.text))
	}
	want := "2:as-path 10:set 14:[ 15:65001 22:( 23:65002 29:65003 34:) 35:] 37:nlri"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b := make([]byte, len(s)/2)
	if _, err := fmt.Sscanf(s, "%X", &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestASPathText(t *testing.T) {
	tests := []struct {
		name, path string
		want       string // the AS_PATH attribute in hex
	}{
		// docs/route-grammar.md: a group in parentheses is an AS_SET.
		{"set in parentheses", "[65001 (65003 65004)]", "40021002010000FDE901020000FDEB0000FDEC"},
		{"set in braces", "[65001 {65003 65004}]", "40021002010000FDE901020000FDEB0000FDEC"},
		{"sequence", "[65001 65002]", "40020A02020000FDE90000FDEA"},
		{"single", "65001", "40020602010000FDE9"},
		// The empty AS_PATH of a route originated inside the AS.
		{"empty", "[]", "400200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := build(t, "update text origin set igp as-path set "+tt.path+" nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24", nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := "40010100" + tt.want + "400304C0000201"; !strings.Contains(got[0], want) {
				t.Fatalf("got %s, want it to hold %s", got[0], want)
			}
		})
	}
	// An error speaks of the parentheses that were written.
	if _, err := build(t, "update text as-path set [65001 (65002] nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24", nil); err == nil ||
		!strings.Contains(err.Error(), `column 26 "65001": bad as-path "65001 ( 65002": missing )`) {
		t.Fatalf("unclosed set: got %v", err)
	}
	if _, err := build(t, "update text community set [] nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24", nil); err == nil ||
		!strings.Contains(err.Error(), `"community": empty list`) {
		t.Fatalf("empty community list: got %v", err)
	}
}

// Attributes larger than a message are an error, not a panic: the attr
// encoders write without bounds checks.
func TestAttributesTooLong(t *testing.T) {
	list := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(f(i) + " ")
		}
		return "[" + b.String() + "]"
	}
	ext := wire.NewContext(true, true)
	as2 := wire.NewContext(false, true)
	tests := []struct {
		name, attrs string
		ctx         *wire.EncodingContext
		want        string
	}{
		{"communities", "community set " + list(20000, func(i int) string { return fmt.Sprintf("1:%d", i) }), ext,
			`"community": too long`},
		{"extended communities", "extended-community set " + list(9000, func(i int) string { return fmt.Sprintf("target:1:%d", i) }), ext,
			`"extended-community": too long`},
		{"large communities", "large-community set " + list(6000, func(i int) string { return fmt.Sprintf("1:2:%d", i) }), ext,
			`"large-community": too long`},
		{"cluster list", "cluster-list set " + list(17000, func(i int) string { return fmt.Sprintf("10.0.%d.%d", i/256, i%256) }), ext,
			`"cluster-list": too long`},
		// 12,000 AS numbers: 24,000 octets of AS_PATH on a 2-octet session
		// fit, the 48,000 of AS4_PATH beside them do not.
		{"as4-path", "as-path set " + list(12000, func(i int) string { return fmt.Sprint(70000 + i) }), as2,
			`"as-path": too long`},
		// Under the limit the builder says the message is too small.
		{"over a message", "community set " + list(2000, func(i int) string { return fmt.Sprintf("1:%d", i) }), nil,
			"path attributes do not fit in one message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, "update text origin set igp "+tt.attrs+" nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24", tt.ctx)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}
