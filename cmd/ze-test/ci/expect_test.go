package ci

import (
	"strings"
	"testing"
)

// expectFrom parses a one-step test made of "run x" and the given
// expectation lines, and returns the expectations.
func expectFrom(t *testing.T, lines string) []*Expect {
	t.Helper()
	return mustParse(t, "run x\n"+lines).Actions[0].Expects
}

func TestCheck(t *testing.T) {
	out := &Outcome{
		Exit:   0,
		Stdout: []byte("ze 1.2.3\nsecond line\n"),
		Stderr: []byte("warning: slow\n"),
	}
	jsonOut := &Outcome{Stdout: []byte(`{"peer":{"asn":65001,"state":"up","families":["ipv4/unicast"]}}` + "\n")}
	ndjson := &Outcome{Stdout: []byte("{\"n\":1}\n\n{\"n\":2}\n{\"n\":3}\n")}
	killed := &Outcome{Exit: -1, Signal: "killed", Stderr: []byte("bye\n")}

	tests := []struct {
		name string
		line string
		out  *Outcome
		want string // "" for a pass, else a substring of the failure
	}{
		{"exit ok", "exit 0", out, ""},
		{"exit wrong", "exit 1", out, `exit: want 1, got 0; stderr "warning: slow\n"`},
		{"exit signal", "exit 0", killed, `exit: want 0, got killed by signal killed; stderr "bye\n"`},

		{"equals ok", "stdout <<EOF\nze 1.2.3\nsecond line\nEOF", out, ""},
		{"equals line differs", "stdout <<EOF\nze 1.2.3\nsecond  line\nEOF", out, `stdout line 2: want "second  line", got "second line"`},
		{"equals want more", "stdout <<EOF\nze 1.2.3\nsecond line\nthird\nEOF", out, `stdout line 3: want "third", got end of output`},
		{"equals want less", "stdout <<EOF\nze 1.2.3\nEOF", out, `stdout line 2: want end of output, got "second line"`},
		{"equals final newline", "stdout <<EOF\nno newline\nEOF", &Outcome{Stdout: []byte("no newline")}, `stdout: differs only in the final newline: want "no newline\n", got "no newline"`},
		{"equals extra blank line", "stderr <<EOF\nwarning: slow\n\nEOF", out, `stderr line 2: want "", got end of output`},
		{"empty ok", "stdout empty", &Outcome{}, ""},
		{"empty fails", "stderr empty", out, `stderr: want empty, got "warning: slow\n"`},

		{"contains ok", `stdout contains "1.2.3\nsecond"`, out, ""},
		{"contains fails", "stdout contains 9.9", out, `stdout contains: want "9.9", got "ze 1.2.3\nsecond line\n"`},
		{"contains heredoc", "stdout contains <<EOF\nsecond line\nEOF", out, ""},
		{"stderr contains", "stderr contains slow", out, ""},
		{"not-contains ok", "stdout not-contains panic", out, ""},
		{"not-contains fails", "stderr not-contains warning", out, `stderr not-contains: want no "warning", got "warning: slow\n"`},

		{"matches anchored fails", `stdout matches '^ze \d+\.\d+\.\d+$'`, out, `stdout matches: want a match for "^ze \\d+\\.\\d+\\.\\d+$"`},
		{"matches multiline", `stdout matches '(?m)^ze \d+\.\d+\.\d+$'`, out, ""},
		{"not-matches ok", "stdout not-matches 'panic|fatal'", out, ""},
		{"not-matches fails", `stdout not-matches '\d+\.\d+'`, out, `stdout not-matches: want no match for "\\d+\\.\\d+", got "1.2" in`},

		{"json value", "json path=peer.asn value=65001", jsonOut, ""},
		{"json value float form", "json path=peer.asn value=65001.0", jsonOut, ""},
		{"json string bare", "json path=peer.state value=up", jsonOut, ""},
		{"json value differs", "json path=peer.state value=down", jsonOut, `json path=peer.state: want "down", got "up"`},
		{"json type differs", `json path=peer.asn value='"65001"'`, jsonOut, `json path=peer.asn: want "65001", got 65001`},
		{"json array", `json path=peer.families value='["ipv4/unicast"]'`, jsonOut, ""},
		{"json index", "json path=peer.families[0] value=ipv4/unicast", jsonOut, ""},
		{"json missing", "json path=peer.hold value=90", jsonOut, `json path=peer.hold: want 90, got nothing: peer has no key "hold"`},
		{"json whole ok", `json value='{"peer":{"state":"up","families":["ipv4/unicast"],"asn":65001}}'`, jsonOut, ""},
		{"json whole heredoc", "json <<EOF\n{\"peer\": {\"families\": [\"ipv4/unicast\"],\n \"asn\": 65001, \"state\": \"up\"}}\nEOF", jsonOut, ""},
		{"json whole differs", `json value='{"peer":{}}'`, jsonOut, `json: want {"peer":{}}, got {"peer":`},
		{"json exists", "json path=peer.state exists", jsonOut, ""},
		{"json exists fails", "json path=peer.x exists", jsonOut, `json path=peer.x: want it to exist, got peer has no key "x"`},
		{"json absent", "json path=peer.x absent", jsonOut, ""},
		{"json absent fails", "json path=peer.asn absent", jsonOut, `json path=peer.asn: want it absent, got 65001`},
		{"json not json", "json path=a value=1", out, `json path=a: stdout is not JSON (invalid character 'z'`},
		{"json lines whole fails", "json path=n value=1", ndjson, "stdout is not JSON (data after the JSON value)"},
		{"json line 1", "json line=1 path=n value=1", ndjson, ""},
		{"json line 2 skips blank", "json line=2 path=n value=2", ndjson, ""},
		{"json last line", "json line=-1 path=n value=3", ndjson, ""},
		{"json line out of range", "json line=4 path=n value=3", ndjson, "json path=n: line=4: stdout has 3 non-empty lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exps := expectFrom(t, tt.line+"\n")
			e := exps[len(exps)-1]
			got := Check(e, tt.out)
			switch {
			case tt.want == "" && got != "":
				t.Errorf("Check(%q) = %q, want a pass", tt.line, got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("Check(%q)\n got %q\nwant it to contain %q", tt.line, got, tt.want)
			}
		})
	}
}

func TestCheckMessagesAreOneLineAndClipped(t *testing.T) {
	long := strings.Repeat("x\n", 1000)
	e := expectFrom(t, "stdout contains needle\n")[0]
	msg := Check(e, &Outcome{Stdout: []byte(long)})
	if strings.Contains(msg, "\n") {
		t.Errorf("message has a raw newline: %q", msg)
	}
	if !strings.Contains(msg, "…(1700 more bytes)") {
		t.Errorf("message = %q, want it clipped with …(1700 more bytes)", msg)
	}
	if len(msg) > 2*maxShown+200 {
		t.Errorf("message is %d bytes long, want it clipped", len(msg))
	}
}
