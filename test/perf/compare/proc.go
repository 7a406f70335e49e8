package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// usage is what the processes of one daemon used, summed over them.
type usage struct {
	// Procs is the number of processes counted.
	Procs int `json:"processes"`
	// RSSKiB is the sum of VmRSS, PeakKiB the sum of VmHWM (an upper bound of the daemon's
	// peak when it has several processes: their peaks need not coincide).
	RSSKiB  int64 `json:"rss-kib"`
	PeakKiB int64 `json:"peak-rss-kib"`
	// CPU is utime+stime, with those of waited-for children, in seconds.
	CPU float64 `json:"cpu-seconds"`
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100

// groupUsage sums the usage of every process in process group pgid (the daemon was started in
// a group of its own; the CLI commands that query it are not in it).
func groupUsage(pgid int) (usage, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return usage{}, fmt.Errorf("compare: %w", err)
	}
	var u usage
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		f, err := parseStat(string(stat))
		if err != nil {
			return usage{}, fmt.Errorf("compare: /proc/%d/stat: %w", pid, err)
		}
		if f.pgrp != pgid {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		rss, hwm := parseStatus(string(status))
		u.Procs++
		u.RSSKiB += rss
		u.PeakKiB += hwm
		u.CPU += float64(f.ticks) / clockTicks
	}
	if u.Procs == 0 {
		return u, fmt.Errorf("compare: no process in group %d", pgid)
	}
	return u, nil
}

type statFields struct {
	pgrp  int
	ticks int64 // utime + stime + cutime + cstime
}

// parseStat reads /proc/PID/stat: after the command (in parentheses, which may hold spaces
// and parentheses), field 3 is the state, 5 the process group, 14 to 17 the CPU ticks.
func parseStat(s string) (statFields, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return statFields{}, fmt.Errorf("no command in %q", s)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 15 {
		return statFields{}, fmt.Errorf("%d fields after the command, want at least 15", len(f))
	}
	pgrp, err := strconv.Atoi(f[2])
	if err != nil {
		return statFields{}, fmt.Errorf("process group %q: %w", f[2], err)
	}
	var ticks int64
	for _, v := range f[11:15] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return statFields{}, fmt.Errorf("cpu ticks %q: %w", v, err)
		}
		ticks += n
	}
	return statFields{pgrp: pgrp, ticks: ticks}, nil
}

// parseStatus returns VmRSS and VmHWM in KiB from /proc/PID/status (0 for a kernel thread).
func parseStatus(s string) (rss, hwm int64) {
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}
