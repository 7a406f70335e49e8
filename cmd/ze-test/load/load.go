// Package load is `ze-test load`: many BGP sessions from one process, to
// measure ze with a thousand peers (docs/perf.md).
//
//	ze-test load config   --from 127.1.0.1 --count 1000 --as 65100 --listen 127.73.1.1 --port 1790
//	ze-test load sessions --connect 127.73.1.1:1790 --from 127.1.0.1 --count 1000 --as 65100 \
//	                      --hold 30 --duration 3m --pid PID
//
// config prints the ze configuration of those peers (one passive peer per
// source address). sessions opens --count sessions, each from its own source
// address (consecutive from --from), exchanges OPENs, answers and sends
// KEEPALIVEs, and holds them established for --duration. It prints one JSON
// report on stdout (how many established and how fast, how many were lost
// and why, and, with --pid, the other side's RSS and CPU seconds) and exits
// 0 when every session was established and stayed so, 1 otherwise.
//
// It uses the wire layer only (bgp/wire, bgp/wire/message,
// bgp/wire/capability), not ze's session code, so that it can judge it.
package load

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// Exit codes, as for ze: 0 success, 1 error, 2 file not found.
const (
	exitOK    = 0
	exitError = 1
)

// Main runs `ze-test load ARGS`.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	switch args[0] {
	case "config":
		return configCmd(args[1:], stdout, stderr)
	case "sessions":
		return sessionsCmd(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "ze-test load: unknown mode %q (config, sessions)\n", args[0])
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: ze-test load MODE [options]

modes:
  config    --from ADDR --count N --as AS --listen ADDR --port PORT [--hold S] [--ssh-port PORT]
            print the ze configuration of N passive peers, one per source address
  sessions  --connect ADDR:PORT --from ADDR --count N --as AS [--hold S] [--duration D]
            [--establish-timeout D] [--pid PID] [--id A.B.C.D]
            open N sessions, hold them established for D, print a JSON report;
            exit 0 when all were established and stayed so
`)
}

// addrs returns n consecutive addresses from first (IPv4 or IPv6).
func addrs(first netip.Addr, n int) ([]netip.Addr, error) {
	if !first.IsValid() {
		return nil, errors.New("--from: no address")
	}
	out := make([]netip.Addr, 0, n)
	a := first
	for range n {
		if !a.IsValid() {
			return nil, fmt.Errorf("--from %s: %d addresses run past the end of the address space", first, n)
		}
		out = append(out, a)
		a = a.Next()
	}
	return out, nil
}

func configCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("ze-test load config", flag.ContinueOnError)
	fl.SetOutput(stderr)
	from := fl.String("from", "127.1.0.1", "the first peer address")
	count := fl.Int("count", 1000, "how many peers")
	as := fl.Uint("as", 65100, "the peers' AS")
	localAS := fl.Uint("local-as", 65000, "ze's AS")
	listen := fl.String("listen", "", "the address ze listens on")
	port := fl.Uint("port", 0, "the port ze listens on")
	hold := fl.Uint("hold", 90, "ze's hold time")
	sshPort := fl.Uint("ssh-port", 0, "the port of ze's SSH server on 127.0.0.1 (0: none given)")
	if err := fl.Parse(args); err != nil {
		return exitError
	}
	first, err := netip.ParseAddr(*from)
	if err != nil {
		fmt.Fprintf(stderr, "ze-test load config: --from: %v\n", err)
		return exitError
	}
	ln, err := netip.ParseAddr(*listen)
	if err != nil || *port == 0 || *port > 65535 {
		fmt.Fprintln(stderr, "ze-test load config: give --listen ADDR and --port PORT (1-65535)")
		return exitError
	}
	if *count < 1 {
		fmt.Fprintln(stderr, "ze-test load config: --count must be at least 1")
		return exitError
	}
	peers, err := addrs(first, *count)
	if err != nil {
		fmt.Fprintf(stderr, "ze-test load config: %v\n", err)
		return exitError
	}
	fmt.Fprint(stdout, Config(ConfigOptions{Listen: netip.AddrPortFrom(ln, uint16(*port)), Peers: peers,
		PeerAS: uint32(*as), LocalAS: uint32(*localAS), Hold: uint16(*hold), SSHPort: uint16(*sshPort)}))
	return exitOK
}

// ConfigOptions describe the ze configuration Config writes.
type ConfigOptions struct {
	Listen  netip.AddrPort
	Peers   []netip.Addr
	PeerAS  uint32
	LocalAS uint32
	Hold    uint16
	SSHPort uint16 // 0: no system block
}

// Config returns a ze configuration with one passive peer per address,
// named p1, p2, …, all of AS PeerAS.
func Config(o ConfigOptions) string {
	var b strings.Builder
	if o.SSHPort != 0 {
		fmt.Fprintf(&b, "system { ssh { address 127.0.0.1; port %d; } }\n", o.SSHPort)
	}
	fmt.Fprintf(&b, "bgp {\n    router-id 192.0.2.1;\n    local-as %d;\n", o.LocalAS)
	fmt.Fprintf(&b, "    listen %s { port %d; }\n", o.Listen.Addr(), o.Listen.Port())
	fmt.Fprintf(&b, "    local-address %s;\n    passive true;\n", o.Listen.Addr())
	if o.Hold != 0 {
		fmt.Fprintf(&b, "    hold-time %d;\n", o.Hold)
	}
	fmt.Fprintf(&b, "    remote { as %d; }\n", o.PeerAS)
	for i, a := range o.Peers {
		fmt.Fprintf(&b, "    peer p%d { remote { ip %s; } }\n", i+1, a)
	}
	b.WriteString("}\n")
	return b.String()
}
