package cdb

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// restoreRetry is how long the restore of an unconfirmed commit waits to
// try again when the appliers or the disk failed.
const restoreRetry = 30 * time.Second

// arm starts the timer of the pending commit confirmed, to fire in d.
func (db *DB) arm(d time.Duration) {
	if db.timer != nil {
		db.timer.Stop()
	}
	seq := db.pending.Seq
	db.timer = time.AfterFunc(d, func() { db.expire(seq) })
}

// expire restores the configuration before the commit confirmed seq
// when that one is still pending at its deadline.
func (db *DB) expire(seq uint64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed || db.pending == nil || db.pending.Seq != seq {
		return
	}
	if left := db.pending.Deadline.Sub(db.now()); left > 0 {
		db.arm(left)
		return
	}
	var text []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		_, text, err = readPending(tx)
		return err
	})
	if err == nil {
		err = db.restore(text)
	}
	if err != nil {
		db.log.Error("restoring the configuration of an unconfirmed commit failed; trying again",
			"revision", seq, "retry-in", restoreRetry, "error", err.Error())
		db.arm(restoreRetry)
	}
}

// restore commits text, the configuration of the pending confirmation's
// Restore revision, as a new revision of origin confirmed-timeout, which
// clears the pending confirmation. It is not validated again: it was
// valid when it was committed, and refusing it would keep the
// configuration that locked the operator out.
func (db *DB) restore(text []byte) error {
	p := db.pending
	t, err := db.parse(text, "")
	if err != nil {
		return fmt.Errorf("cdb: the configuration to restore (revision %d) no longer fits the schema: %w", p.Restore, err)
	}
	rev := Revision{
		User:   "ze",
		Origin: OriginConfirmedTimeout,
		Comment: fmt.Sprintf("revision %d was not confirmed by %s: revision %d restored",
			p.Seq, p.Deadline.UTC().Format(time.DateTime), p.Restore),
	}
	if _, err := db.commit(t, rev, 0, nil); err != nil {
		return err
	}
	db.log.Warn("commit confirmed not confirmed in time: configuration restored",
		"revision", p.Seq, "restored", p.Restore, "user", p.User)
	return nil
}
