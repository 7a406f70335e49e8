package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
	_ "github.com/zebgp/ze/plugins/all" // the shipped plugin modules
	"github.com/zebgp/ze/plugins/sdk"
)

const pingYANG = `module ze-test-ping {
  yang-version 1.1;
  namespace "urn:ze:test:ping";
  prefix tp;
  description "A test module with an RPC.";
  rpc ping {
    description "Pings a peer.";
    input {
      leaf peer { type string; description "The peer."; }
      container options {
        description "How.";
        leaf count { type uint8; description "How many."; }
      }
    }
    output {
      leaf-list rtt { type uint32; description "Round trips, in ms."; }
    }
  }
  rpc reset;
}
`

func runSchema(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestMethods(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ping.yang")
	if err := os.WriteFile(file, []byte(pingYANG), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runSchema(t, "methods", "-m", file, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var ms []method
	if err := json.Unmarshal([]byte(out), &ms); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Method)
	}
	want := "ze-example-counter-py:count ze-example-counter:count ze-test-ping:ping ze-test-ping:reset"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("methods %q, want %q", got, want)
	}
	ping := ms[2]
	in, _ := json.Marshal(ping.Input)
	if want := `[{"name":"peer","kind":"leaf","type":"string","description":"The peer."},{"name":"options","kind":"container","description":"How."},{"name":"options/count","kind":"leaf","type":"uint8","description":"How many."}]`; string(in) != want {
		t.Errorf("input %s, want %s", in, want)
	}
	if len(ping.Output) != 1 || ping.Output[0].Kind != "leaf-list" || ping.Output[0].Type != "uint32" {
		t.Errorf("output %+v", ping.Output)
	}

	code, out, _ = runSchema(t, "methods", "-m", file, "ze-test-ping:reset", "ze-example-counter")
	wantText := "ze-example-counter:count\n  How many messages the counter saw since it started.\n  output:\n" +
		"    count       uint32     Messages seen since the plugin started (it wraps at 2^32).\n" +
		"    label       string     The configured label, if any.\n" +
		"    last-topic  string     The topic of the last message seen.\n\nze-test-ping:reset\n"
	if code != 0 || out != wantText {
		t.Errorf("exit %d, got\n%s\nwant\n%s", code, out, wantText)
	}

	code, _, errs = runSchema(t, "methods", "nope:x")
	if code != 1 || !strings.Contains(errs, "no method matches nope:x") {
		t.Errorf("exit %d, %q", code, errs)
	}
	code, _, errs = runSchema(t, "methods", "-m", filepath.Join(t.TempDir(), "missing.yang"))
	if code != 2 || !strings.Contains(errs, "no such file") {
		t.Errorf("exit %d, %q", code, errs)
	}
}

const liveYANG = `module ze-test-live {
  yang-version 1.1;
  namespace "urn:ze:test:live";
  prefix tl;
  rpc live { description "Only the running plugin knows it."; }
}`

func init() {
	sdk.Builtin("schema-live", func(ctx context.Context, p *sdk.Plugin) error {
		p.Handle("ze-test-live:live", func(context.Context, json.RawMessage) (any, error) { return nil, nil })
		return p.Run(ctx, sdk.Registration{Name: "schema-live", YANG: liveYANG})
	})
}

// TestMethodsState: --state DIR adds the modules of the plugins the
// daemon runs, asked on DIR/plugin.sock.
func TestMethodsState(t *testing.T) {
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	doc := `{"ze-plugin:plugin":{"internal":[{"name":"schema-live"}]}}`
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
	code, out, errs := runSchema(t, "methods", "--state", dir, "ze-test-live")
	if want := "ze-test-live:live\n  Only the running plugin knows it.\n"; code != 0 || out != want {
		t.Errorf("exit %d %q %q, want %q", code, out, errs, want)
	}
	code, _, _ = runSchema(t, "methods", "ze-test-live")
	if code != 1 {
		t.Errorf("without --state: exit %d", code)
	}
	code, _, errs = runSchema(t, "methods", "--state", t.TempDir())
	if code != 1 || !strings.Contains(errs, "plugin.sock") {
		t.Errorf("no daemon: exit %d %q", code, errs)
	}
}
