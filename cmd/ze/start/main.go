// Package start implements `ze start --state DIR` and `ze FILE`: the
// daemon. It assembles the components (the config database, the hub, the
// commit coordinator, the BGP subsystem, the plugins, the shell) and hands
// them to the engine's supervisor; each lives in its own package, and this
// one only wires them together.
package start

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// Exit codes (DESIGN.md).
const (
	exitOK       = 0
	exitError    = 1
	exitNotFound = 2
)

const usage = `usage: ze start [--state DIR] [--log-level LEVEL] [--log-format text|json]
       ze FILE [--state DIR] [--log-level LEVEL] [--log-format text|json]

ze start runs the daemon from the configuration database of the state
directory DIR (default ./var). A state directory without a database gets
the factory default: host name ze, the SSH shell on 127.0.0.1 port 2222
and a user admin whose password is made at random and printed once, on a
line of its own:

    admin password: <password>

ze FILE imports the configuration FILE (hierarchical, set or JSON form)
into the database as a commit, then runs it; SIGHUP (ze signal reload)
imports it again. The file replaces the whole configuration, users
included, so no admin password is made.

--log-level   debug, info (default), warn or error
--log-format  text (default) or json, on standard error

The running daemon is reached with 'ze cli' (the socket DIR/ze.sock) or
over SSH; 'ze signal stop' (or SIGTERM, SIGINT) stops it: every
established peer gets a Cease first.

Exit status: 0 stopped cleanly, 1 an error, 2 FILE not found.
`

// Run runs `ze start ARGS…` and returns the exit code.
func Run(args []string) int {
	return run("", args, os.Stdout, os.Stderr)
}

// RunFile runs `ze FILE ARGS…`: imports FILE and runs it.
func RunFile(file string, args []string) int {
	if _, err := os.Stat(file); err != nil {
		fmt.Fprintf(os.Stderr, "ze: %v\n", err)
		if errors.Is(err, os.ErrNotExist) {
			return exitNotFound
		}
		return exitError
	}
	return run(file, args, os.Stdout, os.Stderr)
}

func run(file string, args []string, stdout, stderr io.Writer) int {
	name := "ze start"
	if file != "" {
		name = "ze " + file
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	o := Options{File: file, Stdout: stdout}
	fs.StringVar(&o.State, "state", "./var", "the state `DIR`")
	level := fs.String("log-level", "info", "log `LEVEL`")
	format := fs.String("log-format", "text", "log `FORMAT`: text or json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", name, fs.Arg(0))
		return exitError
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "%s: --log-level %q: debug, info, warn or error\n", name, *level)
		return exitError
	}
	hopts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(*format) {
	case "text":
		o.LogHandler = slog.NewTextHandler(stderr, hopts)
	case "json":
		o.LogHandler = slog.NewJSONHandler(stderr, hopts)
	default:
		fmt.Fprintf(stderr, "%s: --log-format %q: text or json\n", name, *format)
		return exitError
	}
	d, err := New(o)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitError
	}
	if err := d.Run(context.Background()); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitError
	}
	return exitOK
}
