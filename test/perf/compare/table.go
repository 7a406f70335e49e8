package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/zebgp/ze/test/interop/harness"
)

// tableResult is one full-table receive by one daemon.
type tableResult struct {
	Speaker string `json:"speaker"`
	Run     int    `json:"run"`
	// Prefixes is the count the daemon's CLI showed at the end, unchanged for the stable time.
	Prefixes int `json:"prefixes"`
	// Seconds runs from the poll that first saw the session Established to the one that first
	// saw the final count (each taken at the middle of its CLI call).
	Seconds           float64 `json:"seconds"`
	PrefixesPerSecond float64 `json:"prefixes-per-second"`
	// CPU is the daemon's CPU seconds from before the session to the final count (the CLI
	// polls it answered included).
	CPU float64 `json:"cpu-seconds"`
	// Idle is before the session, Peak the sum of the processes' VmHWM at the end.
	IdleRSSKiB int64  `json:"idle-rss-kib"`
	RSSKiB     int64  `json:"rss-kib"`
	PeakKiB    int64  `json:"peak-rss-kib"`
	Processes  int    `json:"processes"`
	Polls      int    `json:"polls"`
	Dir        string `json:"dir"`
	Error      string `json:"error,omitempty"`
	// BusyAtTimeout: the count had stopped changing, but the daemon still used CPU when the
	// timeout came (GoBGP).
	BusyAtTimeout bool `json:"busy-at-timeout,omitempty"`
	// CPUAtEnd is the CPU seconds from before the session to the end of the polling.
	CPUAtEnd float64 `json:"cpu-seconds-at-end"`
}

// options of a table run.
type options struct {
	ze, zeTest, mrt, out string
	stable, timeout      time.Duration
	poll                 time.Duration
}

// proc is a process started in a group of its own.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func spawn(ns, logPath string, args ...string) (*proc, error) {
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Dir = filepath.Dir(logPath)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		return nil, fmt.Errorf("compare: starting %s: %w", args[0], err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = out.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) pgid() int { return p.cmd.Process.Pid }

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM to the group, SIGKILL after five seconds.
func (p *proc) stop() {
	_ = syscall.Kill(-p.pgid(), syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.pgid(), syscall.SIGKILL)
		<-p.done
	}
	_ = syscall.Kill(-p.pgid(), syscall.SIGKILL)
}

// pollResult is one CLI poll: its middle time, the session state and the prefixes held.
type pollResult struct {
	at          time.Time
	established bool
	prefixes    int
}

func poll(ctx context.Context, node *harness.Node, sp speaker, args []string, s site) (pollResult, error) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	t0 := time.Now()
	out, err := node.Exec(cctx, args[0], args[1:]...)
	t1 := time.Now()
	if err != nil {
		return pollResult{}, fmt.Errorf("compare: %s poll: %w", sp.name, err)
	}
	est, n, err := sp.parse(out, s.peer)
	if err != nil {
		return pollResult{}, err
	}
	return pollResult{at: t0.Add(t1.Sub(t0) / 2), established: est, prefixes: n}, nil
}

// table measures one full-table receive by sp, in a network of its own.
func table(ctx context.Context, sp speaker, run int, o options) (res tableResult) {
	res = tableResult{Speaker: sp.name, Run: run}
	if err := tableRun(ctx, sp, o, &res); err != nil {
		res.Error = err.Error()
	}
	return res
}

func tableRun(ctx context.Context, sp speaker, o options, res *tableResult) error {
	dir := filepath.Join(o.out, fmt.Sprintf("run%d", res.Run), sp.name)
	res.Dir = dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	network, err := harness.NewNetwork(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = network.Close() }()
	dn, err := network.AddNode(ctx, sp.name)
	if err != nil {
		return err
	}
	pn, err := network.AddNode(ctx, "peer")
	if err != nil {
		return err
	}
	s := site{dir: dir, self: dn.V4, peer: pn.V4, ze: o.ze}
	cmd, pollArgs, err := sp.setup(s)
	if err != nil {
		return err
	}
	d, err := spawn(dn.NS, filepath.Join(dir, "output.log"), cmd...)
	if err != nil {
		return err
	}
	defer d.stop()
	logTail := func() string { b, _ := os.ReadFile(filepath.Join(dir, "output.log")); return short(b) }

	// Ready: the CLI answers.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := poll(ctx, dn, sp, pollArgs, s)
		if err == nil {
			break
		}
		if !d.running() {
			return fmt.Errorf("compare: %s exited at start: %s", sp.name, logTail())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("compare: %s not ready in 30 s: %w", sp.name, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	idle, err := groupUsage(d.pgid())
	if err != nil {
		return err
	}
	res.IdleRSSKiB = idle.RSSKiB

	peer, err := spawn(pn.NS, filepath.Join(dir, "peer.log"), o.zeTest, "peer",
		"--connect", dn.V4.String()+":179", "--local", pn.V4.String(),
		"--as", fmt.Sprint(peerAS), "--id", pn.V4.String(), "--quiet", "replay", o.mrt)
	if err != nil {
		return err
	}
	defer peer.stop()

	var t0, last time.Time
	var samples []cpuSample
	lastN, lastCPU := -1, 0.0
	end := time.Now().Add(o.timeout)
	for {
		if time.Now().After(end) {
			if lastN <= 0 {
				return fmt.Errorf("compare: %s: not done in %s (%d prefixes)", sp.name, o.timeout, lastN)
			}
			// The count has not moved for a while but the daemon is still busy: the figures are
			// those of the last change, and the run says so.
			res.BusyAtTimeout = true
			break
		}
		if !d.running() {
			return fmt.Errorf("compare: %s exited: %s", sp.name, logTail())
		}
		if !peer.running() {
			b, _ := os.ReadFile(filepath.Join(dir, "peer.log"))
			return fmt.Errorf("compare: the replay peer exited: %s", short(b))
		}
		p, err := poll(ctx, dn, sp, pollArgs, s)
		res.Polls++
		if err != nil {
			return err
		}
		if t0.IsZero() {
			if p.established {
				t0 = p.at
			}
			time.Sleep(o.poll)
			continue
		}
		if !p.established {
			return fmt.Errorf("compare: %s: the session went down after %d prefixes: %s", sp.name, p.prefixes, logTail())
		}
		u, err := groupUsage(d.pgid())
		if err != nil {
			return err
		}
		samples = append(samples, cpuSample{p.at, u.CPU})
		if p.prefixes != lastN {
			lastN, last, lastCPU = p.prefixes, p.at, u.CPU
		} else if lastN > 0 && p.at.Sub(last) >= o.stable && idleFor(samples, o.stable) {
			break
		}
		time.Sleep(o.poll)
	}
	u, err := groupUsage(d.pgid())
	if err != nil {
		return err
	}
	res.Prefixes = lastN
	res.Seconds = last.Sub(t0).Seconds()
	if res.Seconds <= 0 {
		return errors.New("compare: no time between Established and the final count")
	}
	res.PrefixesPerSecond = float64(lastN) / res.Seconds
	res.CPU = lastCPU - idle.CPU
	res.RSSKiB, res.PeakKiB, res.Processes = u.RSSKiB, u.PeakKiB, u.Procs
	res.CPUAtEnd = u.CPU - idle.CPU
	return nil
}

// cpuSample is the daemon's CPU seconds at a poll.
type cpuSample struct {
	at  time.Time
	cpu float64
}

// idleFor reports whether the daemon used less than a fifth of a core over the last window of
// samples: it has finished with the table, and a count that did not change for the window is
// final (GoBGP's counters lag its work by seconds; its CLI answers slowly while it is busy).
func idleFor(samples []cpuSample, window time.Duration) bool {
	if len(samples) < 2 {
		return false
	}
	end := samples[len(samples)-1]
	for i := len(samples) - 2; i >= 0; i-- {
		if d := end.at.Sub(samples[i].at); d >= window {
			return (end.cpu-samples[i].cpu)/d.Seconds() < 0.2
		}
	}
	return false
}
