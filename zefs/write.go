package zefs

import (
	"fmt"
)

// Put stores value under key, replacing any value it had, and (unless
// Options.NoSync) fsyncs before it returns.
//
// When the key exists and the new record fits the capacity its frame
// reserved, the frame is rewritten in place and the file does not grow.
// Otherwise a new frame is appended with room to grow by a tenth, synced,
// and only then is the old frame marked free (and synced again): a crash in
// between leaves both, and the newer one wins when the store is opened. See
// Options.NoInPlace for what a crash during an in-place write does.
//
// Put and Delete may trigger an automatic compaction (Options.AutoCompact).
// When that fails they return its error, which says that the change itself
// was saved.
func (s *Store) Put(key string, value []byte) error {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("zefs: put %q: %w", key, err)
	}
	if len(value) > MaxValueLen {
		return fmt.Errorf("zefs: put %q: %w: %d bytes, more than %d", key, ErrTooLarge, len(value), MaxValueLen)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return fmt.Errorf("zefs: put %q: %w", key, err)
	}
	used := recordLen(key, len(value))
	old, exists := s.index[key]
	if exists && used <= old.cap && !s.opt.NoInPlace {
		s.buf = appendRecord(s.buf[:0], old.off, old.cap, stateLive, key, value)
		if _, err := s.f.WriteAt(s.buf, int64(old.off)); err != nil {
			// The frame may be half old, half new: the key cannot be read.
			delete(s.index, key)
			s.free += old.size()
			return s.fail("put", key, err)
		}
		s.index[key] = entry{off: old.off, hdr: old.hdr, cap: old.cap, valOff: old.valOff, valLen: len(value)}
		if err := s.sync(); err != nil {
			return s.fail("put", key, err)
		}
		return s.autoCompact()
	}

	off := len(s.data)
	capacity := capacityFor(used)
	s.buf = appendRecord(s.buf[:0], off, capacity, stateLive, key, value)
	end := off + len(s.buf)
	if err := s.ensureMapped(end); err != nil {
		return fmt.Errorf("zefs: put %q: %w", key, err) // nothing was written
	}
	if _, err := s.f.WriteAt(s.buf, int64(off)); err != nil {
		// Whatever reached the file is a torn end, cut off at the next open.
		return s.fail("put", key, err)
	}
	// The mapping shows the new frame now: reads follow it even if the
	// sync fails, as the next open would (the later record wins).
	s.data = s.mapped[:end]
	hdr := headerLen(capacity)
	s.index[key] = entry{off: off, hdr: hdr, cap: capacity, valOff: off + hdr + recKey + len(key) + 1, valLen: len(value)}
	if err := s.sync(); err != nil {
		// The old frame stays marked live: it may only be freed once the
		// new one is durable.
		return s.fail("put", key, err)
	}
	if exists {
		s.free += old.size()
		if err := s.markFree(old.frame()); err != nil {
			return s.fail("put", key, err)
		}
		if err := s.sync(); err != nil {
			return s.fail("put", key, err)
		}
	}
	return s.autoCompact()
}

// Delete removes key: its record is marked free (a 9-byte write of the state
// byte and the new CRC) and synced. A missing key is an error that wraps
// ErrNotFound.
func (s *Store) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return fmt.Errorf("zefs: delete %q: %w", key, err)
	}
	e, ok := s.index[key]
	if !ok {
		return fmt.Errorf("zefs: delete %q: %w", key, ErrNotFound)
	}
	// Whether the write lands whole, torn (the CRC fails) or not at all, the
	// key is gone from this store's view; only the last case brings it back
	// at the next open, and then this call returned an error.
	delete(s.index, key)
	s.free += e.size()
	if err := s.markFree(e.frame()); err != nil {
		return s.fail("delete", key, err)
	}
	if err := s.sync(); err != nil {
		return s.fail("delete", key, err)
	}
	return s.autoCompact()
}

// Sync fsyncs the file: with Options.NoSync, it makes the changes so far
// durable.
func (s *Store) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return fmt.Errorf("zefs: sync %s: %w", s.path, err)
	}
	if err := fsync(s.f); err != nil {
		return s.fail("sync", "", err)
	}
	return nil
}

// writable says why the store cannot be written, or nil.
func (s *Store) writable() error {
	switch {
	case s.closed:
		return ErrClosed
	case s.opt.ReadOnly:
		return ErrReadOnly
	case s.failed != nil:
		return fmt.Errorf("%w (%w)", ErrFailed, s.failed)
	}
	return nil
}

// fail records a write error: from now on the store refuses writes, because
// what the file holds and what the store believes may differ until it is
// opened again.
func (s *Store) fail(op, key string, err error) error {
	if s.failed == nil {
		s.failed = err
	}
	if key == "" {
		return fmt.Errorf("zefs: %s %s: %w", op, s.path, err)
	}
	return fmt.Errorf("zefs: %s %q: %w", op, key, err)
}

func (s *Store) sync() error {
	if s.opt.NoSync {
		return nil
	}
	return fsync(s.f)
}

// markFree rewrites the state byte and CRC of the record in f (which the
// mapping shows) so that it reads as free.
func (s *Store) markFree(f frame) error {
	var b [recSpace]byte
	b[recState] = stateFree
	putHex(b[recCRC:], crcOf(s.data, f, stateFree))
	_, err := s.f.WriteAt(b[:], int64(f.data()))
	return err
}

// ensureMapped grows the mapping to cover n bytes of the file. Growing
// unmaps the old mapping, which invalidates slices Get returned.
func (s *Store) ensureMapped(n int) error {
	if n <= len(s.mapped) {
		return nil
	}
	m, err := mmap(s.f, reserve(n))
	if err != nil {
		return fmt.Errorf("mapping %d bytes: %w", reserve(n), err)
	}
	if err := munmap(s.mapped); err != nil {
		_ = munmap(m)
		return fmt.Errorf("unmapping: %w", err)
	}
	s.mapped = m
	s.data = m[:len(s.data)]
	return nil
}

// maxScratch is the largest write buffer the store keeps between writes; a
// larger one (a big value) is dropped so that it does not stay in memory.
const maxScratch = 1 << 20

// autoCompact compacts when the free space reaches the threshold and half
// of the file. The change that triggered it is already durable; an error
// here says so.
func (s *Store) autoCompact() error {
	if cap(s.buf) > maxScratch {
		s.buf = nil
	}
	limit := s.opt.AutoCompact
	if limit == 0 {
		limit = DefaultAutoCompact
	}
	if limit < 0 || int64(s.free) < limit || 2*s.free < len(s.data) {
		return nil
	}
	if err := s.compact(); err != nil {
		return fmt.Errorf("zefs: %s: change saved, but the automatic compaction failed: %w", s.path, err)
	}
	return nil
}
