package cdb

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The layout of cdb.db (docs/cdb.md, "On disk"). Every configuration is
// kept as its canonical hierarchical text, which holds annotations and
// inactive marks and reads back to an Equal tree.
var (
	bucketMeta    = []byte("meta")    // version; the pending commit confirmed
	bucketRunning = []byte("running") // revision, config
	bucketHistory = []byte("history") // seq → Revision (JSON)
	bucketArchive = []byte("archive") // seq → config text
	bucketShared  = []byte("shared")  // the shared candidate: meta, config, base
	bucketPrivate = []byte("private") // session name → meta, config, base

	keyVersion       = []byte("version")
	keyPending       = []byte("pending")
	keyPendingConfig = []byte("pending-config")
	keyRevision      = []byte("revision")
	keyConfig        = []byte("config")
	keyCandMeta      = []byte("meta")
	keyBase          = []byte("base")
)

// formatVersion is the layout version written in meta/version.
const formatVersion = "1"

// HistorySize is how many revisions the history keeps (rollback 0 to 49).
const HistorySize = 50

var errNoRunning = errors.New("cdb: the database has no running configuration")

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// createBuckets makes the buckets that are missing and checks the version.
func createBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketRunning, bucketHistory, bucketArchive, bucketShared, bucketPrivate} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("cdb: creating bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	switch v := meta.Get(keyVersion); {
	case v == nil:
		return meta.Put(keyVersion, []byte(formatVersion))
	case string(v) != formatVersion:
		return fmt.Errorf("cdb: database format %q, this ze reads %q", v, formatVersion)
	}
	return nil
}

// checkBuckets checks, without changing anything (a read-only open), that
// every bucket is there and the version is the one this ze reads.
func checkBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketRunning, bucketHistory, bucketArchive, bucketShared, bucketPrivate} {
		if tx.Bucket(name) == nil {
			return errNoRunning
		}
	}
	if v := tx.Bucket(bucketMeta).Get(keyVersion); string(v) != formatVersion {
		return fmt.Errorf("cdb: database format %q, this ze reads %q", v, formatVersion)
	}
	return nil
}

// readRunning returns the running revision and a copy of its text.
func readRunning(tx *bolt.Tx) (uint64, []byte, error) {
	b := tx.Bucket(bucketRunning)
	rev, text := b.Get(keyRevision), b.Get(keyConfig)
	if rev == nil || text == nil {
		return 0, nil, errNoRunning
	}
	if len(rev) != 8 {
		return 0, nil, fmt.Errorf("cdb: running revision of %d bytes", len(rev))
	}
	return binary.BigEndian.Uint64(rev), bytes.Clone(text), nil
}

// putRevision makes text, committed as rev, the running configuration:
// running, the history entry and its archived text, and drops the oldest
// entries beyond HistorySize.
func putRevision(tx *bolt.Tx, rev Revision, text []byte) error {
	hdr, err := json.Marshal(rev)
	if err != nil {
		return err
	}
	run := tx.Bucket(bucketRunning)
	hist, arch := tx.Bucket(bucketHistory), tx.Bucket(bucketArchive)
	key := seqKey(rev.Seq)
	for _, kv := range []struct {
		b    *bolt.Bucket
		k, v []byte
	}{{run, keyRevision, key}, {run, keyConfig, text}, {hist, key, hdr}, {arch, key, text}} {
		if err := kv.b.Put(kv.k, kv.v); err != nil {
			return fmt.Errorf("cdb: writing revision %d: %w", rev.Seq, err)
		}
	}
	n := 0
	c := hist.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	for k, _ := c.First(); k != nil && n > HistorySize; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
		if err := arch.Delete(k); err != nil {
			return err
		}
		n--
	}
	return nil
}

// readHistory returns the history, newest first.
func readHistory(tx *bolt.Tx) ([]Revision, error) {
	var out []Revision
	c := tx.Bucket(bucketHistory).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var r Revision
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("cdb: history entry %x: %w", k, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// readArchive returns a copy of the text of revision seq, or nil.
func readArchive(tx *bolt.Tx, seq uint64) []byte {
	return bytes.Clone(tx.Bucket(bucketArchive).Get(seqKey(seq)))
}

// readPending returns the pending commit confirmed and the text it
// restores, or nil.
func readPending(tx *bolt.Tx) (*Pending, []byte, error) {
	meta := tx.Bucket(bucketMeta)
	v := meta.Get(keyPending)
	if v == nil {
		return nil, nil, nil
	}
	var p Pending
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, nil, fmt.Errorf("cdb: pending confirmation: %w", err)
	}
	text := meta.Get(keyPendingConfig)
	if text == nil {
		return nil, nil, errors.New("cdb: pending confirmation without the configuration to restore")
	}
	return &p, bytes.Clone(text), nil
}

// putPending records p and the text it restores; a nil p clears it.
func putPending(tx *bolt.Tx, p *Pending, text []byte) error {
	meta := tx.Bucket(bucketMeta)
	if p == nil {
		if err := meta.Delete(keyPending); err != nil {
			return err
		}
		return meta.Delete(keyPendingConfig)
	}
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := meta.Put(keyPending, v); err != nil {
		return err
	}
	return meta.Put(keyPendingConfig, text)
}

// candMeta is what a stored candidate records besides its texts.
type candMeta struct {
	Base     uint64 `json:"base"`               // the running revision it was made from
	Rollback bool   `json:"rollback,omitempty"` // it was loaded by rollback
	User     string `json:"user,omitempty"`
}

// A stored candidate is a bucket holding meta, config and base (the text
// of the running it was made from, for Rebase). Only a candidate with
// changes is stored: one without is the running configuration.
func candBucket(tx *bolt.Tx, name string, create bool) (*bolt.Bucket, error) {
	if name == "" {
		return tx.Bucket(bucketShared), nil
	}
	priv := tx.Bucket(bucketPrivate)
	if create {
		return priv.CreateBucketIfNotExists([]byte(name))
	}
	return priv.Bucket([]byte(name)), nil
}

// putCandidate stores a candidate; base may be nil when it was stored
// already with the same meta.Base.
func putCandidate(tx *bolt.Tx, name string, m candMeta, text, base []byte) error {
	b, err := candBucket(tx, name, true)
	if err != nil {
		return err
	}
	v, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := b.Put(keyCandMeta, v); err != nil {
		return err
	}
	if base != nil {
		if err := b.Put(keyBase, base); err != nil {
			return err
		}
	}
	return b.Put(keyConfig, text)
}

// readCandidate returns a stored candidate, or ok false.
func readCandidate(tx *bolt.Tx, name string) (m candMeta, text, base []byte, ok bool, err error) {
	b, err := candBucket(tx, name, false)
	if err != nil || b == nil {
		return m, nil, nil, false, err
	}
	v := b.Get(keyCandMeta)
	if v == nil {
		return m, nil, nil, false, nil
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return m, nil, nil, false, fmt.Errorf("cdb: candidate %q: %w", name, err)
	}
	text, base = bytes.Clone(b.Get(keyConfig)), bytes.Clone(b.Get(keyBase))
	if text == nil || base == nil {
		return m, nil, nil, false, fmt.Errorf("cdb: candidate %q is incomplete", name)
	}
	return m, text, base, true, nil
}

// deleteCandidate removes a stored candidate.
func deleteCandidate(tx *bolt.Tx, name string) error {
	if name == "" {
		b := tx.Bucket(bucketShared)
		for _, k := range [][]byte{keyCandMeta, keyConfig, keyBase} {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	}
	priv := tx.Bucket(bucketPrivate)
	if priv.Bucket([]byte(name)) == nil {
		return nil
	}
	return priv.DeleteBucket([]byte(name))
}
