package zefs

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Get returns the value of key as a slice of the store's read-only mapping
// of the file, without copying and without allocating.
//
// The slice is valid until the next Put, Delete or Compact on this store,
// or its Close. A write may change the bytes under it (an in-place update),
// move it (compaction) or unmap it (the mapping grows): reading it after
// that returns other bytes or crashes the program, and writing to it
// always crashes (the mapping is read-only). Use GetCopy to keep a value,
// or View to work on it while writes wait.
//
// A missing key is an error that wraps ErrNotFound.
func (s *Store) Get(key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, fmt.Errorf("zefs: get %q: %w", key, ErrClosed)
	}
	e, ok := s.index[key]
	if !ok {
		return nil, fmt.Errorf("zefs: get %q: %w", key, ErrNotFound)
	}
	// The capacity stops at the value, so append copies instead of writing
	// into the mapping.
	return s.data[e.valOff : e.valOff+e.valLen : e.valOff+e.valLen], nil
}

// GetCopy returns a copy of the value of key, which stays valid.
func (s *Store) GetCopy(key string) ([]byte, error) {
	var out []byte
	err := s.View(key, func(v []byte) error {
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// View calls fn with the value of key, as Get returns it, while holding the
// store's read lock: writes wait until fn returns, so the slice stays valid
// for the whole call (and no longer). fn must not call Put, Delete, Compact
// or Close on the same store, which would deadlock. View returns fn's error.
func (s *Store) View(key string, fn func(value []byte) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return fmt.Errorf("zefs: view %q: %w", key, ErrClosed)
	}
	e, ok := s.index[key]
	if !ok {
		return fmt.Errorf("zefs: view %q: %w", key, ErrNotFound)
	}
	return fn(s.data[e.valOff : e.valOff+e.valLen : e.valOff+e.valLen])
}

// List returns the keys that start with prefix, sorted. The prefix is
// compared byte by byte, so "config/" lists the entries under config/ and
// "conf" also lists "conference". An empty prefix lists every key; a closed
// store has none.
func (s *Store) List(prefix string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var keys []string
	for k := range s.index {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Len returns the number of entries.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.index)
}

// Stats describes the space a store uses.
type Stats struct {
	Entries int   // live keys
	Size    int64 // bytes of the file that hold records (the whole file, for a reader)
	// Free is the bytes that compaction would reclaim: free, replaced and
	// damaged records.
	Free int64
}

// Stats returns the store's counts.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Stats{Entries: len(s.index), Size: int64(len(s.data)), Free: int64(s.free)}
}
