package tui

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// waitFor waits until the output of the program holds every s.
func waitFor(t *testing.T, tm *teatest.TestModel, ss ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range ss {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func key(t tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: t} }

// TestProgramEditDiffCommit runs the editor as a program: navigate to a
// leaf, edit it, see the diff, commit with a comment, quit; running has
// the change.
func TestProgramEditDiffCommit(t *testing.T) {
	db, s, y := newDB(t)
	tm := teatest.NewTestModel(t, New(s, y, Options{User: "alice", Host: "r1"}), teatest.WithInitialTermSize(100, 30))
	waitFor(t, tm, "alice@r1", "hold-time 90")

	tm.Send(key(tea.KeyEnd))
	tm.Send(key(tea.KeyEnter))
	tm.Send(key(tea.KeyBackspace))
	tm.Send(key(tea.KeyBackspace))
	tm.Type("120")
	tm.Send(key(tea.KeyEnter))
	waitFor(t, tm, "hold-time 120", "modified")
	if got := candidateValue(t, s, "bgp", "group", "g", "peer", "p1", "hold-time"); got != "120" {
		t.Fatalf("candidate hold-time %q, want 120", got)
	}

	tm.Type("c")
	waitFor(t, tm, "[edit bgp group g peer p1]", "-    hold-time 90;", "+    hold-time 120;")
	tm.Send(key(tea.KeyEsc))
	tm.Type("C")
	waitFor(t, tm, "commit comment")
	tm.Type("from teatest")
	tm.Send(key(tea.KeyEnter))
	waitFor(t, tm, "commit confirmed, minutes")
	tm.Send(key(tea.KeyEnter))
	waitFor(t, tm, "commit complete: revision 3")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	hist, err := db.History()
	if err != nil {
		t.Fatal(err)
	}
	if hist[0].Seq != 3 || hist[0].Comment != "from teatest" {
		t.Fatalf("history[0] = %+v", hist[0])
	}
	run, _, _ := db.Running()
	if n, _ := run.Get([]string{"bgp", "group", "g", "peer", "p1", "hold-time"}); n == nil || n.Value() != "120" {
		t.Fatal("running does not have hold-time 120")
	}
}

// TestProgramAddInvalidDiscard adds a peer, tries an invalid value, folds
// and unfolds, then discards.
func TestProgramAddInvalidDiscard(t *testing.T) {
	_, s, y := newDB(t)
	tm := teatest.NewTestModel(t, New(s, y, Options{ConfirmQuit: true}), teatest.WithInitialTermSize(120, 30))
	waitFor(t, tm, "hold-time 90")

	// bgp group g is the sixth row.
	for range 5 {
		tm.Send(key(tea.KeyDown))
	}
	tm.Type("a")
	waitFor(t, tm, "set bgp group g")
	tm.Type("peer p2 remote ip 192.0.2.12")
	tm.Send(key(tea.KeyEnter))
	waitFor(t, tm, "peer p2", "ip 192.0.2.12")
	if !candidateHas(t, s, "bgp", "group", "g", "peer", "p2") {
		t.Fatal("no peer p2 in the candidate")
	}

	// The cursor is on p2's remote ip: an invalid address stays in the input with the error.
	tm.Send(key(tea.KeyEnter))
	tm.Send(key(tea.KeyBackspace))
	tm.Type("999")
	tm.Send(key(tea.KeyEnter))
	waitFor(t, tm, "✗", "192.0.2.1999")
	if got := candidateValue(t, s, "bgp", "group", "g", "peer", "p2", "remote", "ip"); got != "192.0.2.12" {
		t.Fatalf("an invalid address reached the candidate: %q", got)
	}
	tm.Send(key(tea.KeyEsc))

	// Fold p2's remote (the cursor's parent), then unfold it.
	tm.Send(key(tea.KeyLeft))
	tm.Send(key(tea.KeyLeft))
	waitFor(t, tm, "▸ remote { … }")
	tm.Send(key(tea.KeyRight))
	waitFor(t, tm, "▾ remote")

	tm.Type("X")
	waitFor(t, tm, "discard every uncommitted change?")
	tm.Type("y")
	waitFor(t, tm, "changes discarded")
	if s.Changed() {
		t.Fatal("the candidate is still changed")
	}
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestProgramResize: a smaller window lays the screen out again.
func TestProgramResize(t *testing.T) {
	_, s, y := newDB(t)
	tm := teatest.NewTestModel(t, New(s, y, Options{}), teatest.WithInitialTermSize(100, 30))
	waitFor(t, tm, "hold-time 90")
	tm.Send(tea.WindowSizeMsg{Width: 30, Height: 6})
	tm.Send(key(tea.KeyEnd))
	waitFor(t, tm, ">        hold-time 90")
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if fm.w != 30 || fm.h != 6 {
		t.Fatalf("final size %dx%d, want 30x6", fm.w, fm.h)
	}
	for _, l := range bytes.Split([]byte(fm.View()), []byte("\n")) {
		if len([]rune(string(l))) > 30 {
			t.Fatalf("line %q wider than 30", l)
		}
	}
}
