package harness

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Bird runs BIRD 2 (`bird -f -c CONF -s SOCKET -P PIDFILE`) and queries it with
// `birdc -s SOCKET`. Each peer is a `protocol bgp` named p<n>, bound to the node's own address
// with `strict bind`. Routes are blackhole static routes; their attributes are set by the export
// filter, because BIRD drops a static route's MED on the way to an eBGP peer. Run-time
// announcements rewrite the configuration and send `configure`.
type Bird struct {
	*base
	rmu    sync.Mutex
	routes []Route
	// paths are extra paths (AnnouncePath), each in a static protocol of its own, so that the
	// table holds several routes for one prefix and `add paths tx` sends them all.
	paths []birdPath
}

type birdPath struct {
	id uint32
	r  Route
}

// NewBird returns a BIRD launcher.
func NewBird(node *Node, dir string, cfg Config) (*Bird, error) {
	b, err := newBase("bird", node, dir, cfg)
	if err != nil {
		return nil, err
	}
	return &Bird{base: b, routes: slices.Clone(cfg.Routes)}, nil
}

func (d *Bird) socket() string { return d.path("bird.ctl") }

// protoName is the BIRD protocol name of peer.
func (d *Bird) protoName(peer netip.Addr) (string, error) {
	for i, p := range d.cfg.Peers {
		if p.Addr == peer {
			return "p" + strconv.Itoa(i), nil
		}
	}
	return "", fmt.Errorf("harness: bird: %s is not a configured peer", peer)
}

func (d *Bird) config() string {
	d.rmu.Lock()
	routes := slices.Clone(d.routes)
	paths := slices.Clone(d.paths)
	d.rmu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "router id %s;\nlog %q all;\nprotocol device {}\n", d.cfg.RouterID, d.path("bird.log"))
	for _, f := range []struct {
		fam  Family
		name string
	}{{IPv4Unicast, "4"}, {IPv6Unicast, "6"}} {
		rs := routesOf(routes, f.fam)
		fmt.Fprintf(&b, "protocol static s%s {\n  ipv%s;\n", f.name, f.name)
		for _, r := range rs {
			fmt.Fprintf(&b, "  route %s blackhole;\n", r.Prefix)
		}
		b.WriteString("}\n")
		var extra []birdPath
		for _, p := range paths {
			if p.r.Family() == f.fam {
				extra = append(extra, p)
				fmt.Fprintf(&b, "protocol static sp%d_%s {\n  ipv%s;\n  route %s blackhole;\n}\n", p.id, f.name, f.name, p.r.Prefix)
			}
		}
		fmt.Fprintf(&b, "filter out%s {\n", f.name)
		for _, p := range extra {
			fmt.Fprintf(&b, "  if proto = \"sp%d_%s\" then { bgp_origin = ORIGIN_%s;", p.id, f.name, strings.ToUpper(string(p.r.origin())))
			if p.r.HasMED {
				fmt.Fprintf(&b, " bgp_med = %d;", p.r.MED)
			}
			b.WriteString(" }\n")
		}
		for _, r := range rs {
			fmt.Fprintf(&b, "  if net = %s then { bgp_origin = ORIGIN_%s;", r.Prefix, strings.ToUpper(string(r.origin())))
			if r.HasMED {
				fmt.Fprintf(&b, " bgp_med = %d;", r.MED)
			}
			for _, c := range r.Communities {
				fmt.Fprintf(&b, " bgp_community.add((%d,%d));", uint32(c)>>16, uint32(c)&0xffff)
			}
			for _, l := range r.LargeCommunities {
				fmt.Fprintf(&b, " bgp_large_community.add((%d,%d,%d));", l.Global, l.Local1, l.Local2)
			}
			b.WriteString(" }\n")
		}
		b.WriteString("  accept;\n}\n")
	}
	for i, p := range d.cfg.Peers {
		fam := "4"
		if p.Addr.Is6() {
			fam = "6"
		}
		fmt.Fprintf(&b, "protocol bgp p%d {\n  local %s port 179 as %d;\n  neighbor %s port 179 as %d;\n  strict bind yes;\n  connect delay time 1;\n  connect retry time 3;\n  error wait time 1, 3;\n",
			i, d.node.Addr(p.Addr), d.cfg.AS, p.Addr, p.AS)
		if p.HoldTime > 0 {
			fmt.Fprintf(&b, "  hold time %d;\n  keepalive time %d;\n", p.HoldTime, max(1, p.HoldTime/3))
		}
		if p.Password != "" {
			fmt.Fprintf(&b, "  password %q;\n", p.Password)
		}
		if p.Passive {
			b.WriteString("  passive on;\n")
		}
		fmt.Fprintf(&b, "  ipv%s {\n    import all;\n    export filter out%s;\n", fam, fam)
		switch {
		case p.AddPathReceive && p.AddPathSend:
			b.WriteString("    add paths on;\n")
		case p.AddPathReceive:
			b.WriteString("    add paths rx;\n")
		case p.AddPathSend:
			b.WriteString("    add paths tx;\n")
		}
		b.WriteString("  };\n}\n")
	}
	return b.String()
}

// Start writes bird.conf and runs bird in the foreground.
func (d *Bird) Start(ctx context.Context) error {
	if err := requireTool("birdc"); err != nil {
		return err
	}
	if err := writeFile(d.path("bird.conf"), d.config(), 0o644); err != nil {
		return err
	}
	if err := d.spawn(nil, "bird", "-f", "-c", d.path("bird.conf"), "-s", d.socket(), "-P", d.path("bird.pid")); err != nil {
		return err
	}
	return d.waitReady(ctx, func(ctx context.Context) error {
		_, err := d.birdc(ctx, "show", "status")
		return err
	})
}

// birdc runs one birdc command and returns its output without the greeting line.
func (d *Bird) birdc(ctx context.Context, args ...string) (string, error) {
	out, err := d.node.Exec(ctx, "birdc", append([]string{"-s", d.socket()}, args...)...)
	if err != nil {
		return "", fmt.Errorf("harness: bird: %w", err)
	}
	s := string(out)
	if _, rest, ok := strings.Cut(s, "ready.\n"); ok {
		s = rest
	}
	if strings.HasPrefix(s, "syntax error") || strings.Contains(s, "Unable to connect") {
		return "", fmt.Errorf("harness: birdc %s: %s", strings.Join(args, " "), strings.TrimSpace(s))
	}
	return s, nil
}

// State reads "BGP state:" from `show protocols all`.
func (d *Bird) State(ctx context.Context, peer netip.Addr) (State, error) {
	name, err := d.protoName(peer)
	if err != nil {
		return "", err
	}
	out, err := d.birdc(ctx, "show", "protocols", "all", name)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "BGP state:"); ok {
			return normState(strings.TrimSpace(v)), nil
		}
	}
	return "", fmt.Errorf("harness: bird: no BGP state for %s in %q", name, out)
}

// normState maps a daemon's spelling of a session state to State.
func normState(s string) State {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "established", "up", "bgp_fsm_established":
		return StateEstablished
	case "openconfirm", "bgp_fsm_openconfirm":
		return StateOpenConfirm
	case "opensent", "bgp_fsm_opensent":
		return StateOpenSent
	case "active", "bgp_fsm_active":
		return StateActive
	case "connect", "bgp_fsm_connect":
		return StateConnect
	}
	return StateIdle
}

// Received parses `show route all protocol p<n>`.
func (d *Bird) Received(ctx context.Context, peer netip.Addr, family Family) ([]Route, error) {
	name, err := d.protoName(peer)
	if err != nil {
		return nil, err
	}
	table := "master4"
	if family == IPv6Unicast {
		table = "master6"
	}
	out, err := d.birdc(ctx, "show", "route", "all", "table", table, "protocol", name)
	if err != nil {
		return nil, err
	}
	return parseBirdRoutes(out)
}

var birdCommunity = regexp.MustCompile(`\((\d+),\s*(\d+)\)`)

// parseBirdRoutes reads the output of `show route all`: a line per route (the prefix first, or
// blank for another path to the same prefix), then tab-indented attribute lines.
func parseBirdRoutes(out string) ([]Route, error) {
	var routes []Route
	var cur netip.Prefix
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "Table "):
		case !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " "):
			f := strings.Fields(line)
			p, err := netip.ParsePrefix(f[0])
			if err != nil {
				return nil, fmt.Errorf("harness: bird route line %q: %w", line, err)
			}
			cur = p
			routes = append(routes, Route{Prefix: p})
		case strings.HasPrefix(line, " ") && strings.Contains(line, "["):
			if !cur.IsValid() {
				return nil, fmt.Errorf("harness: bird route line %q before any prefix", line)
			}
			routes = append(routes, Route{Prefix: cur})
		case strings.HasPrefix(line, "\t") && len(routes) > 0:
			r := &routes[len(routes)-1]
			key, val, _ := strings.Cut(strings.TrimSpace(line), ":")
			val = strings.TrimSpace(val)
			if err := r.setBirdAttr(key, val); err != nil {
				return nil, err
			}
		}
	}
	return routes, nil
}

func (r *Route) setBirdAttr(key, val string) error {
	switch key {
	case "BGP.med":
		v, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return fmt.Errorf("harness: bird med %q: %w", val, err)
		}
		r.MED, r.HasMED = uint32(v), true
	case "BGP.origin":
		o, err := ParseOrigin(val)
		if err != nil {
			return err
		}
		r.Origin = o
	case "BGP.next_hop":
		if a, err := netip.ParseAddr(strings.Fields(val)[0]); err == nil {
			r.NextHop = a
		}
	case "BGP.as_path":
		for _, f := range strings.Fields(val) {
			if v, err := strconv.ParseUint(f, 10, 32); err == nil {
				r.ASPath = append(r.ASPath, uint32(v))
			}
		}
	case "BGP.community":
		for _, m := range birdCommunity.FindAllStringSubmatch(val, -1) {
			c, err := ParseCommunity(m[1] + ":" + m[2])
			if err != nil {
				return err
			}
			r.Communities = append(r.Communities, c)
		}
	case "BGP.large_community":
		for _, m := range regexp.MustCompile(`\([^)]*\)`).FindAllString(val, -1) {
			l, err := ParseLargeCommunity(m)
			if err != nil {
				return err
			}
			r.LargeCommunities = append(r.LargeCommunities, l)
		}
	}
	return nil
}

// Announce adds the route to the configuration and reconfigures.
func (d *Bird) Announce(ctx context.Context, r Route) error {
	d.rmu.Lock()
	d.routes = slices.DeleteFunc(d.routes, func(x Route) bool { return x.Prefix == r.Prefix })
	d.routes = append(d.routes, r)
	d.rmu.Unlock()
	return d.reconfigure(ctx)
}

// AnnouncePath adds a static protocol holding one more route for r.Prefix, with r's MED, and
// reconfigures; with `add paths tx` BIRD sends every such route as its own path.
func (d *Bird) AnnouncePath(ctx context.Context, r Route, id uint32) error {
	d.rmu.Lock()
	d.paths = slices.DeleteFunc(d.paths, func(p birdPath) bool { return p.id == id && p.r.Prefix == r.Prefix })
	d.paths = append(d.paths, birdPath{id, r})
	d.rmu.Unlock()
	return d.reconfigure(ctx)
}

// Withdraw removes the route from the configuration and reconfigures.
func (d *Bird) Withdraw(ctx context.Context, p netip.Prefix) error {
	d.rmu.Lock()
	d.routes = slices.DeleteFunc(d.routes, func(x Route) bool { return x.Prefix == p })
	d.rmu.Unlock()
	return d.reconfigure(ctx)
}

func (d *Bird) reconfigure(ctx context.Context) error {
	if err := writeFile(d.path("bird.conf"), d.config(), 0o644); err != nil {
		return err
	}
	out, err := d.birdc(ctx, "configure")
	if err != nil {
		return err
	}
	if !strings.Contains(out, "Reconfigured") && !strings.Contains(out, "Reconfiguration in progress") {
		return fmt.Errorf("harness: bird configure: %s", strings.TrimSpace(out))
	}
	return nil
}

// Shutdown disables the peer's protocol with a shutdown message.
func (d *Bird) Shutdown(ctx context.Context, peer netip.Addr, message string) error {
	name, err := d.protoName(peer)
	if err != nil {
		return err
	}
	_, err = d.birdc(ctx, "disable", name, strconv.Quote(message))
	return err
}

// Enable enables the peer's protocol again.
func (d *Bird) Enable(ctx context.Context, peer netip.Addr) error {
	name, err := d.protoName(peer)
	if err != nil {
		return err
	}
	_, err = d.birdc(ctx, "enable", name)
	return err
}

// LastShutdownMessage reads the "Message:" line BIRD shows in `show protocols all` after a
// Cease that carried a shutdown communication.
func (d *Bird) LastShutdownMessage(ctx context.Context, peer netip.Addr) (string, error) {
	name, err := d.protoName(peer)
	if err != nil {
		return "", err
	}
	out, err := d.birdc(ctx, "show", "protocols", "all", name)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Message:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("harness: bird: no shutdown message for %s", name)
}

// RequestRefresh sends ROUTE-REFRESH with `reload in`.
func (d *Bird) RequestRefresh(ctx context.Context, peer netip.Addr, _ Family) error {
	name, err := d.protoName(peer)
	if err != nil {
		return err
	}
	_, err = d.birdc(ctx, "reload", "in", name)
	return err
}

// UpdatesReceived reads the "Import updates" received count of the peer's channel.
func (d *Bird) UpdatesReceived(ctx context.Context, peer netip.Addr) (int, error) {
	name, err := d.protoName(peer)
	if err != nil {
		return 0, err
	}
	out, err := d.birdc(ctx, "show", "protocols", "all", name)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Import updates:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, err := strconv.Atoi(f[0])
				if err != nil {
					return 0, fmt.Errorf("harness: bird import updates %q: %w", v, err)
				}
				return n, nil
			}
		}
	}
	return 0, fmt.Errorf("harness: bird: no import updates for %s", name)
}

var (
	_ Daemon         = (*Bird)(nil)
	_ PathAnnouncer  = (*Bird)(nil)
	_ ShutdownReader = (*Bird)(nil)
	_ Shutdowner     = (*Bird)(nil)
	_ Refresher      = (*Bird)(nil)
	_ UpdateCounter  = (*Bird)(nil)
)
