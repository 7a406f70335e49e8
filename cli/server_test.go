package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func TestPasswordLogin(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	out, errs, code := execute(t, c, "show configuration system host-name")
	if code != 0 || out != "host-name r1;\n" {
		t.Fatalf("got %q %q %d", out, errs, code)
	}
}

func TestKeyLogin(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "admin", gossh.PublicKeys(f.key))
	out, _, code := execute(t, c, "show configuration bgp group g | display set")
	if code != 0 || !strings.Contains(out, "set bgp group g peer p1 remote ip 192.0.2.1\n") {
		t.Fatalf("got %q %d", out, code)
	}
	// bob has no key: admin's key does not open his account
	if _, err := f.dial("bob", gossh.PublicKeys(f.key)); err == nil {
		t.Fatal("bob logged in with admin's key")
	}
}

func TestBadCredentials(t *testing.T) {
	f := newFixture(t, nil)
	for _, tt := range []struct{ user, pw string }{{"admin", "Secret"}, {"admin", ""}, {"nobody", "secret"}, {"bob", "secret"}} {
		if c, err := f.dial(tt.user, gossh.Password(tt.pw)); err == nil {
			c.Close()
			t.Errorf("%s/%q logged in", tt.user, tt.pw)
		} else if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s/%q: %v", tt.user, tt.pw, err)
		}
	}
}

func TestFailedLoginsLimited(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxAuthFailures = 3; o.AuthDelay = 20 * time.Millisecond })
	start := time.Now()
	for range 3 {
		if c, err := f.dial("admin", gossh.Password("wrong")); err == nil {
			c.Close()
			t.Fatal("wrong password accepted")
		}
	}
	// delays 20, 40, 80 ms at least (and gossh retries a password once
	// per method): the failures were slowed down
	if el := time.Since(start); el < 140*time.Millisecond {
		t.Errorf("3 failures took %v, want the delays", el)
	}
	if c, err := f.dial("admin", gossh.Password("secret")); err == nil {
		c.Close()
		t.Fatal("the right password was accepted from an address over its limit")
	}
	// a key from the same address too
	if c, err := f.dial("admin", gossh.PublicKeys(f.key)); err == nil {
		c.Close()
		t.Fatal("a key was accepted from an address over its limit")
	}
}

func TestOperator(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "bob", gossh.Password("bobpw"))
	out, errs, code := execute(t, c, "configure")
	if code != 1 || !strings.Contains(errs, "permission denied: configure needs the super-user class") {
		t.Fatalf("configure as operator: %q %q %d", out, errs, code)
	}
	out, _, code = execute(t, c, "show configuration system host-name")
	if code != 0 || out != "host-name r1;\n" {
		t.Fatalf("show as operator: %q %d", out, code)
	}
}

func TestExecExitCodes(t *testing.T) {
	f := newFixture(t, func(o *Options) {
		o.Ops = &Ops{}
		o.Ops.Register([]string{"show", "bgp", "summary"}, "Show the BGP peers", func(_ context.Context, args []string, w io.Writer) error {
			_, err := io.WriteString(w, "peer p1 established\npeer p2 idle\n")
			return err
		})
		o.Ops.Register([]string{"clear", "bgp", "neighbor"}, "Reset a session", func(_ context.Context, args []string, w io.Writer) error {
			if len(args) == 0 {
				return errors.New("clear bgp neighbor needs an address")
			}
			_, err := io.WriteString(w, "cleared "+strings.Join(args, " ")+"\n")
			return err
		})
	})
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	tests := []struct {
		cmd, out, errs string
		code           int
	}{
		{"show bgp summary", "peer p1 established\npeer p2 idle\n", "", 0},
		{"show bgp summary | match p2", "peer p2 idle\n", "", 0},
		{"show bgp summary | count", "Count: 2 lines\n", "", 0},
		{"clear bgp neighbor 192.0.2.1 soft", "cleared 192.0.2.1 soft\n", "", 0},
		{"clear bgp neighbor", "", "error: clear bgp neighbor needs an address\n", 1},
		{"show bgp summry", "", "show bgp summry\n         ^\nsyntax error: unknown word after 'bgp' \"summry\" (did you mean summary?)\n", 1},
		{"show configuration system | match host-name", "host-name r1;\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			out, errs, code := execute(t, c, tt.cmd)
			if out != tt.out || errs != tt.errs || code != tt.code {
				t.Fatalf("got\n%q %q %d\nwant\n%q %q %d", out, errs, code, tt.out, tt.errs, tt.code)
			}
		})
	}
}

func TestBatch(t *testing.T) {
	f := newFixture(t, nil)
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Stdin = strings.NewReader("configure\nset system host-name r2\ncommit comment batch\nexit\nshow configuration system host-name\nshow nothing\n")
	var out, errb strings.Builder
	s.Stdout, s.Stderr = &out, &errb
	err = s.Run("")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 {
		t.Fatalf("batch with a bad line: %v", err)
	}
	if !strings.Contains(out.String(), "commit complete (revision 2)") || !strings.Contains(out.String(), "host-name r2;") {
		t.Fatalf("out:\n%s", out.String())
	}
	if !strings.Contains(errb.String(), `unknown word after 'show' "nothing"`) {
		t.Fatalf("err:\n%s", errb.String())
	}
	if f.srv.hostName() != "r1" {
		t.Fatalf("host name changed without Configure")
	}
}

func TestHostKeyKept(t *testing.T) {
	f := newFixture(t, nil)
	again, err := NewServer(Options{DB: f.db, Store: f.store, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if string(again.HostKey().Marshal()) != string(f.srv.HostKey().Marshal()) {
		t.Fatal("a second server made another host key")
	}
	if _, err := f.store.Get(HostKeyName); err != nil {
		t.Fatal(err)
	}
}

func TestConfigureListeners(t *testing.T) {
	f := newFixture(t, nil)
	if a := f.srv.Addrs(); len(a) != 1 || a[0].String() != f.addr {
		t.Fatalf("listening on %v, want %s", a, f.addr)
	}
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	host, port := freeAddr(t)
	s, _ := c.NewSession()
	s.Stdin = strings.NewReader("configure\nset system ssh address " + host + "\ndelete system ssh address " + strings.Split(f.addr, ":")[0] + "\nset system ssh port " + port + "\nset system host-name r9\ncommit\n")
	if err := s.Run(""); err != nil {
		t.Fatal(err)
	}
	running, _, _ := f.db.Running()
	if err := f.srv.Configure(running); err != nil {
		t.Fatal(err)
	}
	if a := f.srv.Addrs(); len(a) != 1 || a[0].String() != host+":"+port {
		t.Fatalf("listening on %v, want %s:%s", a, host, port)
	}
	f.addr = host + ":" + port
	c2 := f.mustDial(t, "admin", gossh.Password("secret"))
	tm := openTerm(t, c2, 80, 24)
	tm.scr.waitFor(t, 0, "admin@r9> ")
}

func TestIdleTimeout(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.IdleTimeout = 200 * time.Millisecond })
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		t.Logf("connection closed: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("an idle connection was kept")
	}
}

func TestAuditLog(t *testing.T) {
	ring := NewLogRing(100)
	f := newFixture(t, func(o *Options) { o.Logger = slog.New(ring.Handler(nil)) })
	c := f.mustDial(t, "bob", gossh.Password("bobpw"))
	execute(t, c, "show configuration system host-name")
	execute(t, c, "configure")
	log := strings.Join(ring.Lines(0), "\n")
	for _, want := range []string{
		`msg="shell command" user=bob via="ssh 127.`,
		`command="show configuration system host-name"`,
		`command=configure error="permission denied: configure needs the super-user class"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log without %q:\n%s", want, log)
		}
	}
}

func TestIdleTimeoutFromConfig(t *testing.T) {
	f := newFixture(t, nil)
	admin := f.mustDial(t, "admin", gossh.Password("secret"))
	s, _ := admin.NewSession()
	s.Stdin = strings.NewReader("configure\nset system ssh idle-timeout 1\ncommit\n")
	if err := s.Run(""); err != nil {
		t.Fatal(err)
	}
	running, _, _ := f.db.Running()
	if err := f.srv.Configure(running); err != nil {
		t.Fatal(err)
	}
	c := f.mustDial(t, "admin", gossh.Password("secret"))
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if el := time.Since(start); el < 900*time.Millisecond {
			t.Fatalf("closed after %v, before the idle timeout of 1s (%v)", el, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an idle connection was kept")
	}
}
