package ci

import (
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want []PathElem
		out  string // FormatPath of the result
	}{
		{"", nil, ""},
		{"a", []PathElem{{Key: "a"}}, "a"},
		{"a.b-c.d", []PathElem{{Key: "a"}, {Key: "b-c"}, {Key: "d"}}, "a.b-c.d"},
		{"a.b[0].c", []PathElem{{Key: "a"}, {Key: "b"}, {Index: 0, IsIndex: true}, {Key: "c"}}, "a.b[0].c"},
		{"[2]", []PathElem{{Index: 2, IsIndex: true}}, "[2]"},
		{"a[-1][3]", []PathElem{{Key: "a"}, {Index: -1, IsIndex: true}, {Index: 3, IsIndex: true}}, "a[-1][3]"},
		{`peers["192.0.2.1"].state`, []PathElem{{Key: "peers"}, {Key: "192.0.2.1"}, {Key: "state"}}, `peers["192.0.2.1"].state`},
		{`["a]b"]`, []PathElem{{Key: "a]b"}}, `["a]b"]`},
		{"families.ipv4/unicast", []PathElem{{Key: "families"}, {Key: "ipv4/unicast"}}, "families.ipv4/unicast"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.in, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ParsePath(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("ParsePath(%q)[%d] = %+v, want %+v", tt.in, i, got[i], tt.want[i])
				}
			}
			if s := FormatPath(got); s != tt.out {
				t.Errorf("FormatPath = %q, want %q", s, tt.out)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{".a", "unexpected"},
		{"a..b", "empty key"},
		{"a[", "missing ]"},
		{"a[x]", `index "x" is not a number`},
		{"a[0]b", `unexpected 'b'`},
		{"a]", `unexpected ']'`},
		{`a["b`, "unterminated quoted key"},
		{`a["b"`, "missing ]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParsePath(%q) = %+v, %v; want error %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestGet(t *testing.T) {
	doc, err := decodeJSON([]byte(`{"peers":[{"address":"192.0.2.1","asn":65001},{"address":"192.0.2.2","asn":4294967295}],
		"by-ip":{"192.0.2.1":{"state":"established"}},"n":null}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string // compact JSON of the value, or the error text
		ok   bool
	}{
		{"", `{"by-ip":{"192.0.2.1":{"state":"established"}},"n":null,"peers":[{"address":"192.0.2.1","asn":65001},{"address":"192.0.2.2","asn":4294967295}]}`, true},
		{"peers[1].asn", `4294967295`, true},
		{"peers[-1].address", `"192.0.2.2"`, true},
		{`by-ip["192.0.2.1"].state`, `"established"`, true},
		{"n", `null`, true},
		{"peers[2]", `peers has 2 elements, no index 2`, false},
		{"peers[-3]", `peers has 2 elements, no index -3`, false},
		{"peers.asn", `peers is an array, not an object`, false},
		{"n.x", `n is null, not an object`, false},
		{"peers[0].asn[0]", `peers[0].asn is a number, not an array`, false},
		{"nope", `the document has no key "nope"`, false},
		{`by-ip["192.0.2.9"]`, `by-ip has no key "192.0.2.9"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			path, err := ParsePath(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			v, err := Get(doc, path)
			switch {
			case tt.ok && err != nil:
				t.Errorf("Get(%s): %v, want %s", tt.path, err, tt.want)
			case tt.ok && compact(v) != tt.want:
				t.Errorf("Get(%s) = %s, want %s", tt.path, compact(v), tt.want)
			case !tt.ok && (err == nil || err.Error() != tt.want):
				t.Errorf("Get(%s) = %s, %v; want error %q", tt.path, compact(v), err, tt.want)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"a":1,"c":2}`, `{"a":1,"b":2}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`[1,2]`, `[1,2,3]`, false},
		{`1`, `1.0`, true},
		{`100`, `1e2`, true},
		{`18446744073709551615`, `18446744073709551614`, false},
		{`18446744073709551615`, `18446744073709551615.0`, true},
		{`"1"`, `1`, false},
		{`null`, `null`, true},
		{`null`, `false`, false},
		{`true`, `true`, true},
		{`{}`, `[]`, false},
		{`{"a":{"b":[{"c":null}]}}`, `{"a":{"b":[{"c":null}]}}`, true},
	}
	for _, tt := range tests {
		a, err := decodeJSON([]byte(tt.a))
		if err != nil {
			t.Fatal(err)
		}
		b, err := decodeJSON([]byte(tt.b))
		if err != nil {
			t.Fatal(err)
		}
		if got := Equal(a, b); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := Equal(b, a); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestDecodeJSONRejectsTrailingData(t *testing.T) {
	for _, in := range []string{`{"a":1} {"b":2}`, `1 2`, `{"a":1}x`} {
		if v, err := decodeJSON([]byte(in)); err == nil {
			t.Errorf("decodeJSON(%q) = %s, want an error", in, compact(v))
		}
	}
	if v, err := decodeJSON([]byte("  {\"a\":1}\n\n")); err != nil || compact(v) != `{"a":1}` {
		t.Errorf("decodeJSON with blanks = %s, %v; want {\"a\":1}", compact(v), err)
	}
}
