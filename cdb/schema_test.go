package cdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zebgp/ze/yang"
)

// plugModule is the module a path plugin declares when it registers: not
// in ze, with defaults.
const plugModule = `module ze-plugtest {
  yang-version 1.1;
  namespace "urn:ze:yang:ze-plugtest";
  prefix zpt;
  import ze-plugtest-types { prefix zptt; }
  description "A path plugin's module (schema_test.go).";
  container plugtest {
    description "The plugin's config.";
    leaf label { type string; description "A label."; }
    leaf interval { type zptt:seconds; default "30"; description "How often."; }
  }
}
`

// plugTypes is a module plugModule imports: it has no data node of its own.
const plugTypes = `module ze-plugtest-types {
  yang-version 1.1;
  namespace "urn:ze:yang:ze-plugtest-types";
  prefix zptt;
  description "Types of ze-plugtest.";
  typedef seconds { type uint32 { range "1..3600"; } description "Seconds."; }
}
`

// loadWith loads the core modules and the given modules (name → text).
func loadWith(t testing.TB, mods map[string]string) *yang.Tree {
	t.Helper()
	l := yang.NewLoader()
	for n, text := range mods {
		if err := l.Add(n+".yang", []byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	y, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	return y
}

func plugSchema(t testing.TB) *yang.Tree {
	return loadWith(t, map[string]string{"ze-plugtest": plugModule, "ze-plugtest-types": plugTypes})
}

func TestSetSchemaExtends(t *testing.T) {
	db, dir := openDB(t, "")
	s := session(t, db, SessionOptions{Name: "tty1"})
	// Before: the plugin's node is unknown.
	if err := s.Set(words("plugtest label edge")); err == nil || !strings.Contains(err.Error(), "plugtest") {
		t.Fatalf("set before SetSchema: %v", err)
	}
	y := plugSchema(t)
	if err := db.SetSchema(y); err != nil {
		t.Fatal(err)
	}
	if db.Schema() != y {
		t.Errorf("Schema() is not the new schema")
	}
	mustSet(t, s, "plugtest label edge")
	rev := mustCommit(t, s, CommitOptions{Comment: "plugin config"})
	if got := runningText(t, db); !strings.Contains(got, "plugtest {\n    label edge;\n}") {
		t.Errorf("running:\n%s", got)
	}
	// The running configuration's tree is of the new schema.
	run, _, _ := db.Running()
	if run.Schema() != y {
		t.Errorf("running is not of the new schema")
	}
	// The new modules are stored, the core's are not.
	mods := db.Modules()
	if mods["ze-plugtest"] != plugModule || mods["ze-plugtest-types"] != plugTypes || len(mods) != 2 {
		t.Errorf("stored modules: %v", keys(mods))
	}
	// The plugin's config comes completed with its defaults.
	out, err := db.CompleteJSON([]byte(`{"ze-plugtest:plugtest":{"label":"edge"}}`), "ze-plugtest")
	if err != nil || compact(t, out) != `{"ze-plugtest:plugtest":{"label":"edge","interval":30}}` {
		t.Errorf("CompleteJSON: %s, %v", out, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// The next start reads the modules before Open.
	got, err := ReadModules(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got["ze-plugtest"] != plugModule || got["ze-plugtest-types"] != plugTypes || len(got) != 2 {
		t.Fatalf("ReadModules: %v", keys(got))
	}
	db2 := mustOpen(t, dir, Options{Schema: loadWith(t, got)})
	if _, r, _ := db2.Running(); r != rev.Seq {
		t.Errorf("revision %d after reopen, want %d", r, rev.Seq)
	}
	if got := runningText(t, db2); !strings.Contains(got, "label edge;") {
		t.Errorf("running after reopen:\n%s", got)
	}
	// Without the module, the configuration does not read: that is why
	// the modules are stored.
	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, Options{Schema: coreSchema(t), Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "plugtest") {
		t.Errorf("open with the core only: %v", err)
	}
}

func TestReadModulesNoDatabase(t *testing.T) {
	got, err := ReadModules(t.TempDir())
	if err != nil || len(got) != 0 {
		t.Errorf("ReadModules of an empty directory: %v, %v", got, err)
	}
	// A database made with the core only stores nothing.
	db, dir := openDB(t, "")
	_ = db.Close()
	got, err = ReadModules(dir)
	if err != nil || len(got) != 0 {
		t.Errorf("ReadModules of a core database: %v, %v", got, err)
	}
}

func TestReadModulesWhileOpen(t *testing.T) {
	db, dir := openDB(t, "")
	if err := db.SetSchema(plugSchema(t)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := ReadModules(dir)
	if !errors.Is(err, ErrInUse) {
		t.Errorf("ReadModules beside a writer: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("ReadModules waited %s", time.Since(start))
	}
}

// A schema that drops a module, or a node, in use is refused and nothing
// changes.
func TestSetSchemaRefusesRemoval(t *testing.T) {
	dir := t.TempDir()
	ext := testSchema(t)
	db := mustOpen(t, dir, Options{Schema: ext, Factory: []byte(baseConfig + "cdbtest { tag a; }\n")})
	s := session(t, db, SessionOptions{Name: "tty1"})
	mustSet(t, s, "cdbtest tag b")
	before := runningText(t, db)

	err := db.SetSchema(coreSchema(t))
	if err == nil || err.Error() != "cdb: the new schema drops module ze-cdbtest" {
		t.Errorf("dropping a module: %v", err)
	}
	// The same module without the leaf-list tag.
	fewer := strings.Replace(testModule, `leaf-list tag { type string; description "Tags."; }`, "", 1)
	err = db.SetSchema(loadWith(t, map[string]string{"ze-cdbtest": fewer}))
	if err == nil || err.Error() != "cdb: the new schema drops cdbtest/tag (module ze-cdbtest)" {
		t.Errorf("dropping a node: %v", err)
	}
	// The same module where tag is a leaf.
	other := strings.Replace(testModule, `leaf-list tag { type string;`, `leaf tag { type string;`, 1)
	err = db.SetSchema(loadWith(t, map[string]string{"ze-cdbtest": other}))
	if err == nil || !strings.Contains(err.Error(), "cdbtest/tag a leaf, not a leaf-list") {
		t.Errorf("changing a node's kind: %v", err)
	}
	// A type narrowed so that running's value no longer reads.
	narrow := strings.Replace(testModule, `leaf-list tag { type string;`, `leaf-list tag { type string { length "5..10"; }`, 1)
	err = db.SetSchema(loadWith(t, map[string]string{"ze-cdbtest": narrow}))
	if err == nil || !strings.Contains(err.Error(), "the running configuration (revision 1) does not fit the new schema") {
		t.Errorf("narrowing a type: %v", err)
	}
	if db.Schema() != ext {
		t.Errorf("the schema changed")
	}
	if got := runningText(t, db); got != before {
		t.Errorf("running changed:\n%s", got)
	}
	if mods := db.Modules(); mods["ze-cdbtest"] != testModule {
		t.Errorf("stored modules changed: %v", keys(mods))
	}
	// The session goes on with its candidate.
	mustSet(t, s, "cdbtest tag c")
	mustCommit(t, s, CommitOptions{})
	if got := runningText(t, db); !strings.Contains(got, "tag [ a b c ];") {
		t.Errorf("running:\n%s", got)
	}
}

// Open sessions keep their candidates across the change: private ones with
// changes, the shared one, and those without changes follow running.
func TestSetSchemaKeepsCandidates(t *testing.T) {
	db, _ := openDB(t, "")
	a := session(t, db, SessionOptions{Name: "a"})
	mustSet(t, a, "system host-name edge-a")
	b := session(t, db, SessionOptions{Name: "b", Mode: Shared})
	mustSet(t, b, "bgp group g peer p1 hold-time 30")
	if err := b.Annotate(words("bgp group g peer p1"), "the first"); err != nil {
		t.Fatal(err)
	}
	clean := session(t, db, SessionOptions{Name: "clean"})
	cmpA, _ := a.Compare()
	cmpB, _ := b.Compare()

	y := plugSchema(t)
	if err := db.SetSchema(y); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Compare(); string(got) != string(cmpA) {
		t.Errorf("a's changes:\n%s\nwant\n%s", got, cmpA)
	}
	if got, _ := b.Compare(); string(got) != string(cmpB) {
		t.Errorf("b's changes:\n%s\nwant\n%s", got, cmpB)
	}
	for _, s := range []*Session{a, b, clean} {
		c, err := s.Candidate()
		if err != nil {
			t.Fatal(err)
		}
		if c.Schema() != y {
			t.Errorf("session %s: candidate of the old schema", s.Name())
		}
	}
	if clean.Changed() {
		t.Errorf("the clean candidate has changes")
	}
	// Each edits the new module and commits.
	mustSet(t, a, "plugtest label a")
	mustCommit(t, a, CommitOptions{})
	if _, err := b.Rebase(); err != nil {
		t.Fatal(err)
	}
	mustSet(t, b, "plugtest interval 60")
	mustCommit(t, b, CommitOptions{})
	got := runningText(t, db)
	for _, want := range []string{"host-name edge-a;", "# the first", "hold-time 30;", "label a;", "interval 60;"} {
		if !strings.Contains(got, want) {
			t.Errorf("running lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(candidateText(t, clean, 0), "interval 60;") {
		t.Errorf("the clean candidate does not follow running")
	}
}

// A plugin that registers because a commit declared it calls SetSchema
// from what the commit waits for: the commit holds the database, so the
// schema is queued, not waited for, and installed when the commit ends.
func TestSetSchemaDuringCommit(t *testing.T) {
	db, _ := openDB(t, "")
	y := plugSchema(t)
	var setErr error
	db.RegisterApplier("host", "system", applierFuncs{apply: func(d *Diff) error {
		if d.Restore {
			return nil
		}
		done := make(chan error, 1)
		go func() { done <- db.SetSchema(y) }() // another goroutine, as a plugin's session
		select {
		case setErr = <-done:
		case <-time.After(10 * time.Second):
			setErr = errors.New("SetSchema waited for the commit")
		}
		// Queued: the schema is the new one for Schema and CompleteJSON
		// already.
		if db.Schema() != y {
			setErr = errors.Join(setErr, errors.New("Schema() is not the queued schema"))
		}
		return nil
	}})
	s := session(t, db, SessionOptions{Name: "tty1"})
	mustSet(t, s, "system host-name edge")
	mustCommit(t, s, CommitOptions{})
	if setErr != nil {
		t.Fatal(setErr)
	}
	run, _, _ := db.Running()
	if run.Schema() != y {
		t.Fatalf("the queued schema is not installed")
	}
	mustSet(t, s, "plugtest label x")
	mustCommit(t, s, CommitOptions{})
	if !strings.Contains(runningText(t, db), "label x;") {
		t.Errorf("running:\n%s", runningText(t, db))
	}
	if mods := db.Modules(); mods["ze-plugtest"] == "" {
		t.Errorf("stored modules: %v", keys(mods))
	}
	// Queued, a schema that drops a module is still refused at once.
	var dropErr error
	db.RegisterApplier("dropper", "system", applierFuncs{apply: func(d *Diff) error {
		dropErr = db.SetSchema(coreSchema(t))
		return nil
	}})
	mustSet(t, s, "system host-name edge-2")
	mustCommit(t, s, CommitOptions{})
	if dropErr == nil || !strings.Contains(dropErr.Error(), "drops module ze-plugtest") {
		t.Errorf("queued drop: %v", dropErr)
	}
	if db.Schema() != y {
		t.Errorf("schema changed by a refused SetSchema")
	}
}

func TestSetSchemaConcurrent(t *testing.T) {
	db, _ := openDB(t, "")
	y := plugSchema(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := db.Session(SessionOptions{User: "u"})
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			for j := range 20 {
				if err := s.Set(words("system host-name h" + string(rune('a'+i)) + string(rune('a'+j)))); err != nil {
					t.Error(err)
					return
				}
				if err := s.Discard(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 3 {
		if err := db.SetSchema(y); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if db.Schema() != y {
		t.Errorf("schema")
	}
}

// A module stays stored while the configuration uses it; once its subtree
// is gone, the next Open drops it (and the start after that does not load
// it). A commit that uses it again in the meantime stores it again.
func TestModulesPrunedAtOpen(t *testing.T) {
	db, dir := openDB(t, "")
	if err := db.SetSchema(plugSchema(t)); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	// Not used: dropped at the next Open, but still in its schema.
	mods, _ := ReadModules(dir)
	db = mustOpen(t, dir, Options{Schema: loadWith(t, mods), Logger: quiet})
	if got := db.Modules(); len(got) != 0 {
		t.Errorf("unused modules kept: %v", keys(got))
	}
	// Used again by a commit: stored again, with the module it imports.
	s := session(t, db, SessionOptions{Name: "tty1"})
	mustSet(t, s, "plugtest label x")
	mustCommit(t, s, CommitOptions{})
	if got := db.Modules(); got["ze-plugtest"] != plugModule || got["ze-plugtest-types"] != plugTypes {
		t.Errorf("modules after a commit using them: %v", keys(got))
	}
	_ = s.Close()
	_ = db.Close()
	mods, _ = ReadModules(dir)
	if len(mods) != 2 {
		t.Fatalf("ReadModules: %v", keys(mods))
	}
	// Kept while used.
	db = mustOpen(t, dir, Options{Schema: loadWith(t, mods), Logger: quiet})
	if got := db.Modules(); len(got) != 2 {
		t.Errorf("used modules dropped: %v", keys(got))
	}
	s = session(t, db, SessionOptions{Name: "tty1"})
	if err := s.Delete(words("plugtest")); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s, CommitOptions{})
	_ = s.Close()
	_ = db.Close()
	db = mustOpen(t, dir, Options{Schema: loadWith(t, mods), Logger: quiet})
	_ = db.Close()
	if mods, _ := ReadModules(dir); len(mods) != 0 {
		t.Errorf("modules of a deleted subtree: %v", keys(mods))
	}
}

func TestSetSchemaReadOnly(t *testing.T) {
	db, dir := openDB(t, "")
	_ = db.Close()
	ro := mustOpen(t, dir, Options{Schema: coreSchema(t), ReadOnly: true})
	if err := ro.SetSchema(plugSchema(t)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("SetSchema read-only: %v", err)
	}
	if err := ro.SetSchema(nil); err == nil {
		t.Errorf("SetSchema(nil) accepted")
	}
}

type applierFuncs struct{ apply func(*Diff) error }

func (a applierFuncs) Verify(*Diff) error  { return nil }
func (a applierFuncs) Apply(d *Diff) error { return a.apply(d) }

func compact(t testing.TB, b []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out.String()
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// BenchmarkSetSchema1000Peers installs a schema with one more module over
// the running configuration of 1,000 peers (read again with it), and back
// to an equal copy: the cost a plugin's registration adds once.
func BenchmarkSetSchema1000Peers(b *testing.B) {
	db, _ := bigDB(b)
	schemas := [2]*yang.Tree{plugSchema(b), plugSchema(b)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := db.SetSchema(schemas[i%2]); err != nil {
			b.Fatal(err)
		}
	}
}
