package zefs

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// testHook, when set by a test, is called at each step of a compaction and
// makes it fail with the error it returns, to stand for a crash there.
var testHook func(step string) error

func hook(step string) error {
	if testHook == nil {
		return nil
	}
	return testHook(step)
}

// Compact rewrites the store without its free, replaced and damaged
// records. The live entries are written, sorted by key, into a temporary
// file in the same directory, which is fsynced and renamed over the store;
// then the directory is fsynced. Until the rename the old file is untouched
// and a crash leaves it as it was (the next open for writing removes the
// temporary file); after it, the new file holds every entry. Each entry
// keeps the room to grow it had, up to the tenth a new record gets.
//
// Compaction always fsyncs, even with Options.NoSync. Slices that Get
// returned become invalid.
func (s *Store) Compact() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return fmt.Errorf("zefs: compact %s: %w", s.path, err)
	}
	if err := s.compact(); err != nil {
		return fmt.Errorf("zefs: compact %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) compact() error {
	dir, base := filepath.Split(s.path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, base+compactSuffix+"*")
	if err != nil {
		return err
	}
	index, size, err := s.writeCompacted(tmp)
	if err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := hook("rename"); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	// From here the new file is the store: this store keeps it open, which
	// keeps it locked. Until the directory is synced the rename may not
	// survive a crash, so writes must not go on when that fails.
	dirErr := syncDir(dir)
	m, mapErr := mmap(tmp, reserve(size))
	_ = s.f.Close()
	s.f = tmp
	if mapErr != nil {
		// The old mapping holds the old file, which reads the same entries;
		// only writes stop.
		s.failed = mapErr
		return fmt.Errorf("mapping the compacted file: %w", mapErr)
	}
	_ = munmap(s.mapped)
	s.mapped, s.data, s.index, s.free = m, m[:size], index, 0
	if dirErr != nil {
		s.failed = dirErr
		return fmt.Errorf("syncing directory %s: %w", dir, dirErr)
	}
	return nil
}

// writeCompacted writes the header and the live entries to tmp, locks and
// syncs it, and returns the index of the new file and its size.
func (s *Store) writeCompacted(tmp *os.File) (map[string]entry, int, error) {
	// The new file is locked before it takes the store's name, so no other
	// process can lock it in between.
	if err := lock(tmp, true); err != nil {
		return nil, 0, fmt.Errorf("locking %s: %w", tmp.Name(), err)
	}
	keys := make([]string, 0, len(s.index))
	for k := range s.index {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	index := make(map[string]entry, len(keys))
	w := bufio.NewWriterSize(tmp, 1<<16)
	if _, err := w.Write(storeHeader); err != nil {
		return nil, 0, err
	}
	off := len(storeHeader)
	for _, k := range keys {
		e := s.index[k]
		val := s.data[e.valOff : e.valOff+e.valLen]
		used := recordLen(k, len(val))
		capacity := min(e.cap, capacityFor(used))
		s.buf = appendRecord(s.buf[:0], off, capacity, stateLive, k, val)
		if _, err := w.Write(s.buf); err != nil {
			return nil, 0, err
		}
		hdr := headerLen(capacity)
		index[k] = entry{off: off, hdr: hdr, cap: capacity, valOff: off + hdr + recKey + len(k) + 1, valLen: len(val)}
		off += len(s.buf)
		if err := hook("write"); err != nil {
			return nil, 0, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, 0, err
	}
	if cap(s.buf) > maxScratch {
		s.buf = nil
	}
	if err := hook("sync"); err != nil {
		return nil, 0, err
	}
	if err := fsync(tmp); err != nil {
		return nil, 0, err
	}
	return index, off, nil
}
