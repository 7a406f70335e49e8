// Command ze-test runs ze's functional tests (.ci files); see docs/testing.md.
// It also hosts the scriptable BGP test peer (ze-test peer).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/zebgp/ze/cmd/ze-test/ci"
	"github.com/zebgp/ze/cmd/ze-test/load"
	"github.com/zebgp/ze/cmd/ze-test/peer"
)

// Exit codes, as for ze: 0 success, 1 error, 2 file not found.
const (
	exitOK       = 0
	exitError    = 1
	exitNotFound = 2
)

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	switch args[0] {
	case "run":
		return runCmd(args[1:], stdout, stderr)
	case "list":
		return listCmd(args[1:], stdout, stderr)
	case "peer":
		return peer.Main(args[1:], stdout, stderr)
	case "load":
		return load.Main(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "ze-test: unknown command %q (try 'ze-test help')\n", args[0])
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: ze-test <command> [arguments]

commands:
  run [-v] [-j N] [-ze PATH] [-timeout D] [-keep] PATHS...
             run the .ci tests found under PATHS; ends with "N passed, N failed"
  list PATHS...
             list the .ci tests found under PATHS
  peer (--listen ADDR:PORT | --connect ADDR:PORT) [options] MODE [FILE]
             the scriptable BGP test peer: sink, echo, replay FILE, check FILE
             ('ze-test peer --help' lists the options)
`)
}

func runCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("ze-test run", flag.ContinueOnError)
	fl.SetOutput(stderr)
	verbose := fl.Bool("v", false, "print every test, and the output of a failing step")
	jobs := fl.Int("j", runtime.NumCPU(), "how many tests run at once")
	ze := fl.String("ze", "", "the ze binary (default: ze next to ze-test, else bin/ze)")
	timeout := fl.Duration("timeout", 30*time.Second, "default per-command timeout")
	keep := fl.Bool("keep", false, "keep the temporary directory of a failed test")
	// Options may come before, between or after the paths.
	var paths []string
	for {
		if err := fl.Parse(args); err != nil {
			return exitError
		}
		if fl.NArg() == 0 {
			break
		}
		paths = append(paths, fl.Arg(0))
		args = fl.Args()[1:]
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "ze-test run: no test paths given")
		return exitError
	}
	files, err := ci.FindFiles(paths)
	if err != nil {
		return findError(stderr, err)
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "ze-test: %v\n", err)
		return exitError
	}
	cfg := ci.Config{Ze: zePath(*ze, self), Self: self, Timeout: *timeout, Keep: *keep}
	if *ze != "" && cfg.Ze == "" {
		fmt.Fprintf(stderr, "ze-test: -ze %s: no such file\n", *ze)
		return exitNotFound
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	passed, failed := ci.RunAll(ctx, cfg, files, *jobs, ci.Report{W: stdout, Verbose: *verbose})
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 || passed == 0 {
		return exitError
	}
	return exitOK
}

func listCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: ze-test list PATHS...")
		return exitError
	}
	files, err := ci.FindFiles(args)
	if err != nil {
		return findError(stderr, err)
	}
	for _, f := range files {
		fmt.Fprintln(stdout, f)
	}
	return exitOK
}

func findError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "ze-test: %v\n", err)
	if errors.Is(err, fs.ErrNotExist) {
		return exitNotFound
	}
	return exitError
}

// zePath picks the ze binary: the -ze flag, else ze beside ze-test (bin/ze
// next to bin/ze-test), else bin/ze under the current directory. The result
// is absolute because tests run in their own temporary directory. An empty
// result means none was found; tests that run ze then fail saying so.
func zePath(flagValue, self string) string {
	candidates := []string{flagValue}
	if flagValue == "" {
		candidates = []string{filepath.Join(filepath.Dir(self), "ze"), filepath.Join("bin", "ze")}
	}
	for _, c := range candidates {
		abs, err := filepath.Abs(c)
		if err != nil {
			continue
		}
		if info, err := os.Stat(abs); err == nil && !info.IsDir() {
			return abs
		}
	}
	return ""
}
