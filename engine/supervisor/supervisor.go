// Package supervisor runs the components of the daemon for their whole
// life: it starts them in the order they were added, stops them in the
// reverse order, and turns the process signals into actions. SIGTERM and
// SIGINT stop the daemon (each component says goodbye its own way: the
// BGP subsystem sends a Cease to every peer); SIGHUP calls the reload
// hook (the daemon loads its configuration file into a commit); SIGUSR1
// calls the status hook (a dump of every component's state in the log).
//
// A state directory has at most one daemon: the supervisor takes an
// exclusive lock on DIR/ze.pid and writes its process id there, which is
// how `ze signal` finds it.
//
// The package knows nothing of BGP or of the config database.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A Component is one part of the daemon (the config database's commit
// path, the BGP subsystem, the plugin host, the SSH server).
type Component interface {
	// Name names the component in logs.
	Name() string
	// Start brings the component up; it returns once the component
	// serves (long work continues in its own goroutines).
	Start(ctx context.Context) error
	// Stop takes it down, within ctx's deadline.
	Stop(ctx context.Context) error
}

// A StatusReporter is a Component that has something to say on SIGUSR1.
type StatusReporter interface {
	Status() string
}

// Options are the supervisor's settings.
type Options struct {
	Logger *slog.Logger
	// Reload is called on SIGHUP (and by Reload); its error is logged.
	Reload func(ctx context.Context) error
	// StopTimeout bounds the whole stop sequence (default 10 s).
	StopTimeout time.Duration
	// Signals lists the signals handled (default SIGTERM, SIGINT, SIGHUP,
	// SIGUSR1); tests give an empty non-nil slice to handle none.
	Signals []os.Signal
}

// Supervisor runs components.
type Supervisor struct {
	o     Options
	log   *slog.Logger
	mu    sync.Mutex
	comps []Component
	up    []Component
	sig   chan os.Signal
}

// New returns a supervisor with no components. It handles the signals
// at once; Run acts on them.
func New(o Options) *Supervisor {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 10 * time.Second
	}
	if o.Signals == nil {
		o.Signals = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1}
	}
	s := &Supervisor{o: o, log: o.Logger.With("component", "supervisor"), sig: make(chan os.Signal, 8)}
	// Signals are caught from now on, not from Run: a SIGHUP or SIGUSR1
	// that arrives while the daemon assembles itself waits for Run rather
	// than killing the process.
	if len(o.Signals) > 0 {
		signal.Notify(s.sig, o.Signals...)
	}
	return s
}

// Add appends c to the components, started after those added before.
func (s *Supervisor) Add(c Component) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.comps = append(s.comps, c)
}

// Run starts every component, then waits for ctx to end or a stopping
// signal, then stops the components that started, in reverse order. A
// component that fails to start stops those before it and Run returns
// its error; a failure to stop is logged, and Run returns nil.
func (s *Supervisor) Run(ctx context.Context) error {
	// The signals stay caught after Run returns: a second SIGTERM while
	// the process closes its files must not kill it half-way.
	sig := s.sig
	if err := s.start(ctx); err != nil {
		_ = s.stop(err.Error()) // the start error is the one to report
		return err
	}
	s.log.Info("running", "components", len(s.up))
	for {
		select {
		case <-ctx.Done():
			s.stopLogged("stopped")
			return nil
		case v := <-sig:
			switch v {
			case syscall.SIGHUP:
				s.reload(ctx)
			case syscall.SIGUSR1:
				s.log.Info("status", "dump", s.Status())
			default:
				s.log.Info("signal", "signal", v.String())
				s.stopLogged(v.String())
				return nil
			}
		}
	}
}

func (s *Supervisor) start(ctx context.Context) error {
	s.mu.Lock()
	comps := append([]Component(nil), s.comps...)
	s.mu.Unlock()
	for _, c := range comps {
		if err := c.Start(ctx); err != nil {
			return fmt.Errorf("%s: %w", c.Name(), err)
		}
		s.mu.Lock()
		s.up = append(s.up, c)
		s.mu.Unlock()
		s.log.Debug("started", "name", c.Name())
	}
	return nil
}

// stopLogged stops the components: one that fails to stop cleanly (a
// Cease that could not be flushed in time) is logged by stop, and the
// daemon still ends normally: there is nothing left to do about it.
func (s *Supervisor) stopLogged(why string) {
	_ = s.stop(why)
}

// stop stops the started components in reverse order and returns the
// first error.
func (s *Supervisor) stop(why string) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.o.StopTimeout)
	defer cancel()
	s.mu.Lock()
	up := s.up
	s.up = nil
	s.mu.Unlock()
	var first error
	for i := len(up) - 1; i >= 0; i-- {
		c := up[i]
		if err := c.Stop(ctx); err != nil {
			s.log.Warn("stop failed", "name", c.Name(), "error", err)
			if first == nil {
				first = fmt.Errorf("%s: %w", c.Name(), err)
			}
		}
	}
	s.log.Info("stopped", "reason", why)
	return first
}

// Reload runs the reload hook as SIGHUP does.
func (s *Supervisor) Reload(ctx context.Context) error {
	if s.o.Reload == nil {
		return errors.New("no configuration file to reload")
	}
	return s.o.Reload(ctx)
}

func (s *Supervisor) reload(ctx context.Context) {
	if err := s.Reload(ctx); err != nil {
		s.log.Error("reload refused", "error", err)
		return
	}
	s.log.Info("reloaded")
}

// Status is the status dump of SIGUSR1: one line per component.
func (s *Supervisor) Status() string {
	s.mu.Lock()
	up := append([]Component(nil), s.up...)
	s.mu.Unlock()
	var b strings.Builder
	for _, c := range up {
		st := "running"
		if x, ok := c.(StatusReporter); ok {
			st = x.Status()
		}
		fmt.Fprintf(&b, "%s: %s\n", c.Name(), st)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// PIDFile is the name of the lock and process-id file in the state
// directory.
const PIDFile = "ze.pid"

// ErrRunning is returned by Lock when another daemon holds the state
// directory.
var ErrRunning = errors.New("a ze daemon is already running on this state directory")

// Lock takes the state directory dir for this process: an exclusive
// lock on dir/ze.pid, which then holds the process id. The returned
// function releases it.
func Lock(dir string) (func(), error) {
	path := filepath.Join(dir, PIDFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			pid, _ := ReadPID(dir)
			return nil, fmt.Errorf("%w (pid %d)", ErrRunning, pid)
		}
		return nil, err
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = f.Truncate(0)
		f.Close()
	}, nil
}

// ErrNotRunning is returned by Running when no daemon holds dir.
var ErrNotRunning = errors.New("no ze daemon is running on this state directory")

// ReadPID returns the process id written in dir/ze.pid.
func ReadPID(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, PIDFile))
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("%s: no process id", filepath.Join(dir, PIDFile))
	}
	return pid, nil
}

// Running returns the process id of the daemon that holds dir, or
// ErrNotRunning: the lock, not only the file, decides.
func Running(dir string) (int, error) {
	path := filepath.Join(dir, PIDFile)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, ErrNotRunning
		}
		return 0, err
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB); err == nil {
		_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
		return 0, ErrNotRunning
	}
	return ReadPID(dir)
}
