package cdb

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	goyang "github.com/openconfig/goyang/pkg/yang"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

// bucketModules holds the YANG modules, beyond ze's core, that the stored
// configurations need: module name → its text (docs/cdb.md, "Schema").
var bucketModules = []byte("modules")

// schemaState is what SetSchema keeps besides db.y.
type schemaState struct {
	mu      sync.Mutex // guards calling and next
	calling int        // > 0 while appliers are called with db.mu held
	next    *yang.Tree // queued by SetSchema during a call-out

	latest atomic.Pointer[yang.Tree] // the newest schema accepted (Schema)

	// Under db.mu: the modules bucket as stored (name → text).
	stored map[string]string
}

// Schema returns the schema of the database: the one given to Open or the
// last one SetSchema accepted. It does not wait for the database (it may
// be called from an applier, while a commit is in progress).
func (db *DB) Schema() *yang.Tree {
	if y := db.sch.latest.Load(); y != nil {
		return y
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.y
}

// CompleteJSON reads doc, RFC 7951 JSON of the configuration (the whole of
// it or some top-level members), with the database's schema and returns
// the members of module completed with their defaults
// (config.CompleteJSON): what the plugin whose module it is is configured
// with. Like Schema, it does not wait for the database.
func (db *DB) CompleteJSON(doc []byte, module string) ([]byte, error) {
	return config.CompleteJSON(db.Schema(), doc, module)
}

// SetSchema replaces the schema of the database while it is open, to add
// modules (those a plugin brings when it registers). Only additions are
// allowed: every module and every data node of the current schema must be
// in y, and the running configuration and the candidates of the open
// sessions (the shared one included) must read with y; otherwise nothing
// changes and the error says which module, node or configuration does not
// fit. They are read again with y and swapped at once, under the database's
// lock, so that sessions keep their candidates. The modules of y that are
// new or changed are stored in the database (bucket "modules"), for
// ReadModules at the next start.
//
// Called while the appliers of a commit (or commit check) are running,
// from one of them or from what they wait for (a plugin that registers
// because the commit declared it), SetSchema does not wait for the
// commit: it checks the modules and nodes, queues y and returns; y is
// installed when the commit ends, before any other use of the database. If
// the configurations do not read with it then, it is logged and dropped.
func (db *DB) SetSchema(y *yang.Tree) error {
	if y == nil {
		return errors.New("cdb: SetSchema without a schema")
	}
	if db.readOnly {
		return ErrReadOnly
	}
	for {
		if db.mu.TryLock() {
			defer db.mu.Unlock()
			if db.closed {
				return ErrClosed
			}
			return db.installSchema(y)
		}
		db.sch.mu.Lock()
		if db.sch.calling > 0 {
			defer db.sch.mu.Unlock()
			from := db.sch.latest.Load()
			if err := additive(from, y); err != nil {
				return err
			}
			db.sch.next = y
			db.sch.latest.Store(y)
			db.log.Info("schema change queued until the commit in progress ends", "modules", len(y.Modules()))
			return nil
		}
		db.sch.mu.Unlock()
		// Another operation holds the lock for a moment.
		time.Sleep(200 * time.Microsecond)
	}
}

// enterCallOut marks that appliers are about to be called with db.mu held.
func (db *DB) enterCallOut() {
	db.sch.mu.Lock()
	db.sch.calling++
	db.sch.mu.Unlock()
}

// leaveCallOut ends a call-out (db.mu still held) and installs the schema
// that SetSchema queued meanwhile.
func (db *DB) leaveCallOut() {
	db.sch.mu.Lock()
	db.sch.calling--
	var y *yang.Tree
	if db.sch.calling == 0 {
		y, db.sch.next = db.sch.next, nil
	}
	db.sch.mu.Unlock()
	if y == nil {
		return
	}
	if err := db.installSchema(y); err != nil {
		db.sch.latest.Store(db.y)
		db.log.Error("the schema queued during a commit is dropped", "error", err.Error())
	}
}

// installSchema is SetSchema with db.mu held.
func (db *DB) installSchema(y *yang.Tree) error {
	if y == db.y {
		return nil
	}
	if err := additive(db.y, y); err != nil {
		return err
	}
	reparse := func(t *config.Tree) (*config.Tree, error) {
		return config.Parse(y, t.Text(), config.Options{Format: config.Hierarchical})
	}
	run, err := reparse(db.running)
	if err != nil {
		return fmt.Errorf("cdb: the running configuration (revision %d) does not fit the new schema: %w", db.rev, err)
	}
	// Every candidate in memory: those of the open sessions and the shared
	// one. A candidate without changes follows running.
	type swap struct {
		c          *candidate
		tree, base *config.Tree
	}
	var swaps []swap
	seen := map[*candidate]bool{}
	cands := []*candidate{db.shared}
	for _, s := range db.sessions {
		cands = append(cands, s.cand)
	}
	for _, c := range cands {
		if c == nil || seen[c] {
			continue
		}
		seen[c] = true
		if !c.dirty {
			swaps = append(swaps, swap{c: c})
			continue
		}
		t, err := reparse(c.tree)
		var b *config.Tree
		if err == nil {
			b, err = reparse(c.base)
		}
		if err != nil {
			who := "the shared candidate"
			if c.name != "" {
				who = "the candidate of session " + c.name
			}
			return fmt.Errorf("cdb: %s does not fit the new schema: %w", who, err)
		}
		swaps = append(swaps, swap{c: c, tree: t, base: b})
	}
	added := map[string]string{}
	for _, m := range y.Modules() {
		if m.Core {
			continue
		}
		if old := db.y.Module(m.Name); old == nil || old.Text != m.Text {
			added[m.Name] = m.Text
		}
	}
	if len(added) > 0 {
		if err := db.bolt.Update(func(tx *bolt.Tx) error { return putModules(tx, added) }); err != nil {
			return fmt.Errorf("cdb: storing the modules: %w", err)
		}
		if db.sch.stored == nil {
			db.sch.stored = map[string]string{}
		}
		for n, text := range added {
			db.sch.stored[n] = text
		}
	}
	db.y = y
	db.setRunning(run, db.rev)
	for _, s := range swaps {
		if s.tree == nil {
			s.c.tree, s.c.base = run, run
			continue
		}
		s.c.tree, s.c.base = s.tree, s.base
	}
	db.sch.latest.Store(y)
	db.log.Info("schema extended", "added", slices.Sorted(maps.Keys(added)))
	return nil
}

// additive checks that y has every module and every data node of from.
func additive(from, y *yang.Tree) error {
	if from == nil || from == y {
		return nil
	}
	for _, m := range from.Modules() {
		if y.Module(m.Name) == nil {
			return fmt.Errorf("cdb: the new schema drops module %s", m.Name)
		}
	}
	return sameNodes(from.Root(), y.Root())
}

// sameNodes checks that every data node beneath a is beneath b too, of the
// same kind.
func sameNodes(a, b *yang.Node) error {
	for _, c := range a.DataChildren() {
		d := b.Child(c.Name())
		if d == nil {
			return fmt.Errorf("cdb: the new schema drops %s (module %s)", c.Path(), c.Module())
		}
		if d.Kind() != c.Kind() {
			return fmt.Errorf("cdb: the new schema makes %s a %s, not a %s", c.Path(), d.Kind(), c.Kind())
		}
		if err := sameNodes(c, d); err != nil {
			return err
		}
	}
	return nil
}

// putModules stores module texts by name.
func putModules(tx *bolt.Tx, mods map[string]string) error {
	b, err := tx.CreateBucketIfNotExists(bucketModules)
	if err != nil {
		return err
	}
	for n, text := range mods {
		if err := b.Put([]byte(n), []byte(text)); err != nil {
			return err
		}
	}
	return nil
}

// readModules returns the stored modules.
func readModules(tx *bolt.Tx) map[string]string {
	out := map[string]string{}
	b := tx.Bucket(bucketModules)
	if b == nil {
		return out
	}
	_ = b.ForEach(func(k, v []byte) error {
		out[string(k)] = string(v)
		return nil
	})
	return out
}

// ReadModules returns the YANG modules stored in the database of the state
// directory dir (DIR/cdb.db), module name → text: those beyond ze's core
// that its configurations were made with (the modules path plugins
// declared, SetSchema). The daemon gives them to the schema loader before
// Open, so that the running configuration reads even before the plugins
// register:
//
//	mods, err := cdb.ReadModules(dir)
//	schema, err := host.LoadSchema(mods)
//	db, err := cdb.Open(dir, cdb.Options{Schema: schema, …})
//
// It opens the file read-only for the time of the call (waiting up to 0.2 s
// for a process that has it open to write). No database, or one without
// stored modules, is an empty map and no error.
func ReadModules(dir string) (map[string]string, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 200 * time.Millisecond, ReadOnly: true})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("cdb: %s is %w", path, ErrInUse)
	case err != nil:
		return nil, fmt.Errorf("cdb: opening %s: %w", path, err)
	}
	defer b.Close()
	var out map[string]string
	err = b.View(func(tx *bolt.Tx) error {
		out = readModules(tx)
		return nil
	})
	return out, err
}

// Modules returns the modules the database keeps for the next start
// (ReadModules), module name → text.
func (db *DB) Modules() map[string]string {
	db.mu.Lock()
	defer db.mu.Unlock()
	out := make(map[string]string, len(db.sch.stored))
	for n, t := range db.sch.stored {
		out[n] = t
	}
	return out
}

// syncModules makes the modules bucket, at Open, hold the modules beyond
// the core that the running configuration and the configuration a pending
// commit confirmed restores use, with the modules they import or include:
// a module no longer used (its plugin removed and its subtree deleted) is
// dropped, and the next start does not load it.
func (db *DB) syncModules() error {
	used := map[string]bool{}
	modulesUsed(db.running, used)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		_, ptext, err := readPending(tx)
		if err == nil && ptext != nil {
			if t, err := db.parse(ptext, ""); err == nil {
				modulesUsed(t, used)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	keep := db.closure(used)
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		old := readModules(tx)
		if b := tx.Bucket(bucketModules); b != nil {
			for n := range old {
				if _, ok := keep[n]; !ok {
					if err := b.Delete([]byte(n)); err != nil {
						return err
					}
				}
			}
		}
		return putModules(tx, keep)
	})
	if err != nil {
		return fmt.Errorf("cdb: storing the modules: %w", err)
	}
	db.sch.stored = keep
	return nil
}

// storeUsed stores, in tx (a commit's), the modules t uses that the bucket
// does not hold yet (a module dropped at Open whose plugin is configured
// again). It costs nothing while every module of the schema is stored.
func (db *DB) storeUsed(tx *bolt.Tx, t *config.Tree) error {
	missing := false
	for _, m := range db.y.Modules() {
		if _, ok := db.sch.stored[m.Name]; !m.Core && !ok {
			missing = true
			break
		}
	}
	if !missing {
		return nil
	}
	used := map[string]bool{}
	modulesUsed(t, used)
	add := map[string]string{}
	for n, text := range db.closure(used) {
		if old, ok := db.sch.stored[n]; !ok || old != text {
			add[n] = text
		}
	}
	if len(add) == 0 {
		return nil
	}
	if err := putModules(tx, add); err != nil {
		return err
	}
	tx.OnCommit(func() { // still under db.mu: the commit's transaction
		if db.sch.stored == nil {
			db.sch.stored = map[string]string{}
		}
		maps.Copy(db.sch.stored, add)
	})
	return nil
}

// modulesUsed adds the module of every node of t to used.
func modulesUsed(t *config.Tree, used map[string]bool) {
	t.Walk(func(n *config.Node) bool {
		used[n.Schema().Module()] = true
		return true
	})
}

// closure returns the non-core modules of the schema among used and those
// they import or include, transitively, by name → text.
func (db *DB) closure(used map[string]bool) map[string]string {
	out := map[string]string{}
	var add func(name string)
	add = func(name string) {
		m := db.y.Module(name)
		if m == nil || m.Core {
			return
		}
		if _, ok := out[name]; ok {
			return
		}
		out[name] = m.Text
		for _, dep := range moduleDeps(m) {
			add(dep)
		}
	}
	for n := range used {
		add(n)
	}
	return out
}

// moduleDeps returns the modules a module imports and the submodules it
// includes (a submodule's own imports too).
func moduleDeps(m *yang.Module) []string {
	stmts, err := goyang.Parse(m.Text, m.File)
	if err != nil || len(stmts) != 1 {
		return nil
	}
	var out []string
	for _, s := range stmts[0].SubStatements() {
		if s.Keyword == "import" || s.Keyword == "include" || s.Keyword == "belongs-to" {
			out = append(out, s.Argument)
		}
	}
	return out
}

// openModules sets up the schema state at Open: the stored modules
// pruned to those in use (syncModules), or only read when read-only.
func (db *DB) openModules() error {
	db.sch.latest.Store(db.y)
	if db.readOnly {
		return db.bolt.View(func(tx *bolt.Tx) error {
			db.sch.stored = readModules(tx)
			return nil
		})
	}
	return db.syncModules()
}
