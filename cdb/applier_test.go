package cdb

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb/config"
)

// fakeApplier records what it is given and keeps the configuration it
// applied, as a component would.
type fakeApplier struct {
	mu        sync.Mutex
	name      string
	calls     []string
	state     string // the text of the last configuration applied
	vetoWith  error
	failApply error
	failUndo  error // fail the Apply of a Restore
}

func (f *fakeApplier) record(verb string, d *Diff) {
	var paths []string
	for _, c := range d.Changes {
		paths = append(paths, c.Kind.String()+" "+config.JoinPath(c.Path))
	}
	restore := ""
	if d.Restore {
		restore = " restore"
	}
	f.calls = append(f.calls, fmt.Sprintf("%s %s %d%s: %s", f.name, verb, d.Revision, restore, strings.Join(paths, ", ")))
}

func (f *fakeApplier) Verify(d *Diff) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("verify", d)
	return f.vetoWith
}

func (f *fakeApplier) Apply(d *Diff) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("apply", d)
	if f.failApply != nil && !d.Restore {
		f.state = "half applied"
		return f.failApply
	}
	if f.failUndo != nil && d.Restore {
		return f.failUndo
	}
	f.state = string(d.New.Text())
	return nil
}

func (f *fakeApplier) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// calls merges the logs of appliers in order.
func calls(fs ...*fakeApplier) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.log()...)
	}
	return strings.Join(out, "\n")
}

// A commit verifies with every applier concerned, then applies, in the
// order they were registered; an applier of another subtree is not called.
func TestAppliersCalled(t *testing.T) {
	db, _ := openDB(t, "")
	bgp := &fakeApplier{name: "bgp"}
	sys := &fakeApplier{name: "system"}
	peer := &fakeApplier{name: "peers"}
	db.RegisterApplier("bgp", "bgp", bgp)
	db.RegisterApplier("system", "system", sys)
	db.RegisterApplier("peers", "bgp/group/peer", peer)
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "bgp group g peer p2 hold-time 30", "bgp group g local-as 65009")
	if err := s.Deactivate(words("bgp group g peer p1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s, CommitOptions{})
	want := `bgp verify 2: modified bgp group g local-as, deleted bgp group g peer p1, added bgp group g peer p2 hold-time
bgp verify 2: modified bgp group g local-as, deleted bgp group g peer p1, added bgp group g peer p2 hold-time
bgp apply 2: modified bgp group g local-as, deleted bgp group g peer p1, added bgp group g peer p2 hold-time
peers verify 2: deleted bgp group g peer p1, added bgp group g peer p2 hold-time
peers verify 2: deleted bgp group g peer p1, added bgp group g peer p2 hold-time
peers apply 2: deleted bgp group g peer p1, added bgp group g peer p2 hold-time`
	if got := calls(bgp, sys, peer); got != want {
		t.Errorf("calls (check, then commit):\n%s\nwant:\n%s", got, want)
	}
	// The applied configuration leaves the inactive peer out.
	if strings.Contains(bgp.state, "p1") || !strings.Contains(bgp.state, "hold-time 30;") {
		t.Errorf("bgp applied:\n%s", bgp.state)
	}
	mustSet(t, s, "system host-name x")
	mustCommit(t, s, CommitOptions{})
	if got := sys.log(); len(got) != 2 || got[1] != "system apply 3: modified system host-name" {
		t.Errorf("system applier: %q", got)
	}
	if len(bgp.log()) != 3 {
		t.Errorf("the bgp applier was called for a change of system: %q", bgp.log())
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a name twice did not panic")
		}
	}()
	db.RegisterApplier("bgp", "", &fakeApplier{})
}

// An applier that vetoes at verify stops the commit: its message reaches
// the caller, nothing is applied, running stays.
func TestApplierVeto(t *testing.T) {
	db, _ := openDB(t, "")
	a := &fakeApplier{name: "a"}
	b := &fakeApplier{name: "b", vetoWith: errors.New("peer p2: hold time 30 is below the local minimum 60")}
	c := &fakeApplier{name: "c"}
	db.RegisterApplier("a", "", a)
	db.RegisterApplier("b", "bgp", b)
	db.RegisterApplier("c", "", c)
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "bgp group g peer p2 hold-time 30")
	want := "cdb: commit refused by b: peer p2: hold time 30 is below the local minimum 60"
	if err := s.Check(); err == nil || err.Error() != want {
		t.Errorf("check: %v, want %q", err, want)
	}
	_, err := s.Commit(CommitOptions{})
	if ve := errAs[*VetoError](t, err); ve.Error() != want || ve.Applier != "b" {
		t.Errorf("commit: %v, want %q", ve, want)
	}
	if got := calls(a, b, c); strings.Contains(got, "apply") || strings.Contains(got, "c verify") {
		t.Errorf("calls after a veto:\n%s", got)
	}
	if got := runningText(t, db); got != baseConfig {
		t.Errorf("running changed:\n%s", got)
	}
}

// An applier that fails to apply: running stays as before, the appliers
// given the new configuration (the failing one too) are given the old
// one again, later ones are not called, and the failure is reported.
func TestApplierFails(t *testing.T) {
	db, _ := openDB(t, "")
	a := &fakeApplier{name: "a"}
	b := &fakeApplier{name: "b"}
	c := &fakeApplier{name: "c"}
	db.RegisterApplier("a", "", a)
	db.RegisterApplier("b", "", b)
	db.RegisterApplier("c", "", c)
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "bgp group g peer p2 hold-time 30")
	mustCommit(t, s, CommitOptions{}) // b fails only at the second commit
	if !strings.Contains(a.state, "hold-time 30;") {
		t.Fatalf("a has:\n%s", a.state)
	}
	old := a.state
	b.failApply = errors.New("peer p2: no route to 192.0.2.2")
	for _, f := range []*fakeApplier{a, b, c} {
		f.calls = nil
	}
	mustSet(t, s, "bgp group g peer p2 hold-time 45")
	_, err := s.Commit(CommitOptions{})
	ae := errAs[*ApplyError](t, err)
	want := "cdb: commit failed: b could not apply it: peer p2: no route to 192.0.2.2; running configuration unchanged (revision 2)"
	if ae.Error() != want || ae.Restore != nil || ae.Running != 2 {
		t.Errorf("commit: %v, want %q", ae, want)
	}
	wantCalls := `a verify 3: modified bgp group g peer p2 hold-time
a apply 3: modified bgp group g peer p2 hold-time
a apply 2 restore: modified bgp group g peer p2 hold-time
b verify 3: modified bgp group g peer p2 hold-time
b apply 3: modified bgp group g peer p2 hold-time
b apply 2 restore: modified bgp group g peer p2 hold-time
c verify 3: modified bgp group g peer p2 hold-time`
	if got := calls(a, b, c); got != wantCalls {
		t.Errorf("calls:\n%s\nwant:\n%s", got, wantCalls)
	}
	if a.state != old || b.state != old {
		t.Errorf("after the failure a has:\n%s\nb has:\n%s\nwant the old:\n%s", a.state, b.state, old)
	}
	if got := runningText(t, db); !strings.Contains(got, "hold-time 30;") {
		t.Errorf("running changed:\n%s", got)
	}
	if h, _ := db.History(); len(h) != 2 {
		t.Errorf("history has %d entries, want 2", len(h))
	}
	// Re-applying that fails too is reported with it.
	a.failUndo = errors.New("a is gone")
	_, err = s.Commit(CommitOptions{})
	want += "; re-applying it failed too: a: a is gone"
	if err == nil || err.Error() != want {
		t.Errorf("commit:\n%v\nwant:\n%s", err, want)
	}
}

// The restore after an unconfirmed commit goes through the appliers.
func TestApplierConfirmedTimeout(t *testing.T) {
	db, _ := openDB(t, "")
	a := &fakeApplier{name: "a"}
	db.RegisterApplier("a", "", a)
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "bgp group g peer p2 hold-time 30")
	mustCommit(t, s, CommitOptions{Confirmed: 50 * time.Millisecond})
	waitRevision(t, db, 3)
	want := "a verify 2: added bgp group g peer p2 hold-time\na apply 2: added bgp group g peer p2 hold-time\n" +
		"a verify 3: deleted bgp group g peer p2 hold-time\na apply 3: deleted bgp group g peer p2 hold-time"
	if got := calls(a); got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(a.state, "hold-time 30") {
		t.Errorf("a still has the unconfirmed configuration:\n%s", a.state)
	}
}
