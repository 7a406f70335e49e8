package host

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	pol := RestartPolicy{Base: 100 * time.Millisecond, Cap: time.Second}
	var got []time.Duration
	for n := range 7 {
		got = append(got, pol.Backoff(n))
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, time.Second, time.Second, time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if d := (RestartPolicy{}).Backoff(0); d != DefaultBackoff {
		t.Errorf("default: got %s, want %s", d, DefaultBackoff)
	}
	if d := (RestartPolicy{Base: time.Hour, Cap: time.Hour}).Backoff(200); d != time.Hour {
		t.Errorf("no overflow: got %s", d)
	}
}

// TestRestartBackoff: a plugin that keeps crashing is restarted after
// waits that double up to the cap, then failed once it has used its
// restarts within the window; every step is published.
func TestRestartBackoff(t *testing.T) {
	name := uniqueName("crashy")
	runs := 0
	registerInternal(name, func(context.Context, *Link) error {
		runs++
		return errors.New("boom")
	})
	clock := &fakeClock{now: time.Unix(1e9, 0)}
	ph, h := newTestHost(t, Config{Clock: clock})
	states := watchStates(t, h, name)
	pol := RestartPolicy{Base: 10 * time.Millisecond, Cap: 40 * time.Millisecond, MaxRestarts: 4, Window: time.Hour}
	err := ph.Start(context.Background(), Spec{Name: name, Mode: Internal, Restart: pol})
	if err == nil || !strings.Contains(err.Error(), "crashed: plugin returned: boom") {
		t.Fatalf("Start: got %v", err)
	}
	seen, ev := states.until(t, StateFailed)
	want := []State{StateStarting, StateCrashed, StateRestarting}
	want = slices.Concat(want, want, want, want, []State{StateStarting, StateCrashed, StateFailed})
	if !slices.Equal(seen, want) {
		t.Errorf("states: got %v, want %v", seen, want)
	}
	if want := "gave up after 4 restarts within 1h0m0s: plugin returned: boom"; ev.Reason != want || ev.Restarts != 4 {
		t.Errorf("failed event: got %q restarts %d, want %q and 4", ev.Reason, ev.Restarts, want)
	}
	wantWaits := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond}
	if got := clock.recorded(); !slices.Equal(got, wantWaits) {
		t.Errorf("waits: got %v, want %v", got, wantWaits)
	}
	if runs != 5 {
		t.Errorf("runs: got %d, want 5", runs)
	}
	if st, _ := ph.Status(name); st.State != StateFailed || st.Restarts != 4 {
		t.Errorf("status: got %s with %d restarts", st.State, st.Restarts)
	}
}

// TestRestartWindow: restarts older than the window no longer count, so a
// plugin that crashes rarely is always restarted, after the base wait.
func TestRestartWindow(t *testing.T) {
	name := uniqueName("rare")
	registerInternal(name, func(context.Context, *Link) error { return errors.New("boom") })
	clock := &fakeClock{now: time.Unix(1e9, 0), extra: time.Hour} // every wait lasts an hour more
	ph, h := newTestHost(t, Config{Clock: clock})
	states := watchStates(t, h, name)
	pol := RestartPolicy{Base: 10 * time.Millisecond, MaxRestarts: 2, Window: time.Minute}
	_ = ph.Start(context.Background(), Spec{Name: name, Mode: Internal, Restart: pol})
	for {
		ev := states.next(t)
		if ev.State == StateFailed {
			t.Fatalf("failed: %s", ev.Reason)
		}
		if ev.Restarts >= 6 {
			break
		}
	}
	for _, d := range clock.recorded() {
		if d != 10*time.Millisecond {
			t.Fatalf("waits: got %v, want the base wait every time", clock.recorded())
		}
	}
	if err := ph.Stop(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	if _, ok := ph.Status(name); ok {
		t.Errorf("a stopped plugin is still listed")
	}
}

// TestRestartsDisabled: MaxRestarts < 0 fails the plugin at its first crash.
func TestRestartsDisabled(t *testing.T) {
	name := uniqueName("once")
	registerInternal(name, func(context.Context, *Link) error { return errors.New("boom") })
	ph, h := newTestHost(t, Config{})
	states := watchStates(t, h, name)
	_ = ph.Start(context.Background(), Spec{Name: name, Mode: Internal, Restart: RestartPolicy{MaxRestarts: -1}})
	seen, ev := states.until(t, StateFailed)
	if !slices.Equal(seen, []State{StateStarting, StateCrashed, StateFailed}) || ev.Reason != "not restarted (restarts disabled): plugin returned: boom" {
		t.Errorf("got %v %q", seen, ev.Reason)
	}
}

// TestRegistrationTimeout: a plugin that does not register in time is
// stopped (its context ends) and reported, then restarted by its policy.
func TestRegistrationTimeout(t *testing.T) {
	name := uniqueName("mute")
	ended := make(chan struct{}, 10)
	registerInternal(name, func(ctx context.Context, _ *Link) error {
		<-ctx.Done()
		ended <- struct{}{}
		return nil
	})
	ph, h := newTestHost(t, Config{})
	states := watchStates(t, h, name)
	start := time.Now()
	err := ph.Start(context.Background(), Spec{Name: name, Mode: Internal, StartupTimeout: 50 * time.Millisecond,
		Restart: RestartPolicy{MaxRestarts: -1}})
	want := "registration timeout: no ze-plugin-engine:declare-registration within 50ms"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Start: got %v, want %q", err, want)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the plugin's context did not end")
	}
	seen, ev := states.until(t, StateFailed)
	if !slices.Equal(seen, []State{StateStarting, StateCrashed, StateFailed}) || !strings.Contains(ev.Reason, want) {
		t.Errorf("events: got %v %q", seen, ev.Reason)
	}
}

// TestCrashAfterReady: a ready plugin that goes away is restarted alone and
// its RPCs reach the new run; the other plugin never stops answering.
func TestCrashAfterReady(t *testing.T) {
	name, other := uniqueName("fragile"), uniqueName("steady")
	ready := make(chan *fake, 4)
	registerInternal(name, fakeBody(nil, plainReg(name, "ze-test-echo:echo"), nil, ready))
	registerInternal(other, fakeBody(nil, func(string) Registration {
		return Registration{Name: other, YANG: otherYANG, RPCs: []string{"ze-test-other:hello"}}
	}, nil, nil))
	ph, h := newTestHost(t, Config{Clock: &fakeClock{}})
	states := watchStates(t, h, name)
	if err := ph.Start(context.Background(), Spec{Name: name, Mode: Internal}, Spec{Name: other, Mode: Internal}); err != nil {
		t.Fatal(err)
	}
	f := <-ready
	states.until(t, StateReady)
	_ = f.conn.Close() // the plugin drops its connection
	seen, _ := states.until(t, StateReady)
	if want := []State{StateCrashed, StateRestarting, StateStarting, StateRegistered, StateReady}; !slices.Equal(seen, want) {
		t.Errorf("states: got %v, want %v", seen, want)
	}
	f2 := <-ready
	if f2 == f {
		t.Fatal("same run")
	}
	res, err := ph.Call(context.Background(), "ze-test-echo:echo", []byte(`{"run":2}`))
	if err != nil || string(res) != `{"run":2}` {
		t.Errorf("echo after restart: got %s, %v", res, err)
	}
	if _, err := ph.Call(context.Background(), "ze-test-other:hello", nil); err != nil {
		t.Errorf("the other plugin: %v", err)
	}
	if st, _ := ph.Status(name); st.Restarts != 1 {
		t.Errorf("restarts: got %d, want 1", st.Restarts)
	}
}

// TestCohortSurvivesCrash: a plugin that crashes in the middle of the stages
// leaves the barrier and the others become ready.
func TestCohortSurvivesCrash(t *testing.T) {
	a, b := uniqueName("steady"), uniqueName("quitter")
	registerInternal(a, fakeBody(nil, plainReg(a), nil, nil))
	registerInternal(b, func(ctx context.Context, l *Link) error {
		f := newFake(b, l.Conn, l.Reader, nil)
		if _, err := f.call(ctx, MethodDeclareRegistration, Registration{Name: b}); err != nil {
			return err
		}
		if _, err := f.wait(ctx, MethodConfigure); err != nil {
			return err
		}
		return errors.New("quit after configure")
	})
	ph, _ := newTestHost(t, Config{})
	err := ph.Start(context.Background(), Spec{Name: a, Mode: Internal}, Spec{Name: b, Mode: Internal, Restart: RestartPolicy{MaxRestarts: -1}})
	if err == nil || !strings.Contains(err.Error(), "quit after configure") {
		t.Fatalf("Start: got %v", err)
	}
	if st, _ := ph.Status(a); st.State != StateReady {
		t.Errorf("%s: got %s, want ready", a, st.State)
	}
}

// TestStopGraceful: Stop sends the shutdown call with its reason and the
// plugin ends on its own.
func TestStopGraceful(t *testing.T) {
	name := uniqueName("polite")
	ready := make(chan *fake, 1)
	returned := make(chan error, 1)
	body := fakeBody(nil, plainReg(name), nil, ready)
	registerInternal(name, func(ctx context.Context, l *Link) error {
		err := body(ctx, l)
		returned <- ctx.Err()
		return err
	})
	ph, h := newTestHost(t, Config{StopTimeout: 5 * time.Second})
	states := watchStates(t, h, name)
	if err := ph.Start(context.Background(), Spec{Name: name, Mode: Internal}); err != nil {
		t.Fatal(err)
	}
	f := <-ready
	start := time.Now()
	if err := ph.Stop(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stop took %s", d)
	}
	if got := string(f.first(MethodShutdown)); got != `{"reason":"stopped by request"}` {
		t.Errorf("shutdown params: got %s", got)
	}
	if err := <-returned; err != nil {
		t.Errorf("the plugin returned because its context ended (%v), not on shutdown", err)
	}
	seen, ev := states.until(t, StateStopped)
	if seen[len(seen)-1] != StateStopped || ev.Reason != "stopped by request" {
		t.Errorf("got %v %q", seen, ev.Reason)
	}
	if _, err := ph.Call(context.Background(), "ze-test-echo:echo", nil); err == nil {
		t.Errorf("a stopped plugin's rpc is still routed")
	}
}

// TestForkUnknown: forking a plugin this binary does not have fails at once,
// naming those it has.
func TestForkUnknown(t *testing.T) {
	ph, _ := newTestHost(t, Config{}) // Self: this binary
	err := ph.Start(context.Background(), Spec{Name: "no-such-plugin", Mode: Fork})
	if err == nil || !strings.Contains(err.Error(), "failed: no plugin no-such-plugin is built into ze (built in: ") {
		t.Fatalf("got %v", err)
	}
	err = ph.Start(context.Background(), Spec{Name: "no-such-either", Mode: Internal})
	if err == nil || !strings.Contains(err.Error(), "failed: no plugin no-such-either is built into ze") {
		t.Fatalf("got %v", err)
	}
}
