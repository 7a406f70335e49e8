package tui

import (
	"io"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

// Options say how the editor presents itself.
type Options struct {
	// Title, User and Host make the header ("ze config edit", "alice",
	// "router1").
	Title, User, Host string
	// ConfirmQuit asks for a second q before quitting with uncommitted
	// changes (ze config edit, whose private candidate dies with it). The
	// shell leaves it off: its candidate outlives the editor.
	ConfirmQuit bool
	// Width and Height are the size of the screen until the first
	// tea.WindowSizeMsg (80×24 when 0).
	Width, Height int
	// Renderer makes the styles; nil makes one for the output of Run (or
	// for no terminal, without colors, in New).
	Renderer *lipgloss.Renderer
	// Colors forces 256 colors, for a pty the renderer cannot see (SSH).
	Colors bool
	// Refresh, when > 0, reads the candidate again this often while the
	// tree is on screen, to follow other sessions: edits of a shared
	// candidate, a commit that a candidate without changes follows. The
	// shell should pass a few seconds; 0 reads it only after the
	// editor's own changes.
	Refresh time.Duration
	// Resize, when not nil, delivers the new sizes of the terminal to Run
	// (an SSH session's window-change requests).
	Resize <-chan WindowSize
	// OnQuit, when set, is called as the user quits, before the screen is
	// restored: a host that feeds Run's input stops feeding it then, so
	// that keys typed right after the quit reach the host, not the
	// editor's input loop that has ended.
	OnQuit func()
}

// WindowSize is a size of the terminal, in cells.
type WindowSize struct {
	Width, Height int
}

// mode is what the keys do at the moment.
type mode uint8

const (
	modeTree      mode = iota // moving in the tree
	modeEdit                  // a leaf's value in the inline input
	modeAdd                   // the set prompt: a path (and value) under the node
	modeAnnotate              // the annotation prompt
	modeRename                // the new keys of an entry
	modeComment               // commit: the comment
	modeConfirmed             // commit: the minutes of a commit confirmed
	modeSearch                // the text to find
	modeYesNo                 // a question answered y or n
	modeDiff                  // the diff against running
	modeHelp                  // the key list
)

// Model is the editor: a tea.Model over a cdb.Session.
type Model struct {
	s    *cdb.Session
	y    *yang.Tree
	opts Options
	st   styles
	w, h int

	tree    *config.Tree // the candidate as last read, to draw
	changed bool
	base    uint64
	rows    []row
	byKey   map[string]int // row index by path
	cur     int
	top     int
	folded  map[string]bool
	verrs   []*config.Error // the last check's problems at a node
	rowErrs map[int][]string
	general []string // the last check's problems at no node
	checkN  int      // the generation of the last check started

	mode     mode
	input    textinput.Model
	inputCtx []string // modeEdit: the leaf's path; modeAdd: the context; modeRename: the entry
	inputErr string
	cands    []string // completion candidates on show
	comment  string   // modeConfirmed: the comment typed
	search   string   // the last text searched
	question string
	onYes    func() tea.Cmd

	msg     []string // the message lines under the tree
	msgErr  bool
	busy    string // a commit under way
	warned  bool   // q once with uncommitted changes
	diff    viewport.Model
	diffSrc []byte
}

var _ tea.Model = (*Model)(nil)

// New returns the editor over the candidate of s, whose configuration has
// the schema.
func New(s *cdb.Session, schema *yang.Tree, opts Options) tea.Model {
	return newModel(s, schema, opts)
}

func newModel(s *cdb.Session, schema *yang.Tree, opts Options) *Model {
	r := opts.Renderer
	if r == nil {
		r = lipgloss.NewRenderer(io.Discard)
	}
	m := &Model{
		s: s, y: schema, opts: opts, st: newStyles(r, opts.Colors),
		w: opts.Width, h: opts.Height,
		folded: map[string]bool{},
	}
	if m.w <= 0 {
		m.w = 80
	}
	if m.h <= 0 {
		m.h = 24
	}
	m.input = textinput.New()
	m.input.Prompt = ""
	m.input.Cursor.SetMode(cursor.CursorStatic) // no blinking: less to send over SSH
	m.diff = viewport.New(m.w, 1)
	m.refresh()
	return m
}

// Init starts the first check of the candidate, and the refresh timer.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.check(false), m.tick()) }

// refreshMsg is the refresh timer's.
type refreshMsg struct{}

// tick arms the refresh timer, if there is one.
func (m *Model) tick() tea.Cmd {
	if m.opts.Refresh <= 0 {
		return nil
	}
	return tea.Tick(m.opts.Refresh, func(time.Time) tea.Msg { return refreshMsg{} })
}

// follow reads the candidate again when the tree is on screen (a prompt
// is not disturbed), and checks it again when it changed.
func (m *Model) follow() tea.Cmd {
	if m.mode != modeTree || m.busy != "" {
		return nil
	}
	t, err := m.s.Candidate()
	if err != nil {
		return nil
	}
	if t.Equal(m.tree) && m.s.Base() == m.base && m.s.Changed() == m.changed {
		return nil
	}
	m.refresh()
	return m.check(false)
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = max(msg.Width, 1), max(msg.Height, 1)
		m.layout()
		return m, nil
	case checkMsg:
		m.checked(msg)
		return m, nil
	case refreshMsg:
		return m, tea.Batch(m.follow(), m.tick())
	case commitMsg:
		return m, m.committed(msg)
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	if m.inputMode() {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

// inputMode reports whether the keys go to the text input.
func (m *Model) inputMode() bool {
	switch m.mode {
	case modeEdit, modeAdd, modeAnnotate, modeRename, modeComment, modeConfirmed, modeSearch:
		return true
	}
	return false
}

// key dispatches a key by mode.
func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	if m.busy != "" {
		return nil // a commit under way: its answer comes first
	}
	switch m.mode {
	case modeTree:
		return m.treeKey(k)
	case modeDiff:
		return m.diffKey(k)
	case modeHelp:
		m.mode = modeTree // any key
		return nil
	case modeYesNo:
		return m.yesNoKey(k)
	}
	return m.inputKey(k)
}

// say shows info lines under the tree.
func (m *Model) say(lines ...string) { m.msg, m.msgErr = lines, false }

// fail shows an error under the tree, every line of it.
func (m *Model) fail(err error) {
	m.msg, m.msgErr = splitLines(err.Error()), true
}

// ask puts a yes/no question; yes runs fn.
func (m *Model) ask(q string, fn func() tea.Cmd) {
	m.mode, m.question, m.onYes = modeYesNo, q, fn
}

func (m *Model) yesNoKey(k tea.KeyMsg) tea.Cmd {
	m.mode = modeTree
	switch k.String() {
	case "y", "Y":
		m.say()
		return m.onYes()
	}
	m.say("canceled")
	return nil
}
