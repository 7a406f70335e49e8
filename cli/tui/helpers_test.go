package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/yang"
)

// startConfig is the running configuration of the tests.
const startConfig = `system {
    host-name ze;
}
bgp {
    router-id 192.0.2.1;
    local-as 65000;
    group g {
        remote {
            as 65001;
        }
        peer p1 {
            remote {
                ip 192.0.2.11;
            }
            hold-time 90;
        }
    }
}
`

// newDB opens a database in a temporary directory whose running
// configuration is startConfig, and a private session on it.
func newDB(t *testing.T) (*cdb.DB, *cdb.Session, *yang.Tree) {
	t.Helper()
	y, err := yang.Core()
	if err != nil {
		t.Fatal(err)
	}
	db, err := cdb.Open(t.TempDir(), cdb.Options{Schema: y})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := db.Session(cdb.SessionOptions{Name: "load", User: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Load(cdb.LoadOverride, []byte(startConfig), "start"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(cdb.CommitOptions{Comment: "start"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = db.Session(cdb.SessionOptions{Name: "tui", User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return db, s, y
}

// harness drives a Model by calling Update directly, running the commands
// it returns (checks, commits) at once, so that each step is finished
// when press returns.
type harness struct {
	t    *testing.T
	m    *Model
	quit bool
}

func newHarness(t *testing.T, w, h int) (*harness, *cdb.DB, *cdb.Session) {
	t.Helper()
	db, s, y := newDB(t)
	m := newModel(s, y, Options{Title: "ze config edit", User: "alice", Host: "r1", ConfirmQuit: true})
	hs := &harness{t: t, m: m}
	hs.run(m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs, db, s
}

func (h *harness) send(msg tea.Msg) {
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case checkMsg, commitMsg:
		h.send(msg)
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case tea.QuitMsg:
		h.quit = true
	}
}

// keyMsg makes the key message for a name ("enter", "up", "ctrl+c") or
// text.
func keyMsg(k string) tea.KeyMsg {
	names := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "up": tea.KeyUp,
		"down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "space": tea.KeySpace,
		"backspace": tea.KeyBackspace, "ctrl+c": tea.KeyCtrlC, "pgdown": tea.KeyPgDown,
		"home": tea.KeyHome, "end": tea.KeyEnd,
	}
	if kt, ok := names[k]; ok {
		return tea.KeyMsg{Type: kt}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends keys one by one.
func (h *harness) press(keys ...string) {
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText sends text one rune at a time.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// screen returns the view.
func (h *harness) screen() string { return h.m.View() }

// line returns the line of the screen that holds s, or "".
func (h *harness) line(s string) string {
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// mustShow fails unless the screen holds every s.
func (h *harness) mustShow(ss ...string) {
	h.t.Helper()
	scr := h.screen()
	for _, s := range ss {
		if !strings.Contains(scr, s) {
			h.t.Fatalf("screen lacks %q:\n%s", s, scr)
		}
	}
}

// mustNotShow fails if the screen holds any s.
func (h *harness) mustNotShow(ss ...string) {
	h.t.Helper()
	scr := h.screen()
	for _, s := range ss {
		if strings.Contains(scr, s) {
			h.t.Fatalf("screen holds %q:\n%s", s, scr)
		}
	}
}

// gotoRow puts the cursor on the row whose path is key.
func (h *harness) gotoRow(key string) {
	h.t.Helper()
	i, ok := h.m.byKey[key]
	if !ok {
		h.t.Fatalf("no row %q; rows: %v", key, h.rowKeys())
	}
	h.press("home")
	for range i {
		h.press("down")
	}
	if got := h.m.rows[h.m.cur].key; got != key {
		h.t.Fatalf("cursor on %q, want %q", got, key)
	}
}

func (h *harness) rowKeys() []string {
	var out []string
	for _, r := range h.m.rows {
		out = append(out, r.key)
	}
	return out
}
