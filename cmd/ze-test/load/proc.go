package load

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// ReadProc reads a process's RSS, peak RSS (/proc/PID/status VmRSS,
// VmHWM, Threads) and CPU seconds (/proc/PID/stat utime + stime).
func ReadProc(pid int) (ProcStats, error) {
	p := ProcStats{PID: pid}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return p, err
	}
	if err := parseStatus(status, &p); err != nil {
		return p, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return p, err
	}
	cpu, err := parseStatCPU(stat)
	if err != nil {
		return p, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	p.CPUSeconds = cpu
	return p, nil
}

// parseStatus takes VmRSS, VmHWM (kB) and Threads from /proc/PID/status.
func parseStatus(b []byte, p *ProcStats) error {
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch key {
		case "VmRSS":
			p.RSSKiB = n
			found++
		case "VmHWM":
			p.PeakRSSKiB = n
			found++
		case "Threads":
			p.Threads = int(n)
		}
	}
	if found < 2 {
		return fmt.Errorf("no VmRSS and VmHWM lines")
	}
	return nil
}

// parseStatCPU returns utime + stime in seconds. The command name (field 2)
// is in parentheses and may hold blanks, so fields are counted after the
// last ')': utime and stime are fields 14 and 15.
func parseStatCPU(b []byte) (float64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("no ')' after the command name")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime is field 14, f[11]; stime f[12].
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields after the command name, want at least 13", len(f))
	}
	u, err := strconv.ParseUint(f[11], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("utime %q: %w", f[11], err)
	}
	s, err := strconv.ParseUint(f[12], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stime %q: %w", f[12], err)
	}
	return float64(u+s) / clockTicks, nil
}
