package shell

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

var (
	cfgOnce sync.Once
	cfgRoot *command
)

// configureTree is the grammar of configure mode.
func configureTree() *command {
	cfgOnce.Do(func() {
		cfgRoot = &command{subs: []*command{
			{name: "set", help: "Set a value, or create a container or entry", args: pathArgs{kind: pathSet}, run: runSet},
			{name: "delete", help: "Delete a statement with everything beneath it", args: pathArgs{kind: pathAny}, run: runDelete},
			{name: "deactivate", help: "Keep a statement but do not apply it", args: pathArgs{kind: pathAny}, run: runDeactivate},
			{name: "activate", help: "Apply a deactivated statement again", args: pathArgs{kind: pathAny}, run: runActivate},
			{name: "annotate", help: "Attach a comment to a statement (\"\" removes it)", args: textArgs{}, run: runAnnotate},
			{name: "rename", help: "Give a list entry other keys: rename PATH to NAME KEY", args: moveArgs{}, run: runRename},
			{name: "copy", help: "Copy a list entry: copy PATH to NAME KEY", args: moveArgs{}, run: runCopy},
			{name: "edit", help: "Move to a level of the configuration (without a path: the full-screen editor)", args: pathArgs{kind: pathEdit, optional: true}, run: runEdit},
			{name: "up", help: "Move up one level (or N)", args: seqArgs{{value: "<count>", help: "How many levels <1..64>", valid: validRange(1, 64), optional: true}}, run: runUp},
			{name: "top", help: "Move to the top level", run: runTop},
			{name: "show", help: "Show the candidate configuration at this level or PATH", args: pathArgs{kind: pathAny, optional: true}, run: runShow, formats: true, compare: true},
			{name: "commit", help: "Make the candidate the running configuration", args: optArgs{opts: []opt{
				{word: "check", help: "Validate only, commit nothing", alone: true},
				{word: "comment", help: "Record a comment in the history", value: `"<comment>"`},
				{word: "confirmed", help: "Roll back unless confirmed within N minutes", value: "<minutes>", valid: validRange(1, 65535), def: "10"},
				{word: "and-quit", help: "Leave configure mode after the commit"},
			}}, run: runCommit},
			{name: "rollback", help: "Load a previous configuration into the candidate (0: discard the changes)", args: seqArgs{{value: "<number>", help: "The rollback number <0..49>", valid: validUint(cdb.HistorySize - 1), optional: true}}, run: runRollback},
			{name: "rebase", help: "Bring a candidate made from an older running configuration up to date", run: runRebase},
			{name: "load", help: "Load configuration text into the candidate", args: seqArgs{
				{words: []Item{
					{Word: "merge", Help: "Add the text's statements to the candidate"},
					{Word: "override", Help: "Replace the candidate with the text"},
					{Word: "set", Help: "Apply set, delete, (de)activate and annotate commands"},
				}},
				{words: []Item{{Word: "terminal", Help: "Type or paste the text, Ctrl-D ends it"}}, value: "<file>", help: "The file to read"},
			}, run: runLoad},
			{name: "run", help: "Run an operational command", args: runArgs{}, run: runRun, formats: true},
			{name: "status", help: "Show who else is editing the configuration", run: runStatus},
			{name: "exit", help: "Leave this level, or configure mode at the top", args: seqArgs{{words: []Item{
				{Word: "configuration-mode", Help: "Leave configure mode from any level"},
				{Word: "discard", Help: "Leave configure mode, discarding uncommitted changes"},
			}, optional: true}}, run: runCfgExit},
			{name: "quit", help: "Same as exit", args: seqArgs{{words: []Item{
				{Word: "configuration-mode", Help: "Leave configure mode from any level"},
				{Word: "discard", Help: "Leave configure mode, discarding uncommitted changes"},
			}, optional: true}}, run: runCfgExit},
		}}
	})
	return cfgRoot
}

// full is the path of the words typed, from the top: the edit level first.
func (c *call) full(words []string) []string {
	return append(append([]string(nil), c.sh.edit...), words...)
}

// valueError turns an error of an edit into one pointing at the last word,
// where a bad value stands.
func (c *call) valueError(err error) error {
	if err == nil || len(c.args) == 0 {
		return err
	}
	var le *cdb.LockedError
	if errors.As(err, &le) {
		return err
	}
	return &SyntaxError{Pos: c.args[len(c.args)-1].Pos, Msg: err.Error()}
}

func runSet(c *call) error {
	return c.valueError(c.sh.sess.Set(c.full(c.words())))
}

func runDelete(c *call) error {
	err := c.sh.sess.Delete(c.full(c.words()))
	if errors.Is(err, config.ErrNotFound) {
		return fmt.Errorf("statement not found: %s", strings.Join(quoteAll(c.full(c.words())), " "))
	}
	return err
}

func runDeactivate(c *call) error {
	return c.notFound(c.sh.sess.Deactivate(c.full(c.words())))
}

func runActivate(c *call) error {
	return c.notFound(c.sh.sess.Activate(c.full(c.words())))
}

func (c *call) notFound(err error) error {
	if errors.Is(err, config.ErrNotFound) {
		return fmt.Errorf("statement not found: %s", strings.Join(quoteAll(c.full(c.words())), " "))
	}
	return err
}

func runAnnotate(c *call) error {
	w := c.words()
	return c.notFound(c.sh.sess.Annotate(c.full(w[:len(w)-1]), w[len(w)-1]))
}

// moves returns the from and to paths of rename and copy: TO is a path
// from the edit level when it names an entry of a list from there
// ("bgp group b peer q"), and otherwise replaces as many words at the end
// of FROM as it has ("peer q").
func (c *call) moves() (from, to []string) {
	f, t, _ := moveArgs{}.cut(c.args)
	from = c.full(texts(f))
	tw := texts(t)
	if p, err := walk(c.sh.cursor(), t, pathAny, true); err == nil && p.node.Kind() == yang.List || len(tw) >= len(f) {
		return from, c.full(tw)
	}
	to = append(append([]string(nil), from[:len(from)-len(tw)]...), tw...)
	return from, to
}

func runRename(c *call) error {
	from, to := c.moves()
	return c.sh.sess.Rename(from, to)
}

func runCopy(c *call) error {
	from, to := c.moves()
	return c.sh.sess.Copy(from, to)
}

func runEdit(c *call) error {
	if len(c.args) == 0 {
		if c.sh.env.Edit == nil {
			return errors.New("edit needs a path (the full-screen editor is not available here)")
		}
		return c.sh.env.Edit(c.ctx, c.sh.sess)
	}
	c.sh.setEdit(c.full(c.words()))
	return nil
}

func runUp(c *call) error {
	n := 1
	if len(c.args) > 0 {
		n, _ = strconv.Atoi(c.args[0].Text)
	}
	for ; n > 0 && len(c.sh.edit) > 0; n-- {
		c.sh.setEdit(c.sh.upOne())
	}
	return nil
}

// upOne is the edit level above: an entry's level goes up by its list name
// and keys together.
func (sh *Shell) upOne() []string {
	t := sh.data()
	p := rootState(t.Schema(), t)
	levels := []int{0}
	for i, w := range sh.edit {
		np, why := step(p, w, pathEdit)
		if why != "" {
			break
		}
		p = np
		if !p.inList() {
			levels = append(levels, i+1)
		}
	}
	if len(levels) < 2 {
		return nil
	}
	return sh.edit[:levels[len(levels)-2]]
}

func runTop(c *call) error {
	c.sh.setEdit(nil)
	return nil
}

func runShow(c *call) error {
	s := c.sh.sess
	if c.compare >= 0 {
		return c.showCompare()
	}
	t, err := s.Candidate()
	if err != nil {
		return err
	}
	out, err := subtreeText(t, c.full(c.words()), c.format)
	if err != nil {
		return err
	}
	_, err = c.w.Write(out)
	return err
}

// showCompare prints show | compare [rollback N]: the whole candidate at
// the top, the edit level's subtree (with PATH) below it.
func (c *call) showCompare() error {
	s := c.sh.sess
	path := c.full(c.words())
	if len(path) == 0 {
		var out []byte
		var err error
		if c.compare == 0 {
			out, err = s.Compare()
		} else {
			out, err = s.CompareRollback(c.compare)
		}
		if err != nil {
			return err
		}
		_, err = c.w.Write(out)
		return err
	}
	old, _, err := c.sh.env.DB.RollbackConfig(c.compare)
	if err != nil {
		return err
	}
	cand, err := s.Candidate()
	if err != nil {
		return err
	}
	a, _, err := prune(old, path)
	if err != nil {
		return err
	}
	b, _, err := prune(cand, path)
	if err != nil {
		return err
	}
	for i := 1; i < len(path); i++ { // the levels above are not what is compared
		for _, t := range []*config.Tree{a, b} {
			_ = t.Annotate(path[:i], "")
			_ = t.Activate(path[:i])
		}
	}
	_, err = c.w.Write(config.Compare(a, b))
	return err
}

func runCommit(c *call) error {
	got, serr := optArgs{opts: configureTree().sub("commit").args.(optArgs).opts}.parse(c.args, true)
	if serr != nil {
		return serr
	}
	s := c.sh.sess
	if _, ok := got["check"]; ok {
		if err := s.Check(); err != nil {
			return err
		}
		c.printf("configuration check succeeds\n")
		return nil
	}
	o := cdb.CommitOptions{Comment: got["comment"]}
	if v, ok := got["confirmed"]; ok {
		n, _ := strconv.Atoi(v)
		o.Confirmed = time.Duration(n) * time.Minute
	}
	rev, err := s.Commit(o)
	if err != nil {
		return err
	}
	if o.Confirmed > 0 {
		c.printf("commit confirmed will be automatically rolled back in %d minutes unless confirmed\n", int(o.Confirmed/time.Minute))
	}
	c.printf("commit complete (revision %d)\n", rev.Seq)
	if _, ok := got["and-quit"]; ok {
		c.printf("Exiting configuration mode\n")
		return c.sh.leaveConfigure()
	}
	return nil
}

func runRollback(c *call) error {
	n := 0
	if len(c.args) > 0 {
		n, _ = strconv.Atoi(c.args[0].Text)
	}
	if err := c.sh.sess.Rollback(n); err != nil {
		return err
	}
	c.printf("load complete\n")
	return nil
}

func runRebase(c *call) error {
	conflicts, err := c.sh.sess.Rebase()
	if err != nil {
		return err
	}
	for _, x := range conflicts {
		c.printf("conflict: %s\n", x.String())
	}
	c.printf("rebase complete (base revision %d, %d conflicts)\n", c.sh.sess.Base(), len(conflicts))
	return nil
}

func runLoad(c *call) error {
	mode := map[string]cdb.LoadMode{"merge": cdb.LoadMerge, "override": cdb.LoadOverride, "set": cdb.LoadSet}[c.args[0].Text]
	src := c.args[1].Text
	var text []byte
	if src == "terminal" && !c.args[1].Quoted {
		if c.sh.env.Input == nil {
			return errors.New("load terminal needs an input")
		}
		c.printf("[Type ^D at a new line to end input]\n")
		var b strings.Builder
		for {
			l, err := c.sh.env.Input("")
			if err != nil {
				break
			}
			b.WriteString(l)
			b.WriteByte('\n')
		}
		text = []byte(b.String())
		src = "terminal"
	} else {
		var err error
		text, err = os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if err := c.sh.sess.Load(mode, text, src); err != nil {
		return err
	}
	c.printf("load complete\n")
	return nil
}

func runRun(c *call) error {
	tree := c.sh.opTree()
	cmd, args, serr := resolve(tree, c.args)
	if serr != nil {
		return serr
	}
	switch cmd.name {
	case "configure":
		return errors.New("run: already in configure mode")
	case "exit", "quit":
		return errors.New("run: use exit to leave configure mode")
	}
	if cmd.super && c.sh.env.Class != SuperUser {
		return fmt.Errorf("%w: %s needs the super-user class", ErrDenied, cmd.name)
	}
	switch {
	case c.format != config.Auto && !cmd.formats:
		return errors.New("run: display is only for a configuration")
	case c.format == config.SetForm && cmd.json:
		return errors.New("run: display set is only for a configuration")
	}
	inner := *c
	inner.cmd, inner.args = cmd, args
	return cmd.run(&inner)
}

func runCfgExit(c *call) error {
	sh := c.sh
	word := ""
	if len(c.args) > 0 {
		word = c.args[0].Text
	}
	if word == "" && len(sh.edit) > 0 {
		sh.setEdit(sh.upOne())
		return nil
	}
	if word != "discard" && sh.sess.Changed() && !sh.warned {
		sh.warned = true
		c.printf("The configuration has been changed but not committed\n")
		return errors.New("uncommitted changes: exit again (or exit discard) to leave without them, or commit and-quit")
	}
	c.printf("Exiting configuration mode\n")
	return sh.leaveConfigure()
}

// leaveConfigure closes the configure session: its private candidate is
// dropped.
func (sh *Shell) leaveConfigure() error {
	if sh.sess == nil {
		return nil
	}
	s := sh.sess
	sh.mu.Lock()
	sh.sess, sh.mode, sh.edit, sh.warned = nil, Operational, nil, false
	sh.mu.Unlock()
	sh.env.Sessions.remove(sh)
	return s.Close()
}
