package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
)

// checkMsg is the answer of a commit check.
type checkMsg struct {
	n    int
	err  error
	said bool // asked for by the user: say the result
}

// commitMsg is the answer of a commit.
type commitMsg struct {
	rev       cdb.Revision
	err       error
	confirmed time.Duration
}

// check runs the candidate's commit check away from the event loop; said
// reports the outcome even when it passes.
func (m *Model) check(said bool) tea.Cmd {
	m.checkN++
	n, s := m.checkN, m.s
	return func() tea.Msg { return checkMsg{n: n, err: s.Check(), said: said} }
}

// checked takes the answer of a check, unless a newer one is under way.
func (m *Model) checked(c checkMsg) {
	if c.n != m.checkN {
		return
	}
	m.setProblems(c.err)
	switch {
	case c.err == nil && c.said:
		m.say("configuration check succeeds")
	case c.err != nil && c.said:
		m.fail(c.err)
	}
}

// setProblems marks the nodes that err (a check's or a commit's) names;
// what names no node (a stale candidate, a veto) is kept apart.
func (m *Model) setProblems(err error) {
	m.verrs, m.general = nil, nil
	var ve *cdb.ValidationError
	var list config.ErrorList
	switch {
	case err == nil:
	case errors.As(err, &ve):
		list = ve.Errors
	case errors.As(err, &list):
	default:
		m.general = splitLines(err.Error())
	}
	for _, e := range list {
		if e.Path == "" {
			m.general = append(m.general, e.Message)
		} else {
			m.verrs = append(m.verrs, e)
		}
	}
	m.placeErrors()
}

// startCommit asks for the comment, then the minutes of a commit
// confirmed, then commits.
func (m *Model) startCommit() tea.Cmd {
	m.comment = ""
	return m.prompt(modeComment, nil, "")
}

// commit commits away from the event loop: the appliers may take time.
func (m *Model) commit(comment string, confirmed time.Duration) tea.Cmd {
	m.busy = "committing…"
	m.mode = modeTree
	s := m.s
	return func() tea.Msg {
		rev, err := s.Commit(cdb.CommitOptions{Comment: comment, Confirmed: confirmed})
		return commitMsg{rev: rev, err: err, confirmed: confirmed}
	}
}

// committed shows a commit's outcome: the error as it is, every line.
func (m *Model) committed(c commitMsg) tea.Cmd {
	m.busy = ""
	if c.err != nil {
		m.fail(c.err)
		m.setProblems(c.err)
		return nil
	}
	m.refresh()
	line := fmt.Sprintf("commit complete: revision %d", c.rev.Seq)
	if c.confirmed > 0 {
		line += fmt.Sprintf("; commit confirmed: it is rolled back unless confirmed by %s (commit again to confirm)",
			c.rev.ConfirmBy.UTC().Format(time.DateTime))
	}
	m.say(line)
	return m.check(false)
}

func (m *Model) startDiscard() {
	if !m.changed {
		m.say("no changes to discard")
		return
	}
	m.ask("discard every uncommitted change? (y/n)", func() tea.Cmd {
		if err := m.s.Discard(); err != nil {
			m.fail(err)
			return nil
		}
		m.refresh()
		m.say("changes discarded: the candidate is running again")
		return m.check(false)
	})
}

// showDiff opens the diff against running.
func (m *Model) showDiff() {
	out, err := m.s.Compare()
	if err != nil {
		m.fail(err)
		return
	}
	m.diffSrc = out
	m.mode = modeDiff
	m.layout()
	m.diff.SetContent(m.colorDiff(out))
	m.diff.GotoTop()
}

// colorDiff colors the lines of a compare: + added, - removed, !
// (de)activated, [edit …] headers.
func (m *Model) colorDiff(out []byte) string {
	if len(out) == 0 {
		return m.st.helpDim.Render("(no changes: the candidate is the running configuration)")
	}
	lines := splitLines(string(out))
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "+"):
			lines[i] = m.st.added.Render(l)
		case strings.HasPrefix(l, "-"):
			lines[i] = m.st.removed.Render(l)
		case strings.HasPrefix(l, "!"):
			lines[i] = m.st.changed.Render(l)
		case strings.HasPrefix(l, "["):
			lines[i] = m.st.diffHeader.Render(l)
		}
	}
	return strings.Join(lines, "\n")
}

func (m *Model) diffKey(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "esc", "q", "c", "left", "h":
		m.mode = modeTree
		return nil
	case "C":
		m.mode = modeTree
		return m.startCommit()
	case "home", "g":
		m.diff.GotoTop()
		return nil
	case "end", "G":
		m.diff.GotoBottom()
		return nil
	}
	var cmd tea.Cmd
	m.diff, cmd = m.diff.Update(k)
	return cmd
}
