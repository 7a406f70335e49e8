//go:build unix

package host

import (
	"context"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// processSpec runs this test binary as a plugin with a behavior of
// pluginMain.
func processSpec(name, behavior string, mode Mode) Spec {
	sp := Spec{Name: name, Mode: mode, Env: []string{envBehavior + "=" + behavior}, StartupTimeout: 10 * time.Second}
	if mode == Path {
		sp.Run, sp.Args = os.Args[0], selfArgs(name)
	}
	return sp
}

// processHost is a host whose forked plugins are this test binary, and
// whose restarts do not wait.
func processHost(t *testing.T, cfg Config) *Host {
	t.Helper()
	cfg.Self, cfg.SelfArgs = os.Args[0], selfArgs
	if cfg.Clock == nil {
		cfg.Clock = &fakeClock{}
	}
	ph, _ := newTestHost(t, cfg)
	return ph
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// TestForkKillRestart: a forked plugin connects back over TLS, serves its
// RPC, and after kill -9 comes back with a new process; the crash is
// published with the exit reason.
func TestForkKillRestart(t *testing.T) {
	name := uniqueName("forked")
	ph := processHost(t, Config{})
	states := watchStates(t, ph.hub, name)
	if err := ph.Start(context.Background(), processSpec(name, "ready", Fork)); err != nil {
		t.Fatal(err)
	}
	st, _ := ph.Status(name)
	if st.Mode != "fork" || st.PID == 0 || !alive(st.PID) {
		t.Fatalf("status: got %+v", st)
	}
	res, err := ph.Call(context.Background(), "ze-test-echo:echo", []byte(`{"x":"y"}`))
	if err != nil || string(res) != `{"x":"y"}` {
		t.Fatalf("echo: got %s, %v", res, err)
	}
	states.until(t, StateReady)
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	seen, _ := states.until(t, StateReady)
	if want := []State{StateCrashed, StateRestarting, StateStarting, StateRegistered, StateReady}; !slices.Equal(seen, want) {
		t.Errorf("states: got %v, want %v", seen, want)
	}
	st2, _ := ph.Status(name)
	if st2.PID == st.PID || st2.Restarts != 1 {
		t.Errorf("after the restart: got pid %d (was %d), %d restarts", st2.PID, st.PID, st2.Restarts)
	}
	if res, err := ph.Call(context.Background(), "ze-test-echo:echo", []byte(`{}`)); err != nil || string(res) != `{}` {
		t.Errorf("echo after the restart: got %s, %v", res, err)
	}
	if err := ph.Stop(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if alive(st2.PID) {
		t.Errorf("process %d still runs after Stop", st2.PID)
	}
}

// TestCrashReason: the crashed event says how the process ended.
func TestCrashReason(t *testing.T) {
	name := uniqueName("killed")
	ph := processHost(t, Config{})
	states := watchStates(t, ph.hub, name)
	if err := ph.Start(context.Background(), processSpec(name, "ready", Fork)); err != nil {
		t.Fatal(err)
	}
	st, _ := ph.Status(name)
	_ = syscall.Kill(st.PID, syscall.SIGKILL)
	_, ev := states.until(t, StateCrashed)
	if ev.Reason != "process exited (signal: killed)" {
		t.Errorf("reason: got %q", ev.Reason)
	}
}

// TestPathStdio: a program configured with the stdio transport speaks on its
// standard streams; one left to choose (auto) is recognized by its first
// line on standard output.
func TestPathStdio(t *testing.T) {
	for _, tr := range []Transport{TransportStdio, TransportAuto} {
		t.Run(tr.String(), func(t *testing.T) {
			name := uniqueName("stdio")
			ph := processHost(t, Config{})
			sp := processSpec(name, "stdio", Path)
			sp.Transport = tr
			if err := ph.Start(context.Background(), sp); err != nil {
				t.Fatal(err)
			}
			res, err := ph.Call(context.Background(), "ze-test-echo:echo", []byte(`{"via":"stdio"}`))
			if err != nil || string(res) != `{"via":"stdio"}` {
				t.Errorf("echo: got %s, %v", res, err)
			}
			if st, _ := ph.Status(name); st.Mode != "path" || st.State != StateReady {
				t.Errorf("status: got %+v", st)
			}
		})
	}
}

// TestPathTLS: a program with the auto transport that connects back over TLS.
func TestPathTLS(t *testing.T) {
	name := uniqueName("pathtls")
	ph := processHost(t, Config{})
	if err := ph.Start(context.Background(), processSpec(name, "ready", Path)); err != nil {
		t.Fatal(err)
	}
	if _, err := ph.Call(context.Background(), "ze-test-echo:echo", nil); err != nil {
		t.Errorf("echo: %v", err)
	}
}

// TestForkRegistrationTimeout: a process that never connects is killed at
// the timeout and reported.
func TestForkRegistrationTimeout(t *testing.T) {
	name := uniqueName("silent")
	ph := processHost(t, Config{})
	states := watchStates(t, ph.hub, name)
	sp := processSpec(name, "silent", Fork)
	sp.StartupTimeout = 300 * time.Millisecond
	sp.Restart.MaxRestarts = -1
	errc := make(chan error, 1)
	go func() { errc <- ph.Start(context.Background(), sp) }()
	var pid int
	for deadline := time.Now().Add(5 * time.Second); pid == 0 && time.Now().Before(deadline); {
		if st, ok := ph.Status(name); ok {
			pid = st.PID
		}
		time.Sleep(5 * time.Millisecond)
	}
	if pid == 0 {
		t.Fatal("no process")
	}
	err := <-errc
	if err == nil || !strings.Contains(err.Error(), "registration timeout: no connection within 300ms") {
		t.Fatalf("Start: got %v", err)
	}
	seen, _ := states.until(t, StateFailed)
	if !slices.Equal(seen, []State{StateStarting, StateCrashed, StateFailed}) {
		t.Errorf("states: got %v", seen)
	}
	if alive(pid) {
		t.Errorf("process %d still runs", pid)
	}
}

// TestWrongTokenProcess: a plugin presenting a wrong token is refused and
// reported; its process exits and it is counted as a crash.
func TestWrongTokenProcess(t *testing.T) {
	name := uniqueName("liar")
	ph := processHost(t, Config{})
	refused := watchRefused(t, ph)
	sp := processSpec(name, "wrong-token", Fork)
	sp.Restart.MaxRestarts = -1
	if err := ph.Start(context.Background(), sp); err == nil || !strings.Contains(err.Error(), "before connecting") {
		t.Fatalf("Start: got %v", err)
	}
	ev := refused(t)
	if ev.Name != name || ev.Reason != "authenticate: unknown or already used token" || !strings.HasPrefix(ev.Remote, "127.0.0.1:") {
		t.Errorf("refused event: got %+v", ev)
	}
	if ph.Refused() != 1 {
		t.Errorf("refused count: got %d", ph.Refused())
	}
}

// TestStopEscalation: a plugin that ignores the shutdown call and SIGTERM is
// killed after the stop timeout.
func TestStopEscalation(t *testing.T) {
	name := uniqueName("stubborn")
	ph := processHost(t, Config{StopTimeout: 200 * time.Millisecond})
	states := watchStates(t, ph.hub, name)
	if err := ph.Start(context.Background(), processSpec(name, "stubborn", Fork)); err != nil {
		t.Fatal(err)
	}
	st, _ := ph.Status(name)
	start := time.Now()
	if err := ph.Stop(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	if d < 400*time.Millisecond || d > 3*time.Second {
		t.Errorf("stop took %s, want two stop timeouts (shutdown, SIGTERM) then SIGKILL", d)
	}
	if alive(st.PID) {
		t.Errorf("process %d still runs", st.PID)
	}
	states.until(t, StateStopped)
}
