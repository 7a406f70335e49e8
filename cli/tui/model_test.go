package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/zebgp/ze/cdb"
)

// candidateValue returns the value of the leaf at path in the candidate
// of s, "" when it is not there.
func candidateValue(t *testing.T, s *cdb.Session, path ...string) string {
	t.Helper()
	c, err := s.Candidate()
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.Get(path)
	if err != nil {
		t.Fatalf("get %v: %v", path, err)
	}
	if n == nil {
		return ""
	}
	return n.Value()
}

func candidateHas(t *testing.T, s *cdb.Session, path ...string) bool {
	t.Helper()
	c, err := s.Candidate()
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.Get(path)
	if err != nil {
		t.Fatalf("get %v: %v", path, err)
	}
	return n != nil
}

func TestTreeShowsCandidate(t *testing.T) {
	h, _, _ := newHarness(t, 100, 30)
	h.mustShow("ze config edit  alice@r1", "private candidate, base revision 2",
		"▾ bgp", "router-id 192.0.2.1", "▾ group g", "▾ peer p1", "ip 192.0.2.11", "hold-time 90")
	h.mustNotShow("modified")
	want := []string{
		"system", "system host-name", "bgp", "bgp router-id", "bgp local-as", "bgp group g",
		"bgp group g remote", "bgp group g remote as", "bgp group g peer p1", "bgp group g peer p1 remote",
		"bgp group g peer p1 remote ip", "bgp group g peer p1 hold-time",
	}
	if got := h.rowKeys(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("rows:\n got %q\nwant %q", got, want)
	}
	// The cursor starts on the first row, marked with ">".
	if l := h.line("system"); !strings.HasPrefix(l, ">") {
		t.Fatalf("cursor line %q does not start with >", l)
	}
}

func TestNavigateAndFold(t *testing.T) {
	h, _, _ := newHarness(t, 100, 30)
	h.press("down", "down", "down")
	if got := h.m.rows[h.m.cur].key; got != "bgp router-id" {
		t.Fatalf("after 3 downs the cursor is on %q, want bgp router-id", got)
	}
	// The help line names the node, its type and its description.
	h.mustShow("bgp router-id: zt:router-id")
	h.press("up", "up")
	if got := h.m.rows[h.m.cur].key; got != "system host-name" {
		t.Fatalf("cursor on %q, want system host-name", got)
	}

	h.gotoRow("bgp group g peer p1")
	h.press("enter") // fold
	h.mustShow("▸ peer p1 { … }")
	h.mustNotShow("ip 192.0.2.11", "hold-time 90")
	h.press("space") // unfold
	h.mustShow("▾ peer p1", "ip 192.0.2.11", "hold-time 90")
	h.press("left") // fold again
	h.mustNotShow("hold-time 90")
	h.press("right")
	h.mustShow("hold-time 90")

	// left on a leaf goes to its parent.
	h.gotoRow("bgp group g peer p1 hold-time")
	h.press("left")
	if got := h.m.rows[h.m.cur].key; got != "bgp group g peer p1" {
		t.Fatalf("left from a leaf: cursor on %q, want the peer", got)
	}

	// Fold all, unfold all.
	h.press("z")
	if got := h.rowKeys(); strings.Join(got, "|") != "system|bgp" {
		t.Fatalf("folded all: rows %q", got)
	}
	h.press("Z")
	if len(h.m.rows) != 12 {
		t.Fatalf("unfolded all: %d rows, want 12", len(h.m.rows))
	}
	// Movement stops at the ends.
	h.press("end", "down", "down")
	if got := h.m.rows[h.m.cur].key; got != "bgp group g peer p1 hold-time" {
		t.Fatalf("end: cursor on %q", got)
	}
	h.press("home", "up")
	if h.m.cur != 0 {
		t.Fatalf("home: cursor %d", h.m.cur)
	}
}

func TestEditLeafValid(t *testing.T) {
	h, _, s := newHarness(t, 100, 30)
	h.gotoRow("bgp group g peer p1 hold-time")
	h.press("enter")
	if h.m.mode != modeEdit || h.m.input.Value() != "90" {
		t.Fatalf("enter on a leaf: mode %d, input %q; want the edit of 90", h.m.mode, h.m.input.Value())
	}
	// The status line shows the type, range, units and default.
	h.mustShow("hold-time: zt:hold-time, range 0 | 3..65535, units seconds, default 90")
	h.press("backspace", "backspace")
	h.typeText("120")
	h.press("enter")
	if h.m.mode != modeTree {
		t.Fatalf("after a valid value the editor is in mode %d", h.m.mode)
	}
	h.mustShow("hold-time 120", "modified", "set bgp group g peer p1 hold-time 120")
	if got := candidateValue(t, s, "bgp", "group", "g", "peer", "p1", "hold-time"); got != "120" {
		t.Fatalf("candidate hold-time %q, want 120", got)
	}
	if !s.Changed() {
		t.Fatal("the session's candidate is not changed")
	}
}

func TestEditLeafInvalid(t *testing.T) {
	h, _, s := newHarness(t, 120, 30)
	h.gotoRow("bgp group g peer p1 hold-time")
	h.press("e", "backspace", "backspace")
	h.typeText("2")
	h.press("enter")
	if h.m.mode != modeEdit {
		t.Fatal("an invalid value closed the editor")
	}
	// The error is on the node's line, as the candidate's Set gave it.
	l := h.line("hold-time 2")
	if !strings.Contains(l, `✗ bgp group g peer p1 hold-time: "2" is out of range 0 | 3..65535`) {
		t.Fatalf("the edited line does not show the error: %q\n%s", l, h.screen())
	}
	if got := candidateValue(t, s, "bgp", "group", "g", "peer", "p1", "hold-time"); got != "90" {
		t.Fatalf("candidate hold-time %q after an invalid value, want 90", got)
	}
	// Typing clears the error; esc cancels.
	h.press("backspace")
	h.mustNotShow("out of range")
	h.press("esc")
	h.mustShow("hold-time 90", "canceled")
	if s.Changed() {
		t.Fatal("a canceled edit changed the candidate")
	}
}

func TestCompletion(t *testing.T) {
	h, _, s := newHarness(t, 120, 30)
	h.gotoRow("bgp group g peer p1")
	h.press("a")
	h.mustShow("set bgp group g peer p1 ")
	h.typeText("pas")
	h.press("tab")
	if got := h.m.input.Value(); got != "passive " {
		t.Fatalf("tab after pas: %q, want %q", got, "passive ")
	}
	h.mustShow("passive: boolean")
	h.press("tab") // the values of a boolean
	h.mustShow("  true  false")
	h.typeText("t")
	h.press("tab")
	if got := h.m.input.Value(); got != "passive true " {
		t.Fatalf("tab after t: %q", got)
	}
	h.press("enter")
	if got := candidateValue(t, s, "bgp", "group", "g", "peer", "p1", "passive"); got != "true" {
		t.Fatalf("passive %q, want true", got)
	}
	// A list key of an enumeration: the families.
	h.gotoRow("bgp group g peer p1")
	h.press("a")
	h.typeText("family ipv4 ")
	h.press("tab")
	h.mustShow("unicast", "multicast")
	h.mustShow("safi: zt:ip-safi")
	h.typeText("uni")
	h.press("tab", "enter")
	if !candidateHas(t, s, "bgp", "group", "g", "peer", "p1", "family", "ipv4", "unicast") {
		t.Fatalf("no family ipv4 unicast in the candidate:\n%s", h.screen())
	}
	h.mustShow("family", "ipv4 unicast")
	// A word the schema does not have: tab says so, with a suggestion.
	h.gotoRow("bgp group g peer p1")
	h.press("a")
	h.typeText("hold-tme 9")
	h.press("tab")
	h.mustShow("bgp group g peer p1 has no hold-tme (did you mean hold-time?)")
	// Editing an enumeration leaf completes its values.
	h.press("esc", "a")
	h.typeText("capability role ")
	h.press("tab")
	if len(h.m.cands) < 2 {
		t.Fatalf("role values: %q", h.m.cands)
	}
}

func TestAddPeer(t *testing.T) {
	h, _, s := newHarness(t, 120, 30)
	h.gotoRow("bgp group g")
	h.press("a")
	h.typeText("peer p2 remote ip 192.0.2.12")
	h.press("enter")
	if !candidateHas(t, s, "bgp", "group", "g", "peer", "p2") {
		t.Fatal("no peer p2 in the candidate")
	}
	if got := candidateValue(t, s, "bgp", "group", "g", "peer", "p2", "remote", "ip"); got != "192.0.2.12" {
		t.Fatalf("p2 remote ip %q", got)
	}
	if got := h.m.rows[h.m.cur].key; got != "bgp group g peer p2 remote ip" {
		t.Fatalf("cursor on %q after the add, want the new leaf", got)
	}
	h.mustShow("▾ peer p2", "ip 192.0.2.12")

	// A peer without its mandatory remote ip: the check marks it.
	h.gotoRow("bgp group g")
	h.press("a")
	h.typeText("peer p3")
	h.press("enter")
	l := h.line("peer p3")
	if !strings.Contains(l, "✗ bgp group g peer p3: mandatory remote ip is missing") {
		t.Fatalf("peer p3 line %q lacks the error\n%s", l, h.screen())
	}
	h.mustShow("1 problem(s)")
	// An add that the schema refuses leaves the prompt open with the error.
	h.gotoRow("bgp group g")
	h.press("a")
	h.typeText("peer p4 hold-time 1")
	h.press("enter")
	if h.m.mode != modeAdd {
		t.Fatal("a refused add closed the prompt")
	}
	h.mustShow(`✗ bgp group g peer p4 hold-time: "1" is out of range`)
	if candidateHas(t, s, "bgp", "group", "g", "peer", "p4") {
		t.Fatal("a refused add changed the candidate")
	}
}

func TestDeleteDeactivateAnnotateRename(t *testing.T) {
	h, _, s := newHarness(t, 120, 30)
	h.gotoRow("bgp group g peer p1")
	h.press("d")
	h.mustShow("delete bgp group g peer p1 and everything beneath it? (y/n)")
	h.press("n")
	if !candidateHas(t, s, "bgp", "group", "g", "peer", "p1") {
		t.Fatal("n deleted the peer")
	}
	h.press("i")
	h.mustShow("inactive: peer p1", "deactivated bgp group g peer p1")
	c, _ := s.Candidate()
	if n, _ := c.Get([]string{"bgp", "group", "g", "peer", "p1"}); n == nil || !n.Inactive() {
		t.Fatal("the peer is not inactive in the candidate")
	}
	h.press("i")
	h.mustNotShow("inactive: peer p1")

	h.press("n")
	h.typeText("the first peer")
	h.press("enter")
	h.mustShow("# the first peer")
	c, _ = s.Candidate()
	if n, _ := c.Get([]string{"bgp", "group", "g", "peer", "p1"}); n.Annotation() != "the first peer" {
		t.Fatalf("annotation %q", n.Annotation())
	}

	h.press("r")
	h.mustShow("rename bgp group g peer p1 to keys: p1")
	h.press("backspace")
	h.typeText("9")
	h.press("enter")
	if candidateHas(t, s, "bgp", "group", "g", "peer", "p1") || !candidateHas(t, s, "bgp", "group", "g", "peer", "p9") {
		t.Fatal("rename p1 to p9 did not happen in the candidate")
	}
	h.mustShow("▾ peer p9")

	h.gotoRow("bgp group g peer p9")
	h.press("d", "y")
	if candidateHas(t, s, "bgp", "group", "g", "peer", "p9") {
		t.Fatal("y did not delete the peer")
	}
	if _, ok := h.m.byKey["bgp group g peer p9"]; ok {
		t.Fatal("the deleted peer still has a row")
	}
	h.mustShow("deleted bgp group g peer p9")
}

func TestDiffPreview(t *testing.T) {
	h, _, _ := newHarness(t, 100, 30)
	h.press("c")
	h.mustShow("(no changes: the candidate is the running configuration)")
	h.press("esc")
	h.gotoRow("bgp group g peer p1 hold-time")
	h.press("e", "backspace", "backspace")
	h.typeText("120")
	h.press("enter", "c")
	h.mustShow("[edit bgp group g peer p1]", "-    hold-time 90;", "+    hold-time 120;")
	h.press("esc")
	if h.m.mode != modeTree {
		t.Fatal("esc did not leave the diff")
	}
}

func TestDiffColors(t *testing.T) {
	_, s, y := newDB(t)
	m := newModel(s, y, Options{Colors: true})
	if err := s.Set([]string{"bgp", "group", "g", "peer", "p1", "hold-time", "120"}); err != nil {
		t.Fatal(err)
	}
	out, _ := s.Compare()
	got := m.colorDiff(out)
	var plus, minus string
	for _, l := range strings.Split(got, "\n") {
		switch p := ansi.Strip(l); {
		case strings.HasPrefix(p, "+"):
			plus = l
		case strings.HasPrefix(p, "-"):
			minus = l
		}
	}
	// Bright green (color 10) for +, bright red (9) for -.
	if !strings.HasPrefix(plus, "\x1b[92m") || !strings.HasPrefix(minus, "\x1b[91m") {
		t.Fatalf("colors: + %q, - %q", plus, minus)
	}
}

func TestCommitWithComment(t *testing.T) {
	h, db, s := newHarness(t, 120, 30)
	h.gotoRow("bgp group g peer p1 hold-time")
	h.press("e", "backspace", "backspace")
	h.typeText("120")
	h.press("enter", "C")
	h.mustShow("commit comment (enter for none):")
	h.typeText("longer hold time")
	h.press("enter")
	h.mustShow("commit confirmed, minutes (enter for a plain commit):")
	h.press("enter")
	h.mustShow("commit complete: revision 3")
	h.mustNotShow("modified")
	hist, err := db.History()
	if err != nil {
		t.Fatal(err)
	}
	if hist[0].Seq != 3 || hist[0].Comment != "longer hold time" || hist[0].User != "alice" {
		t.Fatalf("history[0] = %+v", hist[0])
	}
	run, _, _ := db.Running()
	if n, _ := run.Get([]string{"bgp", "group", "g", "peer", "p1", "hold-time"}); n == nil || n.Value() != "120" {
		t.Fatal("running does not have hold-time 120")
	}
	if s.Changed() {
		t.Fatal("the candidate is still changed after the commit")
	}
}

func TestCommitConfirmed(t *testing.T) {
	h, db, _ := newHarness(t, 120, 30)
	h.gotoRow("bgp group g peer p1 hold-time")
	h.press("e", "backspace", "backspace")
	h.typeText("60")
	h.press("enter", "C", "enter")
	h.typeText("x")
	h.press("enter")
	h.mustShow("minutes: a number from 1 to 65535, or nothing for a plain commit")
	h.press("backspace")
	h.typeText("5")
	h.press("enter")
	h.mustShow("commit complete: revision 3; commit confirmed")
	p := db.Pending()
	if p == nil || p.Seq != 3 || p.Restore != 2 {
		t.Fatalf("pending %+v, want revision 3 restoring 2", p)
	}
}

func TestCommitErrorsVerbatim(t *testing.T) {
	h, db, s := newHarness(t, 120, 30)
	h.gotoRow("bgp group g")
	h.press("a")
	h.typeText("peer p3")
	h.press("enter", "C", "enter", "enter")
	h.mustShow("cdb: bgp group g peer p3: mandatory remote ip is missing")
	if hist, _ := db.History(); hist[0].Seq != 2 {
		t.Fatalf("a refused commit made revision %d", hist[0].Seq)
	}

	// Stale: another session commits meanwhile.
	other, err := db.Session(cdb.SessionOptions{Name: "other", User: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Set([]string{"system", "host-name", "r2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Commit(cdb.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Set([]string{"bgp", "group", "g", "peer", "p3", "remote", "ip", "192.0.2.13"}); err != nil {
		t.Fatal(err)
	}
	h.press("C", "enter", "enter")
	h.mustShow("cdb: running changed since this candidate was made (revision 2, now 3); use rebase")
	h.press("R")
	h.mustShow("rebased on revision 3", "host-name r2")
	h.press("C", "enter", "enter")
	h.mustShow("commit complete: revision 4")
}

func TestDiscard(t *testing.T) {
	h, _, s := newHarness(t, 120, 30)
	h.press("X")
	h.mustShow("no changes to discard")
	h.gotoRow("bgp group g peer p1 hold-time")
	h.press("d", "y")
	h.mustShow("modified")
	h.press("X")
	h.mustShow("discard every uncommitted change? (y/n)")
	h.press("y")
	h.mustShow("changes discarded", "hold-time 90")
	h.mustNotShow("modified")
	if s.Changed() {
		t.Fatal("the candidate is still changed after discard")
	}
}

func TestQuit(t *testing.T) {
	h, _, _ := newHarness(t, 120, 30)
	h.press("q")
	if !h.quit {
		t.Fatal("q without changes did not quit")
	}
	h, _, _ = newHarness(t, 120, 30)
	h.gotoRow("bgp group g peer p1 hold-time")
	h.press("d", "y", "q")
	if h.quit {
		t.Fatal("q with changes quit at once")
	}
	h.mustShow("uncommitted changes: q again quits")
	h.press("q")
	if !h.quit {
		t.Fatal("the second q did not quit")
	}
}

func TestHelpScreen(t *testing.T) {
	h, _, _ := newHarness(t, 120, 40)
	h.press("?")
	h.mustShow("Keys of the tree", "commit: a comment, then minutes for a commit confirmed")
	h.press("x")
	h.mustShow("▾ bgp")
}

func TestAnySize(t *testing.T) {
	h, _, _ := newHarness(t, 120, 40)
	h.gotoRow("bgp group g peer p1 hold-time")
	for _, sz := range [][2]int{{1, 1}, {5, 2}, {20, 5}, {40, 8}, {80, 24}, {200, 60}, {30, 3}} {
		for _, md := range []string{"tree", "edit", "diff", "help"} {
			h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			switch md {
			case "edit":
				h.press("e")
			case "diff":
				h.press("c")
			case "help":
				h.press("?")
			}
			scr := h.screen()
			lines := strings.Split(scr, "\n")
			if len(lines) > sz[1] {
				t.Fatalf("%dx%d %s: %d lines", sz[0], sz[1], md, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Fatalf("%dx%d %s: line %q is %d wide", sz[0], sz[1], md, l, w)
				}
			}
			if sz[1] >= 3 && md == "tree" && !strings.Contains(scr, "hold-time") {
				t.Fatalf("%dx%d: the cursor row is not on screen:\n%s", sz[0], sz[1], scr)
			}
			h.press("esc")
		}
	}
	// A long tree scrolls to keep the cursor on screen.
	h.send(tea.WindowSizeMsg{Width: 80, Height: 8})
	h.press("home")
	h.mustShow("system")
	h.press("end")
	h.mustShow("hold-time 90")
	h.mustNotShow("host-name")
}

func TestAddTopAndFind(t *testing.T) {
	h, _, s := newHarness(t, 120, 30)
	h.press("A")
	h.mustShow("set ")
	h.typeText("env")
	h.press("tab")
	if got := h.m.input.Value(); got != "environment " {
		t.Fatalf("tab at the top: %q", got)
	}
	h.typeText("log level ")
	h.press("tab")
	h.mustShow("debug", "info")
	h.typeText("info")
	h.press("enter")
	if got := candidateValue(t, s, "environment", "log", "level"); got != "info" {
		t.Fatalf("environment log level %q", got)
	}
	h.mustShow("▾ environment", "level info")

	// Find reaches into folded nodes and unfolds them.
	h.press("z", "home", "/")
	h.typeText("192.0.2.11")
	h.press("enter")
	if got := h.m.rows[h.m.cur].key; got != "bgp group g peer p1 remote ip" {
		t.Fatalf("find: cursor on %q", got)
	}
	h.mustShow("ip 192.0.2.11", "found bgp group g peer p1 remote ip")
	h.press("/")
	h.press("backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	h.typeText("no such thing")
	h.press("enter")
	h.mustShow("not found: no such thing")
}

func TestEditLeafList(t *testing.T) {
	h, _, s := newHarness(t, 120, 30)
	if err := s.Set([]string{"system", "ssh", "address", "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Annotate([]string{"system", "ssh", "address"}, "loopback only"); err != nil {
		t.Fatal(err)
	}
	h.m.refresh()
	h.gotoRow("system ssh address")
	h.press("enter")
	if got := h.m.input.Value(); got != "127.0.0.1 " {
		t.Fatalf("leaf-list input %q", got)
	}
	h.typeText("::1")
	h.press("enter")
	h.mustShow("address [ 127.0.0.1 ::1 ]", "# loopback only")
	c, _ := s.Candidate()
	n, _ := c.Get([]string{"system", "ssh", "address"})
	if got := strings.Join(n.Values(), ","); got != "127.0.0.1,::1" || n.Annotation() != "loopback only" {
		t.Fatalf("values %q, annotation %q", got, n.Annotation())
	}
	// An invalid value changes nothing and is shown.
	h.press("enter")
	h.typeText("nope")
	h.press("enter")
	if want := `system ssh address: "nope" is not a valid ip-address`; h.m.mode != modeEdit || !strings.HasPrefix(h.m.inputErr, want) {
		t.Logf("error: %s", h.m.inputErr)
		t.Fatalf("mode %d, error %q", h.m.mode, h.m.inputErr)
	}
	c, _ = s.Candidate()
	n, _ = c.Get([]string{"system", "ssh", "address"})
	if got := strings.Join(n.Values(), ","); got != "127.0.0.1,::1" {
		t.Fatalf("values after an invalid edit %q", got)
	}
}

func TestRefreshFollowsOthers(t *testing.T) {
	h, db, _ := newHarness(t, 120, 30)
	h.m.opts.Refresh = time.Hour
	other, err := db.Session(cdb.SessionOptions{Name: "other", User: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Set([]string{"system", "host-name", "r2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Commit(cdb.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	h.mustShow("host-name ze", "base revision 2")
	// The timer's message: the candidate (without changes) follows running.
	_, cmd := h.m.Update(refreshMsg{})
	if cmd == nil {
		t.Fatal("the refresh did not arm the timer again")
	}
	h.mustShow("host-name r2", "base revision 3")
	// Not while a prompt is open.
	if err := other.Set([]string{"system", "host-name", "r3"}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Commit(cdb.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	h.press("a")
	h.m.Update(refreshMsg{})
	h.press("esc")
	h.mustShow("host-name r2")
	h.m.Update(refreshMsg{})
	h.mustShow("host-name r3", "base revision 4")
}

// vetoApplier refuses every configuration whose bgp has a peer p2.
type vetoApplier struct{}

func (vetoApplier) Verify(d *cdb.Diff) error {
	if n, _ := d.New.Get([]string{"bgp", "group", "g", "peer", "p2"}); n != nil {
		return errors.New("peer p2 is not allowed here")
	}
	return nil
}

func (vetoApplier) Apply(*cdb.Diff) error { return nil }

func TestVeto(t *testing.T) {
	h, db, _ := newHarness(t, 120, 30)
	db.RegisterApplier("bgp", "bgp", vetoApplier{})
	h.gotoRow("bgp group g")
	h.press("a")
	h.typeText("peer p2 remote ip 192.0.2.12")
	h.press("enter")
	// The check after the edit asks the appliers too: the veto is a
	// problem at no node.
	h.mustShow("1 problem(s)", "✗ cdb: commit refused by bgp: peer p2 is not allowed here")
	h.press("C", "enter", "enter")
	h.mustShow("cdb: commit refused by bgp: peer p2 is not allowed here")
	if hist, _ := db.History(); hist[0].Seq != 2 {
		t.Fatalf("a vetoed commit made revision %d", hist[0].Seq)
	}
	h.press("v")
	h.mustShow("cdb: commit refused by bgp")
	h.gotoRow("bgp group g peer p2")
	h.press("d", "y", "v")
	h.mustShow("configuration check succeeds")
	h.mustNotShow("problem(s)")
}
