package cdb

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/zebgp/ze/cdb/config"
)

// A candidate is a configuration being edited, with the running
// configuration it was made from. A candidate without changes (not dirty)
// follows running: it is not stored, and it is brought up to date when
// running changes.
type candidate struct {
	name       string // the session's name; "" for the shared candidate
	tree       *config.Tree
	base       *config.Tree // running at baseRev
	baseRev    uint64
	dirty      bool // tree differs from base: stored
	baseStored bool // the stored record holds base's text
	rollback   bool // loaded by Rollback: its commit has origin rollback
}

// current returns c, made the running configuration again when it has
// no changes and running moved on.
func (db *DB) current(c *candidate) *candidate {
	if !c.dirty && c.baseRev != db.rev {
		c.tree, c.base, c.baseRev, c.baseStored, c.rollback = db.running, db.running, db.rev, false, false
	}
	return c
}

func (db *DB) cleanCandidate(name string) *candidate {
	return &candidate{name: name, tree: db.running, base: db.running, baseRev: db.rev}
}

// loadCandidate returns the stored candidate called name, or a clean one.
// One that no longer reads (the schema changed) is dropped with a warning.
func (db *DB) loadCandidate(name string) (*candidate, error) {
	var (
		m          candMeta
		text, base []byte
		ok         bool
	)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		m, text, base, ok, err = readCandidate(tx, name)
		return err
	})
	if err != nil || !ok {
		return db.cleanCandidate(name), err
	}
	t, err1 := db.parse(text, "")
	b, err2 := db.parse(base, "")
	if err1 != nil || err2 != nil {
		db.log.Warn("dropping a stored candidate that does not read", "session", name, "error", fmt.Sprint(err1, err2))
		if err := db.bolt.Update(func(tx *bolt.Tx) error { return deleteCandidate(tx, name) }); err != nil {
			return nil, err
		}
		return db.cleanCandidate(name), nil
	}
	return &candidate{name: name, tree: t, base: b, baseRev: m.Base, dirty: true, baseStored: true, rollback: m.Rollback}, nil
}

// save makes t the tree of c, storing it (or removing the stored record
// when t has no changes).
func (db *DB) save(c *candidate, t *config.Tree, rollback bool, user string) error {
	dirty := !t.Equal(c.base)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if !dirty {
			return deleteCandidate(tx, c.name)
		}
		var base []byte
		if !c.baseStored {
			base = c.base.Text()
		}
		return putCandidate(tx, c.name, candMeta{Base: c.baseRev, Rollback: rollback, User: user}, t.Text(), base)
	})
	if err != nil {
		return fmt.Errorf("cdb: storing the candidate: %w", err)
	}
	c.tree, c.dirty, c.rollback, c.baseStored = t, dirty, rollback && dirty, dirty
	return nil
}

// SessionOptions say who opens a session and how.
type SessionOptions struct {
	// Name identifies the session among those open; "" picks one. A
	// private session resumes the stored candidate of its name, if any
	// (after a restart, say).
	Name string
	// User is who edits: it is recorded in the history.
	User string
	// Mode chooses the candidate: Private (the default), Shared or
	// Exclusive.
	Mode Mode
	// Origin is the origin of the session's commits; 0 means OriginCLI.
	Origin Origin
}

// A Session edits a candidate and commits it: its own (Private) or the
// shared one (Shared, Exclusive). A Session is safe for use by many
// goroutines, but is meant for one user.
type Session struct {
	db     *DB
	name   string
	user   string
	mode   Mode
	origin Origin
	cand   *candidate
	closed bool
}

// Session opens a session. An Exclusive session takes the lock of the
// shared candidate: while it holds it, no other session may edit the
// shared candidate or commit, and opening another Shared or Exclusive
// session fails with a *LockedError naming the holder.
func (db *DB) Session(o SessionOptions) (*Session, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, ErrClosed
	}
	if o.Mode > Exclusive {
		return nil, fmt.Errorf("cdb: invalid session mode %d", o.Mode)
	}
	if o.Name == "" {
		for {
			db.nextID++
			o.Name = fmt.Sprintf("session-%d", db.nextID)
			if db.sessions[o.Name] == nil {
				break
			}
		}
	}
	if db.sessions[o.Name] != nil {
		return nil, fmt.Errorf("cdb: session %q is open already", o.Name)
	}
	if o.Origin == 0 {
		o.Origin = OriginCLI
	}
	s := &Session{db: db, name: o.Name, user: o.User, mode: o.Mode, origin: o.Origin}
	if o.Mode == Private {
		c, err := db.loadCandidate(o.Name)
		if err != nil {
			return nil, err
		}
		s.cand = c
	} else {
		if err := db.lockedOut(s); err != nil {
			return nil, err
		}
		if db.shared == nil {
			c, err := db.loadCandidate("")
			if err != nil {
				return nil, err
			}
			db.shared = c
		}
		s.cand = db.shared
		if o.Mode == Exclusive {
			db.lock, db.lockAt = s, db.now()
		}
	}
	db.sessions[o.Name] = s
	return s, nil
}

// lockedOut returns a *LockedError when another session than s holds the
// exclusive lock.
func (db *DB) lockedOut(s *Session) error {
	if db.lock == nil || db.lock == s {
		return nil
	}
	return &LockedError{Session: db.lock.name, User: db.lock.user, Since: db.lockAt}
}

// usable checks that s may be used; write says it changes a candidate
// that the lock may protect.
func (s *Session) usable(write bool) error {
	if s.closed || s.db.closed {
		return ErrClosed
	}
	if write && s.db.readOnly {
		return ErrReadOnly
	}
	if write && s.mode != Private {
		return s.db.lockedOut(s)
	}
	return nil
}

// Name returns the session's name.
func (s *Session) Name() string { return s.name }

// User returns the session's user.
func (s *Session) User() string { return s.user }

// Mode returns the session's mode.
func (s *Session) Mode() Mode { return s.mode }

// Lock returns the session that holds the exclusive lock and since when,
// or "" when no one does.
func (db *DB) Lock() (session, user string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.lock == nil {
		return "", ""
	}
	return db.lock.name, db.lock.user
}

// Close ends the session. A private candidate is discarded, and so are
// the uncommitted changes of the shared candidate when the session held
// the exclusive lock, which it releases.
func (s *Session) Close() error {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	delete(db.sessions, s.name)
	if db.closed || db.readOnly {
		return nil
	}
	switch s.mode {
	case Private:
		if s.cand.dirty {
			return db.bolt.Update(func(tx *bolt.Tx) error { return deleteCandidate(tx, s.name) })
		}
	case Exclusive:
		db.lock = nil
		if db.shared.dirty {
			if err := db.bolt.Update(func(tx *bolt.Tx) error { return deleteCandidate(tx, "") }); err != nil {
				return err
			}
			*db.shared = *db.cleanCandidate("")
		}
	}
	return nil
}

// Base returns the running revision the candidate was made from.
func (s *Session) Base() uint64 {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return s.db.current(s.cand).baseRev
}

// Changed reports whether the candidate differs from the running
// configuration it was made from.
func (s *Session) Changed() bool {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return s.db.current(s.cand).dirty
}
