package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/zebgp/ze/cdb/config"
)

// View draws the screen: the header, the tree (or the diff, or the key
// list), and the footer with the help of the node, prompts and messages.
// Every line fits the width; the whole fits the height.
func (m *Model) View() string {
	foot := m.footer()
	bodyH := max(m.h-1-len(foot), 1)
	lines := make([]string, 0, m.h)
	lines = append(lines, m.header())
	switch m.mode {
	case modeDiff:
		m.diff.Width, m.diff.Height = m.w, bodyH
		lines = append(lines, splitLines(m.diff.View())...)
	case modeHelp:
		lines = append(lines, m.fit(keyHelp, bodyH)...)
	default:
		lines = append(lines, m.body(bodyH)...)
	}
	for len(lines) < 1+bodyH {
		lines = append(lines, "")
	}
	lines = append(lines[:1+bodyH], foot...)
	if len(lines) > m.h {
		lines = lines[:m.h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.w, "…")
	}
	return strings.Join(lines, "\n")
}

// fit returns the first h lines of text.
func (m *Model) fit(text string, h int) []string {
	lines := splitLines(text)
	if len(lines) > h {
		lines = lines[:h]
	}
	return lines
}

func (m *Model) header() string {
	title := m.opts.Title
	if title == "" {
		title = "ze config edit"
	}
	who := m.opts.User
	if m.opts.Host != "" {
		who += "@" + m.opts.Host
	}
	state := fmt.Sprintf("%s candidate, base revision %d", m.s.Mode(), m.base)
	if m.changed {
		state += ", modified"
	}
	if n := len(m.verrs) + len(m.general); n > 0 {
		state += fmt.Sprintf(", %d problem(s)", n)
	}
	left := " " + title
	if who != "" {
		left += "  " + who
	}
	right := state + " "
	pad := max(m.w-ansi.StringWidth(left)-ansi.StringWidth(right), 1)
	return m.st.header.Render(left + strings.Repeat(" ", pad) + right)
}

// body draws h lines of the tree from m.top.
func (m *Model) body(h int) []string {
	if len(m.rows) == 0 {
		return []string{m.st.helpDim.Render("(the configuration is empty: a adds to it)")}
	}
	m.scroll()
	var out []string
	for i := m.top; i < len(m.rows) && len(out) < h; i++ {
		out = append(out, m.rowLine(i))
	}
	return out
}

// rowText is the plain text of a row, without indentation and marker.
func rowText(n *config.Node) string {
	switch n.Kind() {
	case config.Entry:
		return n.Name() + " " + config.JoinPath(n.Keys())
	case config.Leaf:
		if n.Value() == "" {
			return n.Name()
		}
		return n.Name() + " " + config.JoinPath([]string{n.Value()})
	case config.LeafList:
		return n.Name() + " [ " + config.JoinPath(n.Values()) + " ]"
	}
	return n.Name()
}

func (m *Model) rowLine(i int) string {
	r := m.rows[i]
	var b strings.Builder
	// The cursor is marked also where there are no colors.
	if i == m.cur {
		b.WriteString(">")
	} else {
		b.WriteString(" ")
	}
	b.WriteString(strings.Repeat("  ", r.depth))
	switch {
	case r.kids && m.folded[r.key]:
		b.WriteString("▸ ")
	case r.kids:
		b.WriteString("▾ ")
	default:
		b.WriteString("  ")
	}
	if r.n.Inactive() {
		b.WriteString("inactive: ")
	}
	editing := i == m.cur && m.mode == modeEdit
	if editing {
		b.WriteString(r.n.Name() + " ")
	} else {
		b.WriteString(rowText(r.n))
	}
	if r.kids && m.folded[r.key] {
		b.WriteString(" { … }")
	}
	text := b.String()
	switch {
	case editing:
		m.input.Width = max(min(m.w-ansi.StringWidth(text)-2, ansi.StringWidth(m.input.Value())+1), 1)
		text = m.st.prompt.Render(text) + m.input.View()
		if m.inputErr != "" {
			text += m.st.errMark.Render("  ✗ ") + m.st.errText.Render(m.inputErr)
		}
	case i == m.cur:
		text = m.st.cursor.Render(text)
	case r.n.Inactive():
		text = m.st.inactive.Render(text)
	}
	if a := r.n.Annotation(); a != "" {
		text += m.st.note.Render("  # " + strings.SplitN(a, "\n", 2)[0])
	}
	if errs := m.rowErrs[i]; len(errs) > 0 {
		text += m.st.errMark.Render("  ✗ ") + m.st.errText.Render(errs[0])
		if len(errs) > 1 {
			text += m.st.errText.Render(fmt.Sprintf(" (+%d)", len(errs)-1))
		}
	}
	return text
}

// footer returns the lines under the body, most useful first kept when
// the screen is short.
func (m *Model) footer() []string {
	var lines []string
	room := m.h - 2 // the header and one line of body
	add := func(l ...string) {
		for _, x := range l {
			if len(lines) < room {
				lines = append(lines, x)
			}
		}
	}
	// What is being asked comes first: it must stay on screen.
	switch m.mode {
	case modeYesNo:
		add(m.st.prompt.Render(m.question))
	case modeAdd, modeAnnotate, modeRename, modeComment, modeConfirmed, modeSearch:
		label := m.promptLabel()
		m.input.Width = max(m.w-ansi.StringWidth(label)-2, 5)
		add(m.st.prompt.Render(label) + m.input.View())
	}
	if m.inputMode() {
		if m.inputErr != "" && m.mode != modeEdit {
			add(m.st.errMark.Render("✗ ") + m.st.errText.Render(m.inputErr))
		}
		if len(m.cands) > 0 {
			add(m.st.help.Render("  " + strings.Join(m.cands, "  ")))
		}
	}
	if m.busy != "" {
		add(m.st.info.Render(m.busy))
	}
	for i, l := range m.msg {
		if i >= max(m.h/4, 1) {
			add(m.st.helpDim.Render(fmt.Sprintf("… %d more line(s)", len(m.msg)-i)))
			break
		}
		if m.msgErr {
			add(m.st.errText.Render(l))
		} else {
			add(m.st.info.Render(l))
		}
	}
	if m.h >= 8 && m.mode != modeDiff && m.mode != modeHelp {
		add(m.help()...)
	}
	if m.h >= 6 {
		add(m.st.keys.Render(m.keyLine()))
	}
	return lines
}

// promptLabel is the text before the input of a prompt.
func (m *Model) promptLabel() string {
	switch m.mode {
	case modeAdd:
		ctx := config.JoinPath(m.inputCtx)
		if ctx != "" {
			ctx += " "
		}
		return "set " + ctx
	case modeAnnotate:
		return "annotate " + config.JoinPath(m.inputCtx) + ": "
	case modeRename:
		return "rename " + config.JoinPath(m.inputCtx) + " to keys: "
	case modeComment:
		return "commit comment (enter for none): "
	case modeConfirmed:
		return "commit confirmed, minutes (enter for a plain commit): "
	case modeSearch:
		return "find: "
	}
	return ""
}

// help is the help of the node under the cursor, or of what a prompt
// asks for: path, type, range and the like, description; and the
// problems at the node.
func (m *Model) help() []string {
	var out []string
	if m.inputMode() && (m.mode == modeEdit || m.mode == modeAdd) {
		s := m.inputSlot()
		if s.help != nil && !s.help.IsRoot() {
			out = append(out, m.st.help.Render(s.help.Name()+": "+typeHelp(s.help)))
			if d := s.help.Summary(); d != "" {
				out = append(out, m.st.helpDim.Render(d))
			}
		}
		return out
	}
	r := m.selected()
	if r == nil {
		return nil
	}
	sn := r.n.Schema()
	out = append(out, m.st.help.Render(r.key+": "+typeHelp(sn)))
	if d := sn.Summary(); d != "" {
		out = append(out, m.st.helpDim.Render(d))
	}
	for _, e := range m.rowErrs[m.cur] {
		out = append(out, m.st.errMark.Render("✗ ")+m.st.errText.Render(e))
	}
	for _, g := range m.general {
		out = append(out, m.st.errMark.Render("✗ ")+m.st.errText.Render(g))
	}
	return out
}

func (m *Model) keyLine() string {
	switch m.mode {
	case modeDiff:
		return "↑↓ pgup pgdn scroll · C commit · esc back"
	case modeHelp:
		return "any key: back"
	case modeYesNo:
		return "y yes · n no"
	case modeEdit, modeAdd:
		return "enter set · tab complete · esc cancel"
	case modeAnnotate, modeRename, modeComment, modeConfirmed:
		return "enter ok · esc cancel"
	case modeSearch:
		return "enter find the next node whose line holds the text · esc cancel"
	}
	return "↑↓ move · enter fold/edit · a add · d delete · i (de)activate · c compare · C commit · X discard · v check · ? keys · q quit"
}

// keyHelp is the key list (?).
const keyHelp = `Keys of the tree
  ↑ ↓  k j         move          pgup pgdn, home end   by page, to the ends
  ← h              fold, or go to the parent            → l   unfold
  enter, space     fold/unfold a node; edit a leaf      z Z   fold all, unfold all
  e                edit the leaf (a leaf-list: its values, blank-separated)
  a                add under the node: a path and value, such as
                   "peer p2 remote ip 192.0.2.2" (tab completes names and values)
  A                add at the top level ("environment log level info")
  /                find the next node whose line holds a text (folded ones too)
  d                delete the node (asks)
  i                deactivate / activate the node
  n                annotate the node (a comment)
  r                rename a list entry (new keys)
  v                check the candidate (commit check); it is also checked after each change
  c                compare: the diff of the candidate against running
  C                commit: a comment, then minutes for a commit confirmed (or none)
  X                discard the changes (asks)
  R                rebase the candidate on a newer running configuration
  q, ctrl+c        quit
In a prompt: enter runs it, tab completes, esc cancels.`
