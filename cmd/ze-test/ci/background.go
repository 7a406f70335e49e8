package ci

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"time"
)

// bgProc is a command started by a background line.
type bgProc struct {
	cmd    *exec.Cmd
	stdout lockedBuffer
	stderr lockedBuffer
	done   chan struct{}
	err    error // valid after done is closed
}

// start starts a background command; ctx is the whole run's, so an
// interrupt kills it too.
func (e *env) start(ctx context.Context, a *Action) error {
	cmd, err := e.command(ctx, a.Args)
	if err != nil {
		return err
	}
	p := &bgProc{cmd: cmd, done: make(chan struct{})}
	cmd.Stdout = &p.stdout
	cmd.Stderr = &p.stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("background %s: cannot start %s: %w", a.Name, a.Args[0], err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	e.bg[a.Name] = p
	return nil
}

func (e *env) waitPort(ctx context.Context, a *Action) error {
	deadline := time.Now().Add(a.Timeout)
	for {
		c, err := net.DialTimeout("tcp", a.Addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return nil
		}
		for name, p := range e.bg {
			select {
			case <-p.done:
				out := p.outcome()
				return fmt.Errorf("wait port %s: background %s exited (%d) before the port opened; stderr %s",
					a.Addr, name, out.Exit, clip(string(out.Stderr)))
			default:
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wait port %s: not accepting connections after %s: %w", a.Addr, a.Timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop ends a background command: SIGTERM, then SIGKILL when it has not
// exited within the step timeout.
func (e *env) stop(name string) *Outcome {
	p := e.bg[name]
	select {
	case <-p.done:
	default:
		terminate(p.cmd)
		select {
		case <-p.done:
		case <-time.After(e.timeout):
			kill(p.cmd)
			<-p.done
		}
	}
	delete(e.bg, name)
	return p.outcome()
}

// outcome is only called once p.done is closed.
func (p *bgProc) outcome() *Outcome {
	out := &Outcome{Stdout: p.stdout.Bytes(), Stderr: p.stderr.Bytes()}
	if p.cmd.ProcessState != nil {
		out.Exit = p.cmd.ProcessState.ExitCode()
		out.Signal = exitSignal(p.cmd.ProcessState)
	}
	return out
}

// killAll kills what a test left running.
func (e *env) killAll() {
	for name, p := range e.bg {
		kill(p.cmd)
		<-p.done
		delete(e.bg, name)
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
