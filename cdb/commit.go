package cdb

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/zebgp/ze/cdb/config"
)

// CommitOptions say how to commit.
type CommitOptions struct {
	// Comment is recorded in the history (commit comment "…").
	Comment string
	// Confirmed makes a commit confirmed: unless another commit confirms
	// it within this time, the configuration before it is restored, by
	// this process or, if it dies, by the next Open. 0 is a plain commit,
	// which also confirms a pending one.
	Confirmed time.Duration
	// Origin overrides the session's origin (OriginRollback after
	// Rollback, else the session's).
	Origin Origin
}

// Check validates the candidate as a commit would, without committing:
// a *StaleError when it was made from an older running and has changes,
// a *ValidationError with every problem the schema and the registered
// validators find, a *VetoError when an Applier refuses it at verify.
// Nothing is applied.
func (s *Session) Check() error {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := s.usable(false); err != nil {
		return err
	}
	c := db.current(s.cand)
	if err := db.checkBase(c); err != nil {
		return err
	}
	if err := validate(c.tree); err != nil {
		return err
	}
	if len(db.appliers) == 0 {
		return nil
	}
	active := c.tree.Active()
	db.enterCallOut()
	defer db.leaveCallOut()
	return db.verify(db.rev+1, db.active, active, config.Diff(db.active, active))
}

// Commit makes the candidate the running configuration: it checks the
// base and validates as Check does, runs the Appliers (verify, then
// apply; see Applier for a failure), and then, in one bbolt transaction,
// stores the new running configuration, its history entry (the oldest
// beyond HistorySize dropped) and the pending confirmation of a commit
// confirmed (or its removal: any commit confirms), and clears the
// candidate. It returns the new revision. While another session holds the
// exclusive lock, it fails with a *LockedError.
func (s *Session) Commit(o CommitOptions) (Revision, error) {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := s.usable(true); err != nil {
		return Revision{}, err
	}
	if err := db.lockedOut(s); err != nil {
		return Revision{}, err
	}
	if o.Confirmed < 0 {
		return Revision{}, errors.New("cdb: commit confirmed with a negative time")
	}
	c := db.current(s.cand)
	if err := db.checkBase(c); err != nil {
		return Revision{}, err
	}
	if err := validate(c.tree); err != nil {
		return Revision{}, err
	}
	rev := Revision{User: s.user, Comment: o.Comment, Origin: o.Origin}
	if rev.Origin == 0 {
		rev.Origin = s.origin
		if c.rollback {
			rev.Origin = OriginRollback
		}
	}
	return db.commit(c.tree, rev, o.Confirmed, c)
}

// checkBase refuses a candidate with changes made from an older running.
func (db *DB) checkBase(c *candidate) error {
	if c.dirty && c.baseRev != db.rev {
		return &StaleError{Base: c.baseRev, Running: db.rev}
	}
	return nil
}

// validate runs the checks of package config: the YANG schema, then the
// validators that components registered.
func validate(t *config.Tree) error {
	err := t.Validate()
	var list config.ErrorList
	if errors.As(err, &list) {
		return &ValidationError{Errors: list}
	}
	return err
}

// commit applies t and stores it as the next revision, described by rev
// (Seq and Time are filled in). confirm > 0 makes it a commit confirmed;
// c, when not nil, is the candidate committed, cleared afterwards.
func (db *DB) commit(t *config.Tree, rev Revision, confirm time.Duration, c *candidate) (Revision, error) {
	start := time.Now()
	db.enterCallOut()
	defer db.leaveCallOut() // a schema SetSchema queued meanwhile
	rev.Seq = db.rev + 1
	rev.Time = db.now().UTC()
	active := t.Active()
	called, err := db.runAppliers(rev.Seq, db.active, active)
	if err != nil {
		return Revision{}, err
	}
	var pending *Pending
	if confirm > 0 {
		rev.ConfirmBy = rev.Time.Add(confirm)
		pending = &Pending{Seq: rev.Seq, Deadline: rev.ConfirmBy, Restore: db.rev, User: rev.User}
		if db.pending != nil {
			// A commit confirmed over one still pending restores what
			// the first one would have: the last confirmed configuration.
			pending.Restore = db.pending.Restore
		}
	}
	text := t.Text()
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		var restore []byte
		if pending != nil {
			var err error
			if db.pending != nil {
				_, restore, err = readPending(tx)
			} else {
				_, restore, err = readRunning(tx)
			}
			if err != nil {
				return err
			}
		}
		if err := putRevision(tx, rev, text); err != nil {
			return err
		}
		if err := db.storeUsed(tx, t); err != nil {
			return err
		}
		if err := putPending(tx, pending, restore); err != nil {
			return err
		}
		if c != nil && c.dirty {
			return deleteCandidate(tx, c.name)
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("cdb: storing revision %d: %w", rev.Seq, err)
		if rerr := db.unapply(called, db.active, active); rerr != nil {
			err = fmt.Errorf("%w; re-applying the running configuration failed: %w", err, rerr)
		}
		return Revision{}, err
	}
	db.running, db.active, db.rev = t, active, rev.Seq
	if c != nil {
		*c = *db.cleanCandidate(c.name)
	}
	db.pending = pending
	if pending != nil {
		db.arm(confirm)
	} else if db.timer != nil {
		db.timer.Stop()
		db.timer = nil
	}
	args := []any{"revision", rev.Seq, "user", rev.User, "origin", rev.Origin.String(), "took", time.Since(start)}
	if pending != nil {
		args = append(args, "confirm-by", rev.ConfirmBy)
	}
	db.log.Info("commit", args...)
	return rev, nil
}
