package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/zebgp/ze/test/interop/harness"
)

// The sessions run: the daemon listens on sessListen in AS 65000; `ze-test load sessions`
// opens COUNT sessions from sessFrom, sessFrom+1, … (AS 65100), all on the load node's eth0 in
// the daemon's /16, so every peer is directly connected.
var (
	sessListen = netip.MustParseAddr("10.1.255.254")
	sessFrom   = netip.MustParseAddr("10.1.0.1")
)

const sessAS = 65100

// sessionsResult is COUNT sessions held by one daemon.
type sessionsResult struct {
	Speaker     string  `json:"speaker"`
	Sessions    int     `json:"sessions"`
	Established int     `json:"established"`
	Up          int     `json:"up-at-end"`
	EstablishS  float64 `json:"establish-seconds"`
	HeldS       float64 `json:"held-seconds"`
	// IdleRSSKiB is with every peer configured and none up; RSSKiB at the end of the hold.
	IdleRSSKiB int64 `json:"idle-rss-kib"`
	RSSKiB     int64 `json:"rss-kib"`
	PeakKiB    int64 `json:"peak-rss-kib"`
	// CPU to establish them all, and during the hold.
	EstablishCPU float64        `json:"establish-cpu-seconds"`
	HoldCPU      float64        `json:"hold-cpu-seconds"`
	Lost         map[string]int `json:"lost,omitempty"`
	Dir          string         `json:"dir"`
	Error        string         `json:"error,omitempty"`
}

// manyPeers writes a configuration with one passive peer per address of peers and returns the
// daemon's command line and a CLI command that answers once it is ready.
func manyPeers(name string, s site, peers []netip.Addr) (cmd, ready []string, err error) {
	var b strings.Builder
	switch name {
	case "ze":
		fmt.Fprintf(&b, "system { ssh { address 127.0.0.1; port 2222; } }\nbgp {\n    router-id %s;\n    local-as %d;\n    listen %s { port 179; }\n    local-address %s;\n    passive true;\n    remote { as %d; }\n",
			sessListen, localAS, sessListen, sessListen, sessAS)
		for i, p := range peers {
			fmt.Fprintf(&b, "    peer p%d { remote { ip %s; } }\n", i+1, p)
		}
		b.WriteString("}\n")
		return []string{s.ze, s.path("ze.conf"), "--state", s.path("state")},
			[]string{s.ze, "cli", "--state", s.path("state"), "-c", "show bgp summary json"}, write(s.path("ze.conf"), b.String(), 0o644)
	case "bird":
		fmt.Fprintf(&b, "router id %s;\nprotocol device {}\n", sessListen)
		for i, p := range peers {
			fmt.Fprintf(&b, "protocol bgp p%d {\n  local %s port 179 as %d;\n  neighbor %s port 179 as %d;\n  passive on;\n  ipv4 { import all; export none; };\n}\n",
				i, sessListen, localAS, p, sessAS)
		}
		return []string{"bird", "-f", "-c", s.path("bird.conf"), "-s", s.path("bird.ctl"), "-P", s.path("bird.pid")},
			[]string{"birdc", "-s", s.path("bird.ctl"), "show", "status"}, write(s.path("bird.conf"), b.String(), 0o644)
	case "frr":
		fmt.Fprintf(&b, "frr defaults traditional\nhostname compare\nlog file %s\n!\nrouter bgp %d\n bgp router-id %s\n no bgp ebgp-requires-policy\n no bgp default ipv4-unicast\n neighbor load peer-group\n neighbor load remote-as %d\n neighbor load passive\n",
			s.path("bgpd.log"), localAS, sessListen, sessAS)
		for _, p := range peers {
			fmt.Fprintf(&b, " neighbor %s peer-group load\n", p)
		}
		b.WriteString(" address-family ipv4 unicast\n  neighbor load activate\n exit-address-family\n!\n")
		return []string{"/usr/lib/frr/bgpd", "-Z", "-S", "-u", "root", "-g", "root", "-p", "179", "-l", sessListen.String(),
				"-f", s.path("bgpd.conf"), "-i", s.path("bgpd.pid"), "--vty_socket", s.dir},
			[]string{"vtysh", "--vty_socket", s.dir, "-c", "show bgp summary json"}, write(s.path("bgpd.conf"), b.String(), 0o644)
	case "gobgp":
		fmt.Fprintf(&b, "[global.config]\n  as = %d\n  router-id = %q\n  port = 179\n  local-address-list = [%q]\n", localAS, sessListen, sessListen)
		for _, p := range peers {
			fmt.Fprintf(&b, "\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = %q\n    peer-as = %d\n  [neighbors.transport.config]\n    local-address = %q\n    passive-mode = true\n  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"ipv4-unicast\"\n",
				p, sessAS, sessListen)
		}
		return []string{"gobgpd", "-f", s.path("gobgpd.toml"), "--api-hosts", "127.0.0.1:50051", "--pprof-disable", "-p"},
			[]string{"gobgp", "-u", "127.0.0.1", "-p", "50051", "global"}, write(s.path("gobgpd.toml"), b.String(), 0o644)
	case "openbgpd":
		if err := os.MkdirAll("/run/openbgpd", 0o755); err != nil {
			return nil, nil, fmt.Errorf("compare: openbgpd chroot: %w", err)
		}
		fmt.Fprintf(&b, "AS %d\nrouter-id %s\nlisten on %s\nsocket %q\nfib-update no\ngroup \"load\" {\n  remote-as %d\n  local-address %s\n  passive\n",
			localAS, sessListen, sessListen, s.path("bgpd.sock"), sessAS, sessListen)
		for _, p := range peers {
			fmt.Fprintf(&b, "  neighbor %s\n", p)
		}
		b.WriteString("}\nallow from any\ndeny to any\n")
		return []string{"/usr/sbin/bgpd", "-d", "-f", s.path("bgpd.conf")},
			[]string{"bgpctl", "-s", s.path("bgpd.sock"), "show", "summary"}, write(s.path("bgpd.conf"), b.String(), 0o600)
	}
	return nil, nil, fmt.Errorf("compare: no sessions configuration for %s", name)
}

// loadReport is the part of `ze-test load sessions`'s JSON report that is used.
type loadReport struct {
	Sessions    int            `json:"sessions"`
	Established int            `json:"established"`
	EstablishNS int64          `json:"establish-ns"`
	HeldNS      int64          `json:"held-ns"`
	Up          int            `json:"up"`
	Lost        map[string]int `json:"lost"`
}

type usageSample struct {
	at time.Time
	u  usage
}

// sessions holds count sessions with one daemon for hold.
func sessions(ctx context.Context, sp speaker, count int, hold time.Duration, o options) (res sessionsResult) {
	res = sessionsResult{Speaker: sp.name, Sessions: count}
	if err := sessionsRun(ctx, sp, count, hold, o, &res); err != nil {
		res.Error = err.Error()
	}
	return res
}

func sessionsRun(ctx context.Context, sp speaker, count int, hold time.Duration, o options, res *sessionsResult) error {
	dir := filepath.Join(o.out, "sessions", sp.name)
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
	ln, err := network.AddNode(ctx, "load")
	if err != nil {
		return err
	}
	// The peers' addresses on the load node, the daemon's in the same /16.
	var batch strings.Builder
	peers := make([]netip.Addr, count)
	a := sessFrom
	for i := range peers {
		peers[i] = a
		fmt.Fprintf(&batch, "addr add %s/16 dev eth0\n", a)
		a = a.Next()
	}
	if err := write(filepath.Join(dir, "addrs.batch"), batch.String(), 0o644); err != nil {
		return err
	}
	for _, c := range [][]string{
		{"-n", ln.NS, "-b", filepath.Join(dir, "addrs.batch")},
		{"-n", dn.NS, "addr", "add", sessListen.String() + "/16", "dev", "eth0"},
	} {
		if out, err := exec.CommandContext(ctx, "ip", c...).CombinedOutput(); err != nil {
			return fmt.Errorf("compare: ip %s: %w: %s", strings.Join(c, " "), err, short(out))
		}
	}
	s := site{dir: dir, self: sessListen, ze: o.ze}
	cmd, ready, err := manyPeers(sp.name, s, peers)
	if err != nil {
		return err
	}
	d, err := spawn(dn.NS, filepath.Join(dir, "output.log"), cmd...)
	if err != nil {
		return err
	}
	defer d.stop()
	deadline := time.Now().Add(60 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		_, err := dn.Exec(cctx, ready[0], ready[1:]...)
		cancel()
		if err == nil {
			break
		}
		if !d.running() {
			b, _ := os.ReadFile(filepath.Join(dir, "output.log"))
			return fmt.Errorf("compare: %s exited at start: %s", sp.name, short(b))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("compare: %s not ready in 60 s: %w", sp.name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	idle, err := groupUsage(d.pgid())
	if err != nil {
		return err
	}
	res.IdleRSSKiB = idle.RSSKiB

	start := time.Now()
	load, err := spawn(ln.NS, filepath.Join(dir, "load.log"), "sh", "-c",
		fmt.Sprintf("exec %s load sessions --connect %s:179 --from %s --count %d --as %d --duration %s --establish-timeout 2m > %s",
			o.zeTest, sessListen, sessFrom, count, sessAS, hold, filepath.Join(dir, "report.json")))
	if err != nil {
		return err
	}
	defer load.stop()
	samples := []usageSample{{start, idle}}
	for load.running() {
		time.Sleep(250 * time.Millisecond)
		u, err := groupUsage(d.pgid())
		if err != nil {
			return err
		}
		if load.running() { // taken before the load peer's Ceases
			samples = append(samples, usageSample{time.Now(), u})
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	var rep loadReport
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("compare: load report: %w: %s", err, short(b))
	}
	res.Established, res.Up, res.Lost = rep.Established, rep.Up, rep.Lost
	res.EstablishS, res.HeldS = float64(rep.EstablishNS)/1e9, float64(rep.HeldNS)/1e9
	est := start.Add(time.Duration(rep.EstablishNS))
	at := samples[len(samples)-1]
	for _, x := range samples {
		if !x.at.Before(est) {
			at = x
			break
		}
	}
	last := samples[len(samples)-1]
	res.EstablishCPU = at.u.CPU - idle.CPU
	res.HoldCPU = last.u.CPU - at.u.CPU
	res.RSSKiB, res.PeakKiB = last.u.RSSKiB, last.u.PeakKiB
	if rep.Established != count || rep.Up != count {
		l, _ := os.ReadFile(filepath.Join(dir, "load.log"))
		return fmt.Errorf("compare: %s: %d of %d established, %d up at the end: %s", sp.name, rep.Established, count, rep.Up, short(l))
	}
	return nil
}
