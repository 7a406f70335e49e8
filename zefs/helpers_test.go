package zefs

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// newStore opens a new store in a temporary directory.
func newStore(t testing.TB, opt Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.zefs")
	return mustOpen(t, path, opt), path
}

func mustOpen(t testing.TB, path string, opt Options) *Store {
	t.Helper()
	s, err := Open(path, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustPut(t testing.TB, s *Store, key, value string) {
	t.Helper()
	if err := s.Put(key, []byte(value)); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustClose(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// contents reads every entry through List and Get.
func contents(t testing.TB, s *Store) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, k := range s.List("") {
		v, err := s.Get(k)
		if err != nil {
			t.Fatalf("Get(%q) of a listed key: %v", k, err)
		}
		m[k] = string(v)
	}
	return m
}

func wantContents(t testing.TB, s *Store, want map[string]string) {
	t.Helper()
	got := contents(t, s)
	if !maps.Equal(got, want) {
		t.Errorf("contents:\n got %q\nwant %q", sorted(got), sorted(want))
	}
	if s.Len() != len(want) {
		t.Errorf("Len() = %d, want %d", s.Len(), len(want))
	}
}

// sorted prints a map in key order.
func sorted(m map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return out
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeStore writes raw bytes as a store file in a new directory.
func writeStore(t testing.TB, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "raw.zefs")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
