// Command compare measures ze side by side with BIRD, FRR, GoBGP and OpenBGPD on the same
// machine in one run: each receives the same full table replayed by `ze-test peer`, in a
// network namespace of its own, one daemon at a time; the figures are reported absolute and as
// ratios to ze's (docs/perf.md, "Side by side"). It needs root and the Debian packages of the
// daemons; it is not part of make test.
//
//	go run ./test/perf/compare [-runs 3] [-speakers ze,bird,frr,gobgp,openbgpd] [-json FILE]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/zebgp/ze/test/interop/harness"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// report is the JSON file.
type report struct {
	Started   time.Time        `json:"started"`
	Machine   machine          `json:"machine"`
	Command   string           `json:"command"`
	Runs      []tableResult    `json:"runs"`
	Sessions  []sessionsResult `json:"sessions,omitempty"`
	Summary   []summary        `json:"summary"`
	Stable    string           `json:"stable"`
	Versions  string           `json:"versions"`
	ZeVersion string           `json:"ze-commit,omitempty"`
}

type machine struct {
	CPUs        int    `json:"cpus"`
	LoadBefore  string `json:"load-average-before"`
	LoadAfter   string `json:"load-average-after"`
	Kernel      string `json:"kernel"`
	Description string `json:"note"`
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	runs := fs.Int("runs", 3, "how many times each daemon receives the table")
	list := fs.String("speakers", "ze,bird,frr,gobgp,openbgpd", "the daemons, comma-separated (ze first: the ratios are to it)")
	jsonPath := fs.String("json", "", "write the report to this file (default OUT/compare.json)")
	fs.StringVar(&o.ze, "ze", "bin/ze", "the ze binary")
	fs.StringVar(&o.zeTest, "ze-test", "bin/ze-test", "the ze-test binary")
	fs.StringVar(&o.mrt, "mrt", "../shared/corpus/mrt/bgpdump__updates.et-header.2015.gz", "the MRT file to replay")
	fs.StringVar(&o.out, "out", "", "where configurations and logs go (default a new /tmp/ze-compare.*)")
	fs.DurationVar(&o.stable, "stable", 3*time.Second, "the count is final once unchanged this long")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "the longest one daemon may take")
	once := fs.String("once", "", "daemons, comma-separated, that receive the table in the first run only (slow ones)")
	count := fs.Int("sessions", 0, "also hold this many sessions with each daemon (0: no sessions run)")
	holdFor := fs.Duration("hold-for", time.Minute, "how long the sessions are held")
	fs.DurationVar(&o.poll, "poll", 20*time.Millisecond, "the pause between two CLI polls")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	var sps []speaker
	for _, n := range strings.Split(*list, ",") {
		i := slices.IndexFunc(speakers, func(s speaker) bool { return s.name == n })
		if i < 0 {
			fmt.Fprintf(stderr, "compare: unknown speaker %q\n", n)
			return 1
		}
		sps = append(sps, speakers[i])
	}
	for _, p := range []*string{&o.ze, &o.zeTest, &o.mrt} {
		a, err := filepath.Abs(*p)
		if err != nil {
			fmt.Fprintf(stderr, "compare: %v\n", err)
			return 1
		}
		if _, err := os.Stat(a); err != nil {
			fmt.Fprintf(stderr, "compare: %v\n", err)
			return 2
		}
		*p = a
	}
	if o.out == "" {
		d, err := os.MkdirTemp("", "ze-compare.")
		if err != nil {
			fmt.Fprintf(stderr, "compare: %v\n", err)
			return 1
		}
		o.out = d
	}
	if *jsonPath == "" {
		*jsonPath = filepath.Join(o.out, "compare.json")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	kernel, _ := exec.Command("uname", "-r").Output()
	rep := report{
		Started: time.Now().UTC(), Command: "compare " + strings.Join(args, " "),
		Machine: machine{CPUs: runtime.NumCPU(), LoadBefore: loadavg(), Kernel: strings.TrimSpace(string(kernel))},
		Stable:  o.stable.String(), Versions: harness.Versions(),
	}
	if c, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		rep.ZeVersion = strings.TrimSpace(string(c))
	}
	fmt.Fprintf(stdout, "compare: %d run(s) of %s; load average %s; files in %s\n", *runs, *list, rep.Machine.LoadBefore, o.out)
	failed := false
	for r := 1; r <= *runs; r++ {
		for _, sp := range sps {
			if ctx.Err() != nil {
				fmt.Fprintln(stderr, "compare: interrupted")
				return 1
			}
			if r > 1 && slices.Contains(strings.Split(*once, ","), sp.name) {
				continue
			}
			res := table(ctx, sp, r, o)
			rep.Runs = append(rep.Runs, res)
			if res.Error != "" {
				failed = true
				fmt.Fprintf(stdout, "run %d %-9s error: %s\n", r, sp.name, res.Error)
				continue
			}
			busy := ""
			if res.BusyAtTimeout {
				busy = fmt.Sprintf(" (count unchanged since, but still busy at the %s timeout: %.2f CPU s by then)", o.timeout, res.CPUAtEnd)
			}
			fmt.Fprintf(stdout, "run %d %-9s %7d prefixes in %6.2f s (%8.0f/s), CPU %6.2f s, RSS idle %7d KiB, peak %8d KiB (%d process(es)), load %s%s\n",
				r, sp.name, res.Prefixes, res.Seconds, res.PrefixesPerSecond, res.CPU, res.IdleRSSKiB, res.PeakKiB, res.Processes, loadavg(), busy)
		}
	}
	if *count > 0 {
		for _, sp := range sps {
			if ctx.Err() != nil {
				fmt.Fprintln(stderr, "compare: interrupted")
				return 1
			}
			res := sessions(ctx, sp, *count, *holdFor, o)
			rep.Sessions = append(rep.Sessions, res)
			if res.Error != "" {
				failed = true
				fmt.Fprintf(stdout, "sessions %-9s error: %s\n", sp.name, res.Error)
				continue
			}
			fmt.Fprintf(stdout, "sessions %-9s %d of %d established in %.2f s (CPU %.2f s), %d up after %.0f s; CPU %.2f s during the hold; RSS idle %d KiB, at the end %d KiB, peak %d KiB; load %s\n",
				sp.name, res.Established, res.Sessions, res.EstablishS, res.EstablishCPU, res.Up, res.HeldS, res.HoldCPU, res.IdleRSSKiB, res.RSSKiB, res.PeakKiB, loadavg())
		}
	}
	rep.Machine.LoadAfter = loadavg()
	rep.Summary = summarize(rep.Runs, sps)
	fmt.Fprintln(stdout)
	printSummary(stdout, rep.Summary, sps)
	if len(rep.Sessions) > 0 {
		fmt.Fprintln(stdout)
		printSessions(stdout, rep.Sessions)
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "compare: %v\n", err)
		return 1
	}
	if err := os.WriteFile(*jsonPath, append(b, '\n'), 0o644); err != nil {
		fmt.Fprintf(stderr, "compare: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "\nload average before %s, after %s; report %s\n", rep.Machine.LoadBefore, rep.Machine.LoadAfter, *jsonPath)
	if failed {
		return 1
	}
	return 0
}
