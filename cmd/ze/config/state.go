package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
)

// The commands on the state directory (the config database, package cdb):
// import, show, set, delete, history, rollback and compare. Each opens
// DIR/cdb.db, does its work in a private session and closes it; a
// database that does not exist is made from the factory default by the
// commands that commit, and is "not found" (exit 2) for the others.

// defaultState is the state directory when --state is not given: the one
// of a checkout.
const defaultState = "./var"

const stateUsage = `usage: ze config import [--state DIR] [COMMIT] FILE
       ze config show [--state DIR] [--format hierarchical|set|json] [--rollback N]
       ze config set [--state DIR] [COMMIT] PATH... VALUE
       ze config delete [--state DIR] [COMMIT] PATH...
       ze config deactivate|activate [--state DIR] [COMMIT] PATH...
       ze config annotate [--state DIR] [COMMIT] PATH... "TEXT"
       ze config rename|copy [--state DIR] [COMMIT] PATH... to PATH...
       ze config load merge|override|set [--state DIR] [COMMIT] FILE
       ze config commit check [--state DIR] FILE
       ze config confirm [--state DIR] [--comment TEXT]
       ze config history [--state DIR] [--json]
       ze config rollback [--state DIR] [COMMIT] N
       ze config compare [--state DIR] [--rollback N [--to M]] [FILE]
COMMIT is [--comment TEXT] [--confirmed MINUTES].

import      validate FILE (any form) and commit it as the running configuration
show        print the running configuration (or that of rollback N)
set         set a value (or create a node) and commit, in one go
delete      delete a node (or a value of a leaf-list) and commit, in one go
deactivate  mark a node inactive: kept and shown ("inactive:"), but not
            validated or applied; activate clears the mark
annotate    attach TEXT to a node as its comment ("" removes it)
rename      give a list entry other keys: the words after "to" replace the
            last words of PATH (rename bgp group g peer a to peer b), or are
            a whole path; copy makes a copy, also under another entry
load        merge: add FILE's nodes, its values replacing running's;
            override: FILE replaces running; set: FILE's set, delete,
            deactivate, activate and annotate commands applied
commit check  validate FILE as a candidate replacing running and print what
            it would change; nothing is committed
confirm     confirm a commit confirmed (--confirmed MINUTES): without it, the
            configuration before is restored when MINUTES have passed (by the
            next ze that opens the database, if none has it open then)
history     list the commits kept: rollback number, revision, time, user,
            origin (cli, rpc, rollback, confirmed-timeout, factory-default), comment
rollback    commit the configuration of rollback N again (0 is running, 1 the
            one before, …)
compare     what changed from rollback N (default 1) to running (or to
            rollback M with --to M); with FILE, what committing FILE would
            change in running (or in rollback N)

--state DIR is the state directory holding cdb.db (default ./var); a new
database starts from the factory default. -m MODULE adds a YANG module.
FILE - reads standard input. show, history, compare and commit check open
the database read-only. A ze that has the database open (the daemon) makes
the commands fail at once: use 'ze cli' then.

Exit status: 0 success, 1 error (nothing committed), 2 a file or the
database not found.
`

// stateCmd is what the state commands share.
type stateCmd struct {
	*cmdline
	state     *string
	comment   *string
	confirmed *string
	minutes   int // --confirmed, read by checkConfirmed
}

// stateFlags declares --state (and --comment and --confirmed when the
// command commits).
func stateFlags(c *cmdline, commits bool) *stateCmd {
	c.fs.Usage = func() { fmt.Fprint(c.stderr, stateUsage) }
	s := &stateCmd{cmdline: c}
	s.state = c.fs.String("state", defaultState, "the state directory `DIR`")
	if commits {
		s.comment = c.fs.String("comment", "", "the commit comment `TEXT`")
		s.confirmed = c.fs.String("confirmed", "", "commit confirmed: roll back after `MINUTES` unless confirmed (ze config confirm)")
	}
	return s
}

// maxConfirmed is the longest commit confirmed, in minutes (as JunOS).
const maxConfirmed = 65535

// checkConfirmed reads --confirmed MINUTES; false after reporting a bad
// value.
func (s *stateCmd) checkConfirmed() bool {
	if s.confirmed == nil || *s.confirmed == "" {
		return true
	}
	n, err := strconv.Atoi(*s.confirmed)
	if err != nil || n < 1 || n > maxConfirmed {
		s.errorf(exitError, "--confirmed %q: want minutes, from 1 to %d", *s.confirmed, maxConfirmed)
		return false
	}
	s.minutes = n
	return true
}

// openTimeout is how long a command waits for another process to release
// the database before it says that a running ze holds it.
const openTimeout = time.Second

// open opens the database to change it; without create, a missing one is
// exit 2.
func (s *stateCmd) open(create bool) (*cdb.DB, int) {
	if !create {
		if code := s.exists(); code != exitOK {
			return nil, code
		}
	}
	return s.openDB(false)
}

// openRead opens an existing database read-only (show, history, compare,
// commit check): it shares the file with other readers and never takes
// the write lock. A commit confirmed whose deadline passed is restored
// first, through a writable open, as any open for writing would.
func (s *stateCmd) openRead() (*cdb.DB, int) {
	if code := s.exists(); code != exitOK {
		return nil, code
	}
	db, code := s.openDB(true)
	if db == nil || !db.Expired() {
		return db, code
	}
	if err := db.Close(); err != nil {
		return nil, s.fail(err)
	}
	if db, code = s.openDB(false); db == nil {
		return nil, code
	}
	if err := db.Close(); err != nil {
		return nil, s.fail(err)
	}
	return s.openDB(true)
}

// exists reports a missing database (exit 2).
func (s *stateCmd) exists() int {
	_, err := os.Stat(filepath.Join(*s.state, cdb.FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return s.errorf(exitNotFound, "no configuration database in %s (ze config import FILE makes one)", *s.state)
	}
	return exitOK
}

func (s *stateCmd) openDB(readOnly bool) (*cdb.DB, int) {
	s.stateDir = *s.state
	y, code := s.schema()
	if code != exitOK {
		return nil, code
	}
	// Warnings (a commit confirmed restored at this open) reach the user;
	// the line per commit does not.
	log := slog.New(slog.NewTextHandler(s.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := cdb.Open(*s.state, cdb.Options{
		Schema: y, Factory: cdb.DefaultConfig, Logger: log, ReadOnly: readOnly, Timeout: openTimeout,
	})
	if errors.Is(err, cdb.ErrInUse) {
		fmt.Fprintf(s.stderr, "ze config: the configuration database in %s is in use by a running ze (use 'ze cli')\n", *s.state)
		return nil, exitError
	}
	if err != nil {
		return nil, s.fail(err)
	}
	return db, exitOK
}

// session opens a private session of the user running the command.
func (s *stateCmd) session(db *cdb.DB) (*cdb.Session, int) {
	sess, err := db.Session(cdb.SessionOptions{User: stateUser(), Origin: cdb.OriginCLI})
	if err != nil {
		return nil, s.fail(err)
	}
	return sess, exitOK
}

// stateUser is who commits: $USER, else the user of the process.
func stateUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "unknown"
}

// fail reports err and returns exit 1: every line of a validation or
// parse error on its own.
func (s *stateCmd) fail(err error) int {
	var ve *cdb.ValidationError
	var list config.ErrorList
	switch {
	case errors.As(err, &ve):
		for _, l := range ve.Lines() {
			fmt.Fprintln(s.stderr, l)
		}
		return s.errorf(exitError, "%s; nothing committed", plural(len(ve.Errors), "error"))
	case errors.As(err, &list):
		for _, e := range list {
			fmt.Fprintln(s.stderr, e)
		}
		return s.errorf(exitError, "%s; nothing committed", plural(len(list), "error"))
	}
	return s.errorf(exitError, "%s", strings.TrimPrefix(err.Error(), "cdb: "))
}

// commit commits the session's candidate (a commit confirmed with
// --confirmed) and reports the new revision, and what it confirms.
func (s *stateCmd) commit(db *cdb.DB, sess *cdb.Session) int {
	pending := db.Pending()
	o := cdb.CommitOptions{Comment: *s.comment, Confirmed: time.Duration(s.minutes) * time.Minute}
	rev, err := sess.Commit(o)
	if err != nil {
		return s.fail(err)
	}
	fmt.Fprintf(s.stdout, "commit complete: revision %d\n", rev.Seq)
	switch {
	case o.Confirmed > 0:
		fmt.Fprintf(s.stdout, "commit confirmed: rolled back at %s unless confirmed (ze config confirm)\n",
			rev.ConfirmBy.UTC().Format(time.DateTime))
	case pending != nil:
		fmt.Fprintf(s.stdout, "revision %d confirmed\n", pending.Seq)
	}
	return exitOK
}

// closeAll closes the session and the database, keeping code unless
// closing fails.
func (s *stateCmd) closeAll(db *cdb.DB, sess *cdb.Session, code int) int {
	if sess != nil {
		if err := sess.Close(); err != nil && code == exitOK {
			code = s.fail(err)
		}
	}
	if err := db.Close(); err != nil && code == exitOK {
		code = s.fail(err)
	}
	return code
}

func runImport(c *cmdline, args []string) int {
	s := stateFlags(c, true)
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) != 1 {
		return c.errorf(exitError, "want one FILE")
	}
	if !s.checkConfirmed() {
		return exitError
	}
	src, code := c.read(rest[0])
	if code != exitOK {
		return code
	}
	y, code := c.schema()
	if code != exitOK {
		return code
	}
	// Validate first, with the file's name and places in the messages.
	if _, err := config.Load(y, src, config.Options{File: name(rest[0])}); err != nil {
		return s.fail(err)
	}
	db, code := s.open(true)
	if db == nil {
		return code
	}
	sess, code := s.session(db)
	if sess == nil {
		return s.closeAll(db, nil, code)
	}
	if err := sess.Load(cdb.LoadOverride, src, name(rest[0])); err != nil {
		return s.closeAll(db, sess, s.fail(err))
	}
	return s.closeAll(db, sess, s.commit(db, sess))
}

func runShow(c *cmdline, args []string) int {
	s := stateFlags(c, false)
	format := c.fs.String("format", "hierarchical", "the form to print: hierarchical, set or json")
	rollback := c.fs.Int("rollback", 0, "show the configuration of rollback `N` (0 is running)")
	effective := c.fs.Bool("effective", false, "show the effective values of PATH (a peer or group), inherited ones marked with where they come from")
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) != 0 && !*effective {
		return c.errorf(exitError, "unexpected argument %q", rest[0])
	}
	if *effective && len(rest) == 0 {
		return c.errorf(exitError, "--effective wants a PATH, e.g. bgp group g peer p")
	}
	f, err := config.ParseFormat(*format)
	if err != nil || f == config.Auto {
		return c.errorf(exitError, "unknown --format %q (want hierarchical, set or json)", *format)
	}
	db, code := s.openRead()
	if db == nil {
		return code
	}
	t, _, err := db.RollbackConfig(*rollback)
	if err != nil {
		return s.closeAll(db, nil, s.fail(err))
	}
	if *effective {
		if t, err = config.EffectiveTree(t, rest); err != nil {
			return s.closeAll(db, nil, s.fail(err))
		}
	}
	out, err := t.Format(f)
	if err != nil {
		return s.closeAll(db, nil, s.fail(err))
	}
	return s.closeAll(db, nil, c.write(out))
}

// runEdit is set and delete: one edit of a candidate, committed at once.
func runEdit(c *cmdline, args []string, edit func(*cdb.Session, []string) error) int {
	s := stateFlags(c, true)
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) == 0 {
		return c.errorf(exitError, "want a PATH")
	}
	if !s.checkConfirmed() {
		return exitError
	}
	db, code := s.open(true)
	if db == nil {
		return code
	}
	sess, code := s.session(db)
	if sess == nil {
		return s.closeAll(db, nil, code)
	}
	if err := edit(sess, rest); err != nil {
		return s.closeAll(db, sess, s.fail(err))
	}
	return s.closeAll(db, sess, s.commit(db, sess))
}

func runSet(c *cmdline, args []string) int {
	return runEdit(c, args, (*cdb.Session).Set)
}

func runDelete(c *cmdline, args []string) int {
	return runEdit(c, args, (*cdb.Session).Delete)
}

// rollbackArg reads the N of rollback and --rollback.
func rollbackArg(c *cmdline, s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		c.errorf(exitError, "rollback %q: want a number from 0 (running) to %d", s, cdb.HistorySize-1)
		return 0, false
	}
	return n, true
}
