// Package bgp implements the `ze bgp` commands: decode and encode.
package bgp

import (
	"fmt"
	"os"
)

// Run dispatches `ze bgp SUBCOMMAND`.
func Run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: ze bgp decode|encode [options] ARG")
		return 1
	}
	fmt.Fprintf(os.Stderr, "ze bgp: unknown command %q\n", args[0])
	return 1
}
