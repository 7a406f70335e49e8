package cdb

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb/config"
)

// Each private session edits a candidate of its own: neither sees the
// other's changes, and running changes only at a commit.
func TestPrivateCandidates(t *testing.T) {
	db, _ := openDB(t, "")
	a := session(t, db, SessionOptions{User: "alice"})
	b := session(t, db, SessionOptions{User: "bob"})
	mustSet(t, a, "system host-name alpha")
	mustSet(t, b, "bgp group g peer p2 hold-time 30")
	if got := candidateText(t, b, config.SetForm); strings.Contains(got, "alpha") {
		t.Errorf("bob's candidate has alice's change:\n%s", got)
	}
	if got := runningText(t, db); got != baseConfig {
		t.Errorf("running changed before any commit:\n%s", got)
	}
	if !a.Changed() || a.Base() != 1 {
		t.Errorf("alice: changed %v base %d, want true 1", a.Changed(), a.Base())
	}
	mustCommit(t, a, CommitOptions{})
	if a.Changed() || a.Base() != 2 {
		t.Errorf("alice after commit: changed %v base %d, want false 2", a.Changed(), a.Base())
	}
	// A session without changes follows running.
	c := session(t, db, SessionOptions{User: "carol"})
	if got := candidateText(t, c, config.SetForm); !strings.Contains(got, "set system host-name alpha") {
		t.Errorf("a new session does not start from running:\n%s", got)
	}
}

// The shared candidate is one for all shared sessions; configure exclusive
// locks it: other sessions can neither edit it nor commit, opening
// another shared or exclusive session is refused naming the holder, and
// closing the exclusive session releases the lock and drops its
// uncommitted changes.
func TestExclusiveLock(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	db := mustOpen(t, dir, Options{Schema: coreSchema(t), Factory: []byte(baseConfig), Now: func() time.Time { return now }})
	sh1 := session(t, db, SessionOptions{Name: "tty1", User: "alice", Mode: Shared})
	sh2 := session(t, db, SessionOptions{Name: "tty2", User: "bob", Mode: Shared})
	mustSet(t, sh1, "system host-name shared")
	if got := candidateText(t, sh2, config.SetForm); !strings.Contains(got, "host-name shared") {
		t.Errorf("the shared candidate is not shared:\n%s", got)
	}
	if err := sh2.Discard(); err != nil {
		t.Fatal(err)
	}

	ex := session(t, db, SessionOptions{Name: "tty3", User: "carol", Mode: Exclusive})
	if s, u := db.Lock(); s != "tty3" || u != "carol" {
		t.Errorf("Lock() = %q %q, want tty3 carol", s, u)
	}
	want := "cdb: configuration locked by carol (session tty3, exclusive since 2026-03-01 10:00:00)"
	_, err := db.Session(SessionOptions{Name: "tty4", User: "dave", Mode: Exclusive})
	if le := errAs[*LockedError](t, err); le.Error() != want {
		t.Errorf("second exclusive: %v, want %q", le, want)
	}
	if _, err := db.Session(SessionOptions{Name: "tty4", User: "dave", Mode: Shared}); err == nil {
		t.Error("a shared session opened while locked")
	}
	if err := sh1.Set(words("system host-name nope")); err == nil || err.Error() != want {
		t.Errorf("shared edit while locked: %v, want %q", err, want)
	}
	priv := session(t, db, SessionOptions{Name: "tty5", User: "erin"})
	mustSet(t, priv, "system host-name private") // a private candidate may be edited
	if _, err := priv.Commit(CommitOptions{}); err == nil || err.Error() != want {
		t.Errorf("commit of another session while locked: %v, want %q", err, want)
	}

	mustSet(t, ex, "system host-name exclusive")
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Lock(); s != "" {
		t.Errorf("lock still held by %q after close", s)
	}
	if got := candidateText(t, sh1, config.SetForm); strings.Contains(got, "exclusive") {
		t.Errorf("the exclusive session's uncommitted change survived its close:\n%s", got)
	}
	mustSet(t, sh1, "system host-name after")
	mustCommit(t, sh1, CommitOptions{})
	if _, err := db.Session(SessionOptions{Name: "tty1"}); err == nil {
		t.Error("two open sessions of the same name")
	}
}

// A private candidate is stored: a session of the same name resumes it
// after the database was closed (a restart); closing the session drops it.
func TestResumePrivateCandidate(t *testing.T) {
	db, dir := openDB(t, "")
	s := session(t, db, SessionOptions{Name: "alice-1"})
	mustSet(t, s, "bgp group g peer p2 hold-time 30")
	if err := s.Deactivate(words("bgp group g peer p1")); err != nil {
		t.Fatal(err)
	}
	want := candidateText(t, s, config.Hierarchical)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpen(t, dir, Options{Schema: coreSchema(t)})
	s = session(t, db, SessionOptions{Name: "alice-1"})
	if got := candidateText(t, s, config.Hierarchical); got != want {
		t.Errorf("resumed candidate:\n%s\nwant:\n%s", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = session(t, db, SessionOptions{Name: "alice-1"})
	if s.Changed() {
		t.Error("closing a private session kept its candidate")
	}
	if err := s.Close(); err != nil || !errors.Is(s.Set(words("system host-name x")), ErrClosed) {
		t.Errorf("a closed session can still be used (close: %v)", err)
	}
}

func TestSessionErrors(t *testing.T) {
	db, _ := openDB(t, "")
	if _, err := db.Session(SessionOptions{Mode: Mode(9)}); err == nil {
		t.Error("invalid mode accepted")
	}
	s := session(t, db, SessionOptions{})
	if !strings.HasPrefix(s.Name(), "session-") || s.User() != "alice" || s.Mode() != Private {
		t.Errorf("session %q %q %v", s.Name(), s.User(), s.Mode())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(SessionOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Session on a closed db: %v", err)
	}
}
