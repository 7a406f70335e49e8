package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The ASes of the table run: iBGP, both in AS 65000. The MRT file's UPDATEs come from an iBGP
// feed (LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST; AS_PATHs that do not start with the sender's AS;
// next hops that are not on the session's subnet), which BIRD, FRR and OpenBGPD refuse, in part
// or whole, from an eBGP peer.
const (
	localAS = 65000
	peerAS  = 65000
)

// speaker is one BGP daemon as the comparison runs it: its configuration, its command line, and
// how its CLI shows the session's state and the number of prefixes it holds from the peer.
type speaker struct {
	name string
	// keeps says what the daemon does with the routes it receives, in this configuration.
	keeps string
	// setup writes the configuration into dir and returns the command line (run in the
	// daemon's namespace) and the CLI command that polls the session.
	setup func(s site) (cmd, poll []string, err error)
	// parse reads the poll command's output: the session is established, and the prefixes held.
	parse func(out []byte, peer netip.Addr) (established bool, prefixes int, err error)
}

// site is where a daemon runs: its files, its address and the replay peer's.
type site struct {
	dir        string
	self, peer netip.Addr
	ze         string // the ze binary
}

func (s site) path(name string) string { return filepath.Join(s.dir, name) }

func write(path, text string, perm os.FileMode) error {
	if err := os.WriteFile(path, []byte(text), perm); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	return nil
}

var speakers = []speaker{
	{
		name:  "ze",
		keeps: "counts each prefix and keeps the set of prefixes (no attributes, no best path, no RIB plugin); publishes each UPDATE on its hub (no subscriber); no kernel",
		setup: func(s site) ([]string, []string, error) {
			conf := fmt.Sprintf(`system { ssh { address 127.0.0.1; port 2222; } }
bgp {
    router-id %[1]s;
    local-as %[3]d;
    listen %[1]s { port 179; }
    peer table {
        remote { ip %[2]s; as %[4]d; }
        local-address %[1]s;
        passive true;
    }
}
`, s.self, s.peer, localAS, peerAS)
			if err := write(s.path("ze.conf"), conf, 0o644); err != nil {
				return nil, nil, err
			}
			return []string{s.ze, s.path("ze.conf"), "--state", s.path("state")},
				[]string{s.ze, "cli", "--state", s.path("state"), "-c", "show bgp neighbor table json"}, nil
		},
		parse: parseZe,
	},
	{
		name:  "bird",
		keeps: "imports every route with its attributes into table master4 (best path per prefix; iBGP next hops resolved recursively through that table); no kernel protocol, nothing exported; warnings not logged (one per unresolvable next hop otherwise, 126,801 lines)",
		setup: func(s site) ([]string, []string, error) {
			conf := fmt.Sprintf(`router id %[1]s;
log %[5]q { info, remote, error, fatal, bug };
protocol device {}
protocol bgp p0 {
  local %[1]s port 179 as %[3]d;
  neighbor %[2]s port 179 as %[4]d;
  strict bind yes;
  passive on;
  ipv4 { import all; export none; };
}
`, s.self, s.peer, localAS, peerAS, s.path("bird.log"))
			if err := write(s.path("bird.conf"), conf, 0o644); err != nil {
				return nil, nil, err
			}
			return []string{"bird", "-f", "-c", s.path("bird.conf"), "-s", s.path("bird.ctl"), "-P", s.path("bird.pid")},
				[]string{"birdc", "-s", s.path("bird.ctl"), "show", "protocols", "all", "p0"}, nil
		},
		parse: parseBird,
	},
	{
		name:  "frr",
		keeps: "bgpd alone (-Z, no zebra: no kernel, next hops unresolved): every route with its attributes in its BGP RIB (best path per prefix); nothing sent back (route-map deny out); logs only critical (without zebra it logs an error per route otherwise, 577,628 lines)",
		setup: func(s site) ([]string, []string, error) {
			conf := fmt.Sprintf(`frr defaults traditional
hostname compare
log file %[5]s critical
!
router bgp %[3]d
 bgp router-id %[1]s
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor %[2]s remote-as %[4]d
 neighbor %[2]s update-source %[1]s
 neighbor %[2]s passive
 address-family ipv4 unicast
  neighbor %[2]s activate
  neighbor %[2]s route-map none out
 exit-address-family
!
route-map none deny 10
!
`, s.self, s.peer, localAS, peerAS, s.path("bgpd.log"))
			if err := write(s.path("bgpd.conf"), conf, 0o644); err != nil {
				return nil, nil, err
			}
			return []string{"/usr/lib/frr/bgpd", "-Z", "-S", "-u", "root", "-g", "root", "-p", "179", "-l", s.self.String(),
					"-f", s.path("bgpd.conf"), "-i", s.path("bgpd.pid"), "--vty_socket", s.dir},
				[]string{"vtysh", "--vty_socket", s.dir, "-c", "show bgp ipv4 unicast summary json"}, nil
		},
		parse: parseFRR,
	},
	{
		name:  "gobgp",
		keeps: "every route with its attributes in its global RIB (best path per prefix); default export policy reject; no zebra, no kernel",
		setup: func(s site) ([]string, []string, error) {
			conf := fmt.Sprintf(`[global.config]
  as = %[3]d
  router-id = %[1]q
  port = 179
  local-address-list = [%[1]q]
[global.apply-policy.config]
  default-export-policy = "reject-route"

[[neighbors]]
  [neighbors.config]
    neighbor-address = %[2]q
    peer-as = %[4]d
  [neighbors.transport.config]
    local-address = %[1]q
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`, s.self, s.peer, localAS, peerAS)
			if err := write(s.path("gobgpd.toml"), conf, 0o644); err != nil {
				return nil, nil, err
			}
			return []string{"gobgpd", "-f", s.path("gobgpd.toml"), "--api-hosts", "127.0.0.1:50051", "--pprof-disable", "-p"},
				[]string{"gobgp", "-u", "127.0.0.1", "-p", "50051", "neighbor", s.peer.String(), "-j"}, nil
		},
		parse: parseGoBGP,
	},
	{
		name:  "openbgpd",
		keeps: "every route with its attributes in its RDE (Adj-RIB-In and Loc-RIB, best path per prefix); fib-update no: no kernel; nothing sent back (deny to any)",
		setup: func(s site) ([]string, []string, error) {
			if err := os.MkdirAll("/run/openbgpd", 0o755); err != nil {
				return nil, nil, fmt.Errorf("compare: openbgpd chroot: %w", err)
			}
			conf := fmt.Sprintf(`AS %[3]d
router-id %[1]s
listen on %[1]s
socket %[5]q
fib-update no
neighbor %[2]s {
  remote-as %[4]d
  local-address %[1]s
  passive
  enforce neighbor-as no
}
allow from any
deny to any
`, s.self, s.peer, localAS, peerAS, s.path("bgpd.sock"))
			if err := write(s.path("bgpd.conf"), conf, 0o600); err != nil {
				return nil, nil, err
			}
			return []string{"/usr/sbin/bgpd", "-d", "-f", s.path("bgpd.conf")},
				[]string{"bgpctl", "-s", s.path("bgpd.sock"), "-j", "show", "neighbor", s.peer.String()}, nil
		},
		parse: parseOpenBGPD,
	},
}

// parseZe reads `show bgp neighbor table json`.
func parseZe(out []byte, _ netip.Addr) (bool, int, error) {
	var v struct {
		State    string `json:"state"`
		Prefixes *int   `json:"prefixes-accepted"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return false, 0, fmt.Errorf("ze: %w: %s", err, short(out))
	}
	if v.Prefixes == nil {
		return false, 0, fmt.Errorf("ze: no prefixes-accepted in %s", short(out))
	}
	return strings.EqualFold(v.State, "established"), *v.Prefixes, nil
}

// parseBird reads `show protocols all p0`: "BGP state: Established" and
// "Routes: N imported, …".
func parseBird(out []byte, _ netip.Addr) (bool, int, error) {
	var state string
	routes := -1
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "BGP state:"); ok {
			state = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "Routes:"); ok {
			f := strings.Fields(v)
			if len(f) < 2 || strings.TrimSuffix(f[1], ",") != "imported" {
				return false, 0, fmt.Errorf("bird: routes line %q", line)
			}
			n, err := strconv.Atoi(f[0])
			if err != nil {
				return false, 0, fmt.Errorf("bird: routes line %q: %w", line, err)
			}
			routes = n
		}
	}
	if state == "" {
		return false, 0, fmt.Errorf("bird: no BGP state in %s", short(out))
	}
	if routes < 0 {
		routes = 0 // BIRD shows no Routes line before the channel is up
	}
	return state == "Established", routes, nil
}

// parseFRR reads `show bgp ipv4 unicast summary json`: peers.ADDR.state and pfxRcd.
func parseFRR(out []byte, peer netip.Addr) (bool, int, error) {
	var v struct {
		Peers map[string]struct {
			State  string `json:"state"`
			PfxRcd int    `json:"pfxRcd"`
		} `json:"peers"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return false, 0, fmt.Errorf("frr: %w: %s", err, short(out))
	}
	p, ok := v.Peers[peer.String()]
	if !ok {
		if len(v.Peers) == 0 {
			return false, 0, nil // no session yet: FRR shows no peer in an empty family
		}
		return false, 0, fmt.Errorf("frr: no peer %s in %s", peer, short(out))
	}
	return p.State == "Established", p.PfxRcd, nil
}

// parseGoBGP reads `gobgp neighbor ADDR -j`: state.session_state (6 or "established") and the
// accepted count of the ipv4-unicast afi-safi.
func parseGoBGP(out []byte, _ netip.Addr) (bool, int, error) {
	var v struct {
		State struct {
			SessionState json.RawMessage `json:"session_state"`
		} `json:"state"`
		AfiSafis []struct {
			State struct {
				Accepted int `json:"accepted"`
				Received int `json:"received"`
			} `json:"state"`
		} `json:"afi_safis"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return false, 0, fmt.Errorf("gobgp: %w: %s", err, short(out))
	}
	st := strings.Trim(string(v.State.SessionState), `"`)
	est := st == "6" || strings.EqualFold(st, "established") || strings.EqualFold(st, "SESSION_STATE_ESTABLISHED")
	n := 0
	for _, a := range v.AfiSafis {
		n += a.State.Accepted
	}
	return est, n, nil
}

// parseOpenBGPD reads `bgpctl -j show neighbor ADDR`: neighbors[0].state and
// stats.prefixes.received.
func parseOpenBGPD(out []byte, _ netip.Addr) (bool, int, error) {
	var v struct {
		Neighbors []struct {
			State string `json:"state"`
			Stats struct {
				Prefixes struct {
					Received int `json:"received"`
				} `json:"prefixes"`
			} `json:"stats"`
		} `json:"neighbors"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return false, 0, fmt.Errorf("openbgpd: %w: %s", err, short(out))
	}
	if len(v.Neighbors) != 1 {
		return false, 0, fmt.Errorf("openbgpd: %d neighbors in %s", len(v.Neighbors), short(out))
	}
	n := v.Neighbors[0]
	return strings.EqualFold(n.State, "established"), n.Stats.Prefixes.Received, nil
}

func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}
