package sdk_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/plugin/host"
)

// counterPy is the Python example plugin in the source tree.
func counterPy(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatalf("python3 is needed for the Python SDK tests (make deps installs it): %v", err)
	}
	p, err := filepath.Abs("../examples/counter.py")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPython runs the Python example with zeplugin.py, over TLS and over
// stdio: it registers, takes its config, counts events and answers its RPC.
func TestPython(t *testing.T) {
	prog := counterPy(t)
	for _, tt := range []struct {
		name      string
		args      []string
		transport host.Transport
	}{
		{"tls", nil, host.TransportAuto},
		{"stdio configured", nil, host.TransportStdio},
		{"stdio declared", []string{"--stdio"}, host.TransportAuto},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ph, h := newHost(t, host.Config{})
			sp := host.Spec{Name: "counter-py", Mode: host.Path, Run: prog, Args: tt.args, Transport: tt.transport,
				Config: []byte(`{"ze-example-counter-py:counter-py":{"label":"snake"}}`), StartupTimeout: 20 * time.Second}
			if err := ph.Start(context.Background(), sp); err != nil {
				t.Fatal(err)
			}
			st, _ := ph.Status("counter-py")
			if st.Module != "ze-example-counter-py" || st.Version != "1.0.0" {
				t.Errorf("status: got %+v", st)
			}
			pub := h.NewPublisher("tester")
			for range 3 {
				_ = pub.Publish(context.Background(), "example/counter/tick", []byte(`{"tick":true}`))
			}
			want := `{"count":3,"label":"snake","last-topic":"example/counter/tick"}`
			var got string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				res, err := ph.Call(context.Background(), "ze-example-counter-py:count", nil)
				if err != nil {
					t.Fatal(err)
				}
				if got = string(res); got == want {
					break
				}
			}
			if got != want {
				t.Errorf("count: got %s, want %s", got, want)
			}
			start := time.Now()
			if err := ph.Stop(context.Background(), "counter-py"); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("stop took %s: the plugin did not exit on shutdown", d)
			}
		})
	}
}

// TestPythonOutsideZe: run by hand, the example says it needs ze.
func TestPythonOutsideZe(t *testing.T) {
	prog := counterPy(t)
	cmd := exec.Command(prog)
	cmd.Env = append(os.Environ(), host.EnvAddr+"=127.0.0.1:1", host.EnvCA+"=junk", host.EnvToken+"=x")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Errorf("it ran: %s", out)
	}
}
