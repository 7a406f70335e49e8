package config

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/yang"
)

// stateWithConfirm makes a state directory whose last commit is a commit
// confirmed made at "at" for d.
func stateWithConfirm(t *testing.T, at time.Time, d time.Duration) string {
	t.Helper()
	y, err := yang.Core()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := cdb.Open(dir, cdb.Options{Schema: y, Logger: quiet, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Session(cdb.SessionOptions{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(strings.Fields("system host-name risky")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(cdb.CommitOptions{Confirmed: d}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// factorySet is the factory default (without an admin password) in the
// set form.
const factorySet = `set system host-name ze
set system login user admin class super-user
set system ssh address 127.0.0.1
set system ssh port 2222
`

func runState(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errs)
	return code, out.String(), errs.String()
}

// A commit confirmed whose deadline passed while no process had the
// database open is restored by the next command, which says so.
func TestStateConfirmExpired(t *testing.T) {
	dir := stateWithConfirm(t, time.Now().Add(-time.Hour), 10*time.Minute)
	code, out, errs := runState(t, "show", "--state", dir, "--format", "set")
	if code != exitOK || out != factorySet {
		t.Errorf("show: exit %d, stdout %q, want the factory default restored", code, out)
	}
	if !strings.Contains(errs, "commit confirmed not confirmed in time: configuration restored") {
		t.Errorf("stderr %q, want the warning", errs)
	}
	code, out, _ = runState(t, "history", "--state", dir)
	if code != exitOK || !strings.Contains(out, "confirmed-timeout  revision 2 was not confirmed by ") {
		t.Errorf("history: exit %d\n%s", code, out)
	}
}

// history marks a commit confirmed that waits for its confirmation.
func TestStateConfirmPending(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	dir := stateWithConfirm(t, at, time.Hour)
	code, out, errs := runState(t, "history", "--state", dir)
	want := "alice  cli              (commit confirmed: rolled back at 2030-01-02 04:04:05 unless confirmed)\n"
	if code != exitOK || !strings.Contains(out, want) || errs != "" {
		t.Errorf("history: exit %d, stderr %q, stdout:\n%s\nwant a line ending %q", code, errs, out, want)
	}
	// A plain commit confirms it.
	if code, _, errs := runState(t, "set", "--state", dir, "system", "host-name", "kept"); code != exitOK {
		t.Fatalf("set: exit %d: %s", code, errs)
	}
	if _, out, _ := runState(t, "history", "--state", dir); strings.Contains(out, "commit confirmed") {
		t.Errorf("still pending after a commit:\n%s", out)
	}
}

// Usage errors of the state commands.
func TestStateUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"import", "--state", dir}, "ze config import: want one FILE\n"},
		{[]string{"set", "--state", dir}, "ze config set: want a PATH\n"},
		{[]string{"rollback", "--state", dir, "1", "2"}, "ze config rollback: want one N\n"},
		{[]string{"show", "--state", dir, "extra"}, "ze config show: unexpected argument \"extra\"\n"},
		{[]string{"history", "--state", dir, "extra"}, "ze config history: unexpected argument \"extra\"\n"},
		{[]string{"compare", "--state", dir, "a", "b"}, "ze config compare: want at most one FILE\n"},
		{[]string{"compare", "--state", dir, "--rollback", "x"}, "ze config compare: rollback \"x\": want a number from 0 (running) to 49\n"},
		{[]string{"show", "--nope"}, "usage: ze config import"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:1], " "), func(t *testing.T) {
			code, _, errs := runState(t, tt.args...)
			if code != exitError || !strings.Contains(errs, tt.want) {
				t.Errorf("ze config %v: exit %d, stderr %q, want 1 and %q", tt.args, code, errs, tt.want)
			}
		})
	}
}
