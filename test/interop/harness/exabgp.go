package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// exabgpAPI is the API process ExaBGP runs: it appends every JSON line ExaBGP writes to its stdin
// to the events file, and copies every line written to the command FIFO to its stdout, where
// ExaBGP reads commands.
const exabgpAPI = `import sys, threading
events, fifo = sys.argv[1], sys.argv[2]
def commands():
    while True:
        with open(fifo) as f:
            for line in f:
                sys.stdout.write(line)
                sys.stdout.flush()
threading.Thread(target=commands, daemon=True).start()
with open(events, "a", buffering=1) as out:
    for line in sys.stdin:
        out.write(line)
`

// ExaBGP runs exabgp with its listen address and port from the environment
// (exabgp.tcp.bind, exabgp.tcp.port) and an API process (api.py) that logs the JSON it
// receives (state changes, parsed UPDATEs, NOTIFICATIONs) to events.json and forwards commands
// written to the FIFO cmd. Queries read events.json; run-time routes are API commands.
type ExaBGP struct {
	*base
}

// NewExaBGP returns an ExaBGP launcher.
func NewExaBGP(node *Node, dir string, cfg Config) (*ExaBGP, error) {
	b, err := newBase("exabgp", node, dir, cfg)
	if err != nil {
		return nil, err
	}
	return &ExaBGP{base: b}, nil
}

// exabgpAttrs returns the attribute part of a route statement or command.
func exabgpAttrs(r Route) string {
	var b strings.Builder
	if r.NextHop.IsValid() {
		b.WriteString(" next-hop " + r.NextHop.String())
	} else {
		b.WriteString(" next-hop self")
	}
	b.WriteString(" origin " + string(r.origin()))
	if r.HasMED {
		fmt.Fprintf(&b, " med %d", r.MED)
	}
	if len(r.Communities) > 0 {
		cs := make([]string, len(r.Communities))
		for i, c := range r.Communities {
			cs[i] = c.String()
		}
		fmt.Fprintf(&b, " community [ %s ]", strings.Join(cs, " "))
	}
	if len(r.LargeCommunities) > 0 {
		ls := make([]string, len(r.LargeCommunities))
		for i, l := range r.LargeCommunities {
			ls[i] = l.String()
		}
		fmt.Fprintf(&b, " large-community [ %s ]", strings.Join(ls, " "))
	}
	return b.String()
}

func (d *ExaBGP) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "process ze-api {\n  run /usr/bin/python3 %s %s %s;\n  encoder json;\n}\n",
		d.path("api.py"), d.path("events.json"), d.path("cmd"))
	for _, p := range d.cfg.Peers {
		fmt.Fprintf(&b, "neighbor %s {\n  router-id %s;\n  local-address %s;\n  local-as %d;\n  peer-as %d;\n",
			p.Addr, d.cfg.RouterID, d.node.Addr(p.Addr), d.cfg.AS, p.AS)
		if p.HoldTime > 0 {
			fmt.Fprintf(&b, "  hold-time %d;\n", p.HoldTime)
		}
		if p.Password != "" {
			fmt.Fprintf(&b, "  md5-password %q;\n", p.Password)
		}
		if p.Passive {
			b.WriteString("  passive;\n")
		}
		fam := "ipv4 unicast"
		if p.Addr.Is6() {
			fam = "ipv6 unicast"
		}
		fmt.Fprintf(&b, "  family { %s; }\n  capability {\n    route-refresh;\n", fam)
		switch {
		case p.AddPathReceive && p.AddPathSend:
			b.WriteString("    add-path send/receive;\n")
		case p.AddPathReceive:
			b.WriteString("    add-path receive;\n")
		case p.AddPathSend:
			b.WriteString("    add-path send;\n")
		}
		b.WriteString("  }\n  api {\n    processes [ ze-api ];\n    neighbor-changes;\n    receive { parsed; update; notification; }\n  }\n")
		rs := routesOf(d.cfg.Routes, FamilyOf(p.Addr))
		if len(rs) > 0 {
			b.WriteString("  static {\n")
			for _, r := range rs {
				fmt.Fprintf(&b, "    route %s%s;\n", r.Prefix, exabgpAttrs(r))
			}
			b.WriteString("  }\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// Start writes the configuration, the API script and its FIFO, and runs exabgp.
func (d *ExaBGP) Start(ctx context.Context) error {
	if err := requireTool("python3"); err != nil {
		return err
	}
	if err := writeFile(d.path("exabgp.conf"), d.config(), 0o644); err != nil {
		return err
	}
	if err := writeFile(d.path("api.py"), exabgpAPI, 0o644); err != nil {
		return err
	}
	if err := writeFile(d.path("events.json"), "", 0o644); err != nil {
		return err
	}
	_ = os.Remove(d.path("cmd"))
	if err := syscall.Mkfifo(d.path("cmd"), 0o600); err != nil {
		return fmt.Errorf("harness: exabgp fifo: %w", err)
	}
	env := []string{
		"exabgp.tcp.bind=" + d.node.V4.String() + " " + d.node.V6.String(),
		"exabgp.tcp.port=179",
		"exabgp.daemon.user=root",
		"exabgp.daemon.drop=false",
		"exabgp.daemon.pid=" + d.path("exabgp.pid"),
		"exabgp.log.destination=" + d.path("exabgp.log"),
		"exabgp.api.ack=false",
		"exabgp.api.cli=false",
		"exabgp.log.packets=true",
		"exabgp.log.level=DEBUG",
	}
	if err := d.spawn(env, "exabgp", d.path("exabgp.conf")); err != nil {
		return err
	}
	// Ready once the API process has opened the FIFO: a writer then does not block.
	return d.waitReady(ctx, func(context.Context) error {
		f, err := os.OpenFile(d.path("cmd"), os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return fmt.Errorf("api process not reading yet: %w", err)
		}
		return f.Close()
	})
}

// command writes one API command line to the FIFO.
func (d *ExaBGP) command(ctx context.Context, line string) error {
	deadline := time.Now().Add(5 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	for {
		f, err := os.OpenFile(d.path("cmd"), os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			_, err = f.WriteString(line + "\n")
			_ = f.Close()
			if err != nil {
				return fmt.Errorf("harness: exabgp command: %w", err)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("harness: exabgp command %q: %w", line, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exaEvent is one JSON line of the API.
type exaEvent struct {
	Type     string `json:"type"`
	Neighbor struct {
		Address struct {
			Peer string `json:"peer"`
		} `json:"address"`
		State        string          `json:"state"`
		Message      json.RawMessage `json:"message"`
		Notification *struct {
			Code    int    `json:"code"`
			Subcode int    `json:"subcode"`
			Data    string `json:"data"`
		} `json:"notification"`
	} `json:"neighbor"`
}

// events reads events.json, keeping peer's events.
func (d *ExaBGP) events(peer netip.Addr) ([]exaEvent, error) {
	data, err := os.ReadFile(d.path("events.json"))
	if err != nil {
		return nil, fmt.Errorf("harness: exabgp events: %w", err)
	}
	var out []exaEvent
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var e exaEvent
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("harness: exabgp event %s: %w", tail(string(line), 200), err)
		}
		if e.Neighbor.Address.Peer == peer.String() {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// State is the last state event for peer: up is established, connected is opensent.
func (d *ExaBGP) State(_ context.Context, peer netip.Addr) (State, error) {
	evs, err := d.events(peer)
	if err != nil {
		return "", err
	}
	st := StateActive
	for _, e := range evs {
		if e.Type != "state" {
			continue
		}
		switch e.Neighbor.State {
		case "up":
			st = StateEstablished
		case "connected":
			st = StateOpenSent
		case "down":
			st = StateIdle
		}
	}
	return st, nil
}

// UpdatesReceived counts the update events from peer.
func (d *ExaBGP) UpdatesReceived(_ context.Context, peer netip.Addr) (int, error) {
	evs, err := d.events(peer)
	n := 0
	for _, e := range evs {
		if e.Type == "update" {
			n++
		}
	}
	return n, err
}

// LastShutdownMessage returns the shutdown communication (RFC 8203/9003) of the last Cease
// NOTIFICATION from peer: from the API's notification event, or, because ExaBGP 4.2 fails to
// decode a Cease that carries one (a Python 3 bytes/str error, after which it answers with a
// NOTIFICATION of its own), from the packet log (exabgp.log.packets).
func (d *ExaBGP) LastShutdownMessage(_ context.Context, peer netip.Addr) (string, error) {
	evs, err := d.events(peer)
	if err != nil {
		return "", err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		n := evs[i].Neighbor.Notification
		if evs[i].Type != "notification" || n == nil || n.Code != 6 {
			continue
		}
		return decodeShutdownData(n.Data)
	}
	data, err := os.ReadFile(d.path("exabgp.log"))
	if err != nil {
		return "", fmt.Errorf("harness: exabgp log: %w", err)
	}
	if msg, ok := shutdownFromPacketLog(string(data), peer); ok {
		return msg, nil
	}
	return "", fmt.Errorf("harness: exabgp: no Cease NOTIFICATION with a shutdown communication from %s", peer)
}

var exaConn = regexp.MustCompile(`\b((?:outgoing|incoming)-\d+) (\S+)-(\S+)`)

// shutdownFromPacketLog finds, in ExaBGP's packet log, the last NOTIFICATION Cease
// (Administrative Shutdown or Reset) received on a connection with peer, and decodes its
// message. A message shows as two "received complete TCP payload" lines: the 19-octet header,
// then the body, in groups of four hex digits.
func shutdownFromPacketLog(log string, peer netip.Addr) (string, bool) {
	conns := map[string]bool{}
	var lastType byte
	var msg string
	found := false
	lines := strings.Split(log, "\n")
	// Connection names are unique in one run; a connection's addresses may be logged after its
	// messages. Outgoing connections print LOCAL-PEER, incoming ones PEER-LOCAL.
	for _, line := range lines {
		if m := exaConn.FindStringSubmatch(line); m != nil && (m[2] == peer.String() || m[3] == peer.String()) {
			conns[m[1]] = true
		}
	}
	for _, line := range lines {
		_, hexPart, ok := strings.Cut(line, "received complete TCP payload (")
		if !ok {
			continue
		}
		conn := ""
		for _, f := range strings.Fields(line) {
			if strings.HasPrefix(f, "outgoing-") || strings.HasPrefix(f, "incoming-") {
				conn = f
				break
			}
		}
		_, hexPart, _ = strings.Cut(hexPart, ")")
		b, err := hex.DecodeString(strings.Join(strings.Fields(hexPart), ""))
		if err != nil {
			continue
		}
		if len(b) == 19 && bytes.Equal(b[:16], bytes.Repeat([]byte{0xff}, 16)) {
			lastType = b[18]
			continue
		}
		if lastType == 3 && conns[conn] && len(b) >= 3 && b[0] == 6 && (b[1] == 2 || b[1] == 4) {
			if s, err := decodeShutdownData(hex.EncodeToString(b[2:])); err == nil {
				msg, found = s, true
			}
		}
		lastType = 0
	}
	return msg, found
}

func decodeShutdownData(s string) (string, error) {
	raw, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		// Already text.
		return s, nil //nolint:nilerr // ExaBGP versions differ: hex or text
	}
	if len(raw) == 0 || int(raw[0]) != len(raw)-1 || !utf8.Valid(raw[1:]) {
		return "", fmt.Errorf("harness: exabgp: notification data %q is not a shutdown communication", s)
	}
	return string(raw[1:]), nil
}

// Received replays the update events from peer: announces add, withdraws remove.
func (d *ExaBGP) Received(_ context.Context, peer netip.Addr, family Family) ([]Route, error) {
	evs, err := d.events(peer)
	if err != nil {
		return nil, err
	}
	fam := strings.Replace(string(family), "/", " ", 1)
	type key struct {
		p  netip.Prefix
		id string
	}
	rib := map[key]Route{}
	var order []key
	for _, e := range evs {
		if e.Type == "state" && e.Neighbor.State == "down" {
			clear(rib)
			continue
		}
		if e.Type != "update" {
			continue
		}
		var m struct {
			Update struct {
				Attribute struct {
					Origin    string     `json:"origin"`
					ASPath    []uint32   `json:"as-path"`
					MED       *uint32    `json:"med"`
					Community [][]uint32 `json:"community"`
					Large     [][]uint32 `json:"large-community"`
				} `json:"attribute"`
				Announce map[string]map[string][]struct {
					NLRI   string `json:"nlri"`
					PathID string `json:"path-information"`
				} `json:"announce"`
				Withdraw map[string][]struct {
					NLRI   string `json:"nlri"`
					PathID string `json:"path-information"`
				} `json:"withdraw"`
			} `json:"update"`
		}
		if err := json.Unmarshal(e.Neighbor.Message, &m); err != nil {
			return nil, fmt.Errorf("harness: exabgp update: %w", err)
		}
		for _, w := range m.Update.Withdraw[fam] {
			p, err := netip.ParsePrefix(w.NLRI)
			if err != nil {
				return nil, fmt.Errorf("harness: exabgp withdraw %q: %w", w.NLRI, err)
			}
			delete(rib, key{p, w.PathID})
		}
		a := m.Update.Attribute
		for nh, nlris := range m.Update.Announce[fam] {
			for _, n := range nlris {
				p, err := netip.ParsePrefix(n.NLRI)
				if err != nil {
					return nil, fmt.Errorf("harness: exabgp announce %q: %w", n.NLRI, err)
				}
				r := Route{Prefix: p, ASPath: a.ASPath}
				if a.Origin != "" {
					if r.Origin, err = ParseOrigin(a.Origin); err != nil {
						return nil, err
					}
				}
				r.NextHop, _ = netip.ParseAddr(nh)
				if a.MED != nil {
					r.MED, r.HasMED = *a.MED, true
				}
				for _, c := range a.Community {
					if len(c) == 2 {
						r.Communities = append(r.Communities, NewCommunity(uint16(c[0]), uint16(c[1])))
					}
				}
				for _, l := range a.Large {
					if len(l) == 3 {
						r.LargeCommunities = append(r.LargeCommunities, LargeCommunity{l[0], l[1], l[2]})
					}
				}
				if n.PathID != "" {
					if id, err := netip.ParseAddr(n.PathID); err == nil && id.Is4() {
						b := id.As4()
						r.PathID = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
					} else if v, err := strconv.ParseUint(n.PathID, 10, 32); err == nil {
						r.PathID = uint32(v)
					}
				}
				k := key{p, n.PathID}
				if _, ok := rib[k]; !ok {
					order = append(order, k)
				}
				rib[k] = r
			}
		}
	}
	var out []Route
	for _, k := range order {
		if r, ok := rib[k]; ok {
			out = append(out, r)
			delete(rib, k)
		}
	}
	return out, nil
}

// Announce sends `neighbor X announce route …` to every peer of the route's family.
func (d *ExaBGP) Announce(ctx context.Context, r Route) error {
	for _, p := range d.peersOf(r.Family()) {
		if err := d.command(ctx, fmt.Sprintf("neighbor %s announce route %s%s", p.Addr, r.Prefix, exabgpAttrs(r))); err != nil {
			return err
		}
	}
	return nil
}

// Withdraw sends `neighbor X withdraw route PREFIX next-hop self`.
func (d *ExaBGP) Withdraw(ctx context.Context, p netip.Prefix) error {
	for _, peer := range d.peersOf(FamilyOf(p.Addr())) {
		if err := d.command(ctx, fmt.Sprintf("neighbor %s withdraw route %s next-hop self", peer.Addr, p)); err != nil {
			return err
		}
	}
	return nil
}

// RequestRefresh sends `neighbor X announce route-refresh AFI SAFI`.
func (d *ExaBGP) RequestRefresh(ctx context.Context, peer netip.Addr, family Family) error {
	return d.command(ctx, fmt.Sprintf("neighbor %s announce route-refresh %s", peer, strings.Replace(string(family), "/", " ", 1)))
}

// LogText adds exabgp.log to the process output.
func (d *ExaBGP) LogText() string {
	data, _ := os.ReadFile(d.path("exabgp.log"))
	return d.base.LogText() + string(data)
}

var (
	_ Daemon         = (*ExaBGP)(nil)
	_ ShutdownReader = (*ExaBGP)(nil)
	_ Refresher      = (*ExaBGP)(nil)
	_ UpdateCounter  = (*ExaBGP)(nil)
)
