package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		args         []string
		code         int
		stdout, errs string
	}{
		{[]string{"list"}, exitOK, "counter\n", ""},
		{[]string{"list", "--json"}, exitOK, "[\"counter\"]\n", ""},
		{[]string{"list", "extra"}, exitError, "", `unexpected argument "extra"`},
		{nil, exitError, "", "usage: ze plugin COMMAND"},
		{[]string{"help"}, exitOK, "", "usage: ze plugin COMMAND"},
		{[]string{"nope"}, exitError, "", `unknown command "nope"`},
		{[]string{"run"}, exitError, "", "usage: ze plugin run NAME"},
		{[]string{"run", "nope"}, exitNotFound, "", "no plugin nope is built into ze"},
		{[]string{"call", "--control", "127.0.0.1:1"}, exitError, "", "usage: ze plugin call"},
		{[]string{"call", "--control", "127.0.0.1:1", "--wait-for", "count", "a:b"}, exitError, "", "want KEY=JSON"},
		{[]string{"run-host"}, exitError, "", "usage: ze plugin run-host"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(tt.args, &out, &errs)
			if code != tt.code || out.String() != tt.stdout || !strings.Contains(errs.String(), tt.errs) {
				t.Errorf("got %d %q %q, want %d %q and stderr with %q", code, out.String(), errs.String(), tt.code, tt.stdout, tt.errs)
			}
		})
	}
}

func TestSDKPython(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "py")
	var errs bytes.Buffer
	if code := runSDK([]string{"python", dir}, &errs); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, f := range []string{"zeplugin.py", "counter.py", "ze-example-counter-py.yang"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "counter.py" && fi.Mode()&0o111 == 0 {
			t.Errorf("counter.py is not executable")
		}
	}
}

func TestMemberIs(t *testing.T) {
	tests := []struct {
		res, key, want string
		is             bool
	}{
		{`{"count":3}`, "count", `3`, true},
		{`{"count": 3, "x": {"a": [1, 2]}}`, "x", `{"a":[1,2]}`, true},
		{`{"count":2}`, "count", `3`, false},
		{`{}`, "count", `3`, false},
		{`[1]`, "count", `3`, false},
	}
	for _, tt := range tests {
		if got := memberIs([]byte(tt.res), tt.key, []byte(tt.want)); got != tt.is {
			t.Errorf("memberIs(%s, %s, %s): got %v", tt.res, tt.key, tt.want, got)
		}
	}
}
