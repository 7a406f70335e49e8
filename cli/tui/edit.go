package tui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

// prompt opens the text input in mode md with value v.
func (m *Model) prompt(md mode, ctx []string, v string) tea.Cmd {
	m.mode, m.inputCtx, m.inputErr, m.cands = md, ctx, "", nil
	m.msg = nil
	m.input.SetValue(v)
	m.input.CursorEnd()
	m.warned = false
	return m.input.Focus()
}

// closePrompt goes back to the tree.
func (m *Model) closePrompt() {
	m.mode, m.inputErr, m.cands = modeTree, "", nil
	m.input.Blur()
	m.input.SetValue("")
}

// startEdit edits the value of the leaf under the cursor (or adds a value
// to a leaf-list).
func (m *Model) startEdit() tea.Cmd {
	r := m.selected()
	if r == nil {
		return nil
	}
	switch r.n.Kind() {
	case config.Leaf:
		if t := r.n.Schema().Type(); t != nil && t.Kind() == "empty" {
			m.say(r.n.Name() + " takes no value: d deletes it")
			return nil
		}
		return m.prompt(modeEdit, r.n.Path(), r.n.Value())
	case config.LeafList:
		return m.prompt(modeEdit, r.n.Path(), config.JoinPath(r.n.Values())+" ")
	}
	m.toggle()
	return nil
}

// addContext is the path under which `a` adds: the node under the cursor
// when it holds others, else its parent.
func (m *Model) addContext() []string {
	r := m.selected()
	if r == nil {
		return nil
	}
	n := r.n
	if n.Kind() == config.Leaf || n.Kind() == config.LeafList {
		n = n.Parent()
	}
	return n.Path()
}

func (m *Model) startAdd() tea.Cmd { return m.prompt(modeAdd, m.addContext(), "") }

func (m *Model) startDelete() {
	r := m.selected()
	if r == nil {
		return
	}
	path := r.n.Path()
	m.ask("delete "+config.JoinPath(path)+" and everything beneath it? (y/n)", func() tea.Cmd {
		if err := m.s.Delete(path); err != nil {
			m.fail(err)
			return nil
		}
		m.refresh()
		m.say("deleted " + config.JoinPath(path))
		return m.check(false)
	})
}

func (m *Model) toggleInactive() tea.Cmd {
	r := m.selected()
	if r == nil {
		return nil
	}
	path := r.n.Path()
	verb, fn := "deactivated", m.s.Deactivate
	if r.n.Inactive() {
		verb, fn = "activated", m.s.Activate
	}
	if err := fn(path); err != nil {
		m.fail(err)
		return nil
	}
	m.refresh()
	m.say(verb + " " + config.JoinPath(path))
	return m.check(false)
}

func (m *Model) startAnnotate() tea.Cmd {
	r := m.selected()
	if r == nil {
		return nil
	}
	return m.prompt(modeAnnotate, r.n.Path(), r.n.Annotation())
}

func (m *Model) startRename() tea.Cmd {
	r := m.selected()
	if r == nil || r.n.Kind() != config.Entry {
		m.say("r renames a list entry: put the cursor on one")
		return nil
	}
	return m.prompt(modeRename, r.n.Path(), config.JoinPath(r.n.Keys()))
}

func (m *Model) rebase() tea.Cmd {
	conflicts, err := m.s.Rebase()
	if err != nil {
		m.fail(err)
		return nil
	}
	m.refresh()
	lines := []string{fmt.Sprintf("rebased on revision %d", m.base)}
	for _, c := range conflicts {
		lines = append(lines, c.String())
	}
	m.say(lines...)
	return m.check(false)
}

// inputKey handles a key in a prompt: enter submits, esc cancels, tab
// completes; the rest edits the text.
func (m *Model) inputKey(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "esc", "ctrl+c":
		m.closePrompt()
		m.say("canceled")
		return nil
	case "enter":
		return m.submit()
	case "tab":
		m.completeInput()
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	m.inputErr = ""
	m.cands = nil
	return cmd
}

// inputSlot says what the word being typed in the prompt is.
func (m *Model) inputSlot() slot {
	switch m.mode {
	case modeEdit:
		sn := m.schemaAt(m.inputCtx)
		if sn == nil {
			return slot{}
		}
		return slot{help: sn, choices: valueChoices(sn.Type())}
	case modeAdd:
		words := splitWords(m.input.Value())
		if v := m.input.Value(); len(words) > 0 && !strings.HasSuffix(v, " ") {
			words = words[:len(words)-1]
		}
		return m.nextSlot(m.inputCtx, words)
	}
	return slot{}
}

func (m *Model) completeInput() {
	s := m.inputSlot()
	if len(s.choices) == 0 || s.help == nil {
		m.cands = nil
		if s.err != "" {
			m.inputErr = s.err
		}
		return
	}
	line, match := complete(m.input.Value(), s.choices, m.mode == modeAdd)
	if m.mode == modeEdit && s.help.Kind() == yang.Leaf {
		// the whole input is the value
		line, match = complete(strings.ReplaceAll(m.input.Value(), " ", "\x00"), s.choices, false)
		line = strings.ReplaceAll(line, "\x00", " ")
	}
	m.input.SetValue(line)
	m.input.CursorEnd()
	if len(match) > 1 {
		m.cands = match
	} else {
		m.cands = nil
	}
	if len(match) == 0 {
		m.cands = s.choices
	}
}

// schemaAt returns the schema node of the node at path in the candidate.
func (m *Model) schemaAt(path []string) *yang.Node {
	n, err := m.tree.Get(path)
	if err != nil || n == nil {
		return nil
	}
	return n.Schema()
}

// submit runs what the prompt asked.
func (m *Model) submit() tea.Cmd {
	v := m.input.Value()
	var (
		err    error
		target []string
		done   string
	)
	switch m.mode {
	case modeEdit:
		path := slices.Clone(m.inputCtx)
		if n, _ := m.tree.Get(path); n != nil && n.Kind() == config.LeafList {
			err = m.setValues(n, splitWords(v))
			target, done = path, "set "+config.JoinPath(path)+" [ "+v+"]"
			break
		}
		if v == "" {
			m.inputErr = "a value is needed (esc cancels, d deletes the leaf)"
			return nil
		}
		err = m.s.Set(append(path, v))
		target, done = m.inputCtx, "set "+config.JoinPath(append(slices.Clone(m.inputCtx), v))
	case modeAdd:
		words := splitWords(v)
		if len(words) == 0 {
			m.inputErr = "type what to add, such as: peer p2 remote ip 192.0.2.2 (tab completes)"
			return nil
		}
		path := append(slices.Clone(m.inputCtx), words...)
		err = m.s.Set(path)
		target, done = path, "set "+config.JoinPath(path)
	case modeAnnotate:
		err = m.s.Annotate(m.inputCtx, v)
		target, done = m.inputCtx, "annotated "+config.JoinPath(m.inputCtx)
	case modeRename:
		keys := splitWords(v)
		n, gerr := m.tree.Get(m.inputCtx)
		if gerr != nil || n == nil {
			err = errors.Join(gerr, errors.New("the entry is gone"))
			break
		}
		if len(keys) != len(n.Keys()) {
			m.inputErr = fmt.Sprintf("want %d key value(s)", len(n.Keys()))
			return nil
		}
		to := append(slices.Clone(m.inputCtx[:len(m.inputCtx)-len(keys)]), keys...)
		err = m.s.Rename(m.inputCtx, to)
		target, done = to, "renamed "+config.JoinPath(m.inputCtx)+" to "+config.JoinPath(to)
	case modeComment:
		m.comment = v
		m.prompt(modeConfirmed, nil, "")
		return nil
	case modeSearch:
		m.closePrompt()
		m.find(v)
		return nil
	case modeConfirmed:
		var d time.Duration
		if v = strings.TrimSpace(v); v != "" {
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 1 || n > 65535 {
				m.inputErr = "minutes: a number from 1 to 65535, or nothing for a plain commit"
				return nil
			}
			d = time.Duration(n) * time.Minute
		}
		m.closePrompt()
		return m.commit(m.comment, d)
	}
	if err != nil {
		m.inputErr = errText(err)
		return nil
	}
	m.closePrompt()
	m.refresh()
	m.reveal(target)
	m.say(done)
	return m.check(false)
}

// setValues replaces the values of the leaf-list n in one edit, keeping
// its annotation and inactive mark.
func (m *Model) setValues(n *config.Node, vals []string) error {
	if len(vals) == 0 {
		return errors.New("a value is needed (d deletes the leaf-list)")
	}
	path := config.JoinPath(n.Path())
	var b strings.Builder
	b.WriteString("delete " + path + "\n")
	for _, v := range vals {
		b.WriteString("set " + path + " " + config.JoinPath([]string{v}) + "\n")
	}
	if a := n.Annotation(); a != "" {
		b.WriteString("annotate " + path + " " + config.JoinPath([]string{a}) + "\n")
	}
	if n.Inactive() {
		b.WriteString("deactivate " + path + "\n")
	}
	err := m.s.Load(cdb.LoadSet, []byte(b.String()), "")
	var list config.ErrorList
	if errors.As(err, &list) {
		// The places are in the text made here, not the user's: left out.
		msgs := make([]string, len(list))
		for i, e := range list {
			msgs[i] = e.Message
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return err
}

// find puts the cursor on the next node after it (in tree order, folded
// nodes included, from the top again at the end) whose line holds text,
// unfolding what hides it.
func (m *Model) find(text string) {
	if text == "" {
		return
	}
	m.search = text
	var nodes []*config.Node
	m.tree.Walk(func(n *config.Node) bool {
		if n.Kind() != config.List {
			nodes = append(nodes, n)
		}
		return true
	})
	from := 0
	if r := m.selected(); r != nil {
		for i, n := range nodes {
			if n == r.n {
				from = i + 1
				break
			}
		}
	}
	for k := range nodes {
		n := nodes[(from+k)%len(nodes)]
		if strings.Contains(rowText(n), text) {
			m.reveal(n.Path())
			m.say("found " + n.PathString())
			return
		}
	}
	m.msg, m.msgErr = []string{"not found: " + text}, true
}

// errText is an error as shown at a prompt: its lines joined.
func errText(err error) string {
	var ve *cdb.ValidationError
	if errors.As(err, &ve) {
		return strings.Join(ve.Lines(), "; ")
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// splitLines splits text into lines, without a last empty one.
func splitLines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}
