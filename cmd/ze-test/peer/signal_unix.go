//go:build unix

package peer

import (
	"fmt"
	"syscall"
)

var signals = map[string]syscall.Signal{
	"SIGHUP": syscall.SIGHUP, "SIGUSR1": syscall.SIGUSR1, "SIGUSR2": syscall.SIGUSR2,
	"SIGTERM": syscall.SIGTERM, "SIGINT": syscall.SIGINT,
}

func signalByName(name string) (syscall.Signal, bool) {
	s, ok := signals[name]
	return s, ok
}

// sendSignal sends the named signal to pid.
func sendSignal(pid int, name string) error {
	s, _ := signalByName(name)
	if err := syscall.Kill(pid, s); err != nil {
		return fmt.Errorf("sending %s to %d: %w", name, pid, err)
	}
	return nil
}
