package plugin

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
)

// TestCallState: `ze plugin call --state DIR` reaches the plugins of the
// daemon's host through DIR/plugin.sock.
func TestCallState(t *testing.T) {
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	doc := `{"ze-plugin:plugin":{"internal":[{"name":"counter"}]},"ze-example-counter:counter":{"label":"from-state"}}`
	c, err := host.NewComponent(host.Config{Hub: h, Logger: slog.New(slog.DiscardHandler)}, func() ([]byte, error) { return []byte(doc), nil })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := c.ServeSocket(dir); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Stop(context.Background()) }()

	tests := []struct {
		args         []string
		code         int
		stdout, errs string
	}{
		{[]string{"call", "--state", dir, "ze-example-counter:count"}, exitOK, `{"count":0,"label":"from-state"}` + "\n", ""},
		{[]string{"call", "--state", dir, "--get", "state", "ze-plugin-host:status", `{"name":"counter"}`}, exitOK, "ready\n", ""},
		{[]string{"call", "--state", dir, "ze-nope:x"}, exitError, "", "ze plugin call: ze-nope:x: host: no plugin serves ze-nope:x"},
		{[]string{"call", "--state", dir, "--control", "127.0.0.1:1", "a:b"}, exitError, "", "usage: ze plugin call --state DIR | --control ADDR"},
		{[]string{"call", "--state", t.TempDir(), "a:b"}, exitError, "", "plugin.sock"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[3:], " "), func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(tt.args, &out, &errs)
			if code != tt.code || out.String() != tt.stdout || !strings.Contains(errs.String(), tt.errs) {
				t.Errorf("got %d %q %q, want %d %q and stderr with %q", code, out.String(), errs.String(), tt.code, tt.stdout, tt.errs)
			}
		})
	}
}
