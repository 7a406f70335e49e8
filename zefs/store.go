package zefs

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// DefaultAutoCompact is the free space, in bytes, at which a write triggers
// a compaction when Options.AutoCompact is 0.
const DefaultAutoCompact = 1 << 20

// compactSuffix names the temporary file of a compaction: the store's name,
// this suffix and random characters, in the store's directory.
const compactSuffix = ".compact-"

// errWouldBlock is what lock returns when another process holds the lock.
var errWouldBlock = errors.New("lock held elsewhere")

// Options tune Open. The zero value opens for reading and writing, creates
// a missing file, fsyncs every change, updates in place when the value fits
// and compacts automatically at DefaultAutoCompact.
type Options struct {
	// ReadOnly opens an existing store for reading only, with a shared lock:
	// other readers may open it too, a writer may not. Nothing is written,
	// not even the repairs an open for writing makes.
	ReadOnly bool
	// NoSync skips the fsync after each change. A process crash loses
	// nothing (the kernel holds the writes), but after a system crash the
	// latest changes may be missing and a replaced value may come back.
	// Damaged records are still detected. Compaction always syncs.
	NoSync bool
	// NoInPlace makes every Put append a new record and free the old one,
	// even when the value would fit in place. A crash during a Put then
	// leaves the old value or the new one; in place, a crash in the middle
	// of the write loses the entry (it is detected and reads as absent).
	NoInPlace bool
	// AutoCompact: after a Put or Delete, the store compacts itself when the
	// reclaimable bytes reach AutoCompact and half of the file. 0 means
	// DefaultAutoCompact; a negative value turns automatic compaction off.
	AutoCompact int64
}

// Store is an open ZeFS file. Its methods are safe for concurrent use by
// many goroutines: reads share a lock, writes take it alone. One process
// at a time may have a store open for writing (see Open).
type Store struct {
	mu   sync.RWMutex
	path string
	opt  Options
	f    *os.File

	mapped []byte // the read-only mapping, which may reach past the file
	data   []byte // mapped[:size]: the part of the file that holds records
	index  map[string]entry
	free   int // bytes of data that compaction would reclaim

	damage     []Damage
	damageMore int

	buf    []byte // scratch for building frames, reused by writes
	failed error  // the write error that made the store refuse writes
	closed bool
}

// Open opens the store in the file at path.
//
// For writing (the default) it creates the file (mode 0600) when missing and
// takes an exclusive flock on it, so that a second open for writing, from
// this process or another, fails with ErrLocked. With Options.ReadOnly the
// file must exist and the lock is shared. A missing file is an error that
// wraps fs.ErrNotExist; a file that does not start with the ZeFS header is
// ErrNotStore.
//
// Open reads every record and checks its CRC. Records that fail are skipped
// and listed by Damage, never returned as data; the store opens anyway. An
// open for writing then repairs what a crash can leave: damaged bytes at the
// end of the file (a torn append) are cut off, and older records of a key
// still marked live after a newer one are marked free. Damage in the middle
// of the file stays until the next compaction.
func Open(path string, opt Options) (*Store, error) {
	// Compaction renames a new file over the store: over a symbolic link it
	// would replace the link, so work on the file the link names.
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	f, err := openLocked(path, opt.ReadOnly)
	if err != nil {
		return nil, err
	}
	s := &Store{path: path, opt: opt, f: f}
	if err := s.load(); err != nil {
		if s.mapped != nil {
			_ = munmap(s.mapped)
		}
		_ = f.Close()
		return nil, err
	}
	return s, nil
}

// openLocked opens and locks the file. A compaction of another process
// replaces the file by renaming; an open that raced with one may lock the
// replaced file, so it checks that the path still names what it locked.
func openLocked(path string, readOnly bool) (*os.File, error) {
	for range 16 {
		var f *os.File
		var err error
		if readOnly {
			f, err = os.Open(path)
		} else {
			f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		}
		if err != nil {
			return nil, fmt.Errorf("zefs: opening %s: %w", path, err)
		}
		if err := lock(f, !readOnly); err != nil {
			_ = f.Close()
			if errors.Is(err, errWouldBlock) {
				return nil, fmt.Errorf("zefs: %s: %w", path, ErrLocked)
			}
			return nil, fmt.Errorf("zefs: locking %s: %w", path, err)
		}
		held, err1 := f.Stat()
		named, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, named) {
			return f, nil
		}
		_ = f.Close()
	}
	return nil, fmt.Errorf("zefs: %s: %w", path, ErrLocked)
}

// load maps the file, reads its records and, for a writer, repairs.
func (s *Store) load() error {
	fi, err := s.f.Stat()
	if err != nil {
		return fmt.Errorf("zefs: %s: %w", s.path, err)
	}
	if fi.Size() > math.MaxInt-(1<<31) {
		return fmt.Errorf("zefs: %s: file of %d bytes is too large to map", s.path, fi.Size())
	}
	size := int(fi.Size())
	if !s.opt.ReadOnly {
		s.removeStaleTemps()
		if size < len(storeHeader) {
			if err := s.initHeader(size); err != nil {
				return err
			}
			size = len(storeHeader)
		}
	}
	if size < len(storeHeader) {
		return fmt.Errorf("zefs: %s: %w (%d bytes, shorter than the header)", s.path, ErrNotStore, size)
	}
	mapLen := size
	if !s.opt.ReadOnly {
		mapLen = reserve(size)
	}
	if s.mapped, err = mmap(s.f, mapLen); err != nil {
		return fmt.Errorf("zefs: mapping %s: %w", s.path, err)
	}
	buf := s.mapped[:size]
	if !bytes.HasPrefix(buf, storeHeader) {
		return fmt.Errorf("zefs: %s: %w (no \"zefs 1\" header frame)", s.path, ErrNotStore)
	}
	res := scan(buf)
	s.index, s.free, s.damage, s.damageMore = res.index, res.free, res.damage, res.damageMore
	if s.opt.ReadOnly {
		s.data = buf
		return nil
	}
	s.data = buf[:res.end]
	return s.repair(res)
}

// initHeader writes the header into a new (or torn new) file. A file shorter
// than the header is taken as new only when it holds a piece of the header
// or zeros, which is what a crash during the first open leaves.
func (s *Store) initHeader(size int) error {
	have := make([]byte, size)
	if _, err := s.f.ReadAt(have, 0); err != nil {
		return fmt.Errorf("zefs: reading %s: %w", s.path, err)
	}
	if !bytes.HasPrefix(storeHeader, have) && len(bytes.Trim(have, "\x00")) != 0 {
		return fmt.Errorf("zefs: %s: %w (%d bytes, shorter than the header)", s.path, ErrNotStore, size)
	}
	if _, err := s.f.WriteAt(storeHeader, 0); err != nil {
		return fmt.Errorf("zefs: initializing %s: %w", s.path, err)
	}
	if err := fsync(s.f); err != nil {
		return fmt.Errorf("zefs: initializing %s: %w", s.path, err)
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("zefs: initializing %s: %w", s.path, err)
	}
	return nil
}

// repair cuts a damaged tail off and marks superseded records free.
func (s *Store) repair(res scanResult) error {
	if res.gaveUp {
		return fmt.Errorf("zefs: %s: %w: open it read-only to copy the entries out", s.path, ErrUnrepairable)
	}
	changed := false
	if res.tail {
		if err := s.f.Truncate(int64(res.end)); err != nil {
			return fmt.Errorf("zefs: %s: cutting the damaged end at offset %d: %w", s.path, res.end, err)
		}
		s.damage[len(s.damage)-1].Removed = true
		changed = true
	}
	for _, f := range res.superseded {
		if err := s.markFree(f); err != nil {
			return fmt.Errorf("zefs: %s: marking a replaced record free: %w", s.path, err)
		}
		changed = true
	}
	if changed && !s.opt.NoSync {
		if err := fsync(s.f); err != nil {
			return fmt.Errorf("zefs: %s: %w", s.path, err)
		}
	}
	return nil
}

// removeStaleTemps deletes what a compaction that crashed left behind. Only
// the writer compacts, and the caller holds the writer's lock, so every such
// file is stale.
func (s *Store) removeStaleTemps() {
	dir, base := filepath.Split(s.path)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), base+compactSuffix) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// reserve returns how much to map for a file of size bytes: room to grow so
// that appends rarely remap (the next power of two from 1 MiB, then 1 GiB
// steps).
func reserve(size int) int {
	n := 1 << 20
	for n < size {
		if n >= 1<<30 {
			n += 1 << 30
		} else {
			n *= 2
		}
	}
	return n
}

// fsync is (*os.File).Sync; the fuzz targets replace it, since what they
// test does not depend on the disk and fsync is what makes them slow.
var fsync = (*os.File).Sync

// syncDir fsyncs a directory, so that a file created or renamed in it stays.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = fsync(d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close unmaps and closes the file, which releases the lock. Slices that
// Get returned become invalid: reading them after Close crashes the
// program. Closing twice returns ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("zefs: closing %s: %w", s.path, ErrClosed)
	}
	s.closed = true
	err := munmap(s.mapped)
	s.mapped, s.data, s.index = nil, nil, nil
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("zefs: closing %s: %w", s.path, err)
	}
	return nil
}

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Damage returns what Open found damaged and skipped, in file order (at most
// 64 regions), and how many more regions it did not list.
func (s *Store) Damage() (list []Damage, more int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Damage(nil), s.damage...), s.damageMore
}
