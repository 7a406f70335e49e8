package zefs

import (
	"fmt"
	"path/filepath"
	"testing"
)

// benchStore opens a store holding n entries of 64-byte values under keys
// like "bench/00042".
func benchStore(b *testing.B, n int, opt Options) (*Store, string) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.zefs")
	s, err := Open(path, Options{NoSync: true, AutoCompact: -1})
	if err != nil {
		b.Fatal(err)
	}
	val := make([]byte, 64)
	for i := range n {
		if err := s.Put(benchKey(i), val); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	s, err = Open(path, opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s, path
}

func benchKey(i int) string { return fmt.Sprintf("bench/%05d", i) }

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = benchKey(i)
	}
	return keys
}

func BenchmarkGet(b *testing.B) {
	s, _ := benchStore(b, 10000, Options{ReadOnly: true})
	keys := benchKeys(10000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		v, err := s.Get(keys[i%len(keys)])
		if err != nil || len(v) != 64 {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkPut updates entries of a 10,000-entry store with 64-byte values:
// in place (the value fits) or appended (NoInPlace), with and without fsync.
func BenchmarkPut(b *testing.B) {
	for _, bc := range []struct {
		name string
		opt  Options
	}{
		{"inplace/nosync", Options{NoSync: true}},
		{"append/nosync", Options{NoSync: true, NoInPlace: true}},
		{"inplace/fsync", Options{}},
		{"append/fsync", Options{NoInPlace: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, _ := benchStore(b, 10000, bc.opt)
			keys := benchKeys(10000)
			val := make([]byte, 64)
			b.ReportAllocs()
			b.SetBytes(int64(len(val)))
			i := 0
			for b.Loop() {
				if err := s.Put(keys[i%len(keys)], val); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkOpen opens a store of 10,000 entries: map the file, parse and
// check every record, build the index.
func BenchmarkOpen(b *testing.B) {
	_, path := benchStore(b, 10000, Options{ReadOnly: true})
	b.ReportAllocs()
	for b.Loop() {
		s, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		if s.Len() != 10000 {
			b.Fatalf("%d entries", s.Len())
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompact(b *testing.B) {
	s, _ := benchStore(b, 10000, Options{NoSync: true, AutoCompact: -1})
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Compact(); err != nil {
			b.Fatal(err)
		}
	}
}
