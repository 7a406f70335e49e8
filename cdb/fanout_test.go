package cdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/engine/commit"
)

// owner is a commit owner that keeps the JSON of its subtree it applied.
type owner struct {
	mu      sync.Mutex
	name    string
	veto    string
	fail    string
	calls   []string
	applied string
}

func (o *owner) Verify(_ context.Context, r *commit.Request) error {
	b, err := r.JSON()
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, fmt.Sprintf("verify %d %s %s", r.Revision, strings.Join(r.Paths(), ","), b))
	if o.veto != "" {
		return errors.New(o.veto)
	}
	return nil
}

func (o *owner) Apply(_ context.Context, r *commit.Request) error {
	b, err := r.JSON()
	if err != nil {
		return err
	}
	if _, ok := r.New.(*config.Tree); !ok {
		return fmt.Errorf("New is a %T", r.New)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, fmt.Sprintf("apply %d restore=%v %s", r.Revision, r.Restore, b))
	if o.fail != "" && !r.Restore {
		return errors.New(o.fail)
	}
	o.applied = string(b)
	return nil
}

func (o *owner) log() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.calls
	o.calls = nil
	return out
}

func fanoutDB(t *testing.T) (*DB, *commit.Coordinator) {
	t.Helper()
	db, _ := openDB(t, "")
	c := commit.New(commit.Config{Logger: quiet})
	db.RegisterFanout(c)
	return db, c
}

// TestFanoutCommit: a commit reaches the owners of what changed, with the
// JSON of their subtree, and only them.
func TestFanoutCommit(t *testing.T) {
	db, c := fanoutDB(t)
	sys := &owner{name: "system"}
	bgp := &owner{name: "bgp"}
	c.Register("system", "ze-system:", sys)
	c.Register("bgp", "bgp/group", bgp)
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name edge-1")
	rev := mustCommit(t, s, CommitOptions{})
	want := []string{
		`verify 2 ze-system:system/host-name {"ze-system:system":{"host-name":"edge-1"}}`,
		`apply 2 restore=false {"ze-system:system":{"host-name":"edge-1"}}`,
	}
	if got := sys.log(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("system got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := bgp.log(); len(got) != 0 {
		t.Errorf("bgp was called for a system change: %q", got)
	}
	if rev.Seq != 2 {
		t.Errorf("revision %d", rev.Seq)
	}
}

// TestFanoutVeto: an owner's veto is the commit's error, naming the owner,
// and running does not change.
func TestFanoutVeto(t *testing.T) {
	db, c := fanoutDB(t)
	c.Register("plugin/counter", "ze-system:", &owner{name: "x", veto: `host name "bad" is reserved`})
	before := runningText(t, db)
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name bad")
	_, err := s.Commit(CommitOptions{})
	ve := errAs[*VetoError](t, err)
	if ve.Applier != "plugin/counter" || ve.Err.Error() != `host name "bad" is reserved` {
		t.Errorf("got %+v", ve)
	}
	if want := `cdb: commit refused by plugin/counter: host name "bad" is reserved`; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if after := runningText(t, db); after != before {
		t.Errorf("running changed:\n%s", after)
	}
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "refused by plugin/counter") {
		t.Errorf("check: %v", err)
	}
}

// TestFanoutApplyFailure: a failed apply names the owner; the owners that
// had applied get the old JSON back, and a later applier of cdb is not
// reached.
func TestFanoutApplyFailure(t *testing.T) {
	db, c := fanoutDB(t)
	first := &owner{name: "first"}
	c.Register("first", "system", first)
	c.Register("bgp", "system", &owner{name: "bgp", fail: "cannot bind"})
	later := &fakeApplier{name: "later"}
	db.RegisterApplier("later", "system", later)
	before := runningText(t, db)
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name edge-2")
	_, err := s.Commit(CommitOptions{})
	ae := errAs[*ApplyError](t, err)
	if ae.Applier != "bgp" || ae.Err.Error() != "cannot bind" || ae.Restore != nil || ae.Running != 1 {
		t.Errorf("got %+v", ae)
	}
	want := []string{
		`verify 2 ze-system:system/host-name {"ze-system:system":{"host-name":"edge-2"}}`,
		`apply 2 restore=false {"ze-system:system":{"host-name":"edge-2"}}`,
		`apply 2 restore=true {"ze-system:system":{"host-name":"ze"}}`,
	}
	if got := first.log(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("first got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := later.log(); len(got) != 1 || !strings.HasPrefix(got[0], "later verify") {
		t.Errorf("later: %q", got)
	}
	if after := runningText(t, db); after != before {
		t.Errorf("running changed:\n%s", after)
	}
}

// TestFanoutRestoreAfterLaterApplier: when an applier of cdb after the
// coordinator fails, cdb gives the old configuration back through the
// coordinator to the owners that applied.
func TestFanoutRestoreAfterLaterApplier(t *testing.T) {
	db, c := fanoutDB(t)
	o := &owner{name: "o"}
	c.Register("o", "system", o)
	db.RegisterApplier("later", "system", &fakeApplier{name: "later", failApply: errors.New("disk full")})
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name edge-3")
	_, err := s.Commit(CommitOptions{})
	ae := errAs[*ApplyError](t, err)
	if ae.Applier != "later" {
		t.Errorf("got %+v", ae)
	}
	got := o.log()
	if len(got) != 3 || got[2] != `apply 1 restore=true {"ze-system:system":{"host-name":"ze"}}` {
		t.Errorf("got %q", got)
	}
	if o.applied != `{"ze-system:system":{"host-name":"ze"}}` {
		t.Errorf("the owner holds %s", o.applied)
	}
}

func TestRenderPaths(t *testing.T) {
	db, _ := fanoutDB(t)
	tree, _, err := db.Running()
	if err != nil {
		t.Fatal(err)
	}
	f := NewFanout(commit.New(commit.Config{}))
	tests := []struct{ path, want string }{
		{"ze-system:", `{"ze-system:system":{"host-name":"ze"}}`},
		{"system/host-name", `{"ze-system:system":{"host-name":"ze"}}`},
		{"ze-plugin:", `{}`},
		{"nothing", `{}`},
	}
	for _, tt := range tests {
		b, err := f.render(tree, tt.path)
		if err != nil || string(b) != tt.want {
			t.Errorf("%q: got %s, %v; want %s", tt.path, b, err, tt.want)
		}
	}
	b, err := f.render(tree, "")
	if err != nil || !strings.Contains(string(b), `"ze-bgp:bgp":{"group":[{"name":"g"`) || !strings.HasPrefix(string(b), `{"ze-bgp:bgp"`) {
		t.Errorf("whole: %s %v", b, err)
	}
}
