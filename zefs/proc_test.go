package zefs

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// child is this test binary run again as a helper process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// helperProcess runs the test named run in a new process with env added,
// and waits for it to print "locked".
func helperProcess(t *testing.T, run string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$")
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		_ = stdin.Close()
		_ = cmd.Wait()
		t.Fatalf("helper process said %q, want locked", line)
	}
	return &child{cmd: cmd, stdin: stdin}
}

func (c *child) stop(t *testing.T) {
	t.Helper()
	_ = c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("helper process: %v", err)
	}
}
