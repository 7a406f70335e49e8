package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// gobgpAPI is where gobgpd's gRPC API listens: inside the node's own namespace, so the fixed
// port collides with nothing.
const gobgpAPI = "127.0.0.1:50051"

// GoBGP runs gobgpd (`gobgpd -f gobgpd.toml --api-hosts 127.0.0.1:50051`) in its namespace and
// drives it with `gobgp -u 127.0.0.1 -p 50051` run in the same namespace. The TOML file cannot
// hold routes, so the configured routes are added with `gobgp global rib add` once it runs.
// GoBGP is no Refresher: `gobgp neighbor X softresetin` re-applies policy to the Adj-RIB-In it
// keeps and sends no ROUTE-REFRESH. It shows a received shutdown message only in its log.
type GoBGP struct {
	*base
}

// NewGoBGP returns a GoBGP launcher.
func NewGoBGP(node *Node, dir string, cfg Config) (*GoBGP, error) {
	b, err := newBase("gobgp", node, dir, cfg)
	if err != nil {
		return nil, err
	}
	return &GoBGP{base: b}, nil
}

func (d *GoBGP) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[global.config]\n  as = %d\n  router-id = %q\n  port = 179\n  local-address-list = [%q, %q]\n",
		d.cfg.AS, d.cfg.RouterID, d.node.V4, d.node.V6)
	for _, p := range d.cfg.Peers {
		fmt.Fprintf(&b, "\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = %q\n    peer-as = %d\n", p.Addr, p.AS)
		if p.Password != "" {
			fmt.Fprintf(&b, "    auth-password = %q\n", p.Password)
		}
		fmt.Fprintf(&b, "  [neighbors.transport.config]\n    local-address = %q\n", d.node.Addr(p.Addr))
		if p.Passive {
			b.WriteString("    passive-mode = true\n")
		}
		b.WriteString("  [neighbors.timers.config]\n    connect-retry = 3\n    idle-hold-time-after-reset = 1\n")
		if p.HoldTime > 0 {
			fmt.Fprintf(&b, "    hold-time = %d\n    keepalive-interval = %d\n", p.HoldTime, max(1, p.HoldTime/3))
		}
		name := "ipv4-unicast"
		if p.Addr.Is6() {
			name = "ipv6-unicast"
		}
		fmt.Fprintf(&b, "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = %q\n", name)
		if p.AddPathReceive || p.AddPathSend {
			b.WriteString("    [neighbors.afi-safis.add-paths.config]\n")
			if p.AddPathReceive {
				b.WriteString("      receive = true\n")
			}
			if p.AddPathSend {
				b.WriteString("      send-max = 8\n")
			}
		}
	}
	return b.String()
}

// Start writes the TOML file, runs gobgpd and adds the configured routes.
func (d *GoBGP) Start(ctx context.Context) error {
	if err := requireTool("gobgp"); err != nil {
		return err
	}
	if err := writeFile(d.path("gobgpd.toml"), d.config(), 0o644); err != nil {
		return err
	}
	if err := d.spawn(nil, "gobgpd", "-f", d.path("gobgpd.toml"), "--api-hosts", gobgpAPI, "--pprof-disable", "-p"); err != nil {
		return err
	}
	if err := d.waitReady(ctx, func(ctx context.Context) error {
		_, err := d.gobgp(ctx, "global")
		return err
	}); err != nil {
		return err
	}
	for _, r := range d.cfg.Routes {
		if err := d.Announce(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// gobgp runs one gobgp command. The CLI gives up on the gRPC call after a short deadline of
// its own, which a loaded machine can miss: such a call is tried again, up to three times (every
// command the harness sends may be repeated).
func (d *GoBGP) gobgp(ctx context.Context, args ...string) ([]byte, error) {
	host, port, _ := strings.Cut(gobgpAPI, ":")
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var out []byte
		out, err = d.node.Exec(ctx, "gobgp", append([]string{"-u", host, "-p", port}, args...)...)
		if err == nil {
			return out, nil
		}
		if !strings.Contains(err.Error(), "deadline exceeded") || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil, fmt.Errorf("harness: gobgp: %w", err)
}

type gobgpNeighbor struct {
	State struct {
		SessionState int `json:"session_state"`
		Messages     struct {
			Received struct {
				Update json.Number `json:"update"`
			} `json:"received"`
		} `json:"messages"`
	} `json:"state"`
}

func (d *GoBGP) neighbor(ctx context.Context, peer netip.Addr) (gobgpNeighbor, error) {
	var n gobgpNeighbor
	out, err := d.gobgp(ctx, "neighbor", peer.String(), "-j")
	if err != nil {
		return n, err
	}
	if err := json.Unmarshal(out, &n); err != nil {
		return n, fmt.Errorf("harness: gobgp neighbor %s: %w: %s", peer, err, tail(string(out), 300))
	}
	return n, nil
}

// State reads session_state from `gobgp neighbor X -j` (the API's enum: 1 idle … 6 established).
func (d *GoBGP) State(ctx context.Context, peer netip.Addr) (State, error) {
	n, err := d.neighbor(ctx, peer)
	if err != nil {
		return "", err
	}
	states := []State{StateIdle, StateIdle, StateConnect, StateActive, StateOpenSent, StateOpenConfirm, StateEstablished}
	if n.State.SessionState < 0 || n.State.SessionState >= len(states) {
		return "", fmt.Errorf("harness: gobgp: unknown session state %d", n.State.SessionState)
	}
	return states[n.State.SessionState], nil
}

// UpdatesReceived reads the received UPDATE counter.
func (d *GoBGP) UpdatesReceived(ctx context.Context, peer netip.Addr) (int, error) {
	n, err := d.neighbor(ctx, peer)
	if err != nil {
		return 0, err
	}
	if n.State.Messages.Received.Update == "" {
		return 0, nil
	}
	v, err := n.State.Messages.Received.Update.Int64()
	return int(v), err
}

func gobgpFamily(f Family) string {
	if f == IPv6Unicast {
		return "ipv6"
	}
	return "ipv4"
}

type gobgpPath struct {
	NLRI struct {
		Prefix string `json:"prefix"`
	} `json:"nlri"`
	ID    uint32            `json:"id"`
	Attrs []json.RawMessage `json:"attrs"`
}

// Received parses `gobgp neighbor X adj-in -a FAMILY -j`.
func (d *GoBGP) Received(ctx context.Context, peer netip.Addr, family Family) ([]Route, error) {
	out, err := d.gobgp(ctx, "neighbor", peer.String(), "adj-in", "-a", gobgpFamily(family), "-j")
	if err != nil {
		return nil, err
	}
	return parseGoBGPRib(out)
}

func parseGoBGPRib(out []byte) ([]Route, error) {
	var rib map[string][]gobgpPath
	if err := json.Unmarshal(out, &rib); err != nil {
		return nil, fmt.Errorf("harness: gobgp rib: %w: %s", err, tail(string(out), 300))
	}
	var routes []Route
	for key, paths := range rib {
		for _, p := range paths {
			s := p.NLRI.Prefix
			if s == "" {
				s = key
			}
			pfx, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("harness: gobgp prefix %q: %w", s, err)
			}
			r := Route{Prefix: pfx, PathID: p.ID}
			for _, raw := range p.Attrs {
				if err := r.setGoBGPAttr(raw); err != nil {
					return nil, err
				}
			}
			routes = append(routes, r)
		}
	}
	return routes, nil
}

func (r *Route) setGoBGPAttr(raw json.RawMessage) error {
	var a struct {
		Type        int      `json:"type"`
		Metric      uint32   `json:"metric"`
		Nexthop     string   `json:"nexthop"`
		Communities []uint32 `json:"communities"`
		Value       json.RawMessage
		ASPaths     []struct {
			ASNs []uint32 `json:"asns"`
		} `json:"as_paths"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("harness: gobgp attribute %s: %w", raw, err)
	}
	switch a.Type {
	case 1:
		var v uint8
		if err := json.Unmarshal(a.Value, &v); err != nil {
			return fmt.Errorf("harness: gobgp origin %s: %w", a.Value, err)
		}
		o, err := ParseOrigin(strconv.Itoa(int(v)))
		if err != nil {
			return err
		}
		r.Origin = o
	case 2:
		for _, s := range a.ASPaths {
			r.ASPath = append(r.ASPath, s.ASNs...)
		}
	case 3, 14:
		if nh, err := netip.ParseAddr(a.Nexthop); err == nil {
			r.NextHop = nh
		}
	case 4:
		r.MED, r.HasMED = a.Metric, true
	case 8:
		for _, c := range a.Communities {
			r.Communities = append(r.Communities, Community(c))
		}
	case 32:
		var ls []struct {
			ASN, LocalData1, LocalData2 uint32
		}
		if err := json.Unmarshal(a.Value, &ls); err != nil {
			return fmt.Errorf("harness: gobgp large communities %s: %w", a.Value, err)
		}
		for _, l := range ls {
			r.LargeCommunities = append(r.LargeCommunities, LargeCommunity{l.ASN, l.LocalData1, l.LocalData2})
		}
	}
	return nil
}

// Announce runs `gobgp global rib add`.
func (d *GoBGP) Announce(ctx context.Context, r Route) error {
	nh := r.NextHop
	if !nh.IsValid() {
		nh = d.node.Addr(r.Prefix.Addr())
	}
	args := []string{"global", "rib", "add", "-a", gobgpFamily(r.Family()), r.Prefix.String(), "nexthop", nh.String(),
		"origin", string(r.origin())}
	if len(r.ASPath) > 0 {
		args = append(args, "aspath", asPathText(r.ASPath, ","))
	}
	if r.HasMED {
		args = append(args, "med", strconv.FormatUint(uint64(r.MED), 10))
	}
	if len(r.Communities) > 0 {
		cs := make([]string, len(r.Communities))
		for i, c := range r.Communities {
			cs[i] = c.String()
		}
		args = append(args, "community", strings.Join(cs, ","))
	}
	if len(r.LargeCommunities) > 0 {
		ls := make([]string, len(r.LargeCommunities))
		for i, l := range r.LargeCommunities {
			ls[i] = l.String()
		}
		args = append(args, "large-community", strings.Join(ls, ","))
	}
	_, err := d.gobgp(ctx, args...)
	return err
}

// Withdraw runs `gobgp global rib del`.
func (d *GoBGP) Withdraw(ctx context.Context, p netip.Prefix) error {
	_, err := d.gobgp(ctx, "global", "rib", "del", "-a", gobgpFamily(FamilyOf(p.Addr())), p.String())
	return err
}

// Shutdown runs `gobgp neighbor X shutdown --reason MESSAGE`.
func (d *GoBGP) Shutdown(ctx context.Context, peer netip.Addr, message string) error {
	_, err := d.gobgp(ctx, "neighbor", peer.String(), "shutdown", "--reason", message)
	return err
}

// Enable runs `gobgp neighbor X enable`.
func (d *GoBGP) Enable(ctx context.Context, peer netip.Addr) error {
	_, err := d.gobgp(ctx, "neighbor", peer.String(), "enable")
	return err
}

// gobgpNotification matches gobgpd's log line for a received Cease that carried a shutdown
// communication, which it logs as Communicated-Reason.
var gobgpNotification = regexp.MustCompile(`msg="received notification" Code=6 Communicated-Reason=("(?:[^"\\]|\\.)*"|\S+) .*?Key="?([^" ]+)"?`)

// LastShutdownMessage reads the last shutdown communication from peer that gobgpd logged.
func (d *GoBGP) LastShutdownMessage(_ context.Context, peer netip.Addr) (string, error) {
	ms := gobgpNotification.FindAllStringSubmatch(d.LogText(), -1)
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i][2] != peer.String() {
			continue
		}
		msg := ms[i][1]
		if strings.HasPrefix(msg, `"`) {
			u, err := strconv.Unquote(msg)
			if err != nil {
				return "", fmt.Errorf("harness: gobgp log reason %s: %w", msg, err)
			}
			msg = u
		}
		return msg, nil
	}
	return "", fmt.Errorf("harness: gobgp: no Cease NOTIFICATION with a message from %s in its log", peer)
}

// gobgpSent matches gobgpd's log line for a NOTIFICATION it sent.
var gobgpSent = regexp.MustCompile(`msg="sent notification" Code=(\d+) .*?Key="?([^" ]+)"? .*?Subcode=(\d+)`)

// SentNotification looks for the NOTIFICATION in gobgpd's log.
func (d *GoBGP) SentNotification(_ context.Context, peer netip.Addr, code, subcode int) (bool, error) {
	for _, m := range gobgpSent.FindAllStringSubmatch(d.LogText(), -1) {
		if m[2] == peer.String() && m[1] == strconv.Itoa(code) && m[3] == strconv.Itoa(subcode) {
			return true, nil
		}
	}
	return false, nil
}

var (
	_ NotificationSender = (*GoBGP)(nil)
	_ Daemon             = (*GoBGP)(nil)
	_ Shutdowner         = (*GoBGP)(nil)
	_ ShutdownReader     = (*GoBGP)(nil)
	_ UpdateCounter      = (*GoBGP)(nil)
)

// AnnouncePath adds r with ADD-PATH path identifier id (`gobgp global rib add … identifier ID`),
// so that one prefix can be sent with several paths.
func (d *GoBGP) AnnouncePath(ctx context.Context, r Route, id uint32) error {
	nh := r.NextHop
	if !nh.IsValid() {
		nh = d.node.Addr(r.Prefix.Addr())
	}
	args := []string{"global", "rib", "add", "-a", gobgpFamily(r.Family()), r.Prefix.String(), "identifier",
		strconv.FormatUint(uint64(id), 10), "nexthop", nh.String(), "origin", string(r.origin())}
	if r.HasMED {
		args = append(args, "med", strconv.FormatUint(uint64(r.MED), 10))
	}
	_, err := d.gobgp(ctx, args...)
	return err
}

var _ PathAnnouncer = (*GoBGP)(nil)
