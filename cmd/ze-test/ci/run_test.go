package ci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for ze and ze-test in the .ci files
// of testdata: with ZE_CI_HELPER set it runs a helper command instead.
func TestMain(m *testing.M) {
	if os.Getenv("ZE_CI_HELPER") != "" {
		os.Exit(helper(os.Args[1:]))
	}
	// A race-enabled helper otherwise sleeps a second before it exits.
	if os.Getenv("GORACE") == "" {
		_ = os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	os.Exit(m.Run())
}

func helper(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "helper: no command")
		return 1
	}
	switch args[0] {
	case "args":
		b, _ := json.Marshal(args[1:])
		fmt.Println(string(b))
		return 0
	case "listen":
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM)
		l, err := net.Listen("tcp", "127.0.0.1:"+args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("listening on", l.Addr())
		<-sigs
		_ = l.Close()
		fmt.Println("stopped")
		return 0
	}
	fmt.Fprintf(os.Stderr, "helper: unknown command %q\n", args[0])
	return 1
}

func testConfig(t *testing.T) Config {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Config{Ze: self, Self: self, Timeout: 10 * time.Second}
}

func TestRunFilePasses(t *testing.T) {
	files, err := filepath.Glob("testdata/pass/*.ci")
	if err != nil || len(files) == 0 {
		t.Fatalf("no pass tests: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := RunFile(context.Background(), testConfig(t), f)
			if !r.Passed() {
				t.Errorf("%s failed:\n%+v\n%s", f, r.Failures, r.Detail)
			}
		})
	}
}

var wantFailRE = regexp.MustCompile(`^# want-fail (\d+): (.*)$`)

// wantFailures reads the "# want-fail LINE: TEXT" comments of a test.
func wantFailures(t *testing.T, file string) []Failure {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var want []Failure
	for l := range strings.SplitSeq(string(src), "\n") {
		if m := wantFailRE.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			want = append(want, Failure{Line: n, Msg: m[2]})
		}
	}
	if len(want) == 0 {
		t.Fatalf("%s has no want-fail comment", file)
	}
	return want
}

func TestRunFileFailures(t *testing.T) {
	files, err := filepath.Glob("testdata/fail/*.ci")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fail tests: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := wantFailures(t, f)
			cfg := testConfig(t)
			cfg.Keep = true
			r := RunFile(context.Background(), cfg, f)
			if r.KeptDir != "" {
				defer os.RemoveAll(r.KeptDir)
			}
			if r.Passed() {
				t.Fatalf("%s passed, want failures %+v", f, want)
			}
			if len(r.Failures) != len(want) {
				t.Fatalf("%s: got %d failures %+v, want %d %+v", f, len(r.Failures), r.Failures, len(want), want)
			}
			for i, w := range want {
				got := r.Failures[i]
				if got.Line != w.Line || !strings.Contains(got.Msg, w.Msg) {
					t.Errorf("failure %d = line %d %q, want line %d containing %q", i, got.Line, got.Msg, w.Line, w.Msg)
				}
			}
			if r.KeptDir == "" {
				t.Errorf("Keep: no directory kept")
			}
			if _, err := os.Stat(filepath.Join(r.KeptDir, "ran")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a step after a failed step ran (stat ran: %v)", err)
			}
		})
	}
}

func TestRunFileDetail(t *testing.T) {
	r := RunFile(context.Background(), testConfig(t), "testdata/fail/expect.ci")
	for _, want := range []string{"run (line 2): sh -c", "exit: 2", "stdout:\n    out", "stderr:\n    err"} {
		if !strings.Contains(r.Detail, want) {
			t.Errorf("Detail = %q, want it to contain %q", r.Detail, want)
		}
	}
}

func TestRunFileRemovesTmp(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tmp.ci")
	src := "run sh -c 'echo $1 > \"$2\"' sh $TMP " + filepath.Join(dir, "where") + "\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r := RunFile(context.Background(), testConfig(t), file)
	if !r.Passed() {
		t.Fatalf("failed: %+v", r.Failures)
	}
	where, err := os.ReadFile(filepath.Join(dir, "where"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := strings.TrimSpace(string(where))
	if !strings.Contains(tmp, "ze-test-") {
		t.Errorf("$TMP = %q, want a ze-test- temporary directory", tmp)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("$TMP %s still exists after a passing test (%v)", tmp, err)
	}
}

func TestRunFileWithoutZe(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ze.ci")
	if err := os.WriteFile(file, []byte("run ze version\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.Ze = ""
	r := RunFile(context.Background(), cfg, file)
	if len(r.Failures) != 1 || !strings.Contains(r.Failures[0].Msg, "make build") {
		t.Errorf("failures = %+v, want one saying to run make build", r.Failures)
	}
}

func TestFreePortsDiffer(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		p, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] || p <= 0 || p > 65535 {
			t.Fatalf("freePort gave %d twice or out of range", p)
		}
		seen[p] = true
	}
}

func TestFindFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.ci", "a/z.ci", "a/y.ci", ".hidden/h.ci", "testdata/t.ci", "notes.md", "a/c.cin"} {
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := FindFiles([]string{dir, filepath.Join(dir, "b.ci"), filepath.Join(dir, "a") + "/"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a/y.ci"), filepath.Join(dir, "a/z.ci"), filepath.Join(dir, "b.ci")}
	if !slices.Equal(got, want) {
		t.Errorf("FindFiles\n got %q\nwant %q", got, want)
	}

	if _, err := FindFiles([]string{filepath.Join(dir, "notes.md")}); err == nil || !strings.Contains(err.Error(), "not a .ci file") {
		t.Errorf("FindFiles(notes.md) error = %v, want not a .ci file", err)
	}
	if _, err := FindFiles([]string{filepath.Join(dir, "missing")}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("FindFiles(missing) error = %v, want fs.ErrNotExist", err)
	}
	// A hidden or testdata directory named explicitly is searched.
	got, err = FindFiles([]string{filepath.Join(dir, "testdata")})
	if err != nil || len(got) != 1 || filepath.Base(got[0]) != "t.ci" {
		t.Errorf("FindFiles(testdata) = %q, %v; want t.ci", got, err)
	}
}

func TestRunAllReport(t *testing.T) {
	files, err := FindFiles([]string{"testdata/pass", "testdata/fail/syntax.ci", "testdata/fail/notfound.ci"})
	if err != nil {
		t.Fatal(err)
	}
	for _, verbose := range []bool{false, true} {
		var buf bytes.Buffer
		passed, failed := RunAll(context.Background(), testConfig(t), files, 3, Report{W: &buf, Verbose: verbose})
		if passed != 2 || failed != 2 {
			t.Errorf("verbose=%v: %d passed, %d failed; want 2 and 2", verbose, passed, failed)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		want := []string{
			"FAIL testdata/fail/notfound.ci:1: cannot run ./no-such-program: ",
			`FAIL testdata/fail/syntax.ci:2: stdout: unknown check "includes"`,
		}
		if verbose {
			want = append(want, "ok   testdata/pass/commands.ci (", "ok   testdata/pass/daemon.ci (")
		}
		if len(lines) != len(want) {
			t.Fatalf("verbose=%v: output\n%s\nwant %d lines", verbose, buf.String(), len(want))
		}
		for i, w := range want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("verbose=%v: line %d = %q, want prefix %q", verbose, i+1, lines[i], w)
			}
		}
	}
}
