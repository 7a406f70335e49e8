// Package start implements `ze start --state DIR` and `ze FILE`: the
// daemon, assembled from the config database, the engine, the BGP
// subsystem, the plugins and the shell.
package start

import (
	"fmt"
	"os"
)

// Run runs `ze start ARGS…` and returns the exit code.
func Run(args []string) int {
	fmt.Fprintln(os.Stderr, "ze start: not built yet")
	return 1
}

// RunFile runs `ze FILE`: imports FILE and runs it.
func RunFile(file string, args []string) int {
	fmt.Fprintln(os.Stderr, "ze: not built yet")
	return 1
}
