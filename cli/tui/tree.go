package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/zebgp/ze/cdb/config"
)

// A row is one line of the tree: a container, an entry, a leaf or a
// leaf-list (lists themselves are not rows: their entries are).
type row struct {
	n     *config.Node
	depth int
	key   string // the node's path, as one line
	kids  bool   // it has rows beneath it
}

// refresh reads the candidate again and rebuilds the rows, keeping the
// cursor on the same node when it is still there.
func (m *Model) refresh() {
	t, err := m.s.Candidate()
	if err != nil {
		m.fail(err)
		return
	}
	m.tree, m.changed, m.base = t, m.s.Changed(), m.s.Base()
	m.rebuild()
}

// rebuild makes the rows from m.tree and the folding.
func (m *Model) rebuild() {
	key := ""
	if m.cur < len(m.rows) {
		key = m.rows[m.cur].key
	}
	m.rows = m.rows[:0]
	m.byKey = map[string]int{}
	for _, c := range m.tree.Root().Children() {
		m.addRows(c, 0)
	}
	if i, ok := m.byKey[key]; ok {
		m.cur = i
	}
	m.cur = min(m.cur, max(len(m.rows)-1, 0))
	m.placeErrors()
	m.scroll()
}

func (m *Model) addRows(n *config.Node, depth int) {
	if n.Kind() == config.List {
		for _, e := range n.Children() {
			m.addRows(e, depth)
		}
		return
	}
	r := row{n: n, depth: depth, key: n.PathString()}
	r.kids = hasRows(n)
	m.byKey[r.key] = len(m.rows)
	m.rows = append(m.rows, r)
	if r.kids && !m.folded[r.key] {
		for _, c := range n.Children() {
			m.addRows(c, depth+1)
		}
	}
}

// hasRows reports whether n shows anything beneath it.
func hasRows(n *config.Node) bool {
	if n.Kind() != config.Container && n.Kind() != config.Entry {
		return false
	}
	for _, c := range n.Children() {
		if c.Kind() != config.List || len(c.Children()) > 0 {
			return true
		}
	}
	return false
}

// placeErrors puts each problem of the last check on the deepest row
// shown whose path leads to it (a folded node holds those beneath it).
func (m *Model) placeErrors() {
	m.rowErrs = map[int][]string{}
	for _, e := range m.verrs {
		p := e.Path
		for p != "" {
			if i, ok := m.byKey[p]; ok {
				m.rowErrs[i] = append(m.rowErrs[i], e.Message)
				break
			}
			j := strings.LastIndexByte(p, ' ')
			if j < 0 {
				p = ""
				break
			}
			p = p[:j]
		}
	}
}

// bodyHeight is the number of tree lines on screen.
func (m *Model) bodyHeight() int {
	return max(m.h-1-len(m.footer()), 1)
}

// scroll keeps the cursor on screen.
func (m *Model) scroll() {
	h := m.bodyHeight()
	if m.cur < m.top {
		m.top = m.cur
	}
	if m.cur >= m.top+h {
		m.top = m.cur - h + 1
	}
	m.top = max(min(m.top, len(m.rows)-h), 0)
}

// layout follows a new window size.
func (m *Model) layout() {
	m.scroll()
	m.diff.Width, m.diff.Height = m.w, m.bodyHeight()
	m.input.Width = max(m.w-20, 10)
}

// selected returns the row under the cursor, or nil when there is none.
func (m *Model) selected() *row {
	if m.cur < len(m.rows) {
		return &m.rows[m.cur]
	}
	return nil
}

// treeKey handles a key while moving in the tree.
func (m *Model) treeKey(k tea.KeyMsg) tea.Cmd {
	if s := k.String(); s != "q" && s != "ctrl+c" {
		m.warned = false
	}
	switch k.String() {
	case "up", "k":
		m.move(-1)
	case "down", "j":
		m.move(1)
	case "pgup", "ctrl+b":
		m.move(-m.bodyHeight())
	case "pgdown", "ctrl+f":
		m.move(m.bodyHeight())
	case "home", "g":
		m.move(-len(m.rows))
	case "end", "G":
		m.move(len(m.rows))
	case "left", "h":
		m.foldOrParent()
	case "right", "l":
		m.unfold()
	case "enter", " ":
		if r := m.selected(); r != nil && (r.n.Kind() == config.Leaf || r.n.Kind() == config.LeafList) {
			return m.startEdit()
		}
		m.toggle()
	case "z":
		m.foldAll(true)
	case "Z":
		m.foldAll(false)
	case "e":
		return m.startEdit()
	case "a":
		return m.startAdd()
	case "A":
		return m.prompt(modeAdd, nil, "")
	case "/":
		return m.prompt(modeSearch, nil, m.search)
	case "d", "delete":
		m.startDelete()
	case "i":
		return m.toggleInactive()
	case "n":
		return m.startAnnotate()
	case "r":
		return m.startRename()
	case "R":
		return m.rebase()
	case "v":
		return m.check(true)
	case "c":
		m.showDiff()
	case "C":
		return m.startCommit()
	case "X":
		m.startDiscard()
	case "?":
		m.mode = modeHelp
	case "q", "ctrl+c":
		return m.quit()
	}
	return nil
}

func (m *Model) move(d int) {
	m.cur = max(min(m.cur+d, len(m.rows)-1), 0)
	m.scroll()
}

// toggle folds or unfolds the node under the cursor.
func (m *Model) toggle() {
	r := m.selected()
	if r == nil || !r.kids {
		return
	}
	m.setFold(r.key, !m.folded[r.key])
}

func (m *Model) setFold(key string, on bool) {
	if on {
		m.folded[key] = true
	} else {
		delete(m.folded, key)
	}
	m.rebuild()
}

// foldOrParent folds an unfolded node, or goes to the parent.
func (m *Model) foldOrParent() {
	r := m.selected()
	if r == nil {
		return
	}
	if r.kids && !m.folded[r.key] {
		m.setFold(r.key, true)
		return
	}
	for i := m.cur - 1; i >= 0; i-- {
		if m.rows[i].depth < r.depth {
			m.cur = i
			m.scroll()
			return
		}
	}
}

func (m *Model) unfold() {
	if r := m.selected(); r != nil && r.kids && m.folded[r.key] {
		m.setFold(r.key, false)
	}
}

// foldAll folds every node with rows beneath it (on), or none.
func (m *Model) foldAll(on bool) {
	m.folded = map[string]bool{}
	if on {
		m.tree.Walk(func(n *config.Node) bool {
			if n.Kind() != config.List && hasRows(n) {
				m.folded[n.PathString()] = true
			}
			return true
		})
	}
	m.rebuild()
}

// reveal unfolds the nodes above path and puts the cursor on the deepest
// node of path that exists.
func (m *Model) reveal(path []string) {
	for i := len(path); i > 0; i-- {
		n, err := m.tree.Get(path[:i])
		if err != nil || n == nil {
			continue
		}
		if n.Kind() == config.List {
			continue
		}
		for p := n.Parent(); p != nil; p = p.Parent() {
			delete(m.folded, p.PathString())
		}
		m.rebuild()
		if j, ok := m.byKey[n.PathString()]; ok {
			m.cur = j
			m.scroll()
		}
		return
	}
}

func (m *Model) quit() tea.Cmd {
	if m.changed && m.opts.ConfirmQuit && !m.warned {
		m.warned = true
		m.msg, m.msgErr = []string{"the candidate has uncommitted changes: q again quits and drops them (C commits)"}, true
		return nil
	}
	if m.opts.OnQuit != nil {
		m.opts.OnQuit()
	}
	return tea.Quit
}
