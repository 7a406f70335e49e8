package harness

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrUnsupported is returned by an operation the daemon cannot do (for example a run-time
// shutdown message on a daemon that has none).
var ErrUnsupported = errors.New("harness: not supported by this daemon")

// State is a BGP session state, normalised across daemons (RFC 4271 §8.2.2 names, lower case).
type State string

// The session states. Daemons that show less detail map to the nearest one.
const (
	StateIdle        State = "idle"
	StateConnect     State = "connect"
	StateActive      State = "active"
	StateOpenSent    State = "opensent"
	StateOpenConfirm State = "openconfirm"
	StateEstablished State = "established"
)

// Peer is one BGP session of a daemon.
type Peer struct {
	// Addr is the peer's address; the session carries the unicast family of that address.
	Addr netip.Addr
	// AS is the peer's AS.
	AS uint32
	// Password enables TCP MD5 (RFC 2385) when not empty.
	Password string
	// HoldTime in seconds; 0 keeps the daemon's default. Keepalive is a third of it.
	HoldTime int
	// AddPathReceive and AddPathSend negotiate ADD-PATH (RFC 7911) for the session's family.
	AddPathReceive, AddPathSend bool
	// Passive peers wait for the other side to connect.
	Passive bool
	// GracefulRestart advertises the graceful restart capability (RFC 4724). Only the ze
	// launcher honors it: FRR and OpenBGPD send End-of-RIB, and answer a ROUTE-REFRESH, only
	// to a peer that advertised it.
	GracefulRestart bool
}

// Config is what a launcher needs to write a daemon's configuration.
type Config struct {
	// AS and RouterID of the daemon.
	AS       uint32
	RouterID netip.Addr
	// Peers the daemon opens sessions with.
	Peers []Peer
	// Routes the daemon announces from its configuration, to every peer of the route's family.
	Routes []Route
}

// Daemon is one running BGP speaker under the harness's control. The speaker under test (ze)
// implements it too, so every scenario runs unchanged with any daemon on either side.
type Daemon interface {
	// Kind names the implementation ("bird", "frr", "gobgp", "openbgpd", "exabgp", "ze").
	Kind() string
	// Node is where it runs.
	Node() *Node
	// Start writes the configuration, starts the daemon and waits until its control interface
	// answers.
	Start(ctx context.Context) error
	// Stop ends the daemon (SIGTERM, then SIGKILL) and all its processes.
	Stop() error
	// Pause and Resume send SIGSTOP and SIGCONT to all its processes.
	Pause() error
	Resume() error
	// State is the session state with peer.
	State(ctx context.Context, peer netip.Addr) (State, error)
	// Received lists the routes of family received from peer (Adj-RIB-In or, where the daemon
	// shows only that, its RIB filtered on the peer).
	Received(ctx context.Context, peer netip.Addr, family Family) ([]Route, error)
	// Announce and Withdraw change at run time what the daemon sends to all its peers.
	Announce(ctx context.Context, r Route) error
	Withdraw(ctx context.Context, p netip.Prefix) error
	// LogText returns what the daemon logged so far (for failure messages and log checks).
	LogText() string
}

// Shutdowner is a daemon that can administratively shut a session down with an RFC 8203/9003
// message and bring it back.
type Shutdowner interface {
	Shutdown(ctx context.Context, peer netip.Addr, message string) error
	Enable(ctx context.Context, peer netip.Addr) error
}

// ShutdownReader is a daemon that shows the shutdown message it last received from peer.
type ShutdownReader interface {
	LastShutdownMessage(ctx context.Context, peer netip.Addr) (string, error)
}

// Refresher is a daemon that can ask peer to send its routes again (ROUTE-REFRESH, RFC 2918).
type Refresher interface {
	RequestRefresh(ctx context.Context, peer netip.Addr, family Family) error
}

// UpdateCounter is a daemon that counts the UPDATE messages received from peer.
type UpdateCounter interface {
	UpdatesReceived(ctx context.Context, peer netip.Addr) (int, error)
}

// base holds what every launcher shares: the node, the directory, the configuration, the
// process.
type base struct {
	kind string
	node *Node
	dir  string
	cfg  Config

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	log  string // the file the daemon's stdout and stderr go to
}

func newBase(kind string, node *Node, dir string, cfg Config) (*base, error) {
	d := filepath.Join(dir, kind+"-"+node.Name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	return &base{kind: kind, node: node, dir: d, cfg: cfg, log: filepath.Join(d, "output.log")}, nil
}

func (b *base) Kind() string { return b.kind }
func (b *base) Node() *Node  { return b.node }

// path returns a file in the daemon's directory.
func (b *base) path(name string) string { return filepath.Join(b.dir, name) }

// LogText returns the daemon's standard output and error.
func (b *base) LogText() string {
	data, _ := os.ReadFile(b.log)
	return string(data)
}

// spawn starts the daemon in its namespace, in a process group of its own, so that Stop, Pause
// and Resume reach the processes it forks too.
func (b *base) spawn(env []string, name string, args ...string) error {
	if err := requireTool(name); err != nil {
		return err
	}
	out, err := os.OpenFile(b.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", b.node.NS, name}, args...)...)
	cmd.Dir = b.dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		return fmt.Errorf("harness: starting %s: %w", b.kind, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = out.Close()
		close(done)
	}()
	b.mu.Lock()
	b.cmd, b.done = cmd, done
	b.mu.Unlock()
	return nil
}

// running reports whether the spawned process is still alive.
func (b *base) running() bool {
	b.mu.Lock()
	done := b.done
	b.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

func (b *base) signal(sig syscall.Signal) error {
	b.mu.Lock()
	cmd := b.cmd
	b.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return fmt.Errorf("harness: %s is not running", b.kind)
	}
	if err := syscall.Kill(-cmd.Process.Pid, sig); err != nil {
		return fmt.Errorf("harness: signaling %s: %w", b.kind, err)
	}
	return nil
}

// Pause stops every process of the daemon.
func (b *base) Pause() error { return b.signal(syscall.SIGSTOP) }

// Resume continues every process of the daemon.
func (b *base) Resume() error { return b.signal(syscall.SIGCONT) }

// Stop terminates the daemon: SIGCONT (it may be paused), SIGTERM, and SIGKILL to the group after
// five seconds.
func (b *base) Stop() error {
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.mu.Unlock()
	if cmd == nil {
		return nil
	}
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGCONT)
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
	// Children that outlived the leader (a forked helper) go too.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}

// waitReady polls check until it succeeds, the daemon exits or ctx ends.
func (b *base) waitReady(ctx context.Context, check func(context.Context) error) error {
	var last error
	for {
		if !b.running() {
			return fmt.Errorf("harness: %s exited at start: %s", b.kind, tail(b.LogText(), 1500))
		}
		cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		last = check(cctx)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("harness: %s not ready: %w (last: %w); log: %s", b.kind, ctx.Err(), last, tail(b.LogText(), 1500))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// peersOf returns the configured peers of family.
func (b *base) peersOf(f Family) []Peer {
	var out []Peer
	for _, p := range b.cfg.Peers {
		if FamilyOf(p.Addr) == f {
			out = append(out, p)
		}
	}
	return out
}

// routesOf returns the configured routes of family.
func routesOf(rs []Route, f Family) []Route {
	var out []Route
	for _, r := range rs {
		if r.Family() == f {
			out = append(out, r)
		}
	}
	return out
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// writeFile writes a configuration file.
func writeFile(path, text string, perm os.FileMode) error {
	if err := os.WriteFile(path, []byte(text), perm); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	return nil
}

// New returns a launcher for kind ("bird", "frr", "gobgp", "openbgpd", "exabgp") on node with its
// files under dir.
func New(kind string, node *Node, dir string, cfg Config) (Daemon, error) {
	switch kind {
	case "bird":
		return NewBird(node, dir, cfg)
	case "frr":
		return NewFRR(node, dir, cfg)
	case "gobgp":
		return NewGoBGP(node, dir, cfg)
	case "openbgpd":
		return NewOpenBGPD(node, dir, cfg)
	case "exabgp":
		return NewExaBGP(node, dir, cfg)
	}
	return nil, fmt.Errorf("harness: unknown daemon %q (want one of %v)", kind, Kinds)
}

// Kinds lists the daemons the harness can launch.
var Kinds = []string{"bird", "frr", "gobgp", "openbgpd", "exabgp"}

// PathAnnouncer is a daemon that can originate several paths for one prefix, told apart by their
// ADD-PATH path identifier (RFC 7911).
type PathAnnouncer interface {
	AnnouncePath(ctx context.Context, r Route, id uint32) error
}

// NotificationSender is a daemon that shows the NOTIFICATIONs it sent to peer.
type NotificationSender interface {
	SentNotification(ctx context.Context, peer netip.Addr, code, subcode int) (bool, error)
}

// debPackages are the Debian packages of the daemons, in Kinds order.
var debPackages = []string{"bird2", "frr", "gobgpd", "openbgpd", "exabgp"}

// Versions lists the installed version of each daemon's Debian package ("bird2 2.0.12-7, …"),
// for the matrix's header.
func Versions() string {
	var parts []string
	for _, p := range debPackages {
		out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", p).Output()
		v := strings.TrimSpace(string(out))
		if err != nil || v == "" {
			v = "not installed"
		}
		parts = append(parts, p+" "+v)
	}
	return strings.Join(parts, ", ")
}
