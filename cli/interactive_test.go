package cli

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func TestInteractiveHelpAndTab(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	tm := openTerm(t, c, 120, 50)
	pos := tm.scr.waitFor(t, 0, "admin@r1> ")
	tm.typ(t, "show ?")
	pos = tm.scr.waitFor(t, pos, "admin@r1> show ?")
	pos = tm.scr.waitFor(t, pos, "Possible completions:")
	pos = tm.scr.waitFor(t, pos, "configuration")
	pos = tm.scr.waitFor(t, pos, "Show the running configuration")
	// the line is still there after the help: TAB completes "conf"
	tm.typ(t, "conf\t")
	pos = tm.scr.waitFor(t, pos, "configuration ")
	tm.typ(t, "bgp gr\t")
	pos = tm.scr.waitFor(t, pos, "group ")
	tm.typ(t, "?")
	pos = tm.scr.waitFor(t, pos, "Possible completions:")
	pos = tm.scr.waitFor(t, pos, "  <name>")
	pos = tm.scr.waitFor(t, pos, "  g ")
	tm.typ(t, "g\r")
	pos = tm.scr.waitFor(t, pos, "local-as 65001;")
	// a syntax error shows a caret under the word
	tm.typ(t, "show confgiuration\r")
	pos = tm.scr.waitFor(t, pos, "\r\n               ^\r\nsyntax error: unknown word after 'show' \"confgiuration\" (did you mean configuration?)")
	// Ctrl-C drops the line, the session stays
	tm.typ(t, "show conf\x03")
	pos = tm.scr.waitFor(t, pos, "show conf^C")
	tm.typ(t, "configure\r")
	pos = tm.scr.waitFor(t, pos, "Entering configuration mode")
	pos = tm.scr.waitFor(t, pos, "[edit]\r\nadmin@r1# ")
	tm.typ(t, "set bgp group g peer p1 hold-time ?")
	pos = tm.scr.waitFor(t, pos, "<hold-time>")
	pos = tm.scr.waitFor(t, pos, "range 0|3..65535")
	tm.typ(t, "120\r")
	tm.typ(t, "edit bgp group g peer p1\r")
	pos = tm.scr.waitFor(t, pos, "[edit bgp group g peer p1]\r\nadmin@r1# ")
	tm.typ(t, "top\r")
	tm.typ(t, "show | compare\r")
	pos = tm.scr.waitFor(t, pos, "[edit bgp group g peer p1]")
	pos = tm.scr.waitFor(t, pos, "+    hold-time 120;")
	tm.typ(t, "commit comment \"longer hold\"\r")
	pos = tm.scr.waitFor(t, pos, "commit complete (revision 2)")
	tm.typ(t, "exit\r")
	pos = tm.scr.waitFor(t, pos, "Exiting configuration mode")
	tm.typ(t, "show configuration bgp group g peer p1 hold-time\r")
	pos = tm.scr.waitFor(t, pos, "hold-time 120;")
	tm.typ(t, "show system commit\r")
	pos = tm.scr.waitFor(t, pos, "by admin via cli (revision 2)")
	tm.scr.waitFor(t, pos, "longer hold")
	tm.typ(t, "exit\r")
	done := make(chan error, 1)
	go func() { done <- tm.s.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("session ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("exit did not end the session")
	}
}

func TestExitWarnsAboutChanges(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	tm := openTerm(t, c, 120, 50)
	pos := tm.scr.waitFor(t, 0, "admin@r1> ")
	tm.typ(t, "configure\rset system host-name other\rexit\r")
	pos = tm.scr.waitFor(t, pos, "The configuration has been changed but not committed")
	pos = tm.scr.waitFor(t, pos, "error: uncommitted changes: exit again (or exit discard)")
	pos = tm.scr.waitFor(t, pos, "admin@r1# ")
	tm.typ(t, "exit\r")
	pos = tm.scr.waitFor(t, pos, "Exiting configuration mode")
	tm.scr.waitFor(t, pos, "admin@r1> ")
	if out, _, _ := execute(t, c, "show configuration system host-name"); out != "host-name r1;\n" {
		t.Fatalf("discarded change committed: %q", out)
	}
}

func TestOperatorInteractive(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "bob", gossh.Password("bobpw"))
	tm := openTerm(t, c, 120, 50)
	pos := tm.scr.waitFor(t, 0, "bob@r1> ")
	tm.typ(t, "configure\r")
	pos = tm.scr.waitFor(t, pos, "error: permission denied: configure needs the super-user class")
	tm.scr.waitFor(t, pos, "bob@r1> ")
}

func TestPagerAndWindowChange(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	tm := openTerm(t, c, 100, 6)
	pos := tm.scr.waitFor(t, 0, "admin@r1> ")
	tm.typ(t, "show configuration\r")
	pos = tm.scr.waitFor(t, pos, morePrompt)
	tm.typ(t, "q")
	pos = tm.scr.waitFor(t, pos, "admin@r1> ")
	// no-more does not page
	start := len(tm.scr.String())
	tm.typ(t, "show configuration | no-more\r")
	pos = tm.scr.waitFor(t, pos, "local-as 65001;")
	tm.scr.waitFor(t, pos, "admin@r1> ")
	if strings.Contains(tm.scr.String()[start:], morePrompt) {
		t.Fatal("| no-more paged")
	}
	// a taller window: the whole configuration fits, once the server has
	// the new size (the request and the keys travel apart)
	if err := tm.s.WindowChange(200, 100); err != nil {
		t.Fatal(err)
	}
	for try := 0; ; try++ {
		start := len(tm.scr.String())
		tm.typ(t, "show configuration\r")
		// the old size pages before local-as: wait for either
		if tm.scr.waitAny(t, start, "local-as 65001;", morePrompt) == "local-as 65001;" && !strings.Contains(tm.scr.String()[start:], morePrompt) {
			pos = start
			break
		}
		pos = start
		if try == 20 {
			t.Fatal("still paged in a window of 100 lines")
		}
		tm.typ(t, "q")
		tm.scr.waitFor(t, pos, "admin@r1> ")
		time.Sleep(50 * time.Millisecond)
	}
	tm.scr.waitFor(t, pos, "admin@r1> ")
}

func TestHistoryKept(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	tm := openTerm(t, c, 120, 50)
	pos := tm.scr.waitFor(t, 0, "admin@r1> ")
	tm.typ(t, "show configuration system host-name\r")
	pos = tm.scr.waitFor(t, pos, "host-name r1;")
	tm.scr.waitFor(t, pos, "admin@r1> ")
	tm.s.Close()
	b, err := f.store.GetCopy("cli/history/admin")
	if err != nil || string(b) != "show configuration system host-name\n" {
		t.Fatalf("stored history %q %v", b, err)
	}
	// a new login: up-arrow brings the line back
	tm2 := openTerm(t, f.mustDial(t, "admin", gossh.PublicKeys(f.key)), 120, 50)
	pos = tm2.scr.waitFor(t, 0, "admin@r1> ")
	tm2.typ(t, "\x1b[A\r")
	tm2.scr.waitFor(t, pos, "host-name r1;")
}

func TestLocalSocket(t *testing.T) {
	f := newFixture(t, nil)
	c := f.local(t)
	// the local user is a super-user named after the OS user (root here or
	// whoever runs the tests)
	s, _ := c.NewSession()
	var out strings.Builder
	s.Stdout = &out
	s.Stdin = strings.NewReader("configure\nset system host-name local\ncommit\nexit\n")
	if err := s.Run(""); err != nil {
		t.Fatal(err)
	}
	hist, _ := f.db.History()
	if hist[0].User == "whoever" || hist[0].User == "" {
		t.Fatalf("committed as %q, want the OS user", hist[0].User)
	}
}

func TestEditOpensTheEditor(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	tm := openTerm(t, c, 100, 30)
	pos := tm.scr.waitFor(t, 0, "admin@r1> ")
	tm.typ(t, "configure\r")
	pos = tm.scr.waitFor(t, pos, "admin@r1# ")
	tm.typ(t, "edit\r")
	pos = tm.scr.waitFor(t, pos, "ze configure")
	pos = tm.scr.waitFor(t, pos, "host-name")
	tm.typ(t, "q")
	// back in the shell, which still reads its input
	pos = tm.scr.waitFor(t, pos, "admin@r1# ")
	tm.typ(t, "show system host-name\r")
	tm.scr.waitFor(t, pos, "host-name r1;")
}

func TestMonitorInterrupted(t *testing.T) {
	events := make(chan []byte, 1)
	stopped := make(chan struct{})
	f := newFixture(t, func(o *Options) {
		o.Events = func(_ context.Context, topic string) (<-chan []byte, func(), error) {
			events <- []byte(`{"topic":"bgp/state","peer":"p1","state":"established"}`)
			return events, func() { close(stopped) }, nil
		}
	})
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	tm := openTerm(t, c, 100, 5)
	pos := tm.scr.waitFor(t, 0, "admin@r1> ")
	tm.typ(t, "monitor event bgp\r")
	pos = tm.scr.waitFor(t, pos, `"state":"established"}`)
	tm.typ(t, "\x03")
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Ctrl-C did not stop monitor event")
	}
	pos = tm.scr.waitFor(t, pos, "admin@r1> ")
	tm.typ(t, "show configuration system host-name\r")
	tm.scr.waitFor(t, pos, "host-name r1;")
}

func TestShowLogFromRing(t *testing.T) {
	ring := NewLogRing(3)
	log := slog.New(ring.Handler(nil))
	for i := range 5 {
		log.Info("line", "n", i)
	}
	f := newFixture(t, func(o *Options) { o.Log = ring })
	out, _, code := execute(t, f.mustDial(t, "bob", gossh.Password("bobpw")), "show log")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, "msg=line n=2\n") || !strings.HasSuffix(out, "msg=line n=4\n") || strings.Contains(out, "n=1") {
		t.Fatalf("show log: %d %q", code, out)
	}
}

func TestLoadTerminal(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	tm := openTerm(t, c, 120, 50)
	pos := tm.scr.waitFor(t, 0, "admin@r1> ")
	tm.typ(t, "configure\r")
	pos = tm.scr.waitFor(t, pos, "admin@r1# ")
	tm.typ(t, "load merge terminal\r")
	pos = tm.scr.waitFor(t, pos, "[Type ^D at a new line to end input]")
	// TAB and ? are text here
	tm.typ(t, "bgp {\r group g {\r  peer p1 {\r\tdescription \"why?\";\r}\r}\r}\r\x04")
	pos = tm.scr.waitFor(t, pos, "load complete")
	tm.typ(t, "show bgp group g peer p1 description\r")
	tm.scr.waitFor(t, pos, `description why?;`)
	hist, _ := f.store.GetCopy("cli/history/admin")
	if strings.Contains(string(hist), "why") {
		t.Fatalf("the loaded text went into the history:\n%s", hist)
	}
}
