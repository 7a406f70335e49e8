package data

import (
	"bytes"
	"flag"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Options may sit anywhere among the arguments; after "--" every word is an
// argument, even one that looks like an option.
func TestParse(t *testing.T) {
	tests := []struct {
		args []string
		key  string
		pos  []string
	}{
		{[]string{"a", "b"}, "", []string{"a", "b"}},
		{[]string{"a", "--key", "k", "b"}, "k", []string{"a", "b"}},
		{[]string{"--key=k", "a"}, "k", []string{"a"}},
		{[]string{"-", "--key", "k"}, "k", []string{"-"}},
		{[]string{"a", "--", "--key", "-x"}, "", []string{"a", "--key", "-x"}},
		{nil, "", nil},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		key := fs.String("key", "", "")
		pos, err := parse(fs, tt.args)
		if err != nil || *key != tt.key || !slices.Equal(pos, tt.pos) {
			t.Errorf("parse(%q) = %q, key %q, %v; want %q, key %q", tt.args, pos, *key, err, tt.pos, tt.key)
		}
	}
}

// The commands through run, with the streams in memory.
func TestRun(t *testing.T) {
	store := filepath.Join(t.TempDir(), "s.zefs")
	steps := []struct {
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string // contained in stderr
	}{
		{args: []string{"ls", "--path", store}, code: exitNotFound, stderr: "no store at " + store},
		{args: []string{"import", "-", "--key", "a/b", "--path", store}, stdin: "one\ntwo\n"},
		{args: []string{"import", "-", "--key", "a/c", "--path", store}, stdin: ""},
		{args: []string{"--path", store, "ls", "-l"}, stdout: "         8 a/b\n         0 a/c\n"},
		{args: []string{"cat", "--path", store, "a/b", "x"}, code: exitNotFound, stdout: "one\ntwo\n", stderr: `no entry "x"`},
		{args: []string{"rm", "--path", store, "a/c"}},
		{args: []string{"ls", "--json", "--path", store}, stdout: `[{"key":"a/b","size":8}]` + "\n"},
		{args: []string{"compact", "--path", store}, stdout: "entries 1, size 60 bytes (was 99)\n"},
		{args: []string{"ls", "--path", store, "--bogus"}, code: exitError, stderr: "flag provided but not defined"},
	}
	for i, st := range steps {
		var stdout, stderr bytes.Buffer
		code := run(st.args, io.Reader(strings.NewReader(st.stdin)), &stdout, &stderr)
		if code != st.code || stdout.String() != st.stdout || !strings.Contains(stderr.String(), st.stderr) {
			t.Errorf("step %d: ze data %q: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr with %q",
				i, st.args, code, stdout.String(), stderr.String(), st.code, st.stdout, st.stderr)
		}
	}
}

func TestWorse(t *testing.T) {
	for _, tt := range [][3]int{{0, 0, 0}, {0, 2, 2}, {2, 0, 2}, {1, 2, 1}, {2, 1, 1}, {0, 1, 1}} {
		if got := worse(tt[0], tt[1]); got != tt[2] {
			t.Errorf("worse(%d, %d) = %d, want %d", tt[0], tt[1], got, tt[2])
		}
	}
}
