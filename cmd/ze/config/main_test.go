package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const example = `environment { log { level info; } }
bgp {
    group my-peers {
        local-as 65001;
        family { ipv4 unicast; ipv6 unicast; }
        peer peer-east {
            remote { ip 192.168.1.2; as 65002; }
            local-address 192.168.1.1;
            hold-time 90;
        }
    }
}
plugin { internal bgp-rib; }
`

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The commands through run, with the streams in memory.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.conf", example)
	bad := write(t, dir, "bad.conf", "bgp {\n    hold-tme 90;\n    group g { peer p { hold-time 2; } }\n}\n")
	other := write(t, dir, "other.conf", strings.Replace(example, "hold-time 90", "hold-time 180", 1))
	missing := filepath.Join(dir, "missing.conf")
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string // exactly, unless "" and stdoutHas is set
		stderr string // contained in stderr
	}{
		{name: "valid", args: []string{"validate", good}, stdout: good + ": valid\n"},
		{name: "valid quiet", args: []string{"validate", "-q", good}},
		{name: "invalid", args: []string{"validate", bad}, code: 1,
			stderr: bad + ": line 2 col 5: unknown keyword \"hold-tme\" under bgp; did you mean \"hold-time\"?\n" +
				bad + ": line 3 col 15: bgp group g peer p: mandatory remote ip is missing\n" +
				bad + ": line 3 col 34: bgp group g peer p hold-time: \"2\" is out of range 0 | 3..65535\n" +
				bad + ": 3 errors\n"},
		{name: "invalid quiet", args: []string{"validate", bad, "-q"}, code: 1},
		{name: "missing", args: []string{"validate", missing}, code: 2, stderr: "ze config validate: " + missing + ": no such file\n"},
		{name: "stdin", args: []string{"validate", "-"}, stdin: "set bgp local-as 1\n", stdout: "<stdin>: valid\n"},
		{name: "no file", args: []string{"validate"}, code: 1, stderr: "want one FILE"},
		{name: "bad option", args: []string{"validate", "--frob", good}, code: 1, stderr: "flag provided but not defined: -frob"},
		{name: "fmt set", args: []string{"fmt", "--format", "set", good}, stdout: "set environment log level info\n" +
			"set bgp group my-peers local-as 65001\nset bgp group my-peers family ipv4 unicast\nset bgp group my-peers family ipv6 unicast\n" +
			"set bgp group my-peers peer peer-east remote ip 192.168.1.2\nset bgp group my-peers peer peer-east remote as 65002\n" +
			"set bgp group my-peers peer peer-east local-address 192.168.1.1\nset bgp group my-peers peer peer-east hold-time 90\n" +
			"set plugin internal bgp-rib\n"},
		{name: "fmt from set", args: []string{"fmt", "-"}, stdin: "set bgp group g peer p hold-time 90\n",
			stdout: "bgp {\n    group g {\n        peer p {\n            hold-time 90;\n        }\n    }\n}\n"},
		{name: "fmt errors", args: []string{"fmt", bad}, code: 1, stderr: bad + ": 2 errors, nothing done\n"},
		{name: "fmt bad format", args: []string{"fmt", "--format", "xml", good}, code: 1, stderr: `unknown --format "xml"`},
		{name: "fmt -w stdin", args: []string{"fmt", "-w", "-"}, code: 1, stderr: "-w needs a FILE"},
		{name: "diff", args: []string{"diff", good, other},
			stdout: "[edit bgp group my-peers peer peer-east]\n-    hold-time 90;\n+    hold-time 180;\n"},
		{name: "diff same", args: []string{"diff", good, good}},
		{name: "diff missing", args: []string{"diff", good, missing}, code: 2, stderr: "no such file"},
		{name: "diff one", args: []string{"diff", good}, code: 1, stderr: "want two files"},
		{name: "unknown", args: []string{"frob"}, code: 1, stderr: `unknown command "frob"`},
		{name: "usage", args: nil, code: 1, stderr: "usage: ze config validate"},
		{name: "help", args: []string{"help"}, code: 0, stderr: "usage: ze config validate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code || stdout.String() != tt.stdout || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("run %q = %d\nstdout %q\nstderr %q\nwant %d\nstdout %q\nstderr containing %q",
					tt.args, code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

// --json reports the result as an object with every error.
func TestValidateJSON(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, dir, "bad.conf", "bgp {\n    hold-tme 90;\n}\n")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"validate", "--json", bad}, nil, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var got validateJSON
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := errorJSON{File: bad, Line: 2, Column: 5, Path: "bgp", Message: `unknown keyword "hold-tme" under bgp; did you mean "hold-time"?`}
	if got.Valid || len(got.Errors) != 1 || got.Errors[0] != want {
		t.Errorf("got %+v, want one error %+v", got, want)
	}
	stdout.Reset()
	good := write(t, dir, "good.conf", example)
	if code := run([]string{"validate", good, "--json"}, nil, &stdout, &stderr); code != 0 || stdout.String() != "{\n  \"valid\": true,\n  \"errors\": []\n}\n" {
		t.Errorf("exit %d, stdout %s", code, stdout.String())
	}
}

// fmt -w rewrites the file in canonical form, keeping its mode, and leaves
// a file with errors alone.
func TestFmtWrite(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "a.conf", "bgp { hold-time 090; local-as 1; }")
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"fmt", "-w", p}, nil, &stdout, &stderr); code != 0 || stdout.Len() != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	got, _ := os.ReadFile(p)
	if string(got) != "bgp {\n    local-as 1;\n    hold-time 90;\n}\n" {
		t.Errorf("rewritten to %q", got)
	}
	if info, _ := os.Stat(p); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", info.Mode().Perm())
	}
	bad := write(t, dir, "b.conf", "bgp { hold-tme 1; }")
	if code := run([]string{"fmt", "-w", bad}, nil, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d for a file with errors", code)
	}
	if got, _ := os.ReadFile(bad); string(got) != "bgp { hold-tme 1; }" {
		t.Errorf("a file with errors was changed to %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d files left in the folder, want 2", len(entries))
	}
}
