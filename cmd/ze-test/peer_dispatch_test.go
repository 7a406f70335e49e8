package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDispatchPeer: "ze-test peer" reaches the test peer (its own tests are
// in ./peer).
func TestDispatchPeer(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := dispatch([]string{"peer", "--help"}, &stdout, &stderr); code != 0 {
		t.Errorf("ze-test peer --help: exit %d, want 0", code)
	}
	if !strings.Contains(stderr.String(), "usage: ze-test peer (--listen ADDR:PORT | --connect ADDR[:PORT])") {
		t.Errorf("stderr = %q", stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := dispatch([]string{"peer"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "no mode given") {
		t.Errorf("ze-test peer: exit %d, stderr %q", code, stderr.String())
	}
	stdout.Reset()
	if code := dispatch([]string{"help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "peer (--listen ADDR:PORT | --connect ADDR:PORT)") {
		t.Errorf("ze-test help does not name peer: %q", stdout.String())
	}
}
