package cdb

import (
	"strings"
	"testing"
	"time"
)

// waitRevision waits until running is at revision rev.
func waitRevision(t *testing.T, db *DB, rev uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, r, _ := db.Running(); r >= rev {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, r, _ := db.Running()
	t.Fatalf("running is at revision %d, want %d", r, rev)
}

// checkRestored checks that the last revision restored the configuration
// text before the unconfirmed commit confirmed seq.
func checkRestored(t *testing.T, db *DB, text string, seq uint64) {
	t.Helper()
	if got := runningText(t, db); got != text {
		t.Errorf("running after the timeout:\n%s\nwant:\n%s", got, text)
	}
	h, err := db.History()
	if err != nil {
		t.Fatal(err)
	}
	if h[0].Origin != OriginConfirmedTimeout || h[0].Seq != seq+1 || !strings.HasPrefix(h[0].Comment, "revision ") {
		t.Errorf("last revision %+v, want the restore of %d", h[0], seq)
	}
	if p := db.Pending(); p != nil {
		t.Errorf("still pending: %+v", p)
	}
}

// Without a confirming commit in time, the process restores the previous
// configuration by itself.
func TestConfirmedTimeout(t *testing.T) {
	db, _ := openDB(t, "")
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name locked-out")
	rev := mustCommit(t, s, CommitOptions{Confirmed: 150 * time.Millisecond, Comment: "risky"})
	if rev.ConfirmBy.IsZero() {
		t.Error("a commit confirmed without its deadline in the history")
	}
	p := db.Pending()
	if p == nil || p.Seq != 2 || p.Restore != 1 || p.User != "alice" {
		t.Fatalf("pending = %+v", p)
	}
	if got := runningText(t, db); !strings.Contains(got, "locked-out") {
		t.Fatalf("the commit confirmed is not running:\n%s", got)
	}
	waitRevision(t, db, 3)
	checkRestored(t, db, baseConfig, 2)
	// The session's candidate follows the restored running.
	if got := candidateText(t, s, 0); got != baseConfig {
		t.Errorf("candidate after the restore:\n%s", got)
	}
}

// A plain commit confirms: nothing is restored later.
func TestConfirmedThenConfirmed(t *testing.T) {
	db, _ := openDB(t, "")
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name kept")
	mustCommit(t, s, CommitOptions{Confirmed: 100 * time.Millisecond})
	rev := mustCommit(t, s, CommitOptions{Comment: "confirm"})
	if rev.Seq != 3 || db.Pending() != nil {
		t.Fatalf("confirming commit: %+v, pending %+v", rev, db.Pending())
	}
	time.Sleep(250 * time.Millisecond)
	if _, r, _ := db.Running(); r != 3 || !strings.Contains(runningText(t, db), "host-name kept") {
		t.Errorf("a confirmed commit was rolled back (revision %d)", r)
	}
}

// A commit confirmed over one still pending restores, at its deadline,
// the configuration before the first: the last one confirmed.
func TestConfirmedTwice(t *testing.T) {
	db, _ := openDB(t, "")
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name one")
	mustCommit(t, s, CommitOptions{Confirmed: time.Hour})
	mustSet(t, s, "system host-name two")
	mustCommit(t, s, CommitOptions{Confirmed: 100 * time.Millisecond})
	if p := db.Pending(); p == nil || p.Seq != 3 || p.Restore != 1 {
		t.Fatalf("pending = %+v, want 3 restoring 1", p)
	}
	waitRevision(t, db, 4)
	checkRestored(t, db, baseConfig, 3)
}

// The deadline is stored: a process that dies with a commit confirmed
// pending has it restored by the next Open after the deadline, or timed
// again by an Open before it.
func TestConfirmedAcrossRestart(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	dir := t.TempDir()
	y := coreSchema(t)
	db := mustOpen(t, dir, Options{Schema: y, Factory: []byte(baseConfig), Now: clock})
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name away")
	mustCommit(t, s, CommitOptions{Confirmed: 10 * time.Minute})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	now = now.Add(9 * time.Minute)
	db = mustOpen(t, dir, Options{Schema: y, Now: clock})
	if p := db.Pending(); p == nil || !p.Deadline.Equal(time.Date(2026, 5, 1, 12, 10, 0, 0, time.UTC)) {
		t.Fatalf("pending after a restart before the deadline: %+v", p)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	now = now.Add(2 * time.Minute)
	db = mustOpen(t, dir, Options{Schema: y, Now: clock})
	checkRestored(t, db, baseConfig, 2)
}

// An Open before the deadline times the confirmation again in the new
// process.
func TestConfirmedRearmedAtOpen(t *testing.T) {
	dir := t.TempDir()
	y := coreSchema(t)
	db := mustOpen(t, dir, Options{Schema: y, Factory: []byte(baseConfig)})
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name away")
	mustCommit(t, s, CommitOptions{Confirmed: 300 * time.Millisecond})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpen(t, dir, Options{Schema: y})
	if db.Pending() == nil {
		t.Fatal("the pending confirmation was lost")
	}
	waitRevision(t, db, 3)
	checkRestored(t, db, baseConfig, 2)
}
