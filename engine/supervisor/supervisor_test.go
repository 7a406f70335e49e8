package supervisor

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type rec struct {
	mu  sync.Mutex
	log []string
}

func (r *rec) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, s)
}

func (r *rec) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.log, " ")
}

type comp struct {
	name     string
	r        *rec
	startErr error
}

func (c *comp) Name() string { return c.name }
func (c *comp) Start(context.Context) error {
	if c.startErr != nil {
		c.r.add("fail:" + c.name)
		return c.startErr
	}
	c.r.add("start:" + c.name)
	return nil
}
func (c *comp) Stop(context.Context) error { c.r.add("stop:" + c.name); return nil }
func (c *comp) Status() string             { return c.name + " fine" }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestOrder(t *testing.T) {
	r := &rec{}
	s := New(Options{Logger: quiet, Signals: []os.Signal{}})
	for _, n := range []string{"a", "b", "c"} {
		s.Add(&comp{name: n, r: r})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitFor(t, func() bool { return strings.Count(r.String(), "start:") == 3 })
	if got := s.Status(); got != "a: a fine\nb: b fine\nc: c fine" {
		t.Fatalf("status %q", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, want := r.String(), "start:a start:b start:c stop:c stop:b stop:a"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestStartFailureStopsEarlier(t *testing.T) {
	r := &rec{}
	s := New(Options{Logger: quiet, Signals: []os.Signal{}})
	s.Add(&comp{name: "a", r: r})
	s.Add(&comp{name: "b", r: r, startErr: errors.New("port in use")})
	s.Add(&comp{name: "c", r: r})
	err := s.Run(context.Background())
	if err == nil || err.Error() != "b: port in use" {
		t.Fatalf("err %v", err)
	}
	if got, want := r.String(), "start:a fail:b stop:a"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSignals(t *testing.T) {
	r := &rec{}
	reloads := make(chan struct{}, 1)
	s := New(Options{Logger: quiet, Signals: []os.Signal{syscall.SIGHUP, syscall.SIGUSR2}, Reload: func(context.Context) error {
		reloads <- struct{}{}
		return nil
	}})
	s.Add(&comp{name: "a", r: r})
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	waitFor(t, func() bool { return r.String() == "start:a" })
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reloads:
	case <-time.After(5 * time.Second):
		t.Fatal("SIGHUP did not reload")
	}
	// Any other handled signal stops (SIGUSR2 stands for SIGTERM here,
	// which would end the test binary if it arrived unhandled).
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("signal did not stop")
	}
	if got := r.String(); got != "start:a stop:a" {
		t.Fatalf("got %q", got)
	}
}

func TestReloadWithoutHook(t *testing.T) {
	s := New(Options{Logger: quiet, Signals: []os.Signal{}})
	if err := s.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "no configuration file") {
		t.Fatalf("err %v", err)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	if _, err := Running(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Running before: %v", err)
	}
	release, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := Running(dir)
	if err != nil || pid != os.Getpid() {
		t.Fatalf("Running: %d %v", pid, err)
	}
	if _, err := Lock(dir); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Lock: %v", err)
	}
	release()
	if _, err := Running(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Running after release: %v", err)
	}
	release2, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	release2()
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type failStop struct{ comp }

func (f *failStop) Stop(context.Context) error {
	f.r.add("stop:" + f.name)
	return errors.New("flush timed out")
}

// A component that fails to stop does not keep the others from stopping,
// and the run still ends normally.
func TestStopFailureLogged(t *testing.T) {
	r := &rec{}
	var logs strings.Builder
	s := New(Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Signals: []os.Signal{}})
	s.Add(&comp{name: "a", r: r})
	s.Add(&failStop{comp{name: "b", r: r}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitFor(t, func() bool { return strings.Count(r.String(), "start:") == 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := r.String(), "start:a start:b stop:b stop:a"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if !strings.Contains(logs.String(), `msg="stop failed" component=supervisor name=b error="flush timed out"`) {
		t.Fatalf("log: %s", logs.String())
	}
}
