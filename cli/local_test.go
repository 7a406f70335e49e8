package cli

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func TestAdmitted(t *testing.T) {
	for _, tt := range []struct {
		uid, self uint32
		want      bool
	}{{0, 0, true}, {0, 1000, true}, {1000, 1000, true}, {1001, 1000, false}, {65534, 0, false}} {
		if got := admitted(tt.uid, tt.self); got != tt.want {
			t.Errorf("admitted(%d, %d) = %v, want %v", tt.uid, tt.self, got, tt.want)
		}
	}
}

// TestLocalOtherUser connects to the local socket as nobody (uid 65534):
// refused. Run as another user than root, the test binary cannot change
// its uid, and it checks that its own uid is let in instead.
func TestLocalOtherUser(t *testing.T) {
	if os.Getenv("ZE_CLI_DIAL") != "" {
		return // the child below
	}
	f := newFixture(t, nil)
	// a directory nobody can reach (t.TempDir's parent is root's alone)
	dir, err := os.MkdirTemp("", "ze-cli-local-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { //nolint:gosec // nobody must reach it
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ze.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o777); err != nil {
		t.Fatal(err)
	}
	go func() { _ = f.srv.ServeLocal(ln) }()
	if os.Getuid() != 0 {
		if err := dialLocal(path); err != nil {
			t.Fatalf("own uid refused: %v", err)
		}
		return
	}
	// the test binary, where nobody may run it
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "cli.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil { //nolint:gosec // an executable
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestLocalDialChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "ZE_CLI_DIAL="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "refused:") {
		t.Fatalf("nobody: %v\n%s", err, out)
	}
	if err := dialLocal(path); err != nil {
		t.Fatalf("root refused: %v", err)
	}
}

// TestLocalDialChild is the child of TestLocalOtherUser.
func TestLocalDialChild(t *testing.T) {
	path := os.Getenv("ZE_CLI_DIAL")
	if path == "" {
		return // only as the child
	}
	if err := dialLocal(path); err != nil {
		t.Logf("refused: %v", err)
		return
	}
	t.Fatal("nobody was let in")
}

func dialLocal(path string) error {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return err
	}
	cc, chans, reqs, err := gossh.NewClientConn(conn, "ze.sock", &gossh.ClientConfig{User: "x", HostKeyCallback: gossh.InsecureIgnoreHostKey()}) //nolint:gosec // a test
	if err != nil {
		return err
	}
	c := gossh.NewClient(cc, chans, reqs)
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Run("show configuration system host-name")
}
