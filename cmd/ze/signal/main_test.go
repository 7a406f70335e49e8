package signal

import (
	"bytes"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/zebgp/ze/engine/supervisor"
)

func TestSignal(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	kill := func(pid int, s syscall.Signal) error {
		if pid != os.Getpid() || s != syscall.SIGHUP {
			t.Errorf("kill %d %v", pid, s)
		}
		return nil
	}
	if code := run([]string{"--state", dir, "reload"}, &out, &errb, kill); code != 1 || !strings.Contains(errb.String(), "no ze daemon is running") {
		t.Fatalf("without a daemon: %d %q", code, errb.String())
	}
	release, err := supervisor.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	errb.Reset()
	if code := run([]string{"--state", dir, "reload"}, &out, &errb, kill); code != 0 || !strings.Contains(out.String(), "sent reload to ze") {
		t.Fatalf("reload: %d %q %q", code, out.String(), errb.String())
	}
	errb.Reset()
	if code := run([]string{"--state", dir, "restart"}, &out, &errb, kill); code != 1 || !strings.Contains(errb.String(), `unknown signal "restart"`) {
		t.Fatalf("restart: %d %q", code, errb.String())
	}
}
