package ci

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, src string) *Test {
	t.Helper()
	tt, err := Parse("x.ci", []byte(src), testLookup)
	if err != nil {
		t.Fatalf("Parse: %v\nsource:\n%s", err, src)
	}
	return tt
}

func TestParseSteps(t *testing.T) {
	src := `# a comment
env LANG=C A=b

file conf/ze.conf mode=0600 <<EOF
bgp {
    listen 127.0.0.1:$PORT
}
EOF
file raw.txt <<'EOF'
literal $PORT
EOF
timeout 5s
run ze config check "$TMP/conf/ze.conf"
stdin <<EOF
hello
EOF
exit 2
stdout <<EOF
line one
EOF
stderr contains 'no such'
stderr not-contains panic
stdout matches "^line"
stdout not-matches '\d{4}'
json path=a.b[0].c value=1
json 'path=n["10.0.0.1"]' exists
json path=gone absent line=-1
json value='{"x":[1,2]}'
json <<EOF
{"whole": true}
EOF
background daemon ze start --port $PORT
wait port $PORT 3s
stop daemon
exit 0
stdout empty
run ze-test list .
`
	tst := mustParse(t, src)
	kinds := make([]string, 0, len(tst.Actions))
	for _, a := range tst.Actions {
		kinds = append(kinds, a.Kind.String())
	}
	wantKinds := []string{"env", "env", "file", "file", "timeout", "run", "background", "wait", "stop", "run"}
	if !slices.Equal(kinds, wantKinds) {
		t.Fatalf("kinds = %v, want %v", kinds, wantKinds)
	}

	env := tst.Actions[0]
	if env.Text != "LANG=C" || env.Line != 2 {
		t.Errorf("env = %q line %d, want LANG=C line 2", env.Text, env.Line)
	}
	f := tst.Actions[2]
	if f.Name != "conf/ze.conf" || f.Mode != 0o600 || f.Line != 4 {
		t.Errorf("file = %q mode %o line %d, want conf/ze.conf 600 line 4", f.Name, f.Mode, f.Line)
	}
	if want := "bgp {\n    listen 127.0.0.1:40179\n}\n"; f.Text != want {
		t.Errorf("file text = %q, want %q", f.Text, want)
	}
	if raw := tst.Actions[3]; raw.Text != "literal $PORT\n" || raw.Mode != 0o644 {
		t.Errorf("quoted heredoc = %q mode %o, want unexpanded text and 0644", raw.Text, raw.Mode)
	}
	if to := tst.Actions[4]; to.Timeout != 5*time.Second {
		t.Errorf("timeout = %v, want 5s", to.Timeout)
	}

	run := tst.Actions[5]
	if want := []string{"ze", "config", "check", "/tmp/t1/conf/ze.conf"}; !slices.Equal(run.Args, want) {
		t.Errorf("run args = %q, want %q", run.Args, want)
	}
	if run.Stdin != "hello\n" || !run.ExitSet || run.Line != 13 {
		t.Errorf("run stdin %q exitSet %v line %d, want \"hello\\n\" true 13", run.Stdin, run.ExitSet, run.Line)
	}
	type exp struct {
		line   int
		op     Op
		stream string
		text   string
	}
	var got []exp
	for _, e := range run.Expects {
		got = append(got, exp{e.Line, e.Op, e.Stream, e.Text})
	}
	want := []exp{
		{17, OpExit, "", ""},
		{18, OpEquals, "stdout", "line one\n"},
		{21, OpContains, "stderr", "no such"},
		{22, OpNotContains, "stderr", "panic"},
		{23, OpMatches, "stdout", "^line"},
		{24, OpNotMatches, "stdout", `\d{4}`},
		{25, OpJSONValue, "stdout", ""},
		{26, OpJSONExists, "stdout", ""},
		{27, OpJSONAbsent, "stdout", ""},
		{28, OpJSONValue, "stdout", ""},
		{29, OpJSONValue, "stdout", ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("expectations\n got %v\nwant %v", got, want)
	}
	if c := run.Expects[0].Code; c != 2 {
		t.Errorf("exit code = %d, want 2", c)
	}
	if p := run.Expects[6]; FormatPath(p.Path) != "a.b[0].c" || !Equal(p.Want, json.Number("1")) {
		t.Errorf("json path %q want %s, want a.b[0].c and 1", FormatPath(p.Path), compact(p.Want))
	}
	if p := run.Expects[7]; len(p.Path) != 2 || p.Path[1].Key != "10.0.0.1" {
		t.Errorf("quoted key path = %+v, want n then 10.0.0.1", p.Path)
	}
	if p := run.Expects[8]; p.JSONLine != -1 {
		t.Errorf("line = %d, want -1", p.JSONLine)
	}
	if p := run.Expects[9]; p.Path != nil || compact(p.Want) != `{"x":[1,2]}` {
		t.Errorf("whole value = %s path %v, want {\"x\":[1,2]} and no path", compact(p.Want), p.Path)
	}
	if p := run.Expects[10]; compact(p.Want) != `{"whole":true}` {
		t.Errorf("heredoc json = %s, want {\"whole\":true}", compact(p.Want))
	}

	bg := tst.Actions[6]
	if bg.Name != "daemon" || !slices.Equal(bg.Args, []string{"ze", "start", "--port", "40179"}) {
		t.Errorf("background = %q %q", bg.Name, bg.Args)
	}
	if w := tst.Actions[7]; w.Addr != "127.0.0.1:40179" || w.Timeout != 3*time.Second {
		t.Errorf("wait = %q %v, want 127.0.0.1:40179 3s", w.Addr, w.Timeout)
	}
	stop := tst.Actions[8]
	if stop.Name != "daemon" || len(stop.Expects) != 2 || stop.Expects[1].Op != OpEquals || stop.Expects[1].Text != "" {
		t.Errorf("stop = %+v, want daemon with exit 0 and stdout empty", stop)
	}
	if last := tst.Actions[9]; last.ExitSet || len(last.Expects) != 0 {
		t.Errorf("last run: exitSet %v, %d expects; want none", last.ExitSet, len(last.Expects))
	}
}

func TestParseWantValues(t *testing.T) {
	tests := []struct{ in, want string }{
		{"up", `"up"`},
		{"1", `1`},
		{`"1"`, `"1"`},
		{"true", `true`},
		{"null", `null`},
		{"[1, 2]", `[1,2]`},
		{"1 2", `"1 2"`},
		{"", `""`},
	}
	for _, tt := range tests {
		if got := compact(parseWant(tt.in)); got != tt.want {
			t.Errorf("parseWant(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseCRLFAndIndentedLines(t *testing.T) {
	tst := mustParse(t, "  run ze version\r\n\texit 0\r\nstdout <<EOF\r\nze dev\r\nEOF\r\n")
	run := tst.Actions[0]
	if len(run.Expects) != 2 || run.Expects[1].Text != "ze dev\n" {
		t.Fatalf("expects = %+v, want exit and stdout \"ze dev\\n\"", run.Expects)
	}
}

func TestParseEmptyHeredoc(t *testing.T) {
	tst := mustParse(t, "run ze\nstdout <<END\nEND\n")
	if e := tst.Actions[0].Expects[0]; e.Op != OpEquals || e.Text != "" {
		t.Errorf("empty heredoc = %v %q, want OpEquals \"\"", e.Op, e.Text)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"no steps", "# nothing\n", 1, "no run step"},
		{"only background", "background d sleep 1\n", 1, "no run step"},
		{"unknown directive", "run ze\nexpect 0\n", 2, `unknown directive "expect"`},
		{"exit before run", "exit 0\nrun ze\n", 1, "no step to check"},
		{"exit twice", "run ze\nexit 0\nexit 1\n", 3, "already has an exit"},
		{"exit not a number", "run ze\nexit zero\n", 2, `"zero" is not a number`},
		{"unterminated heredoc", "run ze\nstdout <<EOF\nabc\n", 2, "no closing EOF"},
		{"unterminated quote", "run ze 'version\n", 1, "unterminated single quote"},
		{"two words for contains", "run ze\nstdout contains ze dev\n", 2, "quote text that has spaces"},
		{"bad regexp", "run ze\nstdout matches '('\n", 2, "missing closing )"},
		{"unknown stream check", "run ze\nstderr has x\n", 2, `unknown check "has"`},
		{"stdin without run", "stdin x\nrun ze\n", 1, "stdin must follow a run"},
		{"run with heredoc", "run ze <<EOF\nx\nEOF\n", 1, "stdin line"},
		{"run alone", "run\n", 1, "usage: run"},
		{"file outside tmp", "file ../x <<EOF\nEOF\nrun ze\n", 1, "inside $TMP"},
		{"file absolute", "file /etc/x <<EOF\nEOF\nrun ze\n", 1, "inside $TMP"},
		{"file without body", "file x\nrun ze\n", 1, "usage: file"},
		{"file bad mode", "file x mode=rwx <<EOF\nEOF\nrun ze\n", 1, "mode=OCTAL"},
		{"env without =", "env FOO\nrun ze\n", 1, "NAME=VALUE"},
		{"bad timeout", "timeout soon\nrun ze\n", 1, "not a positive duration"},
		{"json bad heredoc", "run ze\njson <<EOF\n{bad\nEOF\n", 2, "not valid JSON"},
		{"json nothing to check", "run ze\njson path=a\n", 2, "usage: json"},
		{"json exists without path", "run ze\njson exists\n", 2, "need a path"},
		{"json value and absent", "run ze\njson path=a value=1 absent\n", 2, "one of value=, exists, absent"},
		{"json bad path", "run ze\njson path=a[x] value=1\n", 2, `index "x" is not a number`},
		{"json bad line", "run ze\njson line=0 value=1\n", 2, "line number"},
		{"json unknown arg", "run ze\njson path=a val=1\n", 2, `unknown argument "val=1"`},
		{"stop unknown", "run ze\nstop d\n", 2, `no background process named "d"`},
		{"stop twice", "background d sleep 9\nstop d\nstop d\nrun ze\n", 3, "already stopped"},
		{"background reused", "background d sleep 9\nbackground d sleep 9\nrun ze\n", 2, "already used"},
		{"expect after background", "run ze\nbackground d sleep 9\nexit 0\n", 3, "no step to check"},
		{"wait usage", "wait tcp 1\nrun ze\n", 1, "usage: wait port"},
		{"wait bad timeout", "wait port 1 x\nrun ze\n", 1, "not a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.ci", []byte(tt.src), testLookup)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("error = %q at line %d, want %q at line %d", pe.Msg, pe.Line, tt.msg, tt.line)
			}
			if want := "x.ci:"; !strings.HasPrefix(pe.Error(), want) {
				t.Errorf("Error() = %q, want prefix %q", pe.Error(), want)
			}
		})
	}
}
