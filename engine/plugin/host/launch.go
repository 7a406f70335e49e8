package host

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/zebgp/ze/engine/plugin/rpc"
)

// launch starts the plugin and connects to it: a goroutine on a net.Pipe
// (internal), or a process that connects back over TLS or speaks on its
// standard streams. It returns once the protocol can start.
func (s *session) launch() error {
	if s.p.spec.Mode == Internal {
		return s.launchInternal()
	}
	return s.launchProcess()
}

// internalRun is the goroutine of an internal plugin.
type internalRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error // valid once done is closed
}

func (r *internalRun) reason() string {
	<-r.done
	if r.err == nil {
		return "plugin returned"
	}
	return "plugin returned: " + r.err.Error()
}

func (s *session) launchInternal() error {
	name := s.p.spec.Name
	m, ok := Lookup(name)
	if !ok {
		return fatalf("no plugin %s is built into ze (built in: %s)", name, listOrNone(Registered()))
	}
	engineEnd, pluginEnd := net.Pipe()
	ctx, cancel := context.WithCancel(s.h.ctx)
	run := &internalRun{cancel: cancel, done: make(chan struct{})}
	link := &Link{Conn: pluginEnd, Offer: s.offer, Publish: s.publishDirect}
	go func() {
		defer close(run.done)
		defer func() {
			if r := recover(); r != nil {
				run.err = fmt.Errorf("panic: %v", r)
			}
			_ = pluginEnd.Close()
		}()
		run.err = m(ctx, link)
	}()
	s.main = run
	s.startConn(engineEnd, nil)
	return nil
}

// process is a plugin's child process.
type process struct {
	cmd    *exec.Cmd
	pid    int
	exited chan struct{}
	err    error // Wait's, valid once exited is closed
}

func (p *process) reason() string {
	<-p.exited
	if p.err == nil {
		return "process exited (exit status 0)"
	}
	return "process exited (" + p.err.Error() + ")"
}

func (p *process) terminate() { signalProcess(p.cmd, sigTerm) }
func (p *process) kill() {
	select {
	case <-p.exited:
	default:
		signalProcess(p.cmd, sigKill)
	}
}

// childEnv is the engine's environment without ZE_PLUGIN_ variables (a ze
// that is itself a plugin must not pass its own on), then extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ZE_PLUGIN_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func (s *session) launchProcess() error {
	sp := s.p.spec
	exe, args := sp.Run, sp.Args
	if sp.Mode == Fork {
		if _, ok := Lookup(sp.Name); !ok && s.h.self {
			return fatalf("no plugin %s is built into ze (built in: %s)", sp.Name, listOrNone(Registered()))
		}
		exe, args = s.h.cfg.Self, s.h.cfg.SelfArgs(sp.Name)
	}
	stdio := sp.Mode == Path && sp.Transport == TransportStdio
	sniff := sp.Mode == Path && sp.Transport == TransportAuto

	env := append([]string{}, sp.Env...)
	if sp.Name != "" {
		env = append(env, EnvName+"="+sp.Name)
	}
	var w *waiter
	if stdio {
		env = append(env, EnvTransport+"=stdio")
	} else {
		var token string
		token, w, s.unwait = s.h.ln.expect(sp.Name)
		env = append(env, EnvTransport+"=tls", EnvAddr+"="+s.h.Addr(), EnvToken+"="+token, EnvCA+"="+string(s.h.mat.CAPEM))
	}

	cmd := exec.Command(exe, args...)
	cmd.Env = childEnv(env...)
	cmd.SysProcAttr = sysProcAttr()
	if sp.User != "" {
		if err := asUser(cmd.SysProcAttr, sp.User); err != nil {
			return fatalf("running as %s: %w", sp.User, err)
		}
	}
	var childEnds []*os.File
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err != nil {
			return nil, nil, fmt.Errorf("starting %s: %w", exe, err)
		}
		return r, w, nil
	}
	outR, outW, err := pipe()
	if err != nil {
		return err
	}
	errR, errW, err := pipe()
	if err != nil {
		_ = outR.Close()
		_ = outW.Close()
		return err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	childEnds = append(childEnds, outW, errW)
	s.closers = append(s.closers, outR, errR)
	var inW *os.File
	if stdio || sniff {
		inR, w2, err := pipe()
		if err != nil {
			for _, f := range childEnds {
				_ = f.Close()
			}
			return err
		}
		cmd.Stdin, inW = inR, w2
		childEnds = append(childEnds, inR)
		s.closers = append(s.closers, inW)
	}
	err = cmd.Start()
	for _, f := range childEnds {
		_ = f.Close()
	}
	if err != nil {
		return fmt.Errorf("starting %s: %w", exe, err)
	}
	proc := &process{cmd: cmd, pid: cmd.Process.Pid, exited: make(chan struct{})}
	go func() {
		proc.err = cmd.Wait()
		close(proc.exited)
	}()
	s.proc = proc
	s.p.setPID(proc.pid)
	s.log.Info("plugin process started", "pid", proc.pid, "program", exe)
	go s.logLines("stderr", errR)

	if stdio {
		s.startConn(&stdioConn{r: outR, w: inW}, nil)
		return nil
	}
	var sniffed chan accepted
	if sniff {
		sniffed = make(chan accepted, 1)
		go s.sniffStdout(outR, inW, sniffed)
	} else {
		go s.logLines("stdout", outR)
	}
	deadline := time.NewTimer(time.Until(s.started.Add(sp.StartupTimeout)))
	defer deadline.Stop()
	select {
	case a := <-w.ch:
		s.log.Debug("plugin connected", "remote", a.remote)
		s.closers = append(s.closers, a.rwc)
		s.startConn(a.rwc, a.r)
		return nil
	case a := <-sniffed:
		s.log.Debug("plugin speaks on its standard streams")
		s.unwait()
		s.startConn(a.rwc, nil)
		return nil
	case <-proc.exited:
		return fmt.Errorf("%s before connecting", proc.reason())
	case <-deadline.C:
		return fmt.Errorf("registration timeout: no connection within %s", sp.StartupTimeout)
	case <-s.p.stop:
		return errStopped
	}
}

// logLines logs each line a plugin writes on one of its streams.
func (s *session) logLines(stream string, r io.Reader) {
	br := bufio.NewReaderSize(r, 4096)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			s.log.Info("plugin output", "stream", stream, "line", strings.TrimRight(string(line), "\r\n"))
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// sniffStdout waits for the first line on a path plugin's standard output:
// a declare-registration there means the plugin chose stdio, and the line
// is put back in front of the stream for the protocol; anything else is
// output, logged like the rest.
func (s *session) sniffStdout(out *os.File, in *os.File, found chan<- accepted) {
	br := bufio.NewReaderSize(out, 64<<10)
	line, err := br.ReadSlice('\n')
	if err == nil {
		if f, perr := rpc.ParseLine(line); perr == nil && f.Kind == rpc.KindRequest && string(f.Verb) == MethodDeclareRegistration {
			r := io.MultiReader(bytes.NewReader(bytes.Clone(line)), br)
			found <- accepted{rwc: &stdioConn{r: r, w: in, rf: out}, stdio: true}
			return
		}
	}
	if len(line) > 0 {
		s.log.Info("plugin output", "stream", "stdout", "line", strings.TrimRight(string(line), "\r\n"))
	}
	if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
		return
	}
	s.logLines("stdout", br)
}

// stdioConn is the protocol on a child's standard output (read) and input
// (write). Writes have deadlines: the pipes are pollable.
type stdioConn struct {
	r    io.Reader
	w    *os.File
	rf   *os.File // the file under r when r is not it
	once sync.Once
}

func (c *stdioConn) Read(b []byte) (int, error)  { return c.r.Read(b) }
func (c *stdioConn) Write(b []byte) (int, error) { return c.w.Write(b) }

// SetWriteDeadline bounds writes to the plugin's standard input.
func (c *stdioConn) SetWriteDeadline(t time.Time) error { return c.w.SetWriteDeadline(t) }

func (c *stdioConn) Close() error {
	c.once.Do(func() {
		_ = c.w.Close()
		if f, ok := c.r.(*os.File); ok {
			_ = f.Close()
		}
		if c.rf != nil {
			_ = c.rf.Close()
		}
	})
	return nil
}
