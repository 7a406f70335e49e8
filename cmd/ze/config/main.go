// Package config implements the offline `ze config` commands: validate,
// fmt and diff, over configuration files in any of the three forms
// (hierarchical, set, RFC 7951 JSON) that package cdb/config reads.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/yang"
)

// Exit codes (DESIGN.md): 0 success, 1 error, 2 a file not found.
const (
	exitOK       = 0
	exitError    = 1
	exitNotFound = 2
)

const usage = `usage: ze config validate [--json] [-q] [-m MODULE]... FILE
       ze config fmt [--format hierarchical|set|json] [-w] [-m MODULE]... FILE
       ze config diff [-m MODULE]... A B
       ze config COMMAND [--state DIR] …   (the configuration database)

validate  check FILE against the schema: syntax, keywords, types, mandatory
          nodes, keys, unique values, leafrefs and the components' checks;
          every error with its line, column and path
fmt       print FILE in canonical form (hierarchical by default); -w
          rewrites FILE in place
diff      print what changes from A to B, as JunOS "show | compare" does

On the configuration database of a state directory (--state DIR, default
./var; run 'ze config COMMAND -h' for each):
import      validate FILE and commit it as the running configuration
show        print the running configuration (--format hierarchical|set|json)
set         set PATH… VALUE and commit; delete PATH… removes and commits
deactivate  mark PATH… inactive (kept, not applied) and commit; activate
            clears the mark
annotate    PATH… "TEXT": attach a comment to a node and commit
rename      PATH… to PATH…: give a list entry other keys and commit; copy
            copies it
load        merge|override|set FILE: load a configuration text and commit
commit      check FILE: validate FILE against running and show what it
            would change; nothing is committed
confirm     confirm a commit confirmed (--confirmed MINUTES of a commit)
history     list the commits (the newest is rollback 0)
rollback    commit revision N again
compare     rollback N against running (or rollback M), as +/- lines
edit        the full-screen editor (docs/tui.md) on a private candidate;
            commit from it (while the daemon runs: ze cli, then edit)

FILE may be in the hierarchical form, the set form or JSON (found from its
first word); - reads standard input. -m MODULE adds a YANG module (a
plugin's) to the modules ze is built with.

Exit status: 0 success (validate: the configuration is valid), 1 error
(validate: it is not), 2 a file not found.
`

// Run runs `ze config ARGS…` and returns the exit code.
func Run(args []string) int {
	return run(args, os.Stdin, os.Stdout, os.Stderr)
}

var commands = map[string]func(c *cmdline, args []string) int{
	"validate": runValidate,
	"fmt":      runFmt,
	"diff":     runDiff,
	"import":   runImport,
	"show":     runShow,
	"set":      runSet,
	"delete":   runDelete,
	"history":  runHistory,
	"rollback": runRollback,
	"compare":  runCompare,

	"deactivate": runDeactivate,
	"activate":   runActivate,
	"annotate":   runAnnotate,
	"rename":     runRename,
	"copy":       runCopy,
	"load":       runLoad,
	"commit":     runCommit,
	"confirm":    runConfirm,
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	args = commandFirst(args)
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintln(stderr, unknownCommand(args))
		return exitError
	}
	c := &cmdline{name: "ze config " + args[0], stdin: stdin, stdout: stdout, stderr: stderr}
	c.fs = flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.fs.SetOutput(stderr)
	c.fs.Usage = func() { fmt.Fprint(stderr, usage) }
	c.fs.Var(&c.modules, "m", "add the YANG module in `FILE` (repeatable)")
	c.fs.Var(&c.modules, "module", "same as -m")
	return cmd(c, args[1:])
}

// cmdline holds what every subcommand shares.
type cmdline struct {
	name           string
	fs             *flag.FlagSet
	modules        files
	stdin          io.Reader
	stdout, stderr io.Writer
	y              *yang.Tree // the schema, once loaded
	// stateDir, for the commands on a state directory, adds the modules
	// path plugins brought to its database (cdb.ReadModules).
	stateDir string
}

// files collects repeated -m options.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(s string) error { *f = append(*f, s); return nil }

// parse parses options wherever they are among the arguments and returns
// the others in order; after "--" everything is an argument. "-" alone is
// an argument (standard input).
func (c *cmdline) parse(args []string) ([]string, bool) {
	var rest []string
	for {
		if err := c.fs.Parse(args); err != nil {
			return nil, false
		}
		args = c.fs.Args()
		if len(args) == 0 {
			return rest, true
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), true
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// errorf prints a message prefixed with the command name and returns code.
func (c *cmdline) errorf(code int, format string, a ...any) int {
	fmt.Fprintf(c.stderr, c.name+": "+format+"\n", a...)
	return code
}

// read returns the contents of path ("-": standard input); on failure it
// reports and returns the exit code (2 for a missing file).
func (c *cmdline) read(path string) ([]byte, int) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(c.stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, c.errorf(exitNotFound, "%s: no such file", path)
	case err != nil:
		return nil, c.errorf(exitError, "%v", err)
	}
	return b, exitOK
}

// schema returns the core modules with those given by -m; on failure it
// reports and returns the exit code (2 for a missing file).
func (c *cmdline) schema() (*yang.Tree, int) {
	if c.y != nil {
		return c.y, exitOK
	}
	y, code := c.loadSchema()
	c.y = y
	return y, code
}

// loadSchema loads the core modules, those the built-in plugins ship (a
// configuration may hold their subtrees) and those of -m.
func (c *cmdline) loadSchema() (*yang.Tree, int) {
	shipped := host.ShippedYANG()
	var stored map[string]string
	if c.stateDir != "" {
		m, err := cdb.ReadModules(c.stateDir)
		// A database in use is reported by the open that follows.
		if err != nil && !errors.Is(err, cdb.ErrInUse) {
			return nil, c.errorf(exitError, "%v", err)
		}
		stored = m
	}
	if len(c.modules) == 0 && len(shipped) == 0 && len(stored) == 0 {
		t, err := yang.Core()
		if err != nil {
			return nil, c.errorf(exitError, "%v", err)
		}
		return t, exitOK
	}
	l := yang.NewLoader()
	seen := map[string]bool{}
	for _, m := range shipped {
		if err := l.Add(m.Module+".yang", []byte(m.Text)); err != nil {
			return nil, c.errorf(exitError, "%s", strings.TrimPrefix(err.Error(), "yang: "))
		}
		seen[m.Module] = true
	}
	for _, name := range slices.Sorted(maps.Keys(stored)) {
		if seen[name] {
			continue
		}
		if err := l.Add(name+".yang", []byte(stored[name])); err != nil {
			return nil, c.errorf(exitError, "%s", strings.TrimPrefix(err.Error(), "yang: "))
		}
	}
	for _, path := range c.modules {
		b, code := c.read(path)
		if code != exitOK {
			return nil, code
		}
		if err := l.Add(path, b); err != nil {
			return nil, c.errorf(exitError, "%s", strings.TrimPrefix(err.Error(), "yang: "))
		}
	}
	t, err := l.Load()
	if err != nil {
		return nil, c.errorf(exitError, "%s", strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yang: "), "\nyang: ", "\n"))
	}
	return t, exitOK
}

// name is how a file is called in messages: "-" is standard input.
func name(path string) string {
	if path == "-" {
		return "<stdin>"
	}
	return path
}
