package bgp

import (
	"bytes"
	"strings"
	"testing"
)

// TestDecodeBodies decodes message bodies given with --type; the empty
// body of a KEEPALIVE is the only empty input that decodes.
func TestDecodeBodies(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string
	}{
		{"keepalive body", []string{"--type", "keepalive", ""}, 0, `{"type":"keepalive","length":19}` + "\n", ""},
		{"keepalive body with bytes", []string{"--type", "keepalive", "00"}, 1, "bad-message-length", "bad-message-length"},
		{"empty update body", []string{"--type", "update", ""}, 1, "", "empty input"},
		{"empty message", []string{""}, 1, "", "empty input"},
		{"route refresh body", []string{"--type", "route-refresh", "00010001"}, 0,
			`{"type":"route-refresh","length":23,"route-refresh":{"family":"ipv4/unicast","subtype":"refresh"}}` + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := runDecode(tt.args, strings.NewReader(""), &stdout, &stderr)
			if status != tt.status {
				t.Errorf("status: got %d, want %d (stderr %q)", status, tt.status, stderr.String())
			}
			// A success is checked exactly, a failure by what it must say.
			if tt.status == 0 {
				if stdout.String() != tt.stdout || stderr.Len() > 0 {
					t.Errorf("got stdout %q stderr %q, want stdout %q and no stderr", stdout.String(), stderr.String(), tt.stdout)
				}
			} else if !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("got stdout %q stderr %q, want them to hold %q and %q", stdout.String(), stderr.String(), tt.stdout, tt.stderr)
			}
		})
	}
}
