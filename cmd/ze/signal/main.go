// Package signal implements `ze signal reload|stop|status`: signals to
// the daemon running on a state directory, found through the lock it
// holds on DIR/ze.pid (engine/supervisor).
package signal

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/zebgp/ze/engine/supervisor"
)

const usage = `usage: ze signal [--state DIR] reload|stop|status

reload   SIGHUP: load the configuration file the daemon was started with
         (ze FILE) into a commit; an invalid file changes nothing and the
         daemon logs why
stop     SIGTERM: send a Cease to every peer, stop every component, exit
status   SIGUSR1: write a status dump of every component to the log

--state DIR is the daemon's state directory (default ./var).

Exit status: 0 the signal was sent, 1 an error (no daemon running).
`

var signals = map[string]syscall.Signal{
	"reload": syscall.SIGHUP,
	"stop":   syscall.SIGTERM,
	"status": syscall.SIGUSR1,
}

// Run runs `ze signal ARGS…` and returns the exit code.
func Run(args []string) int {
	return run(args, os.Stdout, os.Stderr, syscall.Kill)
}

func run(args []string, stdout, stderr io.Writer, kill func(int, syscall.Signal) error) int {
	fs := flag.NewFlagSet("ze signal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	state := fs.String("state", "./var", "the state `DIR`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, usage)
		return 1
	}
	sig, ok := signals[fs.Arg(0)]
	if !ok {
		fmt.Fprintf(stderr, "ze signal: unknown signal %q (reload, stop or status)\n", fs.Arg(0))
		return 1
	}
	pid, err := supervisor.Running(*state)
	if err != nil {
		fmt.Fprintf(stderr, "ze signal: %s: %v\n", *state, err)
		return 1
	}
	if err := kill(pid, sig); err != nil {
		fmt.Fprintf(stderr, "ze signal: pid %d: %v\n", pid, err)
		return 1
	}
	fmt.Fprintf(stdout, "sent %s to ze (pid %d)\n", fs.Arg(0), pid)
	return 0
}
