package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// openbgpdBgpd is OpenBGPD's daemon (FRR's has the same name under /usr/lib/frr).
const openbgpdBgpd = "/usr/sbin/bgpd"

// openbgpdChroot is where OpenBGPD's unprivileged processes chroot to (the home of _openbgpd).
// systemd creates it for the Debian service; the harness creates it when it is missing.
const openbgpdChroot = "/run/openbgpd"

// OpenBGPD runs OpenBGPD's bgpd in the foreground (`bgpd -d -f CONF`), listening on the node's
// addresses (`listen on`), with its control socket in its own directory (`socket "PATH"`), and
// queries it with `bgpctl -s PATH` (JSON output with -j). Routes are `network … set { … }`
// statements; run-time changes use `bgpctl network add|delete`.
type OpenBGPD struct {
	*base
	// routes are the networks of bgpd.conf: the configured ones, changed by Announce and
	// Withdraw (bgpctl network add cannot set the origin, so both rewrite bgpd.conf and reload).
	rmu    sync.Mutex
	routes []Route
}

// NewOpenBGPD returns an OpenBGPD launcher.
func NewOpenBGPD(node *Node, dir string, cfg Config) (*OpenBGPD, error) {
	b, err := newBase("openbgpd", node, dir, cfg)
	if err != nil {
		return nil, err
	}
	return &OpenBGPD{base: b, routes: slices.Clone(cfg.Routes)}, nil
}

func (d *OpenBGPD) socket() string { return d.path("bgpd.sock") }

// openbgpdSet returns the attribute words of r for `set { … }` and `bgpctl network add`.
func openbgpdSet(r Route) []string {
	w := []string{"origin", string(r.origin())}
	if r.HasMED {
		w = append(w, "med", strconv.FormatUint(uint64(r.MED), 10))
	}
	for _, c := range r.Communities {
		w = append(w, "community", c.String())
	}
	for _, l := range r.LargeCommunities {
		w = append(w, "large-community", l.String())
	}
	return w
}

func (d *OpenBGPD) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "AS %d\nrouter-id %s\nconnect-retry 3\nlisten on %s\nlisten on %s\nsocket %q\n",
		d.cfg.AS, d.cfg.RouterID, d.node.V4, d.node.V6, d.socket())
	d.rmu.Lock()
	routes := slices.Clone(d.routes)
	d.rmu.Unlock()
	for _, r := range routes {
		fmt.Fprintf(&b, "network %s", r.Prefix)
		if set := openbgpdSet(r); len(set) > 0 {
			fmt.Fprintf(&b, " set { %s }", strings.Join(set, " "))
		}
		b.WriteString("\n")
	}
	for _, p := range d.cfg.Peers {
		fmt.Fprintf(&b, "neighbor %s {\n  remote-as %d\n  local-address %s\n", p.Addr, p.AS, d.node.Addr(p.Addr))
		if p.HoldTime > 0 {
			fmt.Fprintf(&b, "  holdtime %d\n  holdtime min 3\n", p.HoldTime)
		}
		if p.Password != "" {
			fmt.Fprintf(&b, "  tcp md5sig password %s\n", p.Password)
		}
		if p.Passive {
			b.WriteString("  passive\n")
		}
		if p.AddPathReceive {
			b.WriteString("  announce add-path recv yes\n")
		}
		if p.AddPathSend {
			b.WriteString("  announce add-path send all\n")
		}
		b.WriteString("}\n")
	}
	b.WriteString("allow from any\nallow to any\n")
	return b.String()
}

// Start writes bgpd.conf (mode 0600: bgpd refuses a readable one) and runs bgpd.
func (d *OpenBGPD) Start(ctx context.Context) error {
	if err := requireTool("bgpctl"); err != nil {
		return err
	}
	if err := os.MkdirAll(openbgpdChroot, 0o755); err != nil {
		return fmt.Errorf("harness: openbgpd chroot: %w", err)
	}
	if err := writeFile(d.path("bgpd.conf"), d.config(), 0o600); err != nil {
		return err
	}
	if err := d.spawn(nil, openbgpdBgpd, "-d", "-f", d.path("bgpd.conf")); err != nil {
		return err
	}
	return d.waitReady(ctx, func(ctx context.Context) error {
		_, err := d.bgpctl(ctx, "show")
		return err
	})
}

func (d *OpenBGPD) bgpctl(ctx context.Context, args ...string) ([]byte, error) {
	out, err := d.node.Exec(ctx, "bgpctl", append([]string{"-s", d.socket()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("harness: openbgpd: %w", err)
	}
	return out, nil
}

type openbgpdNeighbor struct {
	RemoteAddr         string `json:"remote_addr"`
	State              string `json:"state"`
	LastShutdownReason string `json:"last_shutdown_communication"`
	Stats              struct {
		Message struct {
			Received struct {
				Updates int `json:"updates"`
			} `json:"received"`
		} `json:"message"`
	} `json:"stats"`
}

func (d *OpenBGPD) neighbor(ctx context.Context, peer netip.Addr) (openbgpdNeighbor, []byte, error) {
	out, err := d.bgpctl(ctx, "-j", "show", "neighbor", peer.String())
	if err != nil {
		return openbgpdNeighbor{}, nil, err
	}
	var v struct {
		Neighbors []openbgpdNeighbor `json:"neighbors"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return openbgpdNeighbor{}, out, fmt.Errorf("harness: openbgpd neighbor json: %w: %s", err, tail(string(out), 300))
	}
	for _, n := range v.Neighbors {
		if n.RemoteAddr == peer.String() {
			return n, out, nil
		}
	}
	return openbgpdNeighbor{}, out, fmt.Errorf("harness: openbgpd: no neighbor %s", peer)
}

// State reads state from `bgpctl -j show neighbor X`.
func (d *OpenBGPD) State(ctx context.Context, peer netip.Addr) (State, error) {
	n, _, err := d.neighbor(ctx, peer)
	if err != nil {
		return "", err
	}
	return normState(n.State), nil
}

// UpdatesReceived reads stats.message.received.updates.
func (d *OpenBGPD) UpdatesReceived(ctx context.Context, peer netip.Addr) (int, error) {
	n, _, err := d.neighbor(ctx, peer)
	return n.Stats.Message.Received.Updates, err
}

// LastShutdownMessage reads the "Last received shutdown reason" of `bgpctl show neighbor X`.
func (d *OpenBGPD) LastShutdownMessage(ctx context.Context, peer netip.Addr) (string, error) {
	out, err := d.bgpctl(ctx, "show", "neighbor", peer.String())
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(out), "\n") {
		if _, v, ok := strings.Cut(line, "shutdown reason:"); ok {
			return strings.Trim(strings.TrimSpace(v), `"`), nil
		}
	}
	return "", fmt.Errorf("harness: openbgpd: no shutdown reason from %s: %s", peer, tail(string(out), 600))
}

// Received parses `bgpctl -j show rib neighbor X inet|inet6 detail`.
func (d *OpenBGPD) Received(ctx context.Context, peer netip.Addr, family Family) ([]Route, error) {
	af := "inet"
	if family == IPv6Unicast {
		af = "inet6"
	}
	out, err := d.bgpctl(ctx, "-j", "show", "rib", "neighbor", peer.String(), af, "detail")
	if err != nil {
		return nil, err
	}
	var v struct {
		RIB []struct {
			Prefix       string   `json:"prefix"`
			PathID       uint32   `json:"path_id"`
			ASPath       string   `json:"aspath"`
			Origin       string   `json:"origin"`
			ExitNexthop  string   `json:"exit_nexthop"`
			Metric       *uint32  `json:"metric"`
			Communities  []string `json:"communities"`
			LargeCommuns []string `json:"large_communities"`
			Neighbor     struct {
				RemoteAddr string `json:"remote_addr"`
			} `json:"neighbor"`
		} `json:"rib"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("harness: openbgpd rib json: %w: %s", err, tail(string(out), 300))
	}
	var routes []Route
	for _, e := range v.RIB {
		if e.Neighbor.RemoteAddr != peer.String() {
			continue
		}
		pfx, err := netip.ParsePrefix(e.Prefix)
		if err != nil {
			return nil, fmt.Errorf("harness: openbgpd prefix %q: %w", e.Prefix, err)
		}
		r := Route{Prefix: pfx, PathID: e.PathID}
		if r.Origin, err = ParseOrigin(e.Origin); err != nil {
			return nil, err
		}
		r.NextHop, _ = netip.ParseAddr(e.ExitNexthop)
		// OpenBGPD shows a MED of 0 also when the UPDATE had none.
		if e.Metric != nil && *e.Metric != 0 {
			r.MED, r.HasMED = *e.Metric, true
		}
		for _, f := range strings.Fields(e.ASPath) {
			if n, err := strconv.ParseUint(f, 10, 32); err == nil {
				r.ASPath = append(r.ASPath, uint32(n))
			}
		}
		for _, c := range e.Communities {
			cv, err := ParseCommunity(c)
			if err != nil {
				return nil, err
			}
			r.Communities = append(r.Communities, cv)
		}
		for _, c := range e.LargeCommuns {
			lv, err := ParseLargeCommunity(c)
			if err != nil {
				return nil, err
			}
			r.LargeCommunities = append(r.LargeCommunities, lv)
		}
		routes = append(routes, r)
	}
	return routes, nil
}

// Announce adds r to the networks of bgpd.conf and reloads it.
func (d *OpenBGPD) Announce(ctx context.Context, r Route) error {
	d.rmu.Lock()
	d.routes = slices.DeleteFunc(d.routes, func(x Route) bool { return x.Prefix == r.Prefix })
	d.routes = append(d.routes, r)
	d.rmu.Unlock()
	return d.reload(ctx)
}

// Withdraw removes p from the networks of bgpd.conf and reloads it.
func (d *OpenBGPD) Withdraw(ctx context.Context, p netip.Prefix) error {
	d.rmu.Lock()
	d.routes = slices.DeleteFunc(d.routes, func(x Route) bool { return x.Prefix == p })
	d.rmu.Unlock()
	return d.reload(ctx)
}

// reload rewrites bgpd.conf and runs `bgpctl reload`.
func (d *OpenBGPD) reload(ctx context.Context) error {
	if err := writeFile(d.path("bgpd.conf"), d.config(), 0o600); err != nil {
		return err
	}
	out, err := d.bgpctl(ctx, "reload")
	if err != nil {
		return err
	}
	if !strings.Contains(string(out), "request processed") && !strings.Contains(string(out), "request sent") {
		return fmt.Errorf("harness: openbgpd reload: %s", strings.TrimSpace(string(out)))
	}
	return nil
}

// Shutdown runs `bgpctl neighbor X down MESSAGE`.
func (d *OpenBGPD) Shutdown(ctx context.Context, peer netip.Addr, message string) error {
	_, err := d.bgpctl(ctx, "neighbor", peer.String(), "down", message)
	return err
}

// Enable runs `bgpctl neighbor X up`.
func (d *OpenBGPD) Enable(ctx context.Context, peer netip.Addr) error {
	_, err := d.bgpctl(ctx, "neighbor", peer.String(), "up")
	return err
}

// RequestRefresh runs `bgpctl neighbor X refresh`.
func (d *OpenBGPD) RequestRefresh(ctx context.Context, peer netip.Addr, _ Family) error {
	_, err := d.bgpctl(ctx, "neighbor", peer.String(), "refresh")
	return err
}

var (
	_ Daemon         = (*OpenBGPD)(nil)
	_ Shutdowner     = (*OpenBGPD)(nil)
	_ ShutdownReader = (*OpenBGPD)(nil)
	_ Refresher      = (*OpenBGPD)(nil)
	_ UpdateCounter  = (*OpenBGPD)(nil)
)
