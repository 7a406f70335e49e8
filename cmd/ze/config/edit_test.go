package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zebgp/ze/cdb"
)

func TestEditorNeedsATerminal(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runState(t, "edit", "--state", dir)
	if code != exitError {
		t.Fatalf("exit %d, want %d", code, exitError)
	}
	if want := "ze config edit: needs a terminal on standard input and output"; !strings.HasPrefix(stderr, want) {
		t.Fatalf("stderr %q, want it to start with %q", stderr, want)
	}
	if stdout != "" {
		t.Fatalf("stdout %q, want nothing", stdout)
	}
	// Nothing was made in the state directory.
	if _, err := os.Stat(filepath.Join(dir, cdb.FileName)); err == nil {
		t.Fatal("a refused edit made a database")
	}
}

func TestEditorArguments(t *testing.T) {
	code, _, stderr := runState(t, "edit", "--state", t.TempDir(), "bgp")
	if code != exitError || !strings.Contains(stderr, `unexpected argument "bgp"`) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runState(t, "edit", "-h")
	if code != exitError || !strings.Contains(stderr, "usage: ze config edit [--state DIR]") {
		t.Fatalf("-h: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runState(t, "edit", "--nope")
	if code != exitError || !strings.Contains(stderr, "flag provided but not defined: -nope") {
		t.Fatalf("--nope: exit %d, stderr %q", code, stderr)
	}
}

func TestEditorHoldWriter(t *testing.T) {
	var out bytes.Buffer
	h := &holdWriter{w: &out}
	fmt.Fprint(h, "a\n")
	h.hold()
	fmt.Fprint(h, "b\n")
	if out.String() != "a\n" {
		t.Fatalf("while held: %q, want %q", out.String(), "a\n")
	}
	h.release()
	fmt.Fprint(h, "c\n")
	if out.String() != "a\nb\nc\n" {
		t.Fatalf("after release: %q", out.String())
	}
}
