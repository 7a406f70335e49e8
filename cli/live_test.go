package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/user"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/zebgp/ze/cdb"
)

// systemApplier gives each commit's system subtree to the server, as the
// daemon's commit coordinator does.
type systemApplier struct{ srv *Server }

func (systemApplier) Verify(*cdb.Diff) error { return nil }

func (a systemApplier) Apply(d *cdb.Diff) error { return a.srv.Configure(d.New) }

// liveFixture is a fixture whose commits reach the server, and carol, a
// super-user with the password "carolpw".
func liveFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, nil)
	f.db.RegisterApplier("system", "system", systemApplier{f.srv})
	f.commit(t, "set system login user carol class super-user",
		fmt.Sprintf("set system login user carol authentication password %q", mustHash(t, "carolpw")))
	return f
}

// commit runs configure mode commands as admin in batch mode, then commit.
func (f *fixture) commit(t *testing.T, lines ...string) {
	t.Helper()
	c := f.mustDial(t, "admin", gossh.PublicKeys(f.key))
	out, errs, code := batchRun(t, c, "configure\n"+strings.Join(lines, "\n")+"\ncommit\n")
	if code != 0 || !strings.Contains(out, "commit complete") {
		t.Fatalf("commit %q: %q %q %d", lines, out, errs, code)
	}
}

// batchRun sends the lines to a session without pty nor command.
func batchRun(t *testing.T, c *gossh.Client, input string) (string, string, int) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdin, s.Stdout, s.Stderr = strings.NewReader(input), &out, &errb
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	err = s.Wait()
	code := 0
	var ee *gossh.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitStatus()
	} else if err != nil {
		t.Fatalf("batch: %v", err)
	}
	return out.String(), errb.String(), code
}

// ended waits for the session to end and returns its exit status.
func ended(t *testing.T, s *gossh.Session) int {
	t.Helper()
	res := make(chan error, 1)
	go func() { res <- s.Wait() }()
	select {
	case err := <-res:
		var ee *gossh.ExitError
		if errors.As(err, &ee) {
			return ee.ExitStatus()
		}
		if err == nil {
			return 0
		}
		return -1 // closed without a status
	case <-time.After(5 * time.Second):
		t.Fatal("the session is still open")
	}
	return 0
}

func editing(srv *Server, user string) bool {
	for _, e := range srv.editors.Editors() {
		if e.User == user {
			return true
		}
	}
	return false
}

// TestRemovedUserSessionsEnd: a commit from admin's session deletes carol
// and bob; carol's terminal (in configure mode with a change) and bob's
// batch session read the message and end, carol's connection is closed,
// her configure session is closed, and neither can log in again.
func TestRemovedUserSessionsEnd(t *testing.T) {
	f := liveFixture(t)
	cc := f.mustDial(t, "carol", gossh.Password("carolpw"))
	tm := openTerm(t, cc, 100, 40)
	pos := tm.scr.waitFor(t, 0, "carol@r1> ")
	tm.typ(t, "configure\r")
	pos = tm.scr.waitFor(t, pos, "carol@r1# ")
	tm.typ(t, "set bgp group g local-as 65009\r")
	pos = tm.scr.waitFor(t, pos, "carol@r1# ")
	if !editing(f.srv, "carol") {
		t.Fatal("carol is not listed in configure mode")
	}

	bc := f.mustDial(t, "bob", gossh.Password("bobpw"))
	bs, err := bc.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	bin, _ := bs.StdinPipe()
	var bout, berr screen
	bs.Stdout, bs.Stderr = &bout, &berr
	if err := bs.Shell(); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(bin, "show configuration system host-name\n")
	bout.waitFor(t, 0, "host-name r1;")

	f.commit(t, "delete system login user carol", "delete system login user bob")

	tm.scr.waitFor(t, pos, "\r\nze: user carol was removed from the configuration; closing the session\r\n")
	if code := ended(t, tm.s); code != 1 {
		t.Errorf("carol's session ended with %d, want 1", code)
	}
	berr.waitFor(t, 0, "ze: user bob was removed from the configuration; closing the session\n")
	if code := ended(t, bs); code != 1 {
		t.Errorf("bob's session ended with %d, want 1", code)
	}
	// the connection is gone, not only the session
	if _, err := cc.NewSession(); err == nil {
		t.Error("carol's connection still opens sessions")
	}
	deadline := time.Now().Add(5 * time.Second)
	for editing(f.srv, "carol") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if editing(f.srv, "carol") {
		t.Error("carol's configure session is still open")
	}
	// her change never reached anyone: the candidate was discarded
	ac := f.mustDial(t, "admin", gossh.Password("secret"))
	if out, _, _ := execute(t, ac, "show configuration bgp group g local-as"); out != "local-as 65001;\n" {
		t.Errorf("running local-as: %q", out)
	}
	for _, u := range []struct{ name, pw string }{{"carol", "carolpw"}, {"bob", "bobpw"}} {
		if c, err := f.dial(u.name, gossh.Password(u.pw)); err == nil {
			c.Close()
			t.Errorf("%s logged in after being removed", u.name)
		}
	}
	// admin, still configured, kept his
	if out, _, code := execute(t, ac, "show configuration system host-name"); code != 0 || out != "host-name r1;\n" {
		t.Errorf("admin after the commit: %q %d", out, code)
	}
}

// TestRemovedUserExclusiveLockReleased: carol holds the exclusive lock
// and is removed by a commit of her own: her session ends and the lock is
// released.
func TestRemovedUserExclusiveLockReleased(t *testing.T) {
	f := liveFixture(t)
	cc := f.mustDial(t, "carol", gossh.Password("carolpw"))
	tm := openTerm(t, cc, 100, 40)
	pos := tm.scr.waitFor(t, 0, "carol@r1> ")
	tm.typ(t, "configure exclusive\r")
	pos = tm.scr.waitFor(t, pos, "carol@r1# ")
	tm.typ(t, "delete system login user carol\r")
	pos = tm.scr.waitFor(t, pos, "carol@r1# ")
	tm.typ(t, "commit\r")
	pos = tm.scr.waitFor(t, pos, "commit complete")
	tm.scr.waitFor(t, pos, "ze: user carol was removed from the configuration; closing the session")
	ended(t, tm.s)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if s, _ := f.db.Lock(); s == "" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s, u := f.db.Lock()
	t.Fatalf("the exclusive lock is still held by %s (%s)", s, u)
}

// TestClassChangeAppliesToOpenSessions: carol, a super-user in configure
// mode, is made an operator: her next line takes her back to operational
// mode (her change discarded) and configure is refused; bob, an operator,
// is made a super-user: his open session may configure.
func TestClassChangeAppliesToOpenSessions(t *testing.T) {
	f := liveFixture(t)
	cc := f.mustDial(t, "carol", gossh.Password("carolpw"))
	ct := openTerm(t, cc, 100, 40)
	cpos := ct.scr.waitFor(t, 0, "carol@r1> ")
	ct.typ(t, "configure\r")
	cpos = ct.scr.waitFor(t, cpos, "carol@r1# ")
	ct.typ(t, "set bgp group g local-as 65009\r")
	cpos = ct.scr.waitFor(t, cpos, "carol@r1# ")

	bc := f.mustDial(t, "bob", gossh.Password("bobpw"))
	bt := openTerm(t, bc, 100, 40)
	bpos := bt.scr.waitFor(t, 0, "bob@r1> ")
	bt.typ(t, "configure\r")
	bpos = bt.scr.waitFor(t, bpos, "permission denied: configure needs the super-user class")
	bpos = bt.scr.waitFor(t, bpos, "bob@r1> ")

	f.commit(t, "set system login user carol class operator", "set system login user bob class super-user")

	ct.typ(t, "set bgp group g local-as 65010\r")
	cpos = ct.scr.waitFor(t, cpos, "ze: the class of user carol is now operator: leaving configuration mode, the uncommitted changes are discarded\r\n")
	cpos = ct.scr.waitFor(t, cpos, "carol@r1> ")
	if got := ct.scr.String()[cpos:]; strings.Contains(got, "carol@r1#") {
		t.Errorf("carol is still in configure mode: %q", got)
	}
	ct.typ(t, "configure\r")
	cpos = ct.scr.waitFor(t, cpos, "permission denied: configure needs the super-user class")
	ct.scr.waitFor(t, cpos, "carol@r1> ")
	if editing(f.srv, "carol") {
		t.Error("carol's configure session is still open")
	}

	bt.typ(t, "configure\r")
	bpos = bt.scr.waitFor(t, bpos, "Entering configuration mode")
	bt.scr.waitFor(t, bpos, "bob@r1# ")

	ac := f.mustDial(t, "admin", gossh.Password("secret"))
	if out, _, _ := execute(t, ac, "show configuration bgp group g local-as"); out != "local-as 65001;\n" {
		t.Errorf("running local-as: %q", out)
	}
}

// TestBatchClassChange: in batch mode a demotion refuses the following
// configure-mode lines and the status is 1.
func TestBatchClassChange(t *testing.T) {
	f := liveFixture(t)
	cc := f.mustDial(t, "carol", gossh.Password("carolpw"))
	s, err := cc.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	var out, errb screen
	s.Stdout, s.Stderr = &out, &errb
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(in, "configure\n")
	out.waitFor(t, 0, "Entering configuration mode")
	f.commit(t, "set system login user carol class operator")
	_, _ = io.WriteString(in, "show\nconfigure\n")
	pos := errb.waitFor(t, 0, "ze: the class of user carol is now operator: leaving configuration mode\n")
	errb.waitFor(t, pos, "permission denied: configure needs the super-user class")
	in.Close()
	if code := ended(t, s); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
}

// TestChangedCredentialsKeepSessions: a new password for bob does not end
// his open session.
func TestChangedCredentialsKeepSessions(t *testing.T) {
	f := liveFixture(t)
	bc := f.mustDial(t, "bob", gossh.Password("bobpw"))
	bt := openTerm(t, bc, 100, 40)
	pos := bt.scr.waitFor(t, 0, "bob@r1> ")
	f.commit(t, fmt.Sprintf("set system login user bob authentication password %q", mustHash(t, "newpw")))
	bt.typ(t, "show configuration system host-name\r")
	pos = bt.scr.waitFor(t, pos, "host-name r1;")
	bt.scr.waitFor(t, pos, "bob@r1> ")
	if strings.Contains(bt.scr.String(), "closing the session") {
		t.Error("bob's session was closed")
	}
	if c, err := f.dial("bob", gossh.Password("bobpw")); err == nil {
		c.Close()
		t.Error("the old password still logs in")
	}
	f.mustDial(t, "bob", gossh.Password("newpw"))
}

// TestLocalSessionNotEvicted: a configuration user named as the OS user
// of a local session (ze cli) is removed: the local session, which is not
// that user, goes on.
func TestLocalSessionNotEvicted(t *testing.T) {
	f := liveFixture(t)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	f.commit(t, fmt.Sprintf("set system login user %s class operator", me.Username),
		fmt.Sprintf("set system login user %s authentication password %q", me.Username, mustHash(t, "x")))
	c := f.local(t)
	lt := openTerm(t, c, 100, 40)
	pos := lt.scr.waitFor(t, 0, me.Username+"@r1> ")
	f.commit(t, "delete system login user "+me.Username)
	// still a super-user, still open
	lt.typ(t, "configure\r")
	pos = lt.scr.waitFor(t, pos, "Entering configuration mode")
	lt.typ(t, "exit\r")
	lt.scr.waitFor(t, pos, "Exiting configuration mode")
	if strings.Contains(lt.scr.String(), "closing the session") {
		t.Error("the local session was told it closes")
	}
}

// TestDemotedEditorEnds: carol runs the full-screen editor when a commit
// makes her an operator: the editor ends and the shell leaves configure
// mode with the message.
func TestDemotedEditorEnds(t *testing.T) {
	f := liveFixture(t)
	cc := f.mustDial(t, "carol", gossh.Password("carolpw"))
	tm := openTerm(t, cc, 100, 30)
	pos := tm.scr.waitFor(t, 0, "carol@r1> ")
	tm.typ(t, "configure\r")
	pos = tm.scr.waitFor(t, pos, "carol@r1# ")
	tm.typ(t, "edit\r")
	pos = tm.scr.waitFor(t, pos, "ze configure")
	pos = tm.scr.waitFor(t, pos, "host-name")
	f.commit(t, "set system login user carol class operator")
	pos = tm.scr.waitFor(t, pos, "ze: the class of user carol is now operator: leaving configuration mode\r\n")
	pos = tm.scr.waitFor(t, pos, "carol@r1> ")
	tm.typ(t, "show configuration system host-name\r")
	tm.scr.waitFor(t, pos, "host-name r1;")
	if editing(f.srv, "carol") {
		t.Error("carol's configure session is still open")
	}
}

// TestSelfDemotion: carol commits her own demotion: the commit completes
// and she is back in operational mode before the next prompt.
func TestSelfDemotion(t *testing.T) {
	f := liveFixture(t)
	cc := f.mustDial(t, "carol", gossh.Password("carolpw"))
	tm := openTerm(t, cc, 100, 30)
	pos := tm.scr.waitFor(t, 0, "carol@r1> ")
	tm.typ(t, "configure\r")
	pos = tm.scr.waitFor(t, pos, "carol@r1# ")
	tm.typ(t, "set system login user carol class operator\r")
	pos = tm.scr.waitFor(t, pos, "carol@r1# ")
	tm.typ(t, "commit\r")
	pos = tm.scr.waitFor(t, pos, "commit complete")
	pos = tm.scr.waitFor(t, pos, "ze: the class of user carol is now operator: leaving configuration mode\r\n")
	tm.scr.waitFor(t, pos, "carol@r1> ")
}

// failingApplier fails to apply a configuration whose host name is boom.
type failingApplier struct{}

func (failingApplier) Verify(*cdb.Diff) error { return nil }

func (failingApplier) Apply(d *cdb.Diff) error {
	if n, _ := d.New.Get([]string{"system", "host-name"}); n != nil && n.Value() == "boom" {
		return errors.New("boom")
	}
	return nil
}

// TestFailedCommitKeepsSessions: a commit that removes carol fails in a
// later applier: the old configuration is given back, and carol's session
// stays.
func TestFailedCommitKeepsSessions(t *testing.T) {
	f := liveFixture(t)
	f.db.RegisterApplier("boom", "system", failingApplier{})
	cc := f.mustDial(t, "carol", gossh.Password("carolpw"))
	tm := openTerm(t, cc, 100, 30)
	pos := tm.scr.waitFor(t, 0, "carol@r1> ")
	c := f.mustDial(t, "admin", gossh.PublicKeys(f.key))
	out, errs, code := batchRun(t, c, "configure\ndelete system login user carol\nset system host-name boom\ncommit\n")
	if code != 1 || strings.Contains(out, "commit complete") {
		t.Fatalf("the commit did not fail: %q %q %d", out, errs, code)
	}
	tm.typ(t, "show configuration system host-name\r")
	pos = tm.scr.waitFor(t, pos, "host-name r1;")
	tm.scr.waitFor(t, pos, "carol@r1> ")
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(tm.scr.String(), "closing the session") {
		t.Fatal("carol's session was closed by a commit that failed")
	}
	// still listed: a later removal that succeeds ends it
	f.commit(t, "delete system login user carol")
	tm.scr.waitFor(t, pos, "ze: user carol was removed from the configuration; closing the session")
	ended(t, tm.s)
}
