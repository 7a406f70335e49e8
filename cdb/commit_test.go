package cdb

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb/config"
)

// commit check validates without committing; a commit that does not
// validate leaves running as it was and says precisely what is wrong.
func TestCheckAndValidationFailure(t *testing.T) {
	db, _ := openDB(t, "")
	s := session(t, db, SessionOptions{})
	if err := s.Check(); err != nil {
		t.Fatalf("check of running: %v", err)
	}
	mustSet(t, s, "bgp group g peer p3 hold-time 60", "system login user bob full-name Bob")
	want := "cdb: 2 errors:\nsystem login user bob: mandatory class is missing\nbgp group g peer p3: mandatory remote ip is missing"
	err := s.Check()
	if ve := errAs[*ValidationError](t, err); ve.Error() != want {
		t.Errorf("check:\n%v\nwant:\n%s", ve, want)
	}
	_, err = s.Commit(CommitOptions{Comment: "broken"})
	if err == nil || err.Error() != want {
		t.Errorf("commit:\n%v\nwant:\n%s", err, want)
	}
	if got := runningText(t, db); got != baseConfig {
		t.Errorf("running changed by a failed commit:\n%s", got)
	}
	if h, _ := db.History(); len(h) != 1 {
		t.Errorf("history has %d entries after a failed commit, want 1", len(h))
	}
	if !s.Changed() {
		t.Error("a failed commit dropped the candidate")
	}
	// One error reads as one line.
	mustSet(t, s, "system login user bob class operator")
	if err := s.Check(); err == nil || err.Error() != "cdb: bgp group g peer p3: mandatory remote ip is missing" {
		t.Errorf("check: %v", err)
	}
}

// A validator that a component registers runs at commit, and its message
// reaches the caller.
func TestRegisteredValidator(t *testing.T) {
	config.RegisterValidator("bgp/group/peer", func(tr *config.Tree) error {
		n, _ := tr.Get(words("bgp group g peer p2 hold-time"))
		if n != nil && n.Value() == "33" {
			return tr.Errorf(n, "33 is unlucky")
		}
		return nil
	})
	db, _ := openDB(t, "")
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "bgp group g peer p2 hold-time 33")
	if _, err := s.Commit(CommitOptions{}); err == nil || err.Error() != "cdb: bgp group g peer p2 hold-time: 33 is unlucky" {
		t.Errorf("commit: %v", err)
	}
}

// A commit records sequence, time, user, comment and origin; the history
// keeps the last 50; rollback N loads revision N into the candidate and
// its commit has the origin rollback.
func TestHistoryAndRollback(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	dir := t.TempDir()
	db := mustOpen(t, dir, Options{Schema: coreSchema(t), Factory: []byte(baseConfig), Now: clock})
	s := session(t, db, SessionOptions{User: "alice"})
	for i := 2; i <= 55; i++ {
		now = now.Add(time.Minute)
		mustSet(t, s, fmt.Sprintf("bgp group g peer p2 hold-time %d", 100+i))
		rev := mustCommit(t, s, CommitOptions{Comment: fmt.Sprintf("hold time %d", 100+i)})
		if rev.Seq != uint64(i) {
			t.Fatalf("commit %d made revision %d", i, rev.Seq)
		}
	}
	h, err := db.History()
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != HistorySize {
		t.Fatalf("history holds %d, want %d", len(h), HistorySize)
	}
	want := Revision{Seq: 55, Time: now, User: "alice", Comment: "hold time 155", Origin: OriginCLI}
	if h[0] != want {
		t.Errorf("rollback 0 = %+v, want %+v", h[0], want)
	}
	if h[49].Seq != 6 {
		t.Errorf("oldest kept = %d, want 6", h[49].Seq)
	}
	if _, _, err := db.RollbackConfig(50); err == nil || !strings.Contains(err.Error(), "rollback 50: no such revision (the history holds rollback 0 to 49)") {
		t.Errorf("rollback 50: %v", err)
	}
	old, rev, err := db.RollbackConfig(3)
	if err != nil || rev.Seq != 52 {
		t.Fatalf("rollback 3: revision %d, %v", rev.Seq, err)
	}
	if !strings.Contains(string(old.Text()), "hold-time 152;") {
		t.Errorf("rollback 3 text:\n%s", old.Text())
	}

	if err := s.Rollback(3); err != nil {
		t.Fatal(err)
	}
	if got := candidateText(t, s, config.Hierarchical); got != string(old.Text()) {
		t.Errorf("candidate after rollback 3:\n%s\nwant:\n%s", got, old.Text())
	}
	rb := mustCommit(t, s, CommitOptions{})
	if rb.Origin != OriginRollback || rb.Seq != 56 {
		t.Errorf("commit after rollback: %+v, want origin rollback, revision 56", rb)
	}
	if got := runningText(t, db); got != string(old.Text()) {
		t.Errorf("running after rollback:\n%s", got)
	}
	// The next commit is an ordinary one again.
	mustSet(t, s, "system host-name x")
	if rev := mustCommit(t, s, CommitOptions{}); rev.Origin != OriginCLI {
		t.Errorf("origin after rollback's commit: %v", rev.Origin)
	}
}

// compare: candidate vs running, candidate vs rollback N, rollback N vs M,
// in the +/- form with the hierarchy around each change.
func TestCompare(t *testing.T) {
	db, _ := openDB(t, "")
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "bgp group g peer p2 hold-time 30")
	mustCommit(t, s, CommitOptions{}) // revision 2
	if err := s.Delete(words("bgp group g peer p1")); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "system host-name r2")

	got, err := s.Compare()
	if err != nil {
		t.Fatal(err)
	}
	want := `[edit system]
-    host-name ze;
+    host-name r2;
[edit bgp group g]
-    peer p1 {
-        remote {
-            ip 192.0.2.1;
-            as 65002;
-        }
-        hold-time 90;
-    }
`
	if string(got) != want {
		t.Errorf("compare:\n%s\nwant:\n%s", got, want)
	}
	got, err = s.CompareRollback(1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "[edit bgp group g peer p2]\n+    hold-time 30;\n") {
		t.Errorf("compare rollback 1:\n%s", got)
	}
	got, err = db.CompareRollbacks(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "[edit bgp group g peer p2]\n+    hold-time 30;\n" {
		t.Errorf("compare rollback 1 to 0:\n%s", got)
	}
	if _, err := db.CompareRollbacks(0, 7); err == nil {
		t.Error("compare with a rollback that does not exist")
	}
	if err := s.Discard(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Compare(); len(got) != 0 || s.Changed() {
		t.Errorf("compare after discard: %q", got)
	}
}

// A candidate with changes made from an older running is refused at
// commit; Rebase brings it onto the new running.
func TestStaleCandidate(t *testing.T) {
	db, _ := openDB(t, "")
	a := session(t, db, SessionOptions{User: "alice"})
	b := session(t, db, SessionOptions{User: "bob"})
	mustSet(t, a, "system host-name alpha")
	mustSet(t, b, "bgp group g peer p2 hold-time 30")
	mustCommit(t, b, CommitOptions{})
	mustSet(t, b, "bgp group g peer p2 hold-time 40")
	mustCommit(t, b, CommitOptions{})

	want := "cdb: running changed since this candidate was made (revision 1, now 3); use rebase"
	if err := a.Check(); err == nil || err.Error() != want {
		t.Errorf("check: %v, want %q", err, want)
	}
	_, err := a.Commit(CommitOptions{})
	if se := errAs[*StaleError](t, err); se.Error() != want || se.Base != 1 || se.Running != 3 {
		t.Errorf("commit: %+v", se)
	}
	conflicts, err := a.Rebase()
	if err != nil || len(conflicts) != 0 {
		t.Fatalf("rebase: %v %v", conflicts, err)
	}
	if a.Base() != 3 {
		t.Errorf("base after rebase = %d", a.Base())
	}
	mustCommit(t, a, CommitOptions{})
	got := runningText(t, db)
	if !strings.Contains(got, "host-name alpha;") || !strings.Contains(got, "hold-time 40;") {
		t.Errorf("running after the rebased commit:\n%s", got)
	}
}
