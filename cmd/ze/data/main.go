// Package data implements the `ze data` commands, which inspect and change
// the ZeFS store: ls, cat, import, rm and compact.
package data

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/zebgp/ze/zefs"
)

// Exit codes (DESIGN.md): 0 success, 1 error, 2 something named was not
// found (the store, an input file or a key).
const (
	exitOK       = 0
	exitError    = 1
	exitNotFound = 2
)

// Where the store is when no option says: the state directory of a run from
// a checkout, ./var, holds ze.zefs.
const (
	defaultState = "./var"
	storeName    = "ze.zefs"
)

const usage = `usage: ze data COMMAND [options] [arguments]

Inspects and changes the ZeFS store, the file of named blobs (SSH host keys,
imported files, config archives) in ze's state directory.

commands:
  ls [PREFIX]               list the keys, or those starting with PREFIX
  cat KEY...                write the values to standard output
  import FILE... [--key K]  store files (FILE - is standard input)
  rm KEY...                 delete entries
  compact                   rewrite the store without free or damaged space

options of every command:
  --path STORE   the store file (default: STATE/ze.zefs)
  --state DIR    the state directory (default: ./var)

Exit status: 0 success, 1 error, 2 the store, a file or a key not found.
Run 'ze data COMMAND -h' for a command's options.
`

// Run runs `ze data ARGS…` and returns the exit code.
func Run(args []string) int {
	return run(args, os.Stdin, os.Stdout, os.Stderr)
}

// command is one `ze data` subcommand.
type command struct {
	run  func(c *cmd, args []string) int
	args string // the synopsis after the command name
	help string
}

var commands = map[string]command{
	"ls":      {runLs, "[options] [PREFIX]", "Lists the keys of the store, sorted, one per line; with PREFIX, those\nthat start with it (byte by byte: \"conf\" also lists \"conference\")."},
	"cat":     {runCat, "[options] KEY...", "Writes the value of each KEY to standard output, as stored."},
	"import":  {runImport, "[options] FILE... [--key K]", "Stores each FILE under its base name, or under K; when K ends in /, each\nFILE goes under K followed by its base name. FILE - reads standard input\nand needs --key. The store is created when missing."},
	"rm":      {runRm, "[options] KEY...", "Deletes the entry of each KEY."},
	"compact": {runCompact, "[options]", "Rewrites the store without free, replaced or damaged records."},
}

// cmd is one run of a subcommand: its name, streams and store options.
type cmd struct {
	name   string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	path   string
	state  string
	usage  string // the synopsis and help of the subcommand
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cmd{stdin: stdin, stdout: stdout, stderr: stderr, state: defaultState}
	// Store options may come before the command: ze data --path X ls.
	if len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && !isHelp(args[0]) {
		fs := flag.NewFlagSet("ze data", flag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.Usage = func() { fmt.Fprint(stderr, usage) }
		c.register(fs)
		if err := fs.Parse(args); err != nil {
			return parseError(err)
		}
		args = fs.Args()
	}
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	sub, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ze data: unknown command %q (try 'ze data help')\n", args[0])
		return exitError
	}
	c.name = "ze data " + args[0]
	c.usage = fmt.Sprintf("usage: %s %s\n\n%s\n\noptions:\n", c.name, sub.args, sub.help)
	return sub.run(c, args[1:])
}

func isHelp(s string) bool { return s == "help" || s == "-h" || s == "--help" }

// register adds the store options, with the values so far as defaults.
func (c *cmd) register(fs *flag.FlagSet) {
	fs.StringVar(&c.path, "path", c.path, "the store `file` (default: STATE/ze.zefs)")
	fs.StringVar(&c.state, "state", c.state, "the state `directory`")
}

// flags returns the subcommand's flag set, with the store options.
func (c *cmd) flags() *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprint(c.stderr, c.usage)
		fs.PrintDefaults()
	}
	c.register(fs)
	return fs
}

// parse parses options placed anywhere among the arguments (import a b
// --key K); after "--" every word is an argument.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseError is the exit code for a failed parse, whose message the flag
// package printed: -h asked for the usage, which is no error.
func parseError(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitError
}

// storePath returns the store file the options name.
func (c *cmd) storePath() string {
	if c.path != "" {
		return c.path
	}
	return filepath.Join(c.state, storeName)
}

// open opens the store, which must exist, and reports the damage that open
// found. On failure it prints why and returns the exit code.
func (c *cmd) open(write bool) (*zefs.Store, int) {
	path := c.storePath()
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(c.stderr, "%s: no store at %s\n", c.name, path)
		return nil, exitNotFound
	}
	return c.openStore(path, zefs.Options{ReadOnly: !write})
}

func (c *cmd) openStore(path string, opt zefs.Options) (*zefs.Store, int) {
	s, err := zefs.Open(path, opt)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(c.stderr, "%s: no store at %s\n", c.name, path)
		return nil, exitNotFound
	case errors.Is(err, zefs.ErrLocked):
		fmt.Fprintf(c.stderr, "%s: %s is in use by another process (a running ze?)\n", c.name, path)
		return nil, exitError
	case err != nil:
		fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
		return nil, exitError
	}
	dmg, more := s.Damage()
	for _, d := range dmg {
		fmt.Fprintf(c.stderr, "%s: warning: %s: %s\n", c.name, path, d)
	}
	if more > 0 {
		fmt.Fprintf(c.stderr, "%s: warning: %s: %d more damaged regions\n", c.name, path, more)
	}
	return s, exitOK
}

// close closes the store and turns an error into the exit code.
func (c *cmd) close(s *zefs.Store, code int) int {
	if err := s.Close(); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
		return exitError
	}
	return code
}

// worse combines exit codes: an error outranks a missing name.
func worse(a, b int) int {
	if a == exitError || b == exitError {
		return exitError
	}
	return max(a, b)
}
