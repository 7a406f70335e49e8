package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
)

// The edit commands beyond set and delete (deactivate, activate,
// annotate, rename, copy, load), each committed at once as set is, and
// the commit commands: commit check and confirm.

// usageErr is a misuse of a command found once the database is open.
type usageErr string

func (e usageErr) Error() string { return string(e) }

// runEditArgs is runEdit with a check of the words before the database
// is opened: check returns a message for a misuse, or "".
func runEditArgs(c *cmdline, args []string, check func([]string) string, edit func(*cdb.Session, []string) error) int {
	s := stateFlags(c, true)
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if msg := check(rest); msg != "" {
		return c.errorf(exitError, "%s", msg)
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
		var u usageErr
		if errors.As(err, &u) {
			return s.closeAll(db, sess, c.errorf(exitError, "%s", u))
		}
		return s.closeAll(db, sess, s.fail(err))
	}
	return s.closeAll(db, sess, s.commit(db, sess))
}

func wantPath(rest []string) string {
	if len(rest) == 0 {
		return "want a PATH"
	}
	return ""
}

func runDeactivate(c *cmdline, args []string) int {
	return runEditArgs(c, args, wantPath, (*cdb.Session).Deactivate)
}

func runActivate(c *cmdline, args []string) int {
	return runEditArgs(c, args, wantPath, (*cdb.Session).Activate)
}

// runAnnotate is annotate PATH… "TEXT": the last word is the comment
// ("" removes it).
func runAnnotate(c *cmdline, args []string) int {
	check := func(rest []string) string {
		if len(rest) < 2 {
			return `want PATH... "TEXT" (annotate bgp group g "the customers"; "" removes the comment)`
		}
		return ""
	}
	return runEditArgs(c, args, check, func(sess *cdb.Session, rest []string) error {
		return sess.Annotate(rest[:len(rest)-1], rest[len(rest)-1])
	})
}

func runRename(c *cmdline, args []string) int {
	return runMove(c, args, "rename", (*cdb.Session).Rename)
}

func runCopy(c *cmdline, args []string) int {
	return runMove(c, args, "copy", (*cdb.Session).Copy)
}

// runMove is rename and copy: PATH… to PATH…, in the JunOS word order.
// The words after "to" replace the last words of the first PATH, so
// "bgp group g peer a to peer b" makes "bgp group g peer b"; a whole path
// ("… to bgp group h peer b") names an entry under another one.
func runMove(c *cmdline, args []string, verb string, move func(*cdb.Session, []string, []string) error) int {
	example := fmt.Sprintf("(%s bgp group g peer a to peer b)", verb)
	check := func(rest []string) string {
		switch i := slices.Index(rest, "to"); {
		case len(rest) == 0:
			return "want PATH... to PATH... " + example
		case i < 0:
			return fmt.Sprintf("missing \"to\": want %s PATH... to PATH... %s", verb, example)
		case i == 0:
			return fmt.Sprintf("want the PATH to %s before \"to\" %s", verb, example)
		case i == len(rest)-1 && slices.Index(rest[:i], "to") < 0:
			return "want the new name after \"to\" " + example
		}
		return ""
	}
	return runEditArgs(c, args, check, func(sess *cdb.Session, rest []string) error {
		from, to, err := splitTo(sess, rest, example)
		if err != nil {
			return err
		}
		return move(sess, from, to)
	})
}

// splitTo splits PATH… to PATH… at the "to" that follows a list entry of
// the candidate (a key may be "to" itself), and makes the second path
// whole.
func splitTo(sess *cdb.Session, words []string, example string) (from, to []string, err error) {
	cand, err := sess.Candidate()
	if err != nil {
		return nil, nil, err
	}
	first := -1
	for i, w := range words {
		if w != "to" || i == 0 || i == len(words)-1 {
			continue
		}
		if first < 0 {
			first = i
		}
		if n, err := cand.Get(words[:i]); err == nil && n != nil && n.Kind() == config.Entry {
			first = i
			break
		}
	}
	if first < 0 {
		return nil, nil, usageErr("want the new name after \"to\" " + example)
	}
	from, to = words[:first], words[first+1:]
	if len(to) > len(from) {
		return nil, nil, usageErr(fmt.Sprintf("%q names more than %q: give the new keys (\"to peer b\") or a whole path",
			strings.Join(to, " "), strings.Join(from, " ")))
	}
	whole := slices.Concat(from[:len(from)-len(to)], to)
	return from, whole, nil
}

// loadModes are the words of ze config load.
var loadModes = map[string]cdb.LoadMode{"merge": cdb.LoadMerge, "override": cdb.LoadOverride, "set": cdb.LoadSet}

// runLoad is load merge|override|set FILE|-, committed at once.
func runLoad(c *cmdline, args []string) int {
	s := stateFlags(c, true)
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) == 0 {
		return c.errorf(exitError, "want merge, override or set, then FILE (- for standard input)")
	}
	mode, ok := loadModes[rest[0]]
	if !ok {
		if len(rest) == 2 && loadModes[rest[1]] != 0 {
			return c.errorf(exitError, "the mode comes first: ze config load %s %s", rest[1], rest[0])
		}
		return c.errorf(exitError, "unknown mode %q (want merge, override or set, then FILE)", rest[0])
	}
	if len(rest) != 2 {
		return c.errorf(exitError, "want one FILE after %s (- for standard input)", rest[0])
	}
	if !s.checkConfirmed() {
		return exitError
	}
	src, code := c.read(rest[1])
	if code != exitOK {
		return code
	}
	db, code := s.open(true)
	if db == nil {
		return code
	}
	sess, code := s.session(db)
	if sess == nil {
		return s.closeAll(db, nil, code)
	}
	if err := sess.Load(mode, src, name(rest[1])); err != nil {
		return s.closeAll(db, sess, s.fail(err))
	}
	return s.closeAll(db, sess, s.commit(db, sess))
}

// runCommit is commit check FILE|-: FILE validated as a candidate that
// would replace running, and what it would change; nothing is committed
// (the edit commands commit on their own, confirm confirms).
func runCommit(c *cmdline, args []string) int {
	s := stateFlags(c, false)
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	switch {
	case len(rest) == 0:
		return c.errorf(exitError, "want check FILE (each edit command commits; ze config confirm confirms a commit confirmed)")
	case rest[0] == "confirmed":
		return c.errorf(exitError, "commit confirmed is an option of the edit commands: ze config set --confirmed MINUTES PATH... VALUE")
	case rest[0] != "check":
		return c.errorf(exitError, "unknown %q: want check FILE", rest[0])
	}
	c.name += " check"
	if len(rest) != 2 {
		return c.errorf(exitError, "want one FILE (- for standard input)")
	}
	src, code := c.read(rest[1])
	if code != exitOK {
		return code
	}
	y, code := c.schema()
	if code != exitOK {
		return code
	}
	t, err := config.Load(y, src, config.Options{File: name(rest[1])})
	if err != nil {
		return s.failCheck(err)
	}
	db, code := s.openRead()
	if db == nil {
		return code
	}
	running, _, err := db.Running()
	if err != nil {
		return s.closeAll(db, nil, s.fail(err))
	}
	t.File = ""
	if code := c.write(config.Compare(running, t)); code != exitOK {
		return s.closeAll(db, nil, code)
	}
	fmt.Fprintln(c.stdout, "configuration check succeeds")
	return s.closeAll(db, nil, exitOK)
}

// failCheck reports the errors of commit check.
func (s *stateCmd) failCheck(err error) int {
	var list config.ErrorList
	if !errors.As(err, &list) {
		return s.fail(err)
	}
	for _, e := range list {
		fmt.Fprintln(s.stderr, e)
	}
	return s.errorf(exitError, "%s; configuration check fails", plural(len(list), "error"))
}

// runConfirm confirms a commit confirmed: a commit of running as it is.
func runConfirm(c *cmdline, args []string) int {
	s := stateFlags(c, true)
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) != 0 {
		return c.errorf(exitError, "unexpected argument %q", rest[0])
	}
	if *s.confirmed != "" {
		return c.errorf(exitError, "--confirmed: a confirming commit is not a commit confirmed")
	}
	db, code := s.open(false)
	if db == nil {
		return code
	}
	p := db.Pending()
	if p == nil {
		return s.closeAll(db, nil, c.errorf(exitError, "no commit confirmed waits for its confirmation; nothing committed"))
	}
	sess, code := s.session(db)
	if sess == nil {
		return s.closeAll(db, nil, code)
	}
	if *s.comment == "" {
		*s.comment = fmt.Sprintf("confirms revision %d", p.Seq)
	}
	return s.closeAll(db, sess, s.commit(db, sess))
}
