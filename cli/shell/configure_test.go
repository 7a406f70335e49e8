package shell

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb"
)

func TestConfigureEdits(t *testing.T) {
	sh := newShell(t, openDB(t), SuperUser)
	mustRun(t, sh, "configure")
	mustRun(t, sh, `annotate bgp group g "the only group"`)
	mustRun(t, sh, "deactivate bgp group g peer p2")
	mustRun(t, sh, "copy bgp group g peer p1 to peer p3")
	mustRun(t, sh, "set bgp group g peer p3 remote ip 192.0.2.3")
	mustRun(t, sh, "rename bgp group g peer p3 to peer p4")
	out := mustRun(t, sh, "show bgp")
	contains(t, "show bgp", out, "# the only group\ngroup g {", "    inactive: peer p2 {", "    peer p4 {\n        remote {\n            ip 192.0.2.3;")
	if strings.Contains(out, "peer p3") {
		t.Errorf("renamed entry still there:\n%s", out)
	}
	// a whole path as the target: into another group
	mustRun(t, sh, "set bgp group h local-as 65009")
	mustRun(t, sh, "copy bgp group g peer p1 to bgp group h peer q1")
	contains(t, "copy across", mustRun(t, sh, "show bgp group h"), "peer q1 {", "ip 192.0.2.1;")
	mustRun(t, sh, "delete bgp group h")
	mustRun(t, sh, "activate bgp group g peer p2")
	mustRun(t, sh, "delete bgp group g peer p4")
	_, err := run(t, sh, "delete bgp group g peer p9")
	if err == nil || err.Error() != "statement not found: bgp group g peer p9" {
		t.Fatalf("delete of nothing: %v", err)
	}
	cmp := mustRun(t, sh, "show | compare")
	contains(t, "compare", cmp, "[edit bgp]", "+    # the only group")
	// at a level, the changes beneath it only
	mustRun(t, sh, "edit bgp group g peer p1")
	mustRun(t, sh, "set hold-time 45")
	cmp = mustRun(t, sh, "show | compare")
	if !strings.Contains(cmp, "+    hold-time 45;") || strings.Contains(cmp, "the only group") || strings.Contains(cmp, "p4") {
		t.Fatalf("compare at a level:\n%s", cmp)
	}
	mustRun(t, sh, "top")
	mustRun(t, sh, "rollback 0")
	if cmp := mustRun(t, sh, "show | compare"); cmp != "" {
		t.Fatalf("rollback 0 left changes:\n%s", cmp)
	}
	// set with a bad value: the caret is at the value
	_, err = run(t, sh, "set bgp group g peer p1 hold-time 2")
	var se *SyntaxError
	if !errors.As(err, &se) || se.Pos != len("set bgp group g peer p1 hold-time ") {
		t.Fatalf("bad value: %v", err)
	}
	// up and exit walk the levels
	mustRun(t, sh, "edit bgp group g peer p1 remote")
	mustRun(t, sh, "up")
	if got := strings.Join(sh.EditPath(), " "); got != "bgp group g peer p1" {
		t.Fatalf("up: %q", got)
	}
	mustRun(t, sh, "up 2")
	if got := strings.Join(sh.EditPath(), " "); got != "bgp" {
		t.Fatalf("up 2: %q", got)
	}
	mustRun(t, sh, "exit")
	if len(sh.EditPath()) != 0 || sh.Mode() != Configure {
		t.Fatalf("exit at a level: %v %v", sh.EditPath(), sh.Mode())
	}
}

func TestCommitErrors(t *testing.T) {
	db := openDB(t)
	sh := newShell(t, db, SuperUser)
	mustRun(t, sh, "configure")
	mustRun(t, sh, "set bgp group g peer p3 hold-time 60")
	_, err := run(t, sh, "commit")
	f := FormatError("commit", err, 0)
	if f != "error: bgp group g peer p3: mandatory remote ip is missing\nerror: configuration check-out failed\n" {
		t.Fatalf("validation:\n%s", f)
	}
	_, err = run(t, sh, "commit check")
	if err == nil {
		t.Fatal("commit check passed an invalid candidate")
	}
	mustRun(t, sh, "delete bgp group g peer p3")
	mustRun(t, sh, "set bgp group g peer p1 hold-time 60")
	contains(t, "check", mustRun(t, sh, "commit check"), "configuration check succeeds")

	// another session commits: this candidate is stale
	other := newShell(t, db, SuperUser)
	mustRun(t, other, "configure")
	mustRun(t, other, "set system host-name other")
	mustRun(t, other, "commit")
	_, err = run(t, sh, "commit")
	if err == nil || !strings.Contains(FormatError("commit", err, 0), "running changed since this candidate was made (revision 1, now 2); use rebase") {
		t.Fatalf("stale: %v", err)
	}
	contains(t, "rebase", mustRun(t, sh, "rebase"), "rebase complete (base revision 2, 0 conflicts)")
	contains(t, "commit", mustRun(t, sh, "commit and-quit"), "commit complete (revision 3)", "Exiting configuration mode")
	if sh.Mode() != Operational {
		t.Fatal("and-quit stayed in configure mode")
	}
	// status lists the other session
	contains(t, "status", mustRun(t, sh, "show cli users"), "alice (", "private")
}

func TestCommitConfirmedAndHistory(t *testing.T) {
	db := openDB(t)
	sh := newShell(t, db, SuperUser)
	mustRun(t, sh, "configure")
	mustRun(t, sh, "set system host-name r2")
	out := mustRun(t, sh, `commit confirmed 5 comment "try r2"`)
	contains(t, "confirmed", out, "commit confirmed will be automatically rolled back in 5 minutes unless confirmed", "commit complete (revision 2)")
	hist := mustRun(t, sh, "run show system commit")
	contains(t, "history", hist, "commit confirmed: revision 2 by alice is rolled back to revision 1 at", "0   ", "commit confirmed, rollback at", "    try r2")
	mustRun(t, sh, "commit")
	if db.Pending() != nil {
		t.Fatal("a plain commit did not confirm")
	}
	contains(t, "compare rollback", mustRun(t, sh, "show | compare rollback 2"), "-    host-name r1;", "+    host-name r2;")
}

func TestExclusive(t *testing.T) {
	db := openDB(t)
	a := newShell(t, db, SuperUser)
	contains(t, "exclusive", mustRun(t, a, "configure exclusive"), "exclusive: the configuration is locked")
	b := newShell(t, db, SuperUser)
	out := mustRun(t, b, "configure")
	contains(t, "warning", out, "Users currently editing the configuration:", "alice (", "exclusive")
	mustRun(t, b, "set system host-name b")
	_, err := run(t, b, "commit")
	var le *cdb.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("commit under another's lock: %v", err)
	}
	contains(t, "status", mustRun(t, b, "status"), "The configuration is locked by alice")
}

func TestLoad(t *testing.T) {
	sh := newShell(t, openDB(t), SuperUser)
	file := filepath.Join(t.TempDir(), "more.conf")
	if err := os.WriteFile(file, []byte("set bgp group g peer p1 hold-time 33\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, sh, "configure")
	contains(t, "load set", mustRun(t, sh, "load set "+file), "load complete")
	contains(t, "after load", mustRun(t, sh, "show bgp group g peer p1 hold-time"), "hold-time 33;")
	lines := []string{"system {", "    host-name loaded;", "}"}
	sh.env.Input = func(string) (string, error) {
		if len(lines) == 0 {
			return "", io.EOF
		}
		l := lines[0]
		lines = lines[1:]
		return l, nil
	}
	contains(t, "load terminal", mustRun(t, sh, "load merge terminal"), "[Type ^D at a new line to end input]", "load complete")
	contains(t, "merged", mustRun(t, sh, "show system host-name"), "host-name loaded;")
	_, err := run(t, sh, "load override /nonexistent/file")
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("load of a missing file: %v", err)
	}
}

func TestOpsAndPipes(t *testing.T) {
	db := openDB(t)
	ops := &Ops{}
	ops.Describe([]string{"show", "bgp"}, "Show BGP information")
	ops.RegisterArgs([]string{"show", "bgp", "neighbor"}, "Show a peer", "<address>", func(_ context.Context, args []string, w io.Writer) error {
		if len(args) != 1 {
			return errors.New("show bgp neighbor needs one address")
		}
		_, err := io.WriteString(w, "neighbor "+args[0]+"\n  state established\n  hold-time 90\n")
		return err
	})
	sh := New(Env{DB: db, User: "alice", Class: SuperUser, Ops: ops, Logger: quiet})
	defer sh.Close()
	contains(t, "help", FormatItems(sh.Help("show ")), "bgp", "Show BGP information")
	contains(t, "args help", FormatItems(sh.Help("show bgp neighbor ")), "<address>")
	if out := mustRun(t, sh, "show bgp neighbor 192.0.2.1 | match hold"); out != "  hold-time 90\n" {
		t.Fatalf("match: %q", out)
	}
	if out := mustRun(t, sh, "show bgp neighbor 192.0.2.1 | except hold | count"); out != "Count: 2 lines\n" {
		t.Fatalf("except | count: %q", out)
	}
	if _, err := run(t, sh, "show bgp neighbor"); err == nil || err.Error() != "show bgp neighbor needs one address" {
		t.Fatalf("op error: %v", err)
	}
	// registered later: seen on the next line
	ops.Register([]string{"clear", "bgp", "neighbor"}, "Reset a session", func(_ context.Context, args []string, w io.Writer) error {
		_, err := io.WriteString(w, "cleared\n")
		return err
	})
	if out := mustRun(t, sh, "clear bgp neighbor 192.0.2.1 soft"); out != "cleared\n" {
		t.Fatalf("clear: %q", out)
	}
	mustRun(t, sh, "configure")
	if out := mustRun(t, sh, "run show bgp neighbor 192.0.2.1 | match state"); out != "  state established\n" {
		t.Fatalf("run: %q", out)
	}
}

func TestShowLogAndMonitor(t *testing.T) {
	db := openDB(t)
	events := make(chan []byte, 3)
	events <- []byte(`{"topic":"bgp/state","peer":"p1"}`)
	events <- []byte(`{"topic":"bgp/state","peer":"p2"}`)
	close(events)
	var gotTopic string
	sh := New(Env{DB: db, User: "alice", Class: Operator, Logger: quiet,
		Log: logLines{"a=1", "b=2", "c=3"},
		Events: func(_ context.Context, topic string) (<-chan []byte, func(), error) {
			gotTopic = topic
			return events, func() {}, nil
		}})
	defer sh.Close()
	if out := mustRun(t, sh, "show log 2"); out != "b=2\nc=3\n" {
		t.Fatalf("show log 2: %q", out)
	}
	if out := mustRun(t, sh, "monitor event bgp/state | match p2"); out != "{\"topic\":\"bgp/state\",\"peer\":\"p2\"}\n" || gotTopic != "bgp/state" {
		t.Fatalf("monitor: %q %q", out, gotTopic)
	}
}

type logLines []string

func (l logLines) Lines(n int) []string {
	if n < len(l) {
		return l[len(l)-n:]
	}
	return l
}

func TestStatusWhileOthersEdit(t *testing.T) {
	db := openDB(t)
	a := newShell(t, db, SuperUser)
	b := newShell(t, db, SuperUser)
	mustRun(t, a, "configure")
	mustRun(t, b, "configure")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			mustRun(t, a, "edit bgp group g")
			mustRun(t, a, "top")
		}
	}()
	for range 50 {
		contains(t, "status", mustRun(t, b, "status"), "Users currently editing the configuration:")
	}
	<-done
}

func TestCommitConfirmedDefault(t *testing.T) {
	db := openDB(t)
	sh := newShell(t, db, SuperUser)
	mustRun(t, sh, "configure")
	mustRun(t, sh, "set system host-name r2")
	contains(t, "confirmed", mustRun(t, sh, "commit confirmed comment x"), "rolled back in 10 minutes")
	if p := db.Pending(); p == nil || time.Until(p.Deadline) < 9*time.Minute {
		t.Fatalf("pending %+v", p)
	}
	contains(t, "help", FormatItems(sh.Help("commit confirmed ")), "<minutes>", "(default 10)", "comment")
	if _, err := run(t, sh, "commit confirmed 0"); err == nil {
		t.Fatal("confirmed 0 accepted")
	}
}
