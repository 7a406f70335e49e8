package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zebgp/ze/cdb/config"
)

// historyJSON is one revision in `ze config history --json`.
type historyJSON struct {
	Rollback  int       `json:"rollback"`
	Revision  uint64    `json:"revision"`
	Time      time.Time `json:"time"`
	User      string    `json:"user"`
	Origin    string    `json:"origin"`
	Comment   string    `json:"comment"`
	ConfirmBy time.Time `json:"confirm-by,omitzero"`
}

func runHistory(c *cmdline, args []string) int {
	s := stateFlags(c, false)
	asJSON := c.fs.Bool("json", false, "print the history as JSON")
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) != 0 {
		return c.errorf(exitError, "unexpected argument %q", rest[0])
	}
	db, code := s.openRead()
	if db == nil {
		return code
	}
	h, err := db.History()
	if err != nil {
		return s.closeAll(db, nil, s.fail(err))
	}
	pending := db.Pending()
	if *asJSON {
		out := make([]historyJSON, len(h))
		for i, r := range h {
			out[i] = historyJSON{i, r.Seq, r.Time, r.User, r.Origin.String(), r.Comment, r.ConfirmBy}
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		return s.closeAll(db, nil, c.write(append(b, '\n')))
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "#\tREVISION\tTIME\tUSER\tORIGIN\tCOMMENT")
	for i, r := range h {
		comment := r.Comment
		if pending != nil && pending.Seq == r.Seq {
			comment = strings.TrimSpace(comment + fmt.Sprintf(" (commit confirmed: rolled back at %s unless confirmed)", pending.Deadline.UTC().Format(time.DateTime)))
		}
		fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%s\n", i, r.Seq, r.Time.UTC().Format(time.DateTime), r.User, r.Origin, comment)
	}
	if err := w.Flush(); err != nil {
		return s.closeAll(db, nil, s.fail(err))
	}
	return s.closeAll(db, nil, exitOK)
}

func runRollback(c *cmdline, args []string) int {
	s := stateFlags(c, true)
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) != 1 {
		return c.errorf(exitError, "want one N")
	}
	n, ok := rollbackArg(c, rest[0])
	if !ok || !s.checkConfirmed() {
		return exitError
	}
	db, code := s.open(false)
	if db == nil {
		return code
	}
	sess, code := s.session(db)
	if sess == nil {
		return s.closeAll(db, nil, code)
	}
	if err := sess.Rollback(n); err != nil {
		return s.closeAll(db, sess, s.fail(err))
	}
	if *s.comment == "" {
		_, rev, err := db.RollbackConfig(n)
		if err != nil {
			return s.closeAll(db, sess, s.fail(err))
		}
		*s.comment = fmt.Sprintf("rollback %d: revision %d", n, rev.Seq)
	}
	return s.closeAll(db, sess, s.commit(db, sess))
}

func runCompare(c *cmdline, args []string) int {
	s := stateFlags(c, false)
	rollback := c.fs.String("rollback", "", "compare with rollback `N` (default: 1, or running with a FILE)")
	to := c.fs.String("to", "", "compare rollback N with rollback `M` rather than with running (0)")
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) > 1 {
		return c.errorf(exitError, "want at most one FILE")
	}
	n := -1
	if *rollback != "" {
		if n, ok = rollbackArg(c, *rollback); !ok {
			return exitError
		}
	}
	m := 0
	if *to != "" {
		if len(rest) == 1 {
			return c.errorf(exitError, "--to compares two rollbacks: not with a FILE")
		}
		if m, ok = rollbackArg(c, *to); !ok {
			return exitError
		}
	}
	var file *config.Tree
	if len(rest) == 1 {
		var code int
		if file, code = c.parseFile(rest[0]); file == nil {
			return code
		}
	}
	db, code := s.openRead()
	if db == nil {
		return code
	}
	if file == nil {
		if n < 0 {
			n = 1
		}
		out, err := db.CompareRollbacks(n, m)
		if err != nil {
			return s.closeAll(db, nil, s.fail(err))
		}
		return s.closeAll(db, nil, c.write(out))
	}
	// What committing FILE would change in running (or rollback N).
	old, _, err := db.RollbackConfig(max(n, 0))
	if err != nil {
		return s.closeAll(db, nil, s.fail(err))
	}
	file.File = ""
	return s.closeAll(db, nil, c.write(config.Compare(old, file)))
}
