package shell

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
)

var (
	opOnce sync.Once
	opRoot *command
)

// operationalTree is the grammar of operational mode without the
// registered commands.
func operationalTree() *command {
	opOnce.Do(func() {
		opRoot = &command{subs: []*command{
			{name: "show", help: "Show information", subs: []*command{
				{name: "configuration", help: "Show the running configuration", args: pathArgs{kind: pathAny, optional: true}, run: runShowConfiguration, formats: true},
				{name: "system", help: "Show system information", subs: []*command{
					{name: "commit", help: "Show the commit history and a pending commit confirmed", run: runShowCommit, formats: true, json: true},
					{name: "rollback", help: "Show the configuration of an earlier commit, or compare two", args: seqArgs{
						{value: "<number>", help: "The rollback number: 0 is running, 1 the commit before (show system commit lists them) <0..49>", valid: validRange(0, 49)},
						{words: []Item{{Word: "compare", Help: "Show what changes from this rollback to another"}}, optional: true},
						{value: "<number>", help: "The rollback to compare with <0..49>", valid: validRange(0, 49)},
					}, run: runShowRollback, formats: true},
				}},
				{name: "log", help: "Show the recent log lines", args: seqArgs{{value: "<count>", help: "How many lines (default 100) <1..10000>", valid: validRange(1, 10000), optional: true}}, run: runShowLog},
				{name: "cli", help: "Show the shell's state", subs: []*command{
					{name: "users", help: "Show who is in configure mode", run: runStatus},
				}},
			}},
			{name: "monitor", help: "Show events as they happen", subs: []*command{
				{name: "event", help: "Stream the events of the hub as JSON lines (Ctrl-C stops)", args: seqArgs{{value: "<topic>", help: "Only the topics that start with this (bgp/update, bgp/state, …)", optional: true}}, run: runMonitor},
			}},
			{name: "configure", help: "Enter configure mode", super: true, args: seqArgs{{words: []Item{
				{Word: "private", Help: "A candidate of your own (the default)"},
				{Word: "exclusive", Help: "The shared candidate, locked: no one else edits it or commits"},
			}, optional: true}}, run: runConfigure},
			{name: "exit", help: "Leave the shell", run: runExit},
			{name: "quit", help: "Leave the shell", run: runExit},
		}}
	})
	return opRoot
}

// subtreeText prints the node at path of t and what is beneath it, in the
// form f: the hierarchical form without the levels above (as JunOS shows
// `show bgp`), the set and JSON forms with the whole path.
func subtreeText(t *config.Tree, path []string, f config.Format) ([]byte, error) {
	if len(path) == 0 {
		return t.Format(f)
	}
	c, n, err := prune(t, path)
	if err != nil || n == nil {
		return nil, err
	}
	if f != config.Auto && f != config.Hierarchical {
		return c.Format(f)
	}
	depth := countLevels(n)
	if k := n.Kind(); k != config.Container && k != config.Entry {
		depth = countLevels(n.Parent()) // a leaf or a list keeps its own lines
	}
	return strip(c.Text(), depth), nil
}

// prune returns a copy of t with only the node at path, what is beneath
// it and the levels above it, and that node (nil when t does not have it:
// the copy is then empty).
func prune(t *config.Tree, path []string) (*config.Tree, *config.Node, error) {
	c := t.Clone()
	n, err := c.Get(path)
	if err != nil {
		return nil, nil, err
	}
	if n == nil {
		return config.New(t.Schema()), nil, nil
	}
	for cur := n; cur.Parent() != nil; cur = cur.Parent() {
		var drop [][]string
		for _, s := range cur.Parent().Children() {
			if s != cur {
				drop = append(drop, s.Path())
			}
		}
		for _, p := range drop {
			if err := c.Delete(p); err != nil && !errors.Is(err, config.ErrNotFound) {
				return nil, nil, err
			}
		}
	}
	return c, n, nil
}

// countLevels is how many "{" levels enclose the children of n.
func countLevels(n *config.Node) int {
	d := 0
	for cur := n; cur != nil && cur.Parent() != nil; cur = cur.Parent() {
		if k := cur.Kind(); k == config.Container || k == config.Entry {
			d++
		}
	}
	return d
}

// strip removes the depth enclosing levels of a hierarchical text: the
// lines up to the depth-th opening one, the last depth closing lines, and
// their indentation.
func strip(text []byte, depth int) []byte {
	if depth <= 0 {
		return text
	}
	lines := strings.Split(strings.TrimRight(string(text), "\n"), "\n")
	opened := 0
	i := 0
	for i < len(lines) && opened < depth {
		l := lines[i]
		if strings.HasSuffix(l, "{") && len(l)-len(strings.TrimLeft(l, " ")) == opened*len(config.Indent) {
			opened++
		}
		i++
	}
	end := len(lines) - depth
	if end < i {
		return nil
	}
	var b bytes.Buffer
	pad := strings.Repeat(config.Indent, depth)
	for _, l := range lines[i:end] {
		b.WriteString(strings.TrimPrefix(l, pad))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func runShowConfiguration(c *call) error {
	t, _, err := c.sh.env.DB.Running()
	if err != nil {
		return err
	}
	if c.sh.env.Class != SuperUser {
		hidePasswords(t)
	}
	out, err := subtreeText(t, c.words(), c.format)
	if err != nil {
		return err
	}
	_, err = c.w.Write(out)
	return err
}

// hidePasswords removes the password hashes of the users from t: an
// operator sees who may log in, not what to attack offline.
func hidePasswords(t *config.Tree) {
	list, _ := t.Get([]string{"system", "login", "user"})
	if list == nil {
		return
	}
	var paths [][]string
	for _, e := range list.Children() {
		if a := e.Child("authentication"); a != nil && a.Child("password") != nil {
			paths = append(paths, a.Child("password").Path())
		}
	}
	for _, p := range paths {
		_ = t.Delete(p)
	}
}

func runShowCommit(c *call) error {
	hist, err := c.sh.env.DB.History()
	if err != nil {
		return err
	}
	pend := c.sh.env.DB.Pending()
	if c.format == config.JSON {
		type entry struct {
			Rollback int `json:"rollback"`
			cdb.Revision
		}
		doc := struct {
			Pending *cdb.Pending `json:"pending,omitempty"`
			Commits []entry      `json:"commits"`
		}{Pending: pend, Commits: []entry{}}
		for i, r := range hist {
			doc.Commits = append(doc.Commits, entry{i, r})
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return err
		}
		_, err = c.w.Write(append(b, '\n'))
		return err
	}
	if pend != nil {
		c.printf("commit confirmed: revision %d by %s is rolled back to revision %d at %s (in %s) unless confirmed\n",
			pend.Seq, pend.User, pend.Restore, pend.Deadline.UTC().Format(time.DateTime+" UTC"), time.Until(pend.Deadline).Round(time.Second))
	}
	for i, r := range hist {
		c.printf("%-3d %s by %s via %s (revision %d)", i, r.Time.UTC().Format(time.DateTime+" UTC"), r.User, r.Origin, r.Seq)
		if !r.ConfirmBy.IsZero() {
			if pend != nil && pend.Seq == r.Seq {
				c.printf(" commit confirmed, rollback at %s", r.ConfirmBy.UTC().Format(time.TimeOnly))
			} else {
				c.printf(" commit confirmed")
			}
		}
		c.printf("\n")
		if r.Comment != "" {
			c.printf("    %s\n", r.Comment)
		}
	}
	return nil
}

// runShowRollback is `show system rollback N [compare M]`, as JunOS has it.
func runShowRollback(c *call) error {
	n, _ := strconv.Atoi(c.args[0].Text)
	if len(c.args) == 3 {
		m, _ := strconv.Atoi(c.args[2].Text)
		out, err := c.sh.env.DB.CompareRollbacks(n, m)
		if err != nil {
			return err
		}
		c.printf("%s", out)
		return nil
	}
	t, _, err := c.sh.env.DB.RollbackConfig(n)
	if err != nil {
		return err
	}
	out, err := t.Format(c.format)
	if err != nil {
		return err
	}
	c.printf("%s", out)
	return nil
}

func runShowLog(c *call) error {
	if c.sh.env.Log == nil {
		return errors.New("no log kept by this daemon")
	}
	n := 100
	if len(c.args) > 0 {
		n, _ = strconv.Atoi(c.args[0].Text)
	}
	for _, l := range c.sh.env.Log.Lines(n) {
		c.printf("%s\n", strings.TrimRight(l, "\n"))
	}
	return nil
}

func runMonitor(c *call) error {
	if c.sh.env.Events == nil {
		return errors.New("no events in this daemon")
	}
	topic := ""
	if len(c.args) > 0 {
		topic = c.args[0].Text
	}
	ch, stop, err := c.sh.env.Events(c.ctx, topic)
	if err != nil {
		return err
	}
	defer stop()
	for {
		select {
		case <-c.ctx.Done():
			return nil
		case ev, ok := <-ch:
			if !ok {
				return nil
			}
			if _, err := c.w.Write(append(bytes.TrimRight(ev, "\n"), '\n')); err != nil {
				return err
			}
		}
	}
}

func runConfigure(c *call) error {
	sh := c.sh
	mode := cdb.Private
	if len(c.args) > 0 && c.args[0].Text == "exclusive" {
		mode = cdb.Exclusive
	}
	others := sh.env.Sessions.Editors()
	s, err := sh.env.DB.Session(cdb.SessionOptions{User: sh.env.User, Mode: mode})
	if err != nil {
		return err
	}
	if len(others) > 0 {
		c.printf("Users currently editing the configuration:\n")
		for _, e := range others {
			c.printf("  %s\n", editorLine(e))
		}
	}
	sh.mu.Lock()
	sh.sess, sh.mode, sh.edit, sh.warned = s, Configure, nil, false
	sh.mu.Unlock()
	sh.env.Sessions.add(sh)
	c.printf("Entering configuration mode")
	if mode == cdb.Exclusive {
		c.printf(" (exclusive: the configuration is locked)")
	}
	c.printf("\n")
	if p := sh.env.DB.Pending(); p != nil {
		c.printf("warning: commit confirmed of revision %d rolls back at %s unless confirmed\n", p.Seq, p.Deadline.UTC().Format(time.DateTime+" UTC"))
	}
	return nil
}

func editorLine(e Editor) string {
	s := fmt.Sprintf("%s (%s) since %s, %s", e.User, e.Via, e.Since.UTC().Format(time.DateTime+" UTC"), e.Mode)
	if len(e.Edit) > 0 {
		s += " [edit " + strings.Join(e.Edit, " ") + "]"
	}
	if e.Changed {
		s += ", uncommitted changes"
	}
	return s
}

func runStatus(c *call) error {
	eds := c.sh.env.Sessions.Editors()
	if len(eds) == 0 {
		c.printf("No one is editing the configuration\n")
		return nil
	}
	c.printf("Users currently editing the configuration:\n")
	for _, e := range eds {
		c.printf("  %s\n", editorLine(e))
	}
	if s, u := c.sh.env.DB.Lock(); s != "" {
		c.printf("The configuration is locked by %s (session %s)\n", u, s)
	}
	return nil
}

func runExit(c *call) error {
	c.sh.done = true
	return nil
}
