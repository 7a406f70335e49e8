package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Ze runs the ze daemon (`ze ze.conf --state DIR`) in its namespace and drives it with
// `ze cli --state DIR -c …`: `show bgp neighbor X json` for the state and counters, the `peer`
// commands for run-time routes, shutdown, start and refresh. What ze received is read from its
// events: `ze cli -c 'monitor event bgp'` runs for the daemon's whole life, writing to
// events.json. So that no event comes before the monitor subscribes, every peer is configured
// `shutdown` and started with `peer * start` once the monitor runs; Start then checks that the
// monitor saw each peer leave idle.
type Ze struct {
	*base
	bin string

	monMu sync.Mutex
	mon   *exec.Cmd
}

// builtDir is the directory zeBin built ze into, removed by RemoveBuilt.
var (
	builtMu  sync.Mutex
	builtDir string
)

// RemoveBuilt removes the ze binary the harness built, if it built one (call it from TestMain).
func RemoveBuilt() {
	builtMu.Lock()
	defer builtMu.Unlock()
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
		builtDir = ""
	}
}

// zeBin is the ze binary the launcher runs: ZE_BIN, or one built once per test process.
var zeBin = sync.OnceValues(func() (string, error) {
	if p := os.Getenv("ZE_BIN"); p != "" {
		return p, nil
	}
	dir, err := os.MkdirTemp("", "ze-interop-bin")
	if err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	builtMu.Lock()
	builtDir = dir
	builtMu.Unlock()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go" // where the Makefile looks too
	}
	out := filepath.Join(dir, "ze")
	cmd := exec.Command(goBin, "build", "-o", out, "github.com/zebgp/ze/cmd/ze")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("harness: building ze: %w: %s", err, msg)
	}
	return out, nil
})

// NewZe returns a ze launcher.
func NewZe(node *Node, dir string, cfg Config) (*Ze, error) {
	b, err := newBase("ze", node, dir, cfg)
	if err != nil {
		return nil, err
	}
	return &Ze{base: b}, nil
}

func init() {
	Register("ze", func(node *Node, dir string, cfg Config) (Daemon, error) { return NewZe(node, dir, cfg) })
}

func (d *Ze) state() string { return d.path("state") }

func zeRouteAttrs(r Route) []string {
	w := []string{"origin " + string(r.origin()) + ";"}
	if len(r.ASPath) > 0 {
		w = append(w, fmt.Sprintf("as-path %q;", asPathText(r.ASPath, " ")))
	}
	if r.HasMED {
		w = append(w, fmt.Sprintf("med %d;", r.MED))
	}
	if len(r.Communities) > 0 {
		cs := make([]string, len(r.Communities))
		for i, c := range r.Communities {
			cs[i] = c.String()
		}
		w = append(w, "community [ "+strings.Join(cs, " ")+" ];")
	}
	if len(r.LargeCommunities) > 0 {
		ls := make([]string, len(r.LargeCommunities))
		for i, l := range r.LargeCommunities {
			ls[i] = l.String()
		}
		w = append(w, "large-community [ "+strings.Join(ls, " ")+" ];")
	}
	return w
}

func (d *Ze) config() string {
	var b strings.Builder
	// The shell's SSH server listens inside the node's namespace only.
	fmt.Fprintf(&b, "system { ssh { address 127.0.0.1; port 2222; } }\nbgp {\n    router-id %s;\n    local-as %d;\n", d.cfg.RouterID, d.cfg.AS)
	fmt.Fprintf(&b, "    listen %s { port 179; }\n    listen %s { port 179; }\n", d.node.V4, d.node.V6)
	for i, p := range d.cfg.Peers {
		fmt.Fprintf(&b, "    peer p%d {\n        remote { ip %s; as %d; }\n        local-address %s;\n        connect-retry 3;\n",
			i, p.Addr, p.AS, d.node.Addr(p.Addr))
		if p.HoldTime > 0 {
			fmt.Fprintf(&b, "        hold-time %d;\n", p.HoldTime)
		}
		if p.Password != "" {
			fmt.Fprintf(&b, "        md5-password %q;\n", p.Password)
		}
		if p.Passive {
			b.WriteString("        passive true;\n")
		}
		if p.GracefulRestart {
			b.WriteString("        capability { graceful-restart; }\n")
		}
		// Started by Start once the event monitor runs.
		b.WriteString("        shutdown;\n")
		afi := "ipv4"
		if p.Addr.Is6() {
			afi = "ipv6"
		}
		fmt.Fprintf(&b, "        family { %s unicast", afi)
		if p.AddPathReceive || p.AddPathSend {
			b.WriteString(" { add-path {")
			if p.AddPathReceive {
				b.WriteString(" receive;")
			}
			if p.AddPathSend {
				b.WriteString(" send;")
			}
			b.WriteString(" } }")
		} else {
			b.WriteString(";")
		}
		b.WriteString(" }\n")
		if rs := routesOf(d.cfg.Routes, FamilyOf(p.Addr)); len(rs) > 0 {
			b.WriteString("        static {\n")
			for _, r := range rs {
				fmt.Fprintf(&b, "            route %s { %s }\n", r.Prefix, strings.Join(zeRouteAttrs(r), " "))
			}
			b.WriteString("        }\n")
		}
		b.WriteString("    }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// Start writes ze.conf, runs the daemon, starts the event monitor, then the peers.
func (d *Ze) Start(ctx context.Context) error {
	bin, err := zeBin()
	if err != nil {
		return err
	}
	d.bin = bin
	if err := writeFile(d.path("ze.conf"), d.config(), 0o644); err != nil {
		return err
	}
	if err := d.spawn(nil, bin, d.path("ze.conf"), "--state", d.state()); err != nil {
		return err
	}
	if err := d.waitReady(ctx, func(ctx context.Context) error {
		_, err := d.cli(ctx, "show bgp summary")
		return err
	}); err != nil {
		return err
	}
	if err := d.startMonitor(ctx); err != nil {
		return err
	}
	if err := d.command(ctx, "peer * start"); err != nil {
		return err
	}
	if err := d.monitorSawStart(ctx, nil); err == nil {
		return nil
	}
	// The monitor subscribed late (a loaded machine): stop and start the peers again, so that
	// it sees their sessions from the beginning.
	if err := d.command(ctx, "peer * shutdown \"harness: restart under the event monitor\""); err != nil {
		return err
	}
	for _, p := range d.cfg.Peers {
		if err := WaitState(ctx, d, p.Addr, StateIdle, 10*time.Second); err != nil {
			return err
		}
	}
	skip := map[netip.Addr]int{}
	for _, p := range d.cfg.Peers {
		skip[p.Addr] = d.stateEvents(p.Addr)
	}
	if err := d.command(ctx, "peer * start"); err != nil {
		return err
	}
	return d.monitorSawStart(ctx, skip)
}

// stateEvents counts the state events the monitor wrote for peer.
func (d *Ze) stateEvents(peer netip.Addr) int {
	evs, _ := d.events(peer)
	n := 0
	for _, e := range evs {
		if e.Type == "state" {
			n++
		}
	}
	return n
}

// monitorSawStart checks that, after skip[peer] state events, the monitor shows every peer's
// session leaving idle: it subscribed before the peers were started.
func (d *Ze) monitorSawStart(ctx context.Context, skip map[netip.Addr]int) error {
	for _, p := range d.cfg.Peers {
		err := Eventually(ctx, 5*time.Second, func(context.Context) error {
			evs, err := d.events(p.Addr)
			if err != nil {
				return err
			}
			seen := 0
			for _, e := range evs {
				if e.Type != "state" {
					continue
				}
				if seen++; seen <= skip[p.Addr] {
					continue
				}
				if e.From != "idle" {
					return fmt.Errorf("harness: ze monitor's first state event for %s is from %q, not idle: it missed events", p.Addr, e.From)
				}
				return nil
			}
			return fmt.Errorf("harness: ze monitor shows no state event for %s", p.Addr)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// startMonitor runs `monitor event bgp` into events.json and waits until it has subscribed.
func (d *Ze) startMonitor(ctx context.Context) error {
	out, err := os.Create(d.path("events.json"))
	if err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	cmd := exec.Command(d.bin, "cli", "--state", d.state(), "-c", "monitor event bgp")
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		return fmt.Errorf("harness: ze monitor: %w", err)
	}
	go func() {
		_ = cmd.Wait()
		_ = out.Close()
	}()
	d.monMu.Lock()
	d.mon = cmd
	d.monMu.Unlock()
	// The monitor prints nothing when it subscribes; give it a moment, then check it lives.
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(300 * time.Millisecond):
	}
	if cmd.ProcessState != nil {
		return fmt.Errorf("harness: ze monitor exited: %s", tail(readFile(d.path("events.json")), 500))
	}
	return nil
}

func readFile(p string) string {
	data, _ := os.ReadFile(p)
	return string(data)
}

// Stop ends the monitor and the daemon.
func (d *Ze) Stop() error {
	d.monMu.Lock()
	if d.mon != nil && d.mon.Process != nil {
		_ = d.mon.Process.Signal(syscall.SIGTERM)
	}
	d.monMu.Unlock()
	return d.base.Stop()
}

// cli runs one `ze cli -c COMMAND`.
func (d *Ze) cli(ctx context.Context, command string) ([]byte, error) {
	out, err := d.node.Exec(ctx, d.bin, "cli", "--state", d.state(), "-c", command)
	if err != nil {
		return nil, fmt.Errorf("harness: ze: %w", err)
	}
	return out, nil
}

type zeNeighbor struct {
	State    string `json:"state"`
	Received struct {
		Update int `json:"update"`
	} `json:"received"`
	LastNotification string `json:"last-notification"`
}

func (d *Ze) neighbor(ctx context.Context, peer netip.Addr) (zeNeighbor, error) {
	var n zeNeighbor
	out, err := d.cli(ctx, "show bgp neighbor "+peer.String()+" json")
	if err != nil {
		return n, err
	}
	if err := json.Unmarshal(out, &n); err != nil {
		return n, fmt.Errorf("harness: ze neighbor json: %w: %s", err, tail(string(out), 300))
	}
	return n, nil
}

// State reads state from `show bgp neighbor X json`.
func (d *Ze) State(ctx context.Context, peer netip.Addr) (State, error) {
	n, err := d.neighbor(ctx, peer)
	if err != nil {
		return "", err
	}
	return normState(n.State), nil
}

// UpdatesReceived reads received.update of `show bgp neighbor X json`.
func (d *Ze) UpdatesReceived(ctx context.Context, peer netip.Addr) (int, error) {
	n, err := d.neighbor(ctx, peer)
	return n.Received.Update, err
}

// command runs a `peer …` command and fails when ze reports a peer error.
func (d *Ze) command(ctx context.Context, line string) error {
	out, err := d.cli(ctx, line)
	if err != nil {
		return err
	}
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.Contains(l, "message(s) sent") && !strings.Contains(l, "kept,") {
			return fmt.Errorf("harness: ze %q: %s", line, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// Announce sends `peer ADDR update text …` to every peer of the route's family; ze prepends its
// AS to the AS path toward an external peer (RFC 4271 §5.1.2), so the command gives only the
// route's own AS path, if any.
func (d *Ze) Announce(ctx context.Context, r Route) error {
	var errs []error
	for _, p := range d.peersOf(r.Family()) {
		nh := r.NextHop
		if !nh.IsValid() {
			nh = d.node.Addr(p.Addr)
		}
		line := fmt.Sprintf("peer %s update text origin set %s nhop set %s", p.Addr, r.origin(), nh)
		if len(r.ASPath) > 0 {
			line += " as-path set [" + asPathText(r.ASPath, " ") + "]"
		}
		if r.HasMED {
			line += fmt.Sprintf(" med set %d", r.MED)
		}
		if len(r.Communities) > 0 {
			cs := make([]string, len(r.Communities))
			for i, c := range r.Communities {
				cs[i] = c.String()
			}
			line += " community set [" + strings.Join(cs, " ") + "]"
		}
		if len(r.LargeCommunities) > 0 {
			ls := make([]string, len(r.LargeCommunities))
			for i, l := range r.LargeCommunities {
				ls[i] = l.String()
			}
			line += " large-community set [" + strings.Join(ls, " ") + "]"
		}
		line += " nlri " + string(r.Family()) + " add " + r.Prefix.String()
		errs = append(errs, d.command(ctx, line))
	}
	return errors.Join(errs...)
}

// Withdraw sends `peer ADDR withdraw text nlri FAMILY PREFIX` to every peer of its family. A
// static route from the configuration is withdrawn the same way.
func (d *Ze) Withdraw(ctx context.Context, p netip.Prefix) error {
	var errs []error
	fam := FamilyOf(p.Addr())
	for _, peer := range d.peersOf(fam) {
		errs = append(errs, d.command(ctx, fmt.Sprintf("peer %s withdraw text nlri %s %s", peer.Addr, fam, p)))
	}
	return errors.Join(errs...)
}

// Shutdown sends `peer ADDR shutdown "MESSAGE"`.
func (d *Ze) Shutdown(ctx context.Context, peer netip.Addr, message string) error {
	return d.command(ctx, fmt.Sprintf("peer %s shutdown %s", peer, strconv.Quote(message)))
}

// Enable sends `peer ADDR start`.
func (d *Ze) Enable(ctx context.Context, peer netip.Addr) error {
	return d.command(ctx, "peer "+peer.String()+" start")
}

// RequestRefresh sends `peer ADDR refresh FAMILY`.
func (d *Ze) RequestRefresh(ctx context.Context, peer netip.Addr, family Family) error {
	return d.command(ctx, fmt.Sprintf("peer %s refresh %s", peer, family))
}

var (
	_ NotificationSender = (*Ze)(nil)
	_ Daemon             = (*Ze)(nil)
	_ Shutdowner         = (*Ze)(nil)
	_ ShutdownReader     = (*Ze)(nil)
	_ Refresher          = (*Ze)(nil)
	_ UpdateCounter      = (*Ze)(nil)
)
