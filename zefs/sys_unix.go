//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package zefs

import (
	"errors"
	"os"
	"syscall"
)

// mmap maps length bytes of f read-only and shared, so that the store's own
// writes (pwrite on the same file) show through. length may exceed the file:
// only the part inside the file is ever read.
func mmap(f *os.File, length int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, length, syscall.PROT_READ, syscall.MAP_SHARED)
}

func munmap(b []byte) error { return syscall.Munmap(b) }

// lock takes an advisory flock on f without waiting: exclusive for a writer,
// shared for a reader. It returns errWouldBlock when another process holds a
// conflicting lock.
func lock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return errWouldBlock
		}
		return err
	}
}
