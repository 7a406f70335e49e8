//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package zefs

import (
	"errors"
	"os"
)

// ZeFS needs mmap and flock; other systems get an error at open.

func mmap(*os.File, int) ([]byte, error) { return nil, errors.ErrUnsupported }

func munmap([]byte) error { return nil }

func lock(*os.File, bool) error { return errors.ErrUnsupported }
