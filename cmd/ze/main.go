// Command ze is the ze appliance: one binary whose first argument names the
// domain (bgp, config, cli, …). main only dispatches.
package main

import (
	"fmt"
	"os"

	"github.com/zebgp/ze/cmd/ze/bgp"
	"github.com/zebgp/ze/cmd/ze/config"
	"github.com/zebgp/ze/cmd/ze/data"
	"github.com/zebgp/ze/cmd/ze/plugin"
	"github.com/zebgp/ze/cmd/ze/schema"
)

// version is set by the Makefile with -ldflags "-X main.version=…".
var version = "dev"

type domain struct {
	run  func(args []string) int
	help string
}

var domains = map[string]domain{
	"bgp":     {bgp.Run, "BGP tools: decode and encode messages"},
	"config":  {config.Run, "configuration: validate, fmt, diff files; import, show, set, delete, history, rollback, compare the database"},
	"data":    {data.Run, "the ZeFS store: ls, cat, import, rm, compact"},
	"plugin":  {plugin.Run, "plugins: list those built in, the Python SDK"},
	"schema":  {schema.Run, "the YANG modules: list, show, tree"},
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
	if !ok {
		fmt.Fprintf(os.Stderr, "ze: unknown command %q (try 'ze help')\n", os.Args[1])
		os.Exit(1)
	}
	os.Exit(d.run(os.Args[2:]))
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: ze <command> [arguments]\n\ncommands:")
	for _, name := range []string{"bgp", "config", "data", "plugin", "schema", "version"} {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", name, domains[name].help)
	}
}
