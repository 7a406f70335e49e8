package host

import (
	"errors"
	"fmt"
	"sync"

	"github.com/zebgp/ze/zefs"
)

// SecretStore keeps the listener's TLS material. Get returns an error wrapping
// ErrNotFound for a missing key.
type SecretStore interface {
	Get(key string) ([]byte, error)
	Put(key string, v []byte) error
}

// ErrNotFound is wrapped by SecretStore.Get for a missing key.
var ErrNotFound = errors.New("host: secret not found")

// MemStore is a SecretStore in memory, for tests and for a host that does not
// keep its material across restarts.
type MemStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

var _ SecretStore = (*MemStore)(nil)

// Get returns a copy of the value of key.
func (s *MemStore) Get(key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return append([]byte(nil), v...), nil
}

// Put stores a copy of v under key.
func (s *MemStore) Put(key string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string][]byte)
	}
	s.m[key] = append([]byte(nil), v...)
	return nil
}

// ZeFSStore is a SecretStore on a ZeFS store, under a key prefix such as
// "plugin-hub" (so keys become "plugin-hub/ca.crt").
type ZeFSStore struct {
	Store  *zefs.Store
	Prefix string
}

var _ SecretStore = ZeFSStore{}

func (s ZeFSStore) key(k string) string {
	if s.Prefix == "" {
		return k
	}
	return s.Prefix + "/" + k
}

// Get returns a copy of the value of key.
func (s ZeFSStore) Get(key string) ([]byte, error) {
	v, err := s.Store.GetCopy(s.key(key))
	if errors.Is(err, zefs.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotFound, key, err)
	}
	return v, err
}

// Put stores v under key.
func (s ZeFSStore) Put(key string, v []byte) error {
	return s.Store.Put(s.key(key), v)
}
