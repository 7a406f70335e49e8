package config

import (
	"bytes"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/yang"
)

func runStdin(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errs)
	return code, out.String(), errs.String()
}

// mustRun runs a command that must succeed and returns its stdout.
func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, errs := runStdin(t, stdin, args...)
	if code != exitOK {
		t.Fatalf("ze config %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

const editBase = `system { host-name r1; }
bgp {
    group a {
        local-as 65001;
        peer p1 { remote { ip 192.0.2.1; as 65002; } hold-time 90; }
    }
    group b { local-as 65001; }
}
`

func showSet(t *testing.T, dir string) string {
	t.Helper()
	return mustRun(t, "", "show", "--state", dir, "--format", "set")
}

// Each edit command edits and commits in one go; show prints the result.
func TestStateEditCommands(t *testing.T) {
	dir := t.TempDir()
	base := write(t, dir, "base.conf", editBase)
	state := filepath.Join(dir, "var")
	mustRun(t, "", "import", "--state", state, base)

	steps := []struct {
		args  []string
		stdin string
		out   string   // stdout exactly
		has   []string // set-form lines running then holds
		not   []string // and does not
	}{
		{args: []string{"deactivate", "bgp", "group", "a", "peer", "p1"}, out: "commit complete: revision 3\n",
			has: []string{"deactivate bgp group a peer p1"}},
		{args: []string{"activate", "bgp", "group", "a", "peer", "p1"}, out: "commit complete: revision 4\n",
			not: []string{"deactivate bgp group a peer p1"}},
		{args: []string{"annotate", "bgp", "group", "a", "the customers"}, out: "commit complete: revision 5\n",
			has: []string{`annotate bgp group a "the customers"`}},
		{args: []string{"rename", "bgp", "group", "a", "peer", "p1", "to", "peer", "east"}, out: "commit complete: revision 6\n",
			has: []string{"set bgp group a peer east hold-time 90"}, not: []string{"peer p1"}},
		{args: []string{"copy", "bgp", "group", "a", "peer", "east", "to", "bgp", "group", "b", "peer", "west"}, out: "commit complete: revision 7\n",
			has: []string{"set bgp group a peer east remote ip 192.0.2.1", "set bgp group b peer west remote ip 192.0.2.1"}},
		{args: []string{"load", "merge", "-"}, stdin: "bgp { group b { peer west { hold-time 30; } } }\n", out: "commit complete: revision 8\n",
			has: []string{"set bgp group b peer west hold-time 30", "set bgp group a peer east hold-time 90"}},
		{args: []string{"load", "set", "-"}, stdin: "delete bgp group b peer west hold-time\nset system host-name r2\n", out: "commit complete: revision 9\n",
			has: []string{"set system host-name r2"}, not: []string{"hold-time 30"}},
		{args: []string{"load", "override", "-", "--comment", "back to one"}, stdin: "system { host-name r3; }\n", out: "commit complete: revision 10\n",
			has: []string{"set system host-name r3"}, not: []string{"bgp"}},
	}
	for _, st := range steps {
		args := append([]string{st.args[0], "--state", state}, st.args[1:]...)
		if out := mustRun(t, st.stdin, args...); out != st.out {
			t.Errorf("%v: stdout %q, want %q", st.args, out, st.out)
		}
		set := showSet(t, state)
		for _, l := range st.has {
			if !strings.Contains(set, l+"\n") {
				t.Errorf("after %v, no %q in\n%s", st.args, l, set)
			}
		}
		for _, l := range st.not {
			if strings.Contains(set, l) {
				t.Errorf("after %v, %q still in\n%s", st.args, l, set)
			}
		}
	}
	if _, out, _ := runState(t, "history", "--state", state); !strings.Contains(out, "cli              back to one\n") {
		t.Errorf("history lacks the comment:\n%s", out)
	}
}

// The hierarchical show marks a deactivated node inactive.
func TestStateDeactivateShow(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "var")
	mustRun(t, "", "import", "--state", state, write(t, dir, "base.conf", editBase))
	mustRun(t, "", "deactivate", "--state", state, "bgp", "group", "b")
	if out := mustRun(t, "", "show", "--state", state); !strings.Contains(out, "    inactive: group b {\n        local-as 65001;\n    }\n") {
		t.Errorf("show:\n%s", out)
	}
}

// commit check validates a file against running and prints what it would
// change; an invalid one is refused with every error, and running stays.
func TestStateCommitCheck(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "var")
	mustRun(t, "", "import", "--state", state, write(t, dir, "base.conf", editBase))
	before := showSet(t, state)

	good := strings.Replace(editBase, "hold-time 90", "hold-time 30", 1)
	out := mustRun(t, good, "commit", "check", "--state", state, "-")
	want := "[edit bgp group a peer p1]\n-    hold-time 90;\n+    hold-time 30;\nconfiguration check succeeds\n"
	if out != want {
		t.Errorf("commit check: stdout\n%s\nwant\n%s", out, want)
	}
	bad := write(t, dir, "bad.conf", "bgp {\n    group a { peer p1 { hold-time 2; } }\n}\n")
	code, out, errs := runState(t, "commit", "check", "--state", state, bad)
	wantErr := bad + ": line 2 col 15: bgp group a peer p1: mandatory remote ip is missing\n" +
		bad + ": line 2 col 35: bgp group a peer p1 hold-time: \"2\" is out of range 0 | 3..65535\n" +
		"ze config commit check: 2 errors; configuration check fails\n"
	if code != exitError || out != "" || errs != wantErr {
		t.Errorf("commit check of an invalid file: exit %d, stdout %q, stderr\n%s\nwant 1 and\n%s", code, out, errs, wantErr)
	}
	if after := showSet(t, state); after != before {
		t.Errorf("running changed:\n%s\nwas\n%s", after, before)
	}
	if _, out, _ := runState(t, "history", "--state", state, "--json"); strings.Count(out, `"revision"`) != 2 {
		t.Errorf("commit check committed something:\n%s", out)
	}
}

// --confirmed MINUTES makes a commit confirmed that history shows pending;
// confirm confirms it, once.
func TestStateConfirmed(t *testing.T) {
	state := filepath.Join(t.TempDir(), "var")
	before := time.Now().UTC()
	out := mustRun(t, "", "set", "--state", state, "--confirmed", "1", "system", "host-name", "risky")
	if !strings.HasPrefix(out, "commit complete: revision 2\ncommit confirmed: rolled back at ") ||
		!strings.HasSuffix(out, " unless confirmed (ze config confirm)\n") {
		t.Errorf("set --confirmed 1: %q", out)
	}
	at := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(out, "\n", 3)[1], "commit confirmed: rolled back at "), " unless confirmed (ze config confirm)")
	deadline, err := time.Parse(time.DateTime, at)
	if err != nil || deadline.Before(before.Add(59*time.Second).Truncate(time.Second)) || deadline.After(time.Now().Add(61*time.Second)) {
		t.Errorf("deadline %q (%v), want a minute from now", at, err)
	}
	out = mustRun(t, "", "history", "--state", state)
	if !strings.Contains(out, "(commit confirmed: rolled back at "+at+" unless confirmed)") {
		t.Errorf("history does not show the pending commit:\n%s", out)
	}
	if out := mustRun(t, "", "confirm", "--state", state); out != "commit complete: revision 3\nrevision 2 confirmed\n" {
		t.Errorf("confirm: %q", out)
	}
	out = mustRun(t, "", "history", "--state", state)
	if strings.Contains(out, "unless confirmed") || !strings.Contains(out, "confirms revision 2") {
		t.Errorf("history after confirm:\n%s", out)
	}
	code, _, errs := runState(t, "confirm", "--state", state)
	if code != exitError || errs != "ze config confirm: no commit confirmed waits for its confirmation; nothing committed\n" {
		t.Errorf("confirm again: exit %d, %q", code, errs)
	}
	if got := showSet(t, state); !strings.Contains(got, "host-name risky") {
		t.Errorf("running:\n%s", got)
	}
}

// A ze that holds the database (the daemon) makes writing and reading
// commands fail within 2 seconds, with a message that says what to do.
func TestStateInUse(t *testing.T) {
	y, err := yang.Core()
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	db, err := cdb.Open(state, cdb.Options{Schema: y, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := "ze config: the configuration database in " + state + " is in use by a running ze (use 'ze cli')\n"
	for _, args := range [][]string{
		{"set", "--state", state, "system", "host-name", "x"},
		{"deactivate", "--state", state, "system", "host-name"},
		{"load", "merge", "--state", state, "-"},
		{"confirm", "--state", state},
		{"show", "--state", state},
		{"history", "--state", state},
	} {
		start := time.Now()
		code, out, errs := runStdin(t, "system { host-name y; }\n", args...)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%v took %v", args, d)
		}
		if code != exitError || out != "" || errs != want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want 1 and %q", args, code, out, errs, want)
		}
	}
}

// Misuses of the edit and commit commands, each with its message.
func TestStateEditUsage(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "var")
	mustRun(t, "", "import", "--state", state, write(t, dir, "base.conf", editBase))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"deactivate"}, "ze config deactivate: want a PATH\n"},
		{[]string{"deactivate", "bgp", "grup", "a"}, "unknown keyword \"grup\" under bgp; did you mean \"group\"?\nze config deactivate: 1 error; nothing committed\n"},
		{[]string{"activate", "bgp", "group", "zz"}, "ze config activate: bgp group zz is not in the configuration\n"},
		{[]string{"annotate", "bgp"}, "ze config annotate: want PATH... \"TEXT\""},
		{[]string{"rename", "bgp", "group", "a", "peer", "p1", "peer", "p2"}, "ze config rename: missing \"to\": want rename PATH... to PATH... (rename bgp group g peer a to peer b)\n"},
		{[]string{"rename", "to", "peer", "p2"}, "ze config rename: want the PATH to rename before \"to\""},
		{[]string{"copy", "bgp", "group", "a", "peer", "p1", "to"}, "ze config copy: want the new name after \"to\""},
		{[]string{"copy", "bgp", "group", "a", "peer", "p1", "to", "bgp", "group", "b", "peer", "p1", "x"}, "ze config copy: \"bgp group b peer p1 x\" names more than \"bgp group a peer p1\""},
		{[]string{"rename", "bgp", "group", "a", "peer", "p9", "to", "peer", "p2"}, "ze config rename: rename: bgp group a peer p9 is not in the configuration\n"},
		{[]string{"load"}, "ze config load: want merge, override or set, then FILE (- for standard input)\n"},
		{[]string{"load", "-", "merge"}, "ze config load: the mode comes first: ze config load merge -\n"},
		{[]string{"load", "replace", "-"}, "ze config load: unknown mode \"replace\" (want merge, override or set, then FILE)\n"},
		{[]string{"load", "merge"}, "ze config load: want one FILE after merge (- for standard input)\n"},
		{[]string{"commit"}, "ze config commit: want check FILE"},
		{[]string{"commit", "confirmed", "5"}, "ze config commit: commit confirmed is an option of the edit commands"},
		{[]string{"commit", "check"}, "ze config commit check: want one FILE"},
		{[]string{"set", "--confirmed", "0", "system", "host-name", "x"}, "ze config set: --confirmed \"0\": want minutes, from 1 to 65535\n"},
		{[]string{"set", "--confirmed", "soon", "system", "host-name", "x"}, "ze config set: --confirmed \"soon\": want minutes, from 1 to 65535\n"},
		{[]string{"confirm", "--confirmed", "5"}, "ze config confirm: --confirmed: a confirming commit is not a commit confirmed\n"},
		{[]string{"confirm", "now"}, "ze config confirm: unexpected argument \"now\"\n"},
	}
	before := showSet(t, state)
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{tt.args[0], "--state", state}, tt.args[1:]...)
			code, out, errs := runState(t, args...)
			if code != exitError || out != "" || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q, want 1 and %q", code, out, errs, tt.want)
			}
		})
	}
	if after := showSet(t, state); after != before {
		t.Errorf("running changed:\n%s", after)
	}
}

// Options may come before the command.
func TestCommandFirst(t *testing.T) {
	state := filepath.Join(t.TempDir(), "var")
	if out := mustRun(t, "", "--state", state, "--comment", "set", "set", "system", "host-name", "r1"); out != "commit complete: revision 2\n" {
		t.Errorf("options first: %q", out)
	}
	if out := mustRun(t, "", "--state="+state, "--format", "set", "show"); !strings.HasPrefix(out, "set system host-name r1\n") {
		t.Errorf("show: %q", out)
	}
	if out := mustRun(t, "", "--state", state, "history", "--json"); !strings.Contains(out, `"comment": "set"`) {
		t.Errorf("history: %s", out)
	}
	code, _, errs := runState(t, "--state", state, "bgp")
	if code != exitError || !strings.HasPrefix(errs, "ze config: no command (want activate, ") {
		t.Errorf("no command: exit %d, %q", code, errs)
	}
}

// An unknown command: the words of a two-word command the other way
// round, a command after its path, a typo, or the list.
func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"merge", "load", "f.conf"}, `ze config: unknown command "merge": the command comes first: ze config load merge f.conf`},
		{[]string{"check", "commit", "f.conf"}, `ze config: unknown command "check": the command comes first: ze config commit check f.conf`},
		{[]string{"bgp", "group", "g", "deactivate"}, `ze config: unknown command "bgp": the command comes first: ze config deactivate bgp group g`},
		{[]string{"deactvate", "bgp"}, `ze config: unknown command "deactvate"; did you mean "deactivate"?`},
	}
	// The list names every command (others may register more).
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	tests = append(tests, struct {
		args []string
		want string
	}{[]string{"frobnicate"}, `ze config: unknown command "frobnicate" (want ` + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1] + ")"})
	for _, n := range []string{"activate", "annotate", "commit", "confirm", "copy", "deactivate", "load", "rename"} {
		if commands[n] == nil {
			t.Errorf("command %s is not registered", n)
		}
	}
	for _, tt := range tests {
		code, out, errs := runState(t, tt.args...)
		if code != exitError || out != "" || errs != tt.want+"\n" {
			t.Errorf("%v: exit %d, stderr %q, want 1 and %q", tt.args, code, errs, tt.want)
		}
	}
}
