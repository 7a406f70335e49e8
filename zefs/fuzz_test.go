package zefs

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// corpusDir holds real files nobody on the project wrote; stored as values
// they make the fuzz seeds look like the imported files ZeFS keeps.
const corpusDir = "../../shared/corpus/exabgp/conf-4.2"

// seedStores returns store files to start fuzzing from: built by this
// package, then damaged in the ways a crash or a bad disk damages them.
func seedStores(t testing.TB) [][]byte {
	dir := t.TempDir()
	build := func(name string, opt Options, fn func(s *Store)) []byte {
		path := filepath.Join(dir, name)
		s, err := Open(path, opt)
		if err != nil {
			t.Fatal(err)
		}
		fn(s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	small := build("small", Options{}, func(s *Store) {
		_ = s.Put("ssh/host-key", []byte("-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n"))
		_ = s.Put("config/archive/1", []byte("1:6:6\nzefs 1\n"))
		_ = s.Put("empty", nil)
		_ = s.Put("moved", []byte("short"))
		_ = s.Put("moved", []byte(strings.Repeat("m", 60)))
		_ = s.Put("gone", []byte("x"))
		_ = s.Delete("gone")
	})
	files := build("files", Options{AutoCompact: -1}, func(s *Store) {
		ents, _ := os.ReadDir(corpusDir)
		for _, e := range ents[:min(len(ents), 4)] {
			if b, err := os.ReadFile(filepath.Join(corpusDir, e.Name())); err == nil {
				_ = s.Put("import/"+e.Name(), b)
			}
		}
		_ = s.Put("nested", small) // a store inside a store
	})
	stale := build("stale", Options{NoInPlace: true, AutoCompact: -1}, func(s *Store) {
		_ = s.Put("k", []byte("v1"))
		_ = s.Put("k", []byte("v2"))
		_ = s.Put("k", []byte("v3"))
		_ = s.Delete("k")
		_ = s.Put("k", []byte("v4"))
	})
	flipped := slices.Clone(small)
	flipped[len(storeHeader)+30] ^= 1
	term := slices.Clone(small)
	term[len(storeHeader)+frameSize(capacityFor(recordLen("ssh/host-key", 42)))-1] = ' '
	return [][]byte{
		nil,
		storeHeader,
		[]byte("1:6:6\nzefs 1\n2:16:05\nhello           \n"),
		small, files, stale, flipped, term,
		small[:len(small)-7],
		append(slices.Clone(small), "\x00\x00\x00\x00"...),
		append(slices.Clone(storeHeader), "19:9999999999999999999:0000000000000000000\n"...),
	}
}

// FuzzOpen opens any bytes as a store. It must not panic, hang, or allocate
// in proportion to a length the file claims; what a reader sees, a writer
// sees too, keeps after a write and a compaction, and every key it lists
// obeys the key rules.
func FuzzOpen(f *testing.F) {
	for _, s := range seedStores(f) {
		f.Add(s)
	}
	noFsync(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.zefs")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		r, err := Open(path, Options{ReadOnly: true})
		runtime.ReadMemStats(&ms)
		if limit := 32*uint64(len(data)) + 256<<10; ms.TotalAlloc-before > limit {
			t.Fatalf("open of %d bytes allocated %d bytes, more than %d", len(data), ms.TotalAlloc-before, limit)
		}
		var seen map[string]string
		if err != nil {
			if !errors.Is(err, ErrNotStore) {
				t.Fatalf("read-only open: %v", err)
			}
			seen = map[string]string{} // a writer may take it as new
		} else {
			seen = contents(t, r)
			for k := range seen {
				if err := ValidKey(k); err != nil {
					t.Fatalf("listed key %q: %v", k, err)
				}
			}
			if dmg, _ := r.Damage(); len(dmg) > maxDamage {
				t.Fatalf("%d damaged regions listed", len(dmg))
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
		}

		w, err := Open(path, Options{NoSync: true})
		if err != nil {
			if errors.Is(err, ErrNotStore) || errors.Is(err, ErrUnrepairable) {
				return
			}
			t.Fatalf("open for writing: %v", err)
		}
		wantContents(t, w, seen)
		if err := w.Put("fuzz/new", []byte("written")); err != nil {
			t.Fatal(err)
		}
		seen["fuzz/new"] = "written"
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		w, err = Open(path, Options{NoSync: true})
		if err != nil {
			t.Fatalf("reopen after a write: %v", err)
		}
		wantContents(t, w, seen)
		if err := w.Compact(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err = Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("reopen after compaction: %v", err)
		}
		wantContents(t, r, seen)
		if dmg, _ := r.Damage(); len(dmg) != 0 {
			t.Fatalf("damage %v after compaction", dmg)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// noFsync turns fsync off for the rest of the test: fuzzing checks what the
// code does with the bytes, which fsync does not change, and a busy disk
// makes each fsync take long enough to stall the fuzzer.
func noFsync(tb testing.TB) {
	tb.Cleanup(func() { fsync = (*os.File).Sync })
	fsync = func(*os.File) error { return nil }
}

var fuzzKeys = []string{"a", "b", "a/b", "a/b/c", "config/1", "config/2", "ssh/host-key", "z"}

// FuzzOps runs a sequence of operations that the input spells, and checks
// the store against a map after each one and after every reopen.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 0, 0, 10, 0, 1, 20, 3, 0, 2, 0, 5, 6})
	f.Add([]byte{1, 0, 2, 200, 0, 2, 3, 1, 2, 50, 4, 2, 2, 5, 0, 2, 255, 6})
	f.Add([]byte{2, 0, 7, 5, 0, 7, 6, 0, 7, 7, 0, 7, 100, 2, 7, 4, 5})
	f.Add([]byte{3, 1, 0, 250, 1, 1, 250, 1, 2, 250, 2, 0, 2, 1, 2, 2, 0, 3, 3})
	noFsync(f)
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) == 0 || len(prog) > 600 {
			return
		}
		opt := Options{NoSync: true, NoInPlace: prog[0]&1 != 0, AutoCompact: -1}
		if prog[0]&2 != 0 {
			opt.AutoCompact = 512
		}
		path := filepath.Join(t.TempDir(), "ops.zefs")
		s, err := Open(path, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = s.Close() }()
		model := map[string]string{}
		next := func(i *int) int {
			if *i >= len(prog) {
				return 0
			}
			*i++
			return int(prog[*i-1])
		}
		for i, step := 1, 0; i < len(prog); step++ {
			op := next(&i) % 7
			key := fuzzKeys[next(&i)%len(fuzzKeys)]
			switch op {
			case 0, 1: // put, small or large
				n := next(&i)
				if op == 1 {
					n *= 17
				}
				v := strings.Repeat(string(rune('a'+step%26)), n)
				if err := s.Put(key, []byte(v)); err != nil {
					t.Fatalf("step %d: Put(%q): %v", step, key, err)
				}
				model[key] = v
			case 2: // delete
				err := s.Delete(key)
				if _, ok := model[key]; ok != (err == nil) || (!ok && !errors.Is(err, ErrNotFound)) {
					t.Fatalf("step %d: Delete(%q) = %v, model has it: %v", step, key, err, ok)
				}
				delete(model, key)
			case 3: // get
				v, err := s.Get(key)
				want, ok := model[key]
				if ok != (err == nil) || string(v) != want {
					t.Fatalf("step %d: Get(%q) = %q, %v; want %q, %v", step, key, v, err, want, ok)
				}
			case 4:
				if err := s.Compact(); err != nil {
					t.Fatalf("step %d: Compact: %v", step, err)
				}
			case 5: // reopen
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				if s, err = Open(path, opt); err != nil {
					t.Fatalf("step %d: reopen: %v", step, err)
				}
				if dmg, _ := s.Damage(); len(dmg) != 0 {
					t.Fatalf("step %d: damage %v", step, dmg)
				}
			case 6: // list
				prefix := key[:len(key)/2]
				var want []string
				for k := range model {
					if strings.HasPrefix(k, prefix) {
						want = append(want, k)
					}
				}
				slices.Sort(want)
				if got := s.List(prefix); !slices.Equal(got, want) {
					t.Fatalf("step %d: List(%q) = %q, want %q", step, prefix, got, want)
				}
			}
			if st := s.Stats(); st.Entries != len(model) || st.Free < 0 || st.Free > st.Size {
				t.Fatalf("step %d: Stats %+v with %d entries in the model", step, st, len(model))
			}
		}
		wantContents(t, s, model)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = r.Close() }()
		wantContents(t, r, model)
	})
}

// FuzzScan runs the record reader on any bytes after the header, in memory,
// much faster than FuzzOpen: every entry it finds lies inside the buffer
// and re-parses as a live record of its key, and the damaged regions and
// good records do not overlap.
func FuzzScan(f *testing.F) {
	for _, s := range seedStores(f) {
		if len(s) >= len(storeHeader) {
			f.Add(s[len(storeHeader):])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		buf := append(slices.Clone(storeHeader), data...)
		res := scan(buf)
		if res.end < len(storeHeader) || res.end > len(buf) || res.free < 0 || res.free > len(buf) {
			t.Fatalf("end %d, free %d for %d bytes", res.end, res.free, len(buf))
		}
		for k, e := range res.index {
			r, err := parseRecord(buf, e.off, nil)
			if err != nil || !r.live || string(buf[r.keyOff:r.keyOff+r.keyLen]) != k || entryOf(r) != e {
				t.Fatalf("entry %q at %d does not re-parse: %v", k, e.off, err)
			}
			if e.off+e.size() > res.end {
				t.Fatalf("entry %q ends at %d, after end %d", k, e.off+e.size(), res.end)
			}
		}
		last := len(storeHeader)
		for _, d := range res.damage {
			if int(d.Offset) < last || d.Length <= 0 || int(d.Offset+d.Length) > len(buf) {
				t.Fatalf("damage %v out of order or bounds (after %d, of %d)", d, last, len(buf))
			}
			last = int(d.Offset + d.Length)
		}
	})
}
