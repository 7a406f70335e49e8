// Package schema implements the `ze schema` commands: list, show, tree and
// methods over the YANG modules ze is built with, plus any module given
// with -m.
package schema

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/zebgp/ze/yang"
)

const usage = `usage: ze schema list [--json] [-m FILE]...
       ze schema show [-m FILE]... MODULE
       ze schema tree [-m FILE]... [PATH]
       ze schema methods [--json] [--state DIR] [-m FILE]... [METHOD|MODULE]...

list  the YANG modules: name, revision, namespace
show  the text of MODULE
tree  the configuration schema (RFC 8340 tree diagram), or the subtree at
      PATH: node names separated by '/' or blanks, such as bgp/group/peer
methods  the RPCs of the modules, with those of the plugins built into ze,
      as the methods plugins and the CLI call (module:rpc-name), with their
      input and output; or only those named. --state DIR adds the modules
      of the plugins the daemon of DIR runs

-m FILE adds a YANG module (a plugin's, say) to the modules ze is built with.
`

// Run dispatches `ze schema SUBCOMMAND`.
func Run(args []string) int {
	return run(args, os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ze schema: unknown command %q (want list, show, tree or methods)\n", args[0])
		return 1
	}
	c := &cmdline{name: "ze schema " + args[0], stdout: stdout, stderr: stderr}
	c.fs = flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.fs.SetOutput(stderr)
	c.fs.Usage = func() { fmt.Fprint(stderr, usage) }
	c.fs.Var(&c.modules, "m", "add the YANG module in `FILE` (repeatable)")
	c.fs.Var(&c.modules, "module", "same as -m")
	return cmd(c, args[1:])
}

var commands = map[string]func(*cmdline, []string) int{
	"list":    runList,
	"show":    runShow,
	"tree":    runTree,
	"methods": runMethods,
}

// cmdline holds what every subcommand shares.
type cmdline struct {
	name           string
	fs             *flag.FlagSet
	modules        files
	stdout, stderr io.Writer
}

// files collects repeated -m options.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(s string) error { *f = append(*f, s); return nil }

// parse parses options wherever they are among the arguments and returns
// the others in order.
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
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// errorf prints a message prefixed with the command name and returns code.
func (c *cmdline) errorf(code int, format string, a ...any) int {
	fmt.Fprintf(c.stderr, c.name+": "+format+"\n", a...)
	return code
}

// load returns the core modules with those given by -m; on failure it
// reports and returns the exit code (2 for a missing file).
func (c *cmdline) load() (*yang.Tree, int) {
	if len(c.modules) == 0 {
		t, err := yang.Core()
		if err != nil {
			return nil, c.errorf(1, "%v", err)
		}
		return t, 0
	}
	l := yang.NewLoader()
	for _, path := range c.modules {
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, c.errorf(2, "%s: no such file", path)
		}
		if err != nil {
			return nil, c.errorf(1, "%v", err)
		}
		if err := l.Add(path, b); err != nil {
			return nil, c.errorf(1, "%s", strings.TrimPrefix(err.Error(), "yang: "))
		}
	}
	t, err := l.Load()
	if err != nil {
		return nil, c.errorf(1, "%s", strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yang: "), "\nyang: ", "\n"))
	}
	return t, 0
}
