package rpc

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		name string
		line string
		id   uint64
		kind Kind
		verb string
		json string
	}{
		{"request with params", `#42 ze-bgp:peer-list {"selector":"10.0.0.1"}` + "\n", 42, KindRequest, "ze-bgp:peer-list", `{"selector":"10.0.0.1"}`},
		{"request without newline", `#1 ze-plugin-engine:ready`, 1, KindRequest, "ze-plugin-engine:ready", ""},
		{"ok with result", `#42 ok {"peers":[{"address":"10.0.0.1","state":"established"}]}` + "\n", 42, KindOK, "ok", `{"peers":[{"address":"10.0.0.1","state":"established"}]}`},
		{"bare ok", "#7 ok\n", 7, KindOK, "ok", ""},
		{"error", `#43 error {"error":"no such peer: 10.9.9.9"}`, 43, KindError, "error", `{"error":"no such peer: 10.9.9.9"}`},
		{"id zero", "#0 ok", 0, KindOK, "ok", ""},
		{"max id", "#18446744073709551615 ok", 18446744073709551615, KindOK, "ok", ""},
		{"yang identifier", "#3 ietf_x.y:Get-Thing_2", 3, KindRequest, "ietf_x.y:Get-Thing_2", ""},
		{"utf-8 in json", `#5 ok {"text":"café ✓"}`, 5, KindOK, "ok", `{"text":"café ✓"}`},
		{"empty object", `#5 ze-x:y {}`, 5, KindRequest, "ze-x:y", `{}`},
		{"nested", `#9 ze-plugin-callback:configure {"bgp":{"peer":[{"address":"192.0.2.1","peer-as":65001}]}}`, 9, KindRequest, "ze-plugin-callback:configure", `{"bgp":{"peer":[{"address":"192.0.2.1","peer-as":65001}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.line)
			f, err := ParseLine(b)
			if err != nil {
				t.Fatalf("ParseLine(%q): %v", tt.line, err)
			}
			if f.ID != tt.id || f.Kind != tt.kind || string(f.Verb) != tt.verb || string(f.JSON) != tt.json {
				t.Errorf("got #%d %s %q %q, want #%d %s %q %q", f.ID, f.Kind, f.Verb, f.JSON, tt.id, tt.kind, tt.verb, tt.json)
			}
			if (tt.json == "") != (f.JSON == nil) {
				t.Errorf("JSON nil = %v, want %v", f.JSON == nil, tt.json == "")
			}
			if len(f.JSON) > 0 && &f.JSON[0] != &b[strings.IndexByte(tt.line, '{')] {
				t.Error("JSON is a copy, want a sub-slice of the line")
			}
			want := strings.TrimSuffix(tt.line, "\n") + "\n"
			if got := string(f.AppendTo(nil)); got != want {
				t.Errorf("AppendTo = %q, want %q", got, want)
			}
		})
	}
}

func TestParseLineErrors(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		want  string
		col   int
		hasID bool
		id    uint64
		kind  Kind
	}{
		{"empty", "", "rpc: line 1: empty line", 1, false, 0, 0},
		{"newline only", "\n", "rpc: line 1: empty line", 1, false, 0, 0},
		{"missing hash", "42 ok", "rpc: line 1: missing '#'", 1, false, 0, 0},
		{"no id", "# ok", "rpc: line 1: bad id: want a decimal number after '#'", 2, false, 0, 0},
		{"hash only", "#", "rpc: line 1: bad id: want a decimal number after '#'", 2, false, 0, 0},
		{"negative id", "#-1 ok", "rpc: line 1: bad id: want a decimal number after '#'", 2, false, 0, 0},
		{"leading zero", "#01 ok", "rpc: line 1: bad id: leading zero", 2, false, 0, 0},
		{"overflow", "#18446744073709551616 ok", "rpc: line 1: bad id: larger than 18446744073709551615", 21, false, 0, 0},
		{"letter in id", "#12a ok", `rpc: line 1: bad id: unexpected 'a' after 12`, 4, false, 12, 0},
		{"tab after id", "#12\tok", `rpc: line 1: bad id: unexpected '\t' after 12`, 4, false, 12, 0},
		{"no verb", "#12", "rpc: line 1: missing verb after id 12", 4, false, 12, 0},
		{"empty verb", "#12  ok", "rpc: line 1: empty verb", 5, true, 12, 0},
		{"trailing space", "#12 ", "rpc: line 1: empty verb", 5, true, 12, 0},
		{"unknown verb", "#12 hello", `rpc: line 1: unknown verb "hello": want ok, error or module:rpc-name`, 5, true, 12, 0},
		{"upper-case OK", "#12 OK", `rpc: line 1: unknown verb "OK": want ok, error or module:rpc-name`, 5, true, 12, 0},
		{"carriage return", "#12 ok\r", `rpc: line 1: unknown verb "ok\r": want ok, error or module:rpc-name`, 5, true, 12, 0},
		{"empty module", "#12 :peer-list", `rpc: line 1: bad method ":peer-list": module is not a YANG identifier`, 5, true, 12, 0},
		{"empty rpc", "#12 ze-bgp:", `rpc: line 1: bad method "ze-bgp:": rpc name is not a YANG identifier`, 12, true, 12, 0},
		{"digit first", "#12 9ze:x", `rpc: line 1: bad method "9ze:x": module is not a YANG identifier`, 5, true, 12, 0},
		{"two colons", "#12 a:b:c", `rpc: line 1: bad method "a:b:c": rpc name is not a YANG identifier`, 8, true, 12, 0},
		{"error without json", "#12 error", `rpc: line 1: error without {"error":"…"}`, 10, true, 12, KindError},
		{"space then nothing", "#12 ok ", "rpc: line 1: missing JSON after space", 8, true, 12, KindOK},
		{"array", "#12 ok [1,2]", "rpc: line 1: JSON is not an object", 8, true, 12, KindOK},
		{"string", `#12 ze-x:y "s"`, "rpc: line 1: JSON is not an object", 12, true, 12, KindRequest},
		{"two spaces before json", "#12 ok  {}", "rpc: line 1: JSON is not an object", 8, true, 12, KindOK},
		{"broken json", `#12 ok {"a":}`, "rpc: line 1: invalid JSON", 8, true, 12, KindOK},
		{"two objects", `#12 ok {}{}`, "rpc: line 1: invalid JSON", 8, true, 12, KindOK},
		{"trailing space after json", `#12 ok {} `, "rpc: line 1: data after the JSON object", 10, true, 12, KindOK},
		{"bad utf-8", "#12 ok {\"a\":\"\xff\"}", "rpc: line 1: JSON is not valid UTF-8", 8, true, 12, KindOK},
		{"inner newline", "#12 ok {\n}", "rpc: line 1: newline inside the line", 9, true, 12, KindOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseLine([]byte(tt.line))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseLine(%q) = %+v, %v; want a *SyntaxError", tt.line, f, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if se.Col != tt.col || se.HasID != tt.hasID || se.ID != tt.id || se.Kind != tt.kind {
				t.Errorf("col %d hasID %v id %d kind %v, want %d %v %d %v", se.Col, se.HasID, se.ID, se.Kind, tt.col, tt.hasID, tt.id, tt.kind)
			}
			if f.Kind != 0 || f.Verb != nil || f.JSON != nil {
				t.Errorf("frame %+v returned with the error, want the zero Frame", f)
			}
		})
	}
}

func TestAppend(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"request", AppendRequest(nil, 42, "ze-bgp:peer-list", []byte(`{"selector":"10.0.0.1"}`)), "#42 ze-bgp:peer-list {\"selector\":\"10.0.0.1\"}\n"},
		{"request without params", AppendRequest([]byte("x"), 1, "ze-plugin-engine:ready", nil), "x#1 ze-plugin-engine:ready\n"},
		{"ok", AppendOK(nil, 42, []byte(`{"n":1}`)), "#42 ok {\"n\":1}\n"},
		{"bare ok", AppendOK(nil, 0, nil), "#0 ok\n"},
		{"error", AppendError(nil, 43, "no such peer: 10.9.9.9"), "#43 error {\"error\":\"no such peer: 10.9.9.9\"}\n"},
		{"error escaped", AppendError(nil, 1, "say \"hi\"\\\n\t\x01"), "#1 error {\"error\":\"say \\\"hi\\\"\\\\\\n\\t\\u0001\"}\n"},
		{"error bad utf-8", AppendError(nil, 1, "a\xffb é"), "#1 error {\"error\":\"a\\ufffdb é\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if string(tt.got) != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
			line := strings.TrimPrefix(string(tt.got), "x")
			if _, err := ParseLine([]byte(line)); err != nil {
				t.Errorf("appended line does not parse: %v", err)
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "ctl\x00\x1f\x7f", "nl\r\n", "utf8 ✓ é", "bad \xff\xfe", "\u2028"} {
		b := AppendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("%q encodes as %s, which is not JSON: %v", s, b, err)
			continue
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if strings.Contains(s, "\xff\xfe") {
			want = strings.ReplaceAll(s, "\xff\xfe", "\ufffd\ufffd")
		}
		if got != want {
			t.Errorf("%q round-trips as %q, want %q", s, got, want)
		}
	}
}

func TestParseLineAllocs(t *testing.T) {
	line := []byte(`#42 ze-bgp:peer-list {"selector":"10.0.0.1","detail":true}` + "\n")
	buf := make([]byte, 0, 128)
	allocs := testing.AllocsPerRun(1000, func() {
		f, err := ParseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		buf = f.AppendTo(buf[:0])
	})
	if allocs != 0 {
		t.Errorf("%v allocations per parse and append, want 0", allocs)
	}
}

func TestCheckMethod(t *testing.T) {
	if err := CheckMethod("ze-bgp:peer-list"); err != nil {
		t.Errorf("CheckMethod(ze-bgp:peer-list) = %v", err)
	}
	for _, m := range []string{"", "ok", "peer-list", "ze-bgp:", ":x", "ze bgp:x", "ze-bgp:peer list"} {
		if err := CheckMethod(m); err == nil {
			t.Errorf("CheckMethod(%q) = nil, want an error", m)
		}
	}
}
