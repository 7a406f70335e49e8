// Package bgp implements the `ze bgp` commands: decode and encode.
package bgp

import (
	"fmt"
	"os"
)

// Run dispatches `ze bgp SUBCOMMAND`.
func Run(args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: ze bgp decode [options] HEX|-\n       ze bgp encode [options] 'update text …'|-\n\nrun 'ze bgp decode -h' or 'ze bgp encode -h' for the options")
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	switch args[0] {
	case "decode":
		return runDecode(args[1:], os.Stdin, os.Stdout, os.Stderr)
	case "encode":
		return runEncode(args[1:], os.Stdin, os.Stdout, os.Stderr)
	}
	fmt.Fprintf(os.Stderr, "ze bgp: unknown command %q (want decode or encode)\n", args[0])
	return 1
}
