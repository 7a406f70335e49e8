// Package signal implements `ze signal reload|stop|status`: signals to
// the running daemon of a state directory.
package signal

import (
	"fmt"
	"os"
)

// Run runs `ze signal ARGS…` and returns the exit code.
func Run(args []string) int {
	fmt.Fprintln(os.Stderr, "ze signal: not built yet")
	return 1
}
