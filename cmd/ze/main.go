// Command ze is the ze appliance: one binary whose first argument names the
// domain (bgp, config, cli, …). main only dispatches.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/zebgp/ze/cmd/ze/bgp"
	"github.com/zebgp/ze/cmd/ze/cli"
	"github.com/zebgp/ze/cmd/ze/config"
	"github.com/zebgp/ze/cmd/ze/data"
	"github.com/zebgp/ze/cmd/ze/plugin"
	"github.com/zebgp/ze/cmd/ze/schema"
	"github.com/zebgp/ze/cmd/ze/signal"
	"github.com/zebgp/ze/cmd/ze/start"
)

// version is set by the Makefile with -ldflags "-X main.version=…".
var version = "dev"

type domain struct {
	run  func(args []string) int
	help string
}

var domains = map[string]domain{
	"bgp":     {bgp.Run, "BGP tools: decode and encode messages"},
	"cli":     {cli.Run, "the shell of the running daemon: interactive, or one command with -c"},
	"config":  {config.Run, "configuration: validate, fmt, diff files; import, show, set, delete, history, rollback, compare the database"},
	"data":    {data.Run, "the ZeFS store: ls, cat, import, rm, compact"},
	"plugin":  {plugin.Run, "plugins: list those built in, the Python SDK"},
	"schema":  {schema.Run, "the YANG modules: list, show, tree"},
	"signal":  {signal.Run, "signal the running daemon: reload, stop, status"},
	"start":   {start.Run, "run the daemon from a state directory (--state DIR)"},
	"version": {func([]string) int { fmt.Println("ze " + version); return 0 }, "print the version"},
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(1)
		}
		return
	}
	d, ok := domains[os.Args[1]]
	if !ok && isFile(os.Args[1]) {
		os.Exit(start.RunFile(os.Args[1], os.Args[2:]))
	}
	if !ok {
		fmt.Fprintf(os.Stderr, "ze: unknown command %q (try 'ze help')\n", os.Args[1])
		os.Exit(1)
	}
	os.Exit(d.run(os.Args[2:]))
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: ze <command> [arguments]\n       ze FILE [start options]   import the configuration FILE and run it\n\ncommands:")
	for _, name := range []string{"start", "cli", "config", "signal", "bgp", "data", "plugin", "schema", "version"} {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", name, domains[name].help)
	}
}

// isFile reports whether arg names a configuration file rather than a
// command: it contains a path separator or a dot, or it exists.
func isFile(arg string) bool {
	if strings.ContainsAny(arg, "/.") {
		return true
	}
	_, err := os.Stat(arg)
	return err == nil
}
