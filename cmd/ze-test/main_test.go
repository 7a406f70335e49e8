package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	echo := "/bin/echo"
	if _, err := os.Stat(echo); err != nil {
		t.Fatalf("the dispatch test runs /bin/echo: %v", err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact when it has no "…", else a prefix/suffix match around it
		stderr string // substring
	}{
		{"no args", nil, 1, "", "usage: ze-test"},
		{"help", []string{"help"}, 0, "usage: ze-test <command> [arguments]\n…", ""},
		{"unknown", []string{"frob"}, 1, "", `unknown command "frob"`},
		{"run nothing", []string{"run"}, 1, "", "no test paths"},
		{"run bad flag", []string{"run", "-nope", "x"}, 1, "", "flag provided but not defined: -nope"},
		{"run missing path", []string{"run", "testdata/missing"}, 2, "", "no such file"},
		{"run one passing", []string{"run", "-ze", echo, "testdata/ok.ci"}, 0, "1 passed, 0 failed\n", ""},
		{"run verbose", []string{"run", "-v", "-j", "1", "-ze", echo, "testdata/ok.ci"}, 0, "ok   testdata/ok.ci (…)\n1 passed, 0 failed\n", ""},
		{"run options after paths", []string{"run", "testdata/ok.ci", "-v", "-ze", echo}, 0, "ok   testdata/ok.ci (…)\n1 passed, 0 failed\n", ""},
		{"run with a failure", []string{"run", "-ze", echo, "testdata"}, 1,
			"FAIL testdata/bad.ci:2: stdout contains: want \"bye\", got \"hello\\n\"\n1 passed, 1 failed\n", ""},
		{"run ze missing", []string{"run", "-ze", "testdata/nope", "testdata/ok.ci"}, 2, "", "-ze testdata/nope: no such file"},
		{"run none found", []string{"run", "testdata/empty"}, 1, "0 passed, 0 failed\n", ""},
		{"list", []string{"list", "testdata"}, 0, "testdata/bad.ci\ntestdata/ok.ci\n", ""},
		{"list nothing", []string{"list"}, 1, "", "usage: ze-test list"},
		{"list not ci", []string{"list", "main.go"}, 1, "", "not a .ci file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit = %d, want %d; stderr %q", code, tt.code, stderr.String())
			}
			if !matchEllipsis(tt.stdout, stdout.String()) {
				t.Errorf("stdout = %q, want %q", stdout.String(), tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.stderr)
			}
		})
	}
}

// matchEllipsis compares got with want, where each … in want stands for any
// text.
func matchEllipsis(want, got string) bool {
	parts := strings.Split(want, "…")
	if len(parts) == 1 {
		return want == got
	}
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	got = got[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(got, p)
		if i < 0 {
			return false
		}
		got = got[i+len(p):]
	}
	return strings.HasSuffix(got, parts[len(parts)-1])
}

func TestZePath(t *testing.T) {
	dir := t.TempDir()
	self := filepath.Join(dir, "ze-test")
	ze := filepath.Join(dir, "ze")
	if got := zePath("", self); got != "" && filepath.Dir(got) == dir {
		t.Errorf("zePath with no ze beside ze-test = %q", got)
	}
	if err := os.WriteFile(ze, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := zePath("", self); got != ze {
		t.Errorf("zePath beside ze-test = %q, want %q", got, ze)
	}
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := zePath(other, self); got != other {
		t.Errorf("zePath(-ze %s) = %q, want it", other, got)
	}
	if got := zePath(filepath.Join(dir, "missing"), self); got != "" {
		t.Errorf("zePath(-ze missing) = %q, want \"\"", got)
	}
	if got := zePath(dir, self); got != "" {
		t.Errorf("zePath(-ze a directory) = %q, want \"\"", got)
	}
}
