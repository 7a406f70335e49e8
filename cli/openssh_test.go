package cli

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// sshArgs are the OpenSSH client's arguments to log in as admin with the
// fixture's key, trusting any host key.
func (f *fixture) sshArgs(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Fatal("the OpenSSH client (ssh) is needed: apt-get install openssh-client")
	}
	blk, err := gossh.MarshalPrivateKey(f.priv, "admin@test")
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(key, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(f.addr)
	return []string{"-p", port, "-i", key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "admin@" + host}
}

func TestOpenSSHExec(t *testing.T) {
	f := newFixture(t, nil)
	args := f.sshArgs(t)
	for _, tt := range []struct {
		cmd, out, errs string
		code           int
	}{
		{"show configuration system host-name", "host-name r1;\n", "", 0},
		{"show configuration bgp | display set | match hold", "", "", 0},
		{"show configuration bgp | display set | count", "Count: 3 lines\n", "", 0},
		{"configure exclusive", "Entering configuration mode (exclusive: the configuration is locked)\n", "", 0},
		{"show nothing", "", "syntax error: unknown word after 'show' \"nothing\"", 1},
	} {
		cmd := exec.Command("ssh", append(args, tt.cmd)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code || out.String() != tt.out || !strings.Contains(errb.String(), tt.errs) {
			t.Errorf("ssh %q: got %d %q %q, want %d %q %q", tt.cmd, code, out.String(), errb.String(), tt.code, tt.out, tt.errs)
		}
	}
}

// tmux drives a terminal in a tmux server of the test's own.
type tmux struct {
	t    *testing.T
	sock string
}

func newTmux(t *testing.T, w, h int, command []string) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed: apt-get install tmux")
	}
	tm := &tmux{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	args := append([]string{"new-session", "-d", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)}, strings.Join(quoteArgs(command), " "))
	tm.run(args...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", tm.sock, "kill-server").Run() })
	return tm
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return out
}

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends keys (tmux key names: Enter, Tab, C-c, or text with -l).
func (tm *tmux) keys(keys ...string) { tm.run(append([]string{"send-keys", "-t", "0"}, keys...)...) }

func (tm *tmux) text(s string) { tm.run("send-keys", "-t", "0", "-l", s) }

// screen waits until the pane shows all of wants, and returns it.
func (tm *tmux) screen(wants ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		got = tm.run("capture-pane", "-p", "-t", "0", "-S", "-200")
		ok := true
		for _, w := range wants {
			if !strings.Contains(got, w) {
				ok = false
			}
		}
		if ok {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	tm.t.Fatalf("the screen never showed %q:\n%s", wants, got)
	return ""
}

func TestOpenSSHInteractive(t *testing.T) {
	f := newFixture(t, nil)
	args := f.sshArgs(t)
	tm := newTmux(t, 120, 40, append([]string{"ssh", "-t"}, args...))
	tm.screen("admin@r1>")
	tm.text("show conf")
	tm.keys("Tab")
	tm.screen("admin@r1> show configuration")
	tm.text("?")
	tm.screen("admin@r1> show configuration ?", "Possible completions:", "  bgp", "  system")
	tm.keys("C-u")
	tm.text("configure")
	tm.keys("Enter")
	tm.screen("Entering configuration mode", "[edit]", "admin@r1#")
	tm.text("set bgp group g peer p1 hold-time 120")
	tm.keys("Enter")
	tm.text("show | compare")
	tm.keys("Enter")
	tm.screen("[edit bgp group g peer p1]", "+    hold-time 120;")
	tm.text("commit confirmed 5")
	tm.keys("Enter")
	tm.screen("commit confirmed will be automatically rolled back in 5 minutes unless confirmed", "commit complete (revision 2)")
	tm.text("run show system commit")
	tm.keys("Enter")
	tm.screen("commit confirmed: revision 2 by admin is rolled back to revision 1")
	// a resized window: tmux tells ssh, which tells the server
	tm.run("resize-window", "-t", "0", "-x", "60", "-y", "8")
	tm.keys("C-l")
	tm.text("exit")
	tm.keys("Enter")
	// the window change and the keys travel apart: try until paged
	for try := 0; ; try++ {
		tm.text("show configuration")
		tm.keys("Enter")
		time.Sleep(100 * time.Millisecond)
		if strings.Contains(tm.run("capture-pane", "-p", "-t", "0"), "---(more)---") {
			break
		}
		if try == 20 {
			tm.screen("---(more)---")
		}
	}
	tm.text("q")
	tm.text("exit")
	tm.keys("Enter")
}
