package rpc

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

var jsonCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `-12.25E-3`, `true`, `false`, `null`,
	` { "a" : [ 1 , 2 , { "b" : null } ] } `,
	`{"esc":"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"}`,
	`{"peers":[{"address":"10.0.0.1","state":"established"}]}`,
	// invalid
	``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a":1 "b":2}`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `NaN`, `tru`, `nul`, `truex`,
	`"abc`, `"\x"`, `"\u12"`, `"\u12G4"`, "\"a\tb\"", "\"\x01\"", `{} {}`, `{"a":1}x`,
	`'a'`, `{a:1}`, `[1 2]`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
}

func TestValidJSON(t *testing.T) {
	for _, s := range jsonCases {
		if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
			name := s
			if len(name) > 40 {
				name = name[:40] + "…"
			}
			t.Errorf("validJSON(%q) = %v, encoding/json says %v", name, got, want)
		}
	}
}

// FuzzValidJSON holds validJSON to encoding/json's answer on valid UTF-8
// (both leave UTF-8 to the caller; ParseLine checks it first).
func FuzzValidJSON(f *testing.F) {
	for _, s := range jsonCases {
		if len(s) < 1000 {
			f.Add([]byte(s))
		}
	}
	for _, s := range seedLines {
		if i := strings.IndexByte(s, '{'); i >= 0 {
			f.Add([]byte(s[i:]))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) {
			return
		}
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}
