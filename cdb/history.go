package cdb

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/zebgp/ze/cdb/config"
)

// History returns the revisions kept, newest first: the index of a
// revision in the slice is its rollback number (0 is running).
func (db *DB) History() ([]Revision, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, ErrClosed
	}
	return db.history()
}

func (db *DB) history() ([]Revision, error) {
	var h []Revision
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		h, err = readHistory(tx)
		return err
	})
	return h, err
}

// rollbackConfig returns the configuration of rollback n and its revision.
func (db *DB) rollbackConfig(n int) (*config.Tree, Revision, error) {
	if n == 0 {
		h, err := db.history()
		if err != nil {
			return nil, Revision{}, err
		}
		if len(h) == 0 || h[0].Seq != db.rev {
			return nil, Revision{}, fmt.Errorf("cdb: the history does not end with running (revision %d)", db.rev)
		}
		return db.running, h[0], nil
	}
	var (
		rev  Revision
		text []byte
	)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		h, err := readHistory(tx)
		if err != nil {
			return err
		}
		if n < 0 || n >= len(h) {
			return fmt.Errorf("cdb: rollback %d: no such revision (the history holds rollback 0 to %d)", n, len(h)-1)
		}
		rev, text = h[n], readArchive(tx, h[n].Seq)
		if text == nil {
			return fmt.Errorf("cdb: rollback %d: revision %d has no configuration", n, rev.Seq)
		}
		return nil
	})
	if err != nil {
		return nil, Revision{}, err
	}
	t, err := db.parse(text, "")
	if err != nil {
		return nil, Revision{}, fmt.Errorf("cdb: rollback %d (revision %d) no longer fits the schema: %w", n, rev.Seq, err)
	}
	return t, rev, nil
}

// RollbackConfig returns a copy of the configuration of rollback n (0 is
// running, 1 the one before, …) and its history entry.
func (db *DB) RollbackConfig(n int) (*config.Tree, Revision, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, Revision{}, ErrClosed
	}
	t, rev, err := db.rollbackConfig(n)
	if err != nil {
		return nil, rev, err
	}
	if n == 0 {
		t = t.Clone()
	}
	return t, rev, nil
}

// CompareRollbacks returns what changes from the configuration of
// rollback n to that of rollback m, in the +/- form of config.Compare.
func (db *DB) CompareRollbacks(n, m int) ([]byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, ErrClosed
	}
	a, _, err := db.rollbackConfig(n)
	if err != nil {
		return nil, err
	}
	b, _, err := db.rollbackConfig(m)
	if err != nil {
		return nil, err
	}
	return config.Compare(a, b), nil
}
