package main

import (
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"
)

var peer = netip.MustParseAddr("172.30.0.3")

func TestParsers(t *testing.T) {
	cases := []struct {
		name     string
		parse    func([]byte, netip.Addr) (bool, int, error)
		out      string
		est      bool
		prefixes int
		err      string
	}{
		{"ze", parseZe, `{"name":"table","state":"established","prefixes-accepted":577699,"updates-received":89680}`, true, 577699, ""},
		{"ze idle", parseZe, `{"name":"table","state":"idle","prefixes-accepted":0}`, false, 0, ""},
		{"ze no count", parseZe, `{"name":"table","state":"idle"}`, false, 0, "no prefixes-accepted"},
		{"ze not json", parseZe, `error: no such peer`, false, 0, "ze: invalid character"},
		{"bird", parseBird, "Name       Proto      Table      State  Since         Info\n" +
			"p0         BGP        ---        up     00:41:01.123  Established   \n" +
			"  BGP state:          Established\n    Neighbor address: 172.30.0.3\n" +
			"  Channel ipv4\n    State:          UP\n    Routes:         577620 imported, 0 exported, 577620 preferred\n", true, 577620, ""},
		{"bird down", parseBird, "p0         BGP        ---        start  00:41:01.123  Passive\n  BGP state:          Active\n", false, 0, ""},
		{"bird bad routes", parseBird, "  BGP state:          Established\n    Routes:         many imported\n", false, 0, "routes line"},
		{"bird no state", parseBird, "syntax error", false, 0, "no BGP state"},
		{"frr", parseFRR, `{"routerId":"172.30.0.2","as":65000,"peers":{"172.30.0.3":{"remoteAs":65000,"state":"Established","pfxRcd":577620,"pfxSnt":0}},"totalPeers":1}`, true, 577620, ""},
		{"frr empty", parseFRR, `{}`, false, 0, ""},
		{"frr other peer", parseFRR, `{"peers":{"172.30.0.9":{"state":"Established","pfxRcd":1}}}`, false, 0, "no peer 172.30.0.3"},
		{"gobgp", parseGoBGP, `{"state":{"session_state":6},"afi_safis":[{"state":{"received":411884,"accepted":411856}}]}`, true, 411856, ""},
		{"gobgp idle", parseGoBGP, `{"state":{"session_state":1},"afi_safis":[{"state":{}}]}`, false, 0, ""},
		{"openbgpd", parseOpenBGPD, `{"neighbors":[{"remote_addr":"172.30.0.3","state":"Established","stats":{"prefixes":{"sent":0,"received":577620}}}]}`, true, 577620, ""},
		{"openbgpd none", parseOpenBGPD, `{"neighbors":[]}`, false, 0, "0 neighbors"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			est, n, err := c.parse([]byte(c.out), peer)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if est != c.est || n != c.prefixes {
				t.Fatalf("got established %v, %d prefixes; want %v, %d", est, n, c.est, c.prefixes)
			}
		})
	}
}

func TestParseStat(t *testing.T) {
	// A command with a space and a parenthesis, as /proc shows it.
	s := "4242 (bgpd: (rde)) S 1 4240 4240 0 -1 4194560 100 0 0 0 150 25 7 3 20 0 4 0 100 0 0\n"
	f, err := parseStat(s)
	if err != nil {
		t.Fatal(err)
	}
	if f.pgrp != 4240 || f.ticks != 185 {
		t.Fatalf("got pgrp %d ticks %d, want 4240 185", f.pgrp, f.ticks)
	}
	if _, err := parseStat("4242 (x) S 1 2"); err == nil || !strings.Contains(err.Error(), "fields after the command") {
		t.Fatalf("short stat: error %v", err)
	}
	if _, err := parseStat("4242 x"); err == nil {
		t.Fatal("no command: no error")
	}
	rss, hwm := parseStatus("Name:\tbird\nVmHWM:\t   91724 kB\nVmRSS:\t   90000 kB\nThreads:\t1\n")
	if rss != 90000 || hwm != 91724 {
		t.Fatalf("got rss %d hwm %d", rss, hwm)
	}
}

func TestGroupUsageOwnProcess(t *testing.T) {
	u, err := groupUsage(syscall.Getpgrp())
	if err != nil {
		t.Fatal(err)
	}
	if u.Procs < 1 || u.PeakKiB <= 0 || u.RSSKiB <= 0 || u.PeakKiB < u.RSSKiB/int64(u.Procs) {
		t.Fatalf("implausible usage of our own group: %+v", u)
	}
	if _, err := groupUsage(1 << 30); err == nil {
		t.Fatal("a group with no process: no error")
	}
}

func TestSummary(t *testing.T) {
	runs := []tableResult{
		{Speaker: "ze", Prefixes: 10, Seconds: 1, CPU: 0.5, PeakKiB: 100 * 1024},
		{Speaker: "ze", Prefixes: 10, Seconds: 3, CPU: 0.7, PeakKiB: 110 * 1024},
		{Speaker: "ze", Prefixes: 10, Seconds: 2, CPU: 0.6, PeakKiB: 105 * 1024},
		{Speaker: "bird", Prefixes: 9, Seconds: 4, CPU: 1.2, PeakKiB: 52.5 * 1024},
		{Speaker: "bird", Error: "boom"},
	}
	sums := summarize(runs, []speaker{{name: "ze"}, {name: "bird"}})
	ze, bird := sums[0], sums[1]
	if ze.Seconds != (spread{2, 1, 3}) || ze.Runs != 3 || ze.Failed != 0 {
		t.Fatalf("ze: %+v", ze)
	}
	if bird.Runs != 1 || bird.Failed != 1 || bird.TimeRatio != 2 || bird.CPURatio != 2 || bird.RSSRatio != 0.5 {
		t.Fatalf("bird: %+v", bird)
	}
	var b strings.Builder
	printSummary(&b, sums, nil)
	if !strings.Contains(b.String(), "2.00×") || !strings.Contains(b.String(), "0.50×") {
		t.Fatalf("table:\n%s", b.String())
	}
}

func TestIdleFor(t *testing.T) {
	t0 := time.Now()
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	busy := []cpuSample{{at(0), 1}, {at(1), 2}, {at(2), 3}, {at(3), 4}}
	if idleFor(busy, 3*time.Second) {
		t.Fatal("a daemon using a whole core is idle")
	}
	idle := []cpuSample{{at(0), 1}, {at(1), 1.1}, {at(2), 1.15}, {at(3.5), 1.2}}
	if !idleFor(idle, 3*time.Second) {
		t.Fatal("a daemon using 6% of a core is not idle")
	}
	if idleFor(idle[2:], 3*time.Second) {
		t.Fatal("idle without a whole window of samples")
	}
}
