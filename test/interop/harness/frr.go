package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// frrBgpd is FRR's BGP daemon; Debian does not put it on PATH (and /usr/sbin/bgpd is OpenBGPD's).
const frrBgpd = "/usr/lib/frr/bgpd"

// FRR runs FRR's bgpd alone (no zebra: -Z), listening on the node's addresses (-l), with its vty
// socket, pid file and log in its own directory (--vty_socket, -i, log file), and queries it with
// `vtysh --vty_socket DIR`. Each route gets a route-map that sets its attributes; `network`
// statements announce them, at start from bgpd.conf and at run time through vtysh.
type FRR struct {
	*base
}

// NewFRR returns an FRR launcher.
func NewFRR(node *Node, dir string, cfg Config) (*FRR, error) {
	b, err := newBase("frr", node, dir, cfg)
	if err != nil {
		return nil, err
	}
	return &FRR{base: b}, nil
}

func frrAF(f Family) string {
	if f == IPv6Unicast {
		return "ipv6 unicast"
	}
	return "ipv4 unicast"
}

// routeMapName names the route-map that carries a prefix's attributes.
func routeMapName(p netip.Prefix) string {
	return "rm-" + strings.NewReplacer(".", "-", ":", "-", "/", "-").Replace(p.String())
}

// routeMap returns the configuration lines of the route-map for r.
func routeMap(r Route) []string {
	lines := []string{"route-map " + routeMapName(r.Prefix) + " permit 10", " set origin " + string(r.origin())}
	if r.HasMED {
		lines = append(lines, fmt.Sprintf(" set metric %d", r.MED))
	}
	if len(r.Communities) > 0 {
		cs := make([]string, len(r.Communities))
		for i, c := range r.Communities {
			cs[i] = c.String()
		}
		lines = append(lines, " set community "+strings.Join(cs, " "))
	}
	if len(r.LargeCommunities) > 0 {
		ls := make([]string, len(r.LargeCommunities))
		for i, l := range r.LargeCommunities {
			ls[i] = l.String()
		}
		lines = append(lines, " set large-community "+strings.Join(ls, " "))
	}
	return lines
}

func (d *FRR) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "frr defaults traditional\nhostname %s\nlog file %s\n!\n", d.node.Name, d.path("bgpd.log"))
	for _, r := range d.cfg.Routes {
		b.WriteString(strings.Join(routeMap(r), "\n") + "\n!\n")
	}
	fmt.Fprintf(&b, "router bgp %d\n bgp router-id %s\n no bgp ebgp-requires-policy\n no bgp network import-check\n no bgp default ipv4-unicast\n",
		d.cfg.AS, d.cfg.RouterID)
	for _, p := range d.cfg.Peers {
		fmt.Fprintf(&b, " neighbor %s remote-as %d\n neighbor %s update-source %s\n neighbor %s timers connect 3\n",
			p.Addr, p.AS, p.Addr, d.node.Addr(p.Addr), p.Addr)
		if p.Password != "" {
			fmt.Fprintf(&b, " neighbor %s password %s\n", p.Addr, p.Password)
		}
		if p.Passive {
			fmt.Fprintf(&b, " neighbor %s passive\n", p.Addr)
		}
		if p.HoldTime > 0 {
			fmt.Fprintf(&b, " neighbor %s timers %d %d\n", p.Addr, max(1, p.HoldTime/3), p.HoldTime)
		}
	}
	for _, f := range []Family{IPv4Unicast, IPv6Unicast} {
		fmt.Fprintf(&b, " address-family %s\n", frrAF(f))
		for _, r := range routesOf(d.cfg.Routes, f) {
			fmt.Fprintf(&b, "  network %s route-map %s\n", r.Prefix, routeMapName(r.Prefix))
		}
		for _, p := range d.peersOf(f) {
			fmt.Fprintf(&b, "  neighbor %s activate\n", p.Addr)
			if p.AddPathSend {
				fmt.Fprintf(&b, "  neighbor %s addpath-tx-all-paths\n", p.Addr)
			}
		}
		b.WriteString(" exit-address-family\n")
	}
	b.WriteString("!\n")
	return b.String()
}

// Start writes bgpd.conf and runs bgpd in the foreground.
func (d *FRR) Start(ctx context.Context) error {
	if err := requireTool("vtysh"); err != nil {
		return err
	}
	if err := writeFile(d.path("bgpd.conf"), d.config(), 0o644); err != nil {
		return err
	}
	args := []string{"-Z", "-S", "-u", "root", "-g", "root", "-p", "179",
		"-l", d.node.V4.String(), "-l", d.node.V6.String(),
		"-f", d.path("bgpd.conf"), "-i", d.path("bgpd.pid"), "--vty_socket", d.dir}
	if err := d.spawn(nil, frrBgpd, args...); err != nil {
		return err
	}
	return d.waitReady(ctx, func(ctx context.Context) error {
		_, err := d.vtysh(ctx, "show bgp summary")
		return err
	})
}

// vtysh runs commands in one vtysh call.
func (d *FRR) vtysh(ctx context.Context, cmds ...string) ([]byte, error) {
	args := []string{"--vty_socket", d.dir}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	out, err := d.node.Exec(ctx, "vtysh", args...)
	if err != nil {
		return nil, fmt.Errorf("harness: frr: %w", err)
	}
	if bytes.Contains(out, []byte("% Unknown command")) || bytes.Contains(out, []byte("% Invalid")) {
		return nil, fmt.Errorf("harness: frr: vtysh %q: %s", cmds, bytes.TrimSpace(out))
	}
	return out, nil
}

type frrNeighbor struct {
	BGPState                string `json:"bgpState"`
	LastNotificationReason  string `json:"lastNotificationReason"`
	LastShutdownDescription string `json:"lastShutdownDescription"`
	MessageStats            struct {
		UpdatesRecv int `json:"updatesRecv"`
	} `json:"messageStats"`
}

func (d *FRR) neighbor(ctx context.Context, peer netip.Addr) (frrNeighbor, error) {
	out, err := d.vtysh(ctx, "show bgp neighbors "+peer.String()+" json")
	if err != nil {
		return frrNeighbor{}, err
	}
	var m map[string]frrNeighbor
	if err := json.Unmarshal(out, &m); err != nil {
		return frrNeighbor{}, fmt.Errorf("harness: frr neighbor json: %w: %s", err, tail(string(out), 300))
	}
	n, ok := m[peer.String()]
	if !ok {
		return frrNeighbor{}, fmt.Errorf("harness: frr: no neighbor %s in %s", peer, tail(string(out), 300))
	}
	return n, nil
}

// State reads bgpState from `show bgp neighbors X json`.
func (d *FRR) State(ctx context.Context, peer netip.Addr) (State, error) {
	n, err := d.neighbor(ctx, peer)
	if err != nil {
		return "", err
	}
	return normState(n.BGPState), nil
}

// UpdatesReceived reads messageStats.updatesRecv.
func (d *FRR) UpdatesReceived(ctx context.Context, peer netip.Addr) (int, error) {
	n, err := d.neighbor(ctx, peer)
	return n.MessageStats.UpdatesRecv, err
}

// LastShutdownMessage reads lastShutdownDescription.
func (d *FRR) LastShutdownMessage(ctx context.Context, peer netip.Addr) (string, error) {
	n, err := d.neighbor(ctx, peer)
	if err != nil {
		return "", err
	}
	if n.LastShutdownDescription == "" {
		return "", fmt.Errorf("harness: frr: no shutdown message from %s (last notification %q)", peer, n.LastNotificationReason)
	}
	return n.LastShutdownDescription, nil
}

// Received lists the prefixes of `show bgp AF json` whose path comes from peer, then reads each
// one's attributes with `show bgp AF PREFIX json` (all in one vtysh call).
func (d *FRR) Received(ctx context.Context, peer netip.Addr, family Family) ([]Route, error) {
	af := frrAF(family)
	out, err := d.vtysh(ctx, "show bgp "+af+" json")
	if err != nil {
		return nil, err
	}
	var table struct {
		Routes map[string][]struct {
			PeerID string `json:"peerId"`
		} `json:"routes"`
	}
	if err := json.Unmarshal(out, &table); err != nil {
		return nil, fmt.Errorf("harness: frr table json: %w: %s", err, tail(string(out), 300))
	}
	var cmds []string
	for pfx, paths := range table.Routes {
		for _, p := range paths {
			if p.PeerID == peer.String() {
				cmds = append(cmds, "show bgp "+af+" "+pfx+" json")
				break
			}
		}
	}
	if len(cmds) == 0 {
		return nil, nil
	}
	out, err = d.vtysh(ctx, cmds...)
	if err != nil {
		return nil, err
	}
	return parseFRRPrefixes(out, peer)
}

type frrPath struct {
	ASPath struct {
		Segments []struct {
			List []uint32 `json:"list"`
		} `json:"segments"`
	} `json:"aspath"`
	Origin    string  `json:"origin"`
	Metric    *uint32 `json:"metric"`
	Community struct {
		List []string `json:"list"`
	} `json:"community"`
	LargeCommunity struct {
		List []string `json:"list"`
	} `json:"largeCommunity"`
	Nexthops []struct {
		IP string `json:"ip"`
	} `json:"nexthops"`
	Peer struct {
		PeerID string `json:"peerId"`
	} `json:"peer"`
	AddpathRxID uint32 `json:"addpathRxId"`
}

// parseFRRPrefixes reads a stream of `show bgp AF PREFIX json` objects and keeps peer's paths.
func parseFRRPrefixes(out []byte, peer netip.Addr) ([]Route, error) {
	dec := json.NewDecoder(bytes.NewReader(out))
	var routes []Route
	for {
		var obj struct {
			Prefix string    `json:"prefix"`
			Paths  []frrPath `json:"paths"`
		}
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return routes, nil
		}
		if err != nil {
			return nil, fmt.Errorf("harness: frr prefix json: %w", err)
		}
		pfx, err := netip.ParsePrefix(obj.Prefix)
		if err != nil {
			return nil, fmt.Errorf("harness: frr prefix %q: %w", obj.Prefix, err)
		}
		for _, p := range obj.Paths {
			if p.Peer.PeerID != peer.String() {
				continue
			}
			r := Route{Prefix: pfx, PathID: p.AddpathRxID}
			if p.Origin != "" {
				if r.Origin, err = ParseOrigin(p.Origin); err != nil {
					return nil, err
				}
			}
			if p.Metric != nil {
				r.MED, r.HasMED = *p.Metric, true
			}
			for _, s := range p.ASPath.Segments {
				r.ASPath = append(r.ASPath, s.List...)
			}
			for _, c := range p.Community.List {
				v, err := ParseCommunity(c)
				if err != nil {
					return nil, err
				}
				r.Communities = append(r.Communities, v)
			}
			for _, c := range p.LargeCommunity.List {
				v, err := ParseLargeCommunity(c)
				if err != nil {
					return nil, err
				}
				r.LargeCommunities = append(r.LargeCommunities, v)
			}
			if len(p.Nexthops) > 0 {
				r.NextHop, _ = netip.ParseAddr(p.Nexthops[0].IP)
			}
			routes = append(routes, r)
		}
	}
}

// configure runs configuration commands under `router bgp AS`.
func (d *FRR) configure(ctx context.Context, pre []string, inRouter ...string) error {
	cmds := append([]string{"configure terminal"}, pre...)
	cmds = append(cmds, "router bgp "+strconv.FormatUint(uint64(d.cfg.AS), 10))
	cmds = append(cmds, inRouter...)
	_, err := d.vtysh(ctx, cmds...)
	return err
}

// Announce adds a route-map and a network statement.
func (d *FRR) Announce(ctx context.Context, r Route) error {
	return d.configure(ctx, append(routeMap(r), "exit"),
		"address-family "+frrAF(r.Family()),
		"network "+r.Prefix.String()+" route-map "+routeMapName(r.Prefix))
}

// Withdraw removes the network statement.
func (d *FRR) Withdraw(ctx context.Context, p netip.Prefix) error {
	return d.configure(ctx, nil, "address-family "+frrAF(FamilyOf(p.Addr())), "no network "+p.String())
}

// Shutdown runs `neighbor X shutdown message MESSAGE`.
func (d *FRR) Shutdown(ctx context.Context, peer netip.Addr, message string) error {
	return d.configure(ctx, nil, "neighbor "+peer.String()+" shutdown message "+message)
}

// Enable runs `no neighbor X shutdown`.
func (d *FRR) Enable(ctx context.Context, peer netip.Addr) error {
	return d.configure(ctx, nil, "no neighbor "+peer.String()+" shutdown")
}

// RequestRefresh runs `clear bgp AF X soft in`, which sends ROUTE-REFRESH.
func (d *FRR) RequestRefresh(ctx context.Context, peer netip.Addr, family Family) error {
	_, err := d.vtysh(ctx, "clear bgp "+frrAF(family)+" "+peer.String()+" soft in")
	return err
}

var (
	_ Daemon         = (*FRR)(nil)
	_ Shutdowner     = (*FRR)(nil)
	_ ShutdownReader = (*FRR)(nil)
	_ Refresher      = (*FRR)(nil)
	_ UpdateCounter  = (*FRR)(nil)
)
