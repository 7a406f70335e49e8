// Package cli implements `ze cli [-c COMMAND]`: the local client of the
// running daemon's shell.
package cli

import (
	"fmt"
	"os"
)

// Run runs `ze cli ARGS…` and returns the exit code.
func Run(args []string) int {
	fmt.Fprintln(os.Stderr, "ze cli: not built yet")
	return 1
}
