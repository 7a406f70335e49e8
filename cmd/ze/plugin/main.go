// Package plugin implements the `ze plugin` commands: list the plugins built
// into ze, write out the Python SDK, and the entries the plugin host itself
// uses (run: the body of a forked plugin) or tests use (run-host, call).
package plugin

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/plugins/examples"
	"github.com/zebgp/ze/plugins/sdk"
	"github.com/zebgp/ze/plugins/sdk/python"
)

const usage = `usage: ze plugin COMMAND [arguments]

commands:
  list [--json]        the plugins built into ze (run as ze.NAME or NAME)
  sdk python DIR       write the Python helper module zeplugin.py and the
                       example plugin counter.py (with its YANG) into DIR

for the engine and for tests:
  run NAME             run the built-in plugin NAME as a child of ze's plugin
                       host (the host starts it; it reads ZE_PLUGIN_HUB_*)
  run-host --config FILE --control ADDR
                       run a plugin host with the plugins of FILE (RFC 7951
                       JSON: "ze-plugin:plugin" and the plugins' config),
                       answering RPCs on ADDR once all are ready; the
                       method ze-plugin-host:commit {"config":{…}} commits a
                       whole new configuration through the plugins
  call --state DIR | --control ADDR [--get KEY] [--wait-for KEY=JSON] METHOD [JSON]
                       call METHOD (a plugin's RPC, module:rpc-name, or
                       ze-plugin-host:status, :registry) on the daemon of
                       DIR or on a run-host, and print the result (with
                       --wait-for, call again until KEY has that value)
`

// Exit codes (DESIGN.md).
const (
	exitOK       = 0
	exitError    = 1
	exitNotFound = 2
)

// Run dispatches `ze plugin ARGS…` and returns the exit code.
func Run(args []string) int {
	return run(args, os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	switch args[0] {
	case "list":
		return runList(args[1:], stdout, stderr)
	case "sdk":
		return runSDK(args[1:], stderr)
	case "run":
		return runPlugin(args[1:], stderr)
	case "run-host":
		return runHost(args[1:], stdout, stderr)
	case "call":
		return runCall(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "ze plugin: unknown command %q (try 'ze plugin help')\n", args[0])
	return exitError
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	return fs
}

func parseError(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitError
}

func runList(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("ze plugin list", stderr)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ze plugin list: unexpected argument %q\n", fs.Arg(0))
		return exitError
	}
	names := host.Registered()
	if *asJSON {
		b, _ := json.Marshal(names)
		fmt.Fprintf(stdout, "%s\n", b)
		return exitOK
	}
	for _, n := range names {
		fmt.Fprintln(stdout, n)
	}
	return exitOK
}

func runSDK(args []string, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "python" {
		fmt.Fprint(stderr, "usage: ze plugin sdk python DIR\n")
		return exitError
	}
	dir := args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "ze plugin sdk: %v\n", err)
		return exitError
	}
	files := map[string][]byte{"zeplugin.py": python.Module}
	for _, name := range []string{"counter.py", "ze-example-counter-py.yang"} {
		b, err := fs.ReadFile(examples.Python, name)
		if err != nil {
			fmt.Fprintf(stderr, "ze plugin sdk: %v\n", err)
			return exitError
		}
		files[name] = b
	}
	for name, b := range files {
		mode := os.FileMode(0o644)
		if name == "counter.py" {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, mode); err != nil {
			fmt.Fprintf(stderr, "ze plugin sdk: %v\n", err)
			return exitError
		}
	}
	return exitOK
}

func runPlugin(args []string, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprint(stderr, "usage: ze plugin run NAME\n")
		return exitError
	}
	if _, ok := host.Lookup(args[0]); !ok {
		fmt.Fprintf(stderr, "ze plugin run: no plugin %s is built into ze (try 'ze plugin list')\n", args[0])
		return exitNotFound
	}
	if err := sdk.RunBuiltin(args[0]); err != nil {
		fmt.Fprintf(stderr, "ze plugin run %s: %v\n", args[0], err)
		return exitError
	}
	return exitOK
}
