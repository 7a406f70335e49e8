//go:build unix && !linux

package host

import "syscall"

// sysProcAttr: a process group of its own.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
