package cdb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zebgp/ze/cdb/config"
)

// An Applier puts a configuration into effect for the component that owns
// a subtree (the BGP subsystem for "bgp", a plugin for its own). A commit
// calls the appliers in the order they were registered: Verify on every
// one, then Apply on every one. The engine's commit coordinator will be
// an Applier that drives the components through the hub.
//
// Verify may refuse the change with an error that the committing user
// sees (a *VetoError); it must change nothing. Apply reconciles the
// component with Diff.New and returns an error when it could not. When an
// Apply fails, running does not change, and every applier that was given
// the new configuration, the failing one included, is given the old one
// again with a Diff whose Restore is set (New is then the old
// configuration): Apply must therefore bring the component to Diff.New
// from wherever it stands, not only from Diff.Old.
//
// Appliers are called with the database locked, one commit at a time:
// they must not call the DB (the Diff holds both configurations).
type Applier interface {
	Verify(d *Diff) error
	Apply(d *Diff) error
}

// A Diff is what a commit hands an Applier. The trees hold the active
// configuration only (inactive nodes are not applied); they must not be
// changed.
type Diff struct {
	// Revision is the revision that will be running once applied (the
	// revision running again, for a Restore).
	Revision uint64
	// Old and New are the whole active configurations, before and after.
	Old, New *config.Tree
	// Changes are those of config.Diff(Old, New) at or above the subtree
	// the applier was registered for, in schema order.
	Changes []config.Change
	// Restore is set when the old configuration is given back after
	// another Apply failed.
	Restore bool
}

type applierReg struct {
	name string
	path []string // schema names; empty for the whole configuration
	a    Applier
}

// RegisterApplier adds a to the appliers of every commit, after those
// registered before. path is the schema path of the subtree it owns, such
// as "bgp" or "bgp/group/peer" ("" for the whole configuration): a commit
// that changes nothing at, beneath or above it does not call it (a change
// of a value inherited from a level above, such as a group's hold-time
// for "bgp/group/peer", is beside it: register the level inherited from).
// name identifies it in errors. Registering a name twice panics.
func (db *DB) RegisterApplier(name, path string, a Applier) {
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, r := range db.appliers {
		if r.name == name {
			panic(fmt.Sprintf("cdb: applier %q registered twice", name))
		}
	}
	db.appliers = append(db.appliers, applierReg{name: name, path: strings.FieldsFunc(path, isPathSep), a: a})
}

func isPathSep(r rune) bool { return r == '/' || r == ' ' }

// diff returns the Diff for r, or nil when no change concerns it.
func (r *applierReg) diff(rev uint64, old, cur *config.Tree, all []config.Change, restore bool) *Diff {
	var mine []config.Change
	for _, c := range all {
		if r.concerns(c) {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	return &Diff{Revision: rev, Old: old, New: cur, Changes: mine, Restore: restore}
}

// concerns reports whether the change is at, beneath or above r's subtree.
func (r *applierReg) concerns(c config.Change) bool {
	if len(r.path) == 0 {
		return true
	}
	n := c.New
	if n == nil {
		n = c.Old
	}
	names := strings.Split(n.Schema().Path(), "/")
	k := min(len(names), len(r.path))
	for i := range k {
		if names[i] != r.path[i] {
			return false
		}
	}
	return true
}

// runAppliers verifies, then applies the change from old to cur (active
// trees) for revision rev. When an Apply fails, the appliers already
// called get old back. It returns the appliers called.
func (db *DB) runAppliers(rev uint64, old, cur *config.Tree) ([]*applierReg, error) {
	if len(db.appliers) == 0 {
		return nil, nil
	}
	changes := config.Diff(old, cur)
	if len(changes) == 0 {
		return nil, nil
	}
	if err := db.verify(rev, old, cur, changes); err != nil {
		return nil, err
	}
	var called []*applierReg
	for i := range db.appliers {
		r := &db.appliers[i]
		d := r.diff(rev, old, cur, changes, false)
		if d == nil {
			continue
		}
		called = append(called, r)
		if err := r.a.Apply(d); err != nil {
			return nil, applyErrorOf(r.name, err, db.unapply(called, old, cur), db.rev)
		}
	}
	return called, nil
}

// verify asks the appliers concerned whether they accept the changes.
func (db *DB) verify(rev uint64, old, cur *config.Tree, changes []config.Change) error {
	for i := range db.appliers {
		r := &db.appliers[i]
		if d := r.diff(rev, old, cur, changes, false); d != nil {
			if err := r.a.Verify(d); err != nil {
				return vetoOf(r.name, err)
			}
		}
	}
	return nil
}

// unapply gives the old configuration back to the appliers called, the
// last first; it returns their errors.
func (db *DB) unapply(called []*applierReg, old, cur *config.Tree) error {
	back := config.Diff(cur, old)
	var errs []error
	for i := len(called) - 1; i >= 0; i-- {
		r := called[i]
		d := r.diff(db.rev, cur, old, back, true)
		if d == nil {
			continue
		}
		if err := r.a.Apply(d); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.name, err))
			db.log.Error("re-applying the running configuration failed", "applier", r.name, "error", err.Error())
		}
	}
	return errors.Join(errs...)
}
