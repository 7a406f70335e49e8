package cdb

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

// FileName is the name of the database file in the state directory.
const FileName = "cdb.db"

// Options say how to open a database.
type Options struct {
	// Schema is the YANG schema of the configurations (required).
	Schema *yang.Tree
	// Factory is the configuration, in any form, that a new database
	// starts with as revision 1; nil means DefaultConfig.
	Factory []byte
	// Timeout is how long Open waits for another process to release the
	// file; 0 means 2 seconds.
	Timeout time.Duration
	// Logger receives a line per commit and per restore; nil means
	// slog.Default.
	Logger *slog.Logger
	// Now returns the time (tests change it); nil means time.Now.
	Now func() time.Time
	// ReadOnly opens an existing database to read it only (show, history,
	// compare): bbolt takes a shared lock, so read-only opens do not
	// exclude each other, but they still wait for (and are waited for
	// by) a process that has it open to write. Nothing is created (a
	// missing database is an error wrapping fs.ErrNotExist), edits and
	// commits fail with ErrReadOnly, and a commit confirmed whose deadline
	// passed is not restored: Pending still returns it (see Expired).
	ReadOnly bool
}

// ErrInUse is wrapped by the error of Open when another process has the
// database open (the daemon, say) and did not release it within
// Options.Timeout.
var ErrInUse = errors.New("in use by another process")

// ErrReadOnly is returned by an edit or a commit of a database opened
// with Options.ReadOnly.
var ErrReadOnly = errors.New("cdb: the database is open read-only")

// A DB is the config database of one state directory: the running
// configuration, the candidates, the history and the pending commit
// confirmed. One process at a time opens it (the file is locked). A DB is
// safe for use by many goroutines; its operations are serialized.
type DB struct {
	mu   sync.Mutex
	bolt *bolt.DB
	path string
	y    *yang.Tree
	log  *slog.Logger
	now  func() time.Time

	rev     uint64
	running *config.Tree // never changed: edits work on clones
	active  *config.Tree // running.Active(), for the appliers' diffs

	shared   *candidate
	lock     *Session // the session that holds the exclusive lock
	lockAt   time.Time
	sessions map[string]*Session
	nextID   int

	appliers []applierReg

	pending *Pending
	timer   *time.Timer
	closed  bool

	readOnly bool
	created  bool // this Open made the database from the factory default

	sch schemaState // SetSchema, the stored modules (schema.go)
}

// Open opens the database in the state directory dir (DIR/cdb.db),
// creating the directory and the database when missing: a new database
// holds the factory default as revision 1. A commit confirmed whose
// deadline passed while no process had the database open is restored
// here; one still pending is timed again.
func Open(dir string, o Options) (*DB, error) {
	if o.Schema == nil {
		return nil, errors.New("cdb: Open without a schema")
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Factory == nil {
		o.Factory = DefaultConfig
	}
	path := filepath.Join(dir, FileName)
	if o.ReadOnly {
		// bbolt would open a missing file read-only only to fail on it;
		// say plainly that there is no database.
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("cdb: opening %s: %w", path, err)
		}
	} else if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("cdb: %w", err)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("cdb: %s is %w", path, ErrInUse)
	case err != nil:
		return nil, fmt.Errorf("cdb: opening %s: %w", path, err)
	}
	db := &DB{
		bolt: b, path: path, y: o.Schema, log: o.Logger.With("component", "cdb"), now: o.Now,
		sessions: map[string]*Session{}, readOnly: o.ReadOnly,
	}
	load := db.load
	if o.ReadOnly {
		load = db.loadReadOnly
	}
	if err := load(o.Factory); err != nil {
		_ = b.Close()
		return nil, err
	}
	if err := db.openModules(); err != nil {
		_ = b.Close()
		return nil, err
	}
	return db, nil
}

// load reads the running configuration (storing the factory default
// first in a new database) and the pending commit confirmed.
func (db *DB) load(factory []byte) error {
	var text, ptext []byte
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := createBuckets(tx); err != nil {
			return err
		}
		rev, t, err := readRunning(tx)
		if errors.Is(err, errNoRunning) {
			return db.initFactory(tx, factory)
		}
		if err != nil {
			return err
		}
		db.rev, text = rev, t
		db.pending, ptext, err = readPending(tx)
		return err
	})
	if err != nil {
		return err
	}
	if db.running == nil {
		t, err := db.parse(text, "")
		if err != nil {
			return fmt.Errorf("cdb: the running configuration (revision %d) no longer fits the schema: %w", db.rev, err)
		}
		db.setRunning(t, db.rev)
	}
	if db.pending == nil {
		return nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if !db.now().Before(db.pending.Deadline) {
		return db.restore(ptext)
	}
	db.arm(db.pending.Deadline.Sub(db.now()))
	return nil
}

// initFactory stores the factory default as revision 1.
func (db *DB) initFactory(tx *bolt.Tx, factory []byte) error {
	t, err := config.Load(db.y, factory, config.Options{File: "factory default"})
	if err != nil {
		return fmt.Errorf("cdb: the factory default is not valid: %w", err)
	}
	t.File = ""
	db.created = true
	rev := Revision{Seq: 1, Time: db.now().UTC(), User: "ze", Origin: OriginFactory, Comment: "factory default"}
	if err := putRevision(tx, rev, t.Text()); err != nil {
		return err
	}
	db.setRunning(t, 1)
	return nil
}

// loadReadOnly reads the running configuration and the pending commit
// confirmed of a database opened read-only: nothing is created, restored
// or timed.
func (db *DB) loadReadOnly([]byte) error {
	var text []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if err := checkBuckets(tx); err != nil {
			return err
		}
		rev, t, err := readRunning(tx)
		if err != nil {
			return err
		}
		db.rev, text = rev, t
		db.pending, _, err = readPending(tx)
		return err
	})
	if errors.Is(err, errNoRunning) {
		return fmt.Errorf("cdb: %s holds no running configuration", db.path)
	}
	if err != nil {
		return err
	}
	t, err := db.parse(text, "")
	if err != nil {
		return fmt.Errorf("cdb: the running configuration (revision %d) no longer fits the schema: %w", db.rev, err)
	}
	db.setRunning(t, db.rev)
	return nil
}

// Created reports whether this Open made the database, from the factory
// default: the first start (the daemon prints the admin password then).
func (db *DB) Created() bool { return db.created }

// ReadOnly reports whether the database was opened with Options.ReadOnly.
func (db *DB) ReadOnly() bool { return db.readOnly }

// Expired reports whether a commit confirmed waits for its confirmation
// past its deadline: only in a database opened read-only, which cannot
// restore it (a writable Open does, at once).
func (db *DB) Expired() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.pending != nil && !db.now().Before(db.pending.Deadline)
}

// parse reads a stored configuration text.
func (db *DB) parse(text []byte, file string) (*config.Tree, error) {
	t, err := config.Parse(db.y, text, config.Options{File: file, Format: config.Hierarchical})
	if err != nil {
		return nil, err
	}
	t.File = ""
	return t, nil
}

func (db *DB) setRunning(t *config.Tree, rev uint64) {
	db.running, db.active, db.rev = t, t.Active(), rev
}

// Path returns the path of the database file.
func (db *DB) Path() string { return db.path }

// Close stops the confirmation timer and closes the file. The sessions
// can no longer be used; their candidates stay stored.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	if db.timer != nil {
		db.timer.Stop()
	}
	return db.bolt.Close()
}

// Running returns a copy of the running configuration and its revision.
func (db *DB) Running() (*config.Tree, uint64, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, 0, ErrClosed
	}
	return db.running.Clone(), db.rev, nil
}

// Show returns the running configuration in the form f.
func (db *DB) Show(f config.Format) ([]byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, ErrClosed
	}
	return db.running.Format(f)
}

// Pending returns the commit confirmed that waits for its confirmation,
// or nil.
func (db *DB) Pending() *Pending {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.pending == nil {
		return nil
	}
	p := *db.pending
	return &p
}
