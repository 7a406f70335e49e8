package cdb

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zebgp/ze/cdb/config"
)

// A Conflict is a change of the candidate that Rebase did not carry over,
// because running changed the same place since the candidate was made;
// running's version is kept there.
type Conflict struct {
	Path   []string
	Kind   config.ChangeKind // what the candidate did
	Ours   string            // the node in the candidate ("" when absent)
	Theirs string            // the node in running ("" when absent)
}

// String returns "PATH: KIND in the candidate (OURS), running has THEIRS;
// running's kept".
func (c Conflict) String() string {
	or := func(s string) string {
		if s == "" {
			return "nothing"
		}
		return s
	}
	return fmt.Sprintf("%s: %s in the candidate (%s), but running has %s; running's kept",
		config.JoinPath(c.Path), c.Kind, or(c.Ours), or(c.Theirs))
}

// Rebase makes a candidate that was made from an older running one made
// from the current running: the changes of the candidate (from its base)
// are applied to running, a three-way merge. A change whose place running
// changed too is a Conflict: it is left out, running's version is kept,
// and it is returned for the user to redo. Without changes, or when
// running did not move, Rebase does nothing.
func (s *Session) Rebase() ([]Conflict, error) {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := s.usable(true); err != nil {
		return nil, err
	}
	c := db.current(s.cand)
	if !c.dirty || c.baseRev == db.rev {
		return nil, nil
	}
	merged, conflicts, err := merge3(c.base, c.tree, db.running)
	if err != nil {
		return nil, fmt.Errorf("cdb: rebase: %w", err)
	}
	nc := *c
	nc.base, nc.baseRev, nc.baseStored = db.running, db.rev, false
	if err := db.save(&nc, merged, c.rollback, s.user); err != nil {
		return nil, err
	}
	*c = nc
	return conflicts, nil
}

// merge3 applies the changes from base to ours onto a copy of theirs.
func merge3(base, ours, theirs *config.Tree) (*config.Tree, []Conflict, error) {
	out := theirs.Clone()
	snap := theirs // not changed: what running has, for the checks
	var conflicts []Conflict
	for _, ch := range config.Diff(base, ours) {
		th, err := snap.Get(ch.Path)
		if err != nil {
			return nil, nil, err
		}
		ok, done := mergeable(ch, th)
		if !ok {
			conflicts = append(conflicts, Conflict{Path: ch.Path, Kind: ch.Kind, Ours: summary(ch.New), Theirs: summary(th)})
			continue
		}
		if done {
			continue
		}
		if err := applyChange(out, snap, ch); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", config.JoinPath(ch.Path), err)
		}
	}
	return out, conflicts, nil
}

// mergeable reports whether the change ch may be applied where running
// has th (ok), and whether running has it already (done).
func mergeable(ch config.Change, th *config.Node) (ok, done bool) {
	switch ch.Kind {
	case config.Added:
		if th == nil {
			return true, false
		}
		return th.Equal(ch.New), true
	case config.Deleted:
		if th == nil {
			return true, true
		}
		return th.Equal(ch.Old), false
	case config.Modified:
		switch {
		case th != nil && sameData(th, ch.New):
			return true, true
		case th != nil && sameData(th, ch.Old):
			return true, false
		}
	case config.Activated, config.Deactivated:
		if th != nil {
			return true, th.Inactive() == ch.New.Inactive()
		}
	case config.Annotated:
		switch {
		case th != nil && th.Annotation() == ch.New.Annotation():
			return true, true
		case th != nil && th.Annotation() == ch.Old.Annotation():
			return true, false
		}
	}
	return false, false
}

// sameData compares what a Modified change is about: a leaf's value, a
// leaf-list's values, the order of a list's entries.
func sameData(a, b *config.Node) bool {
	switch a.Kind() {
	case config.Leaf:
		return a.Value() == b.Value()
	case config.LeafList:
		return slices.Equal(a.Values(), b.Values())
	case config.List:
		return slices.EqualFunc(a.Children(), b.Children(), func(x, y *config.Node) bool { return slices.Equal(x.Keys(), y.Keys()) })
	}
	return a.Equal(b)
}

// applyChange makes the change ch in out; snap is running as it was.
func applyChange(out, snap *config.Tree, ch config.Change) error {
	p := ch.Path
	switch ch.Kind {
	case config.Added:
		return graft(out, ch.New, p)
	case config.Deleted:
		return ignoreNotFound(out.Delete(p))
	case config.Activated:
		return out.Activate(p)
	case config.Deactivated:
		return out.Deactivate(p)
	case config.Annotated:
		return out.Annotate(p, ch.New.Annotation())
	}
	// Modified.
	n := ch.New
	switch n.Kind() {
	case config.Leaf:
		return out.Set(append(slices.Clip(p), n.Value()))
	case config.LeafList:
		cur, err := out.Get(p)
		if err != nil {
			return err
		}
		if err := ignoreNotFound(out.Delete(p)); err != nil {
			return err
		}
		for _, v := range n.Values() {
			if err := out.Set(append(slices.Clip(p), v)); err != nil {
				return err
			}
		}
		if cur != nil && cur.Annotation() != "" {
			if err := out.Annotate(p, cur.Annotation()); err != nil {
				return err
			}
		}
		if cur != nil && cur.Inactive() {
			return out.Deactivate(p)
		}
		return nil
	case config.List:
		// A new order of a list ordered by the user: the entries running
		// has, taken out and put back in the candidate's order.
		have, err := snap.Get(p)
		if err != nil || have == nil {
			return err
		}
		for _, e := range n.Children() {
			if se := have.Entry(e.Keys()...); se != nil {
				if err := ignoreNotFound(out.Delete(se.Path())); err != nil {
					return err
				}
			}
		}
		for _, e := range n.Children() {
			if se := have.Entry(e.Keys()...); se != nil {
				if err := graft(out, se, se.Path()); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return fmt.Errorf("a change of a %s", n.Kind())
}

func ignoreNotFound(err error) error {
	if errors.Is(err, config.ErrNotFound) {
		return nil
	}
	return err
}

// summary is a one-line picture of n: "hold-time 90", "peer p { … }".
func summary(n *config.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	if n.Inactive() {
		b.WriteString("inactive: ")
	}
	b.WriteString(n.Name())
	switch n.Kind() {
	case config.Entry:
		b.WriteString(" " + config.JoinPath(n.Keys()) + " { … }")
	case config.Container:
		b.WriteString(" { … }")
	case config.Leaf:
		if !isEmptyLeaf(n) {
			b.WriteString(" " + config.JoinPath([]string{n.Value()}))
		}
	case config.LeafList:
		b.WriteString(" [ " + config.JoinPath(n.Values()) + " ]")
	case config.List:
		for _, e := range n.Children() {
			b.WriteString(" " + config.JoinPath(e.Keys()))
		}
	}
	if n.Annotation() != "" {
		b.WriteString(" # " + strings.ReplaceAll(n.Annotation(), "\n", " "))
	}
	return b.String()
}
