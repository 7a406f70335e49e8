//go:build linux

package host

import "syscall"

// sysProcAttr: a process group of its own, and SIGKILL when the engine dies,
// so that no plugin outlives it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
