package cdb

import (
	"errors"
	"fmt"

	"github.com/zebgp/ze/cdb/config"
)

// edit runs fn on a copy of the candidate and, when it succeeds, stores
// the copy as the candidate: an edit that fails changes nothing.
func (s *Session) edit(fn func(t *config.Tree) error) error {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := s.usable(true); err != nil {
		return err
	}
	c := db.current(s.cand)
	t := c.tree.Clone()
	if err := fn(t); err != nil {
		return err
	}
	return db.save(c, t, c.rollback, s.user)
}

// Set sets what path names in the candidate (config.Tree.Set): a leaf's
// value, a value added to a leaf-list, an entry or a container, creating
// what is missing on the way. The last word is the value.
func (s *Session) Set(path []string) error {
	return s.edit(func(t *config.Tree) error { return t.Set(path) })
}

// Delete removes what path names, with everything beneath it, or one value
// of a leaf-list. Deleting what is not there is an error that wraps
// config.ErrNotFound.
func (s *Session) Delete(path []string) error {
	return s.edit(func(t *config.Tree) error { return notFound(path, t.Delete(path)) })
}

// Deactivate marks the node at path inactive: kept in the configuration
// and printed with "inactive:", but not validated, not applied.
func (s *Session) Deactivate(path []string) error {
	return s.edit(func(t *config.Tree) error { return notFound(path, t.Deactivate(path)) })
}

// Activate clears the inactive mark of the node at path.
func (s *Session) Activate(path []string) error {
	return s.edit(func(t *config.Tree) error { return notFound(path, t.Activate(path)) })
}

// Annotate attaches text to the node at path as its comment; "" removes it.
func (s *Session) Annotate(path []string, text string) error {
	return s.edit(func(t *config.Tree) error { return notFound(path, t.Annotate(path, text)) })
}

// notFoundError is an edit of a node that is not there.
type notFoundError struct {
	path []string
	err  error
}

func (e *notFoundError) Error() string {
	return fmt.Sprintf("cdb: %s is not in the configuration", config.JoinPath(e.path))
}

func (e *notFoundError) Unwrap() error { return e.err }

// notFound words an error of config.ErrNotFound for the user.
func notFound(path []string, err error) error {
	if errors.Is(err, config.ErrNotFound) {
		return &notFoundError{path, err}
	}
	return err
}

// Copy copies the list entry at from, with everything beneath it, to a new
// entry at to: an entry of the same list with other keys ("bgp group a
// peer p" to "bgp group b peer q").
func (s *Session) Copy(from, to []string) error {
	return s.edit(func(t *config.Tree) error { return copyEntry(t, "copy", from, to) })
}

// Rename gives the list entry at from the keys of to, an entry of the same
// list: a copy to to, then a delete of from. The entry moves to the end
// of its list.
func (s *Session) Rename(from, to []string) error {
	return s.edit(func(t *config.Tree) error {
		if err := copyEntry(t, "rename", from, to); err != nil {
			return err
		}
		return t.Delete(from)
	})
}

// Load reads a configuration text into the candidate. LoadOverride
// replaces the candidate with the text (any form); LoadMerge adds the
// text's nodes (any form) to the candidate, its values replacing those
// of the candidate and its leaf-list values added; LoadSet applies the
// text's set-form commands (set, delete, deactivate, activate, annotate).
// file names the text in errors. On an error (a config.ErrorList with
// places in the text) the candidate does not change.
func (s *Session) Load(mode LoadMode, src []byte, file string) error {
	return s.edit(func(t *config.Tree) error {
		switch mode {
		case LoadOverride, LoadMerge:
			x, err := config.Parse(s.db.y, src, config.Options{File: file})
			if err != nil {
				return err
			}
			if mode == LoadOverride {
				*t = *x
				t.File = ""
				return nil
			}
			for _, c := range x.Root().Children() {
				if err := graft(t, c, c.Path()); err != nil {
					return err
				}
			}
			return nil
		case LoadSet:
			return t.ApplySet(src, config.Options{File: file})
		}
		return fmt.Errorf("cdb: invalid load mode %d", mode)
	})
}

// Discard throws the candidate's changes away: it is the running
// configuration again.
func (s *Session) Discard() error {
	return s.edit(func(t *config.Tree) error {
		*t = *s.db.running.Clone()
		return nil
	})
}

// Rollback loads the configuration of rollback n (0 is running, 1 the one
// before, up to HistorySize-1) into the candidate, replacing it; a commit
// of it has the origin rollback.
func (s *Session) Rollback(n int) error {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := s.usable(true); err != nil {
		return err
	}
	t, _, err := db.rollbackConfig(n)
	if err != nil {
		return err
	}
	return db.save(db.current(s.cand), t, true, s.user)
}

// Candidate returns a copy of the candidate.
func (s *Session) Candidate() (*config.Tree, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if err := s.usable(false); err != nil {
		return nil, err
	}
	return s.db.current(s.cand).tree.Clone(), nil
}

// Show returns the candidate in the form f: hierarchical (inactive nodes
// marked "inactive:", annotations as comments), set or RFC 7951 JSON.
func (s *Session) Show(f config.Format) ([]byte, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if err := s.usable(false); err != nil {
		return nil, err
	}
	return s.db.current(s.cand).tree.Format(f)
}

// Compare returns what the candidate changes in the running configuration,
// in the +/- form of config.Compare ("show | compare"); empty when nothing.
func (s *Session) Compare() ([]byte, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if err := s.usable(false); err != nil {
		return nil, err
	}
	return config.Compare(s.db.running, s.db.current(s.cand).tree), nil
}

// CompareRollback returns what the candidate changes in the configuration
// of rollback n.
func (s *Session) CompareRollback(n int) ([]byte, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if err := s.usable(false); err != nil {
		return nil, err
	}
	old, _, err := s.db.rollbackConfig(n)
	if err != nil {
		return nil, err
	}
	return config.Compare(old, s.db.current(s.cand).tree), nil
}

var errNoPath = errors.New("cdb: empty path")

// Effective returns the effective configuration at path (with what it
// inherits from its group and bgp, and the defaults) of the candidate, as
// a tree whose nodes are annotated with where their values come from.
func (s *Session) Effective(path []string) (*config.Tree, error) {
	if len(path) == 0 {
		return nil, errNoPath
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if err := s.usable(false); err != nil {
		return nil, err
	}
	return config.EffectiveTree(s.db.current(s.cand).tree, path)
}
