package zefs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompact(t *testing.T) {
	s, path := newStore(t, Options{AutoCompact: -1})
	want := map[string]string{}
	for i := range 100 {
		k := fmt.Sprintf("entry/%03d", i)
		mustPut(t, s, k, strings.Repeat("v", i))
		want[k] = strings.Repeat("v", i)
	}
	for i := 0; i < 100; i += 2 {
		k := fmt.Sprintf("entry/%03d", i)
		if err := s.Delete(k); err != nil {
			t.Fatal(err)
		}
		delete(want, k)
	}
	for i := 1; i < 100; i += 10 { // relocate some
		k := fmt.Sprintf("entry/%03d", i)
		mustPut(t, s, k, strings.Repeat("w", 3*i+40))
		want[k] = strings.Repeat("w", 3*i+40)
	}
	st := s.Stats()
	size := fileSize(t, path)
	if st.Free == 0 || st.Size != size {
		t.Fatalf("before: Stats %+v, file %d bytes", st, size)
	}
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	wantContents(t, s, want)
	after := s.Stats()
	if got := fileSize(t, path); got != size-st.Free || after.Size != got || after.Free != 0 {
		t.Errorf("after: file %d bytes, Stats %+v; want %d bytes (%d - %d free), Free 0", got, after, size-st.Free, size, st.Free)
	}
	// The compacted file holds the entries sorted by key, each written
	// where the index says.
	file := readFile(t, path)
	keys := s.List("")
	prev := -1
	for _, k := range keys {
		e := s.index[k]
		if e.off <= prev {
			t.Errorf("%s at %d is not after the previous key at %d", k, e.off, prev)
		}
		prev = e.off
		if !bytes.Equal(file[e.valOff:e.valOff+e.valLen], []byte(want[k])) {
			t.Errorf("file at %s's offset does not hold its value", k)
		}
	}
	// Still writable, and the same after reopening.
	mustPut(t, s, "entry/001", "x")
	want["entry/001"] = "x"
	mustClose(t, s)
	r := mustOpen(t, path, Options{ReadOnly: true})
	wantContents(t, r, want)
	if dmg, _ := r.Damage(); len(dmg) != 0 {
		t.Errorf("damage %v after compaction", dmg)
	}
}

// Compaction keeps an entry's room to grow, up to what a new record gets,
// so updates that fitted before still go in place.
func TestCompactCapacity(t *testing.T) {
	s, path := newStore(t, Options{AutoCompact: -1})
	mustPut(t, s, "grown", strings.Repeat("x", 500)) // capacity 500+: room for ~50 more
	mustPut(t, s, "grown", "now small")              // in place: capacity stays 500+
	mustPut(t, s, "kept", "abc")
	mustPut(t, s, "gone", "x")
	if err := s.Delete("gone"); err != nil {
		t.Fatal(err)
	}
	kept := s.index["kept"].cap
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	if got, want := s.index["grown"].cap, capacityFor(recordLen("grown", len("now small"))); got != want {
		t.Errorf("over-reserved capacity = %d after compaction, want it trimmed to %d", got, want)
	}
	if got := s.index["kept"].cap; got != kept {
		t.Errorf("capacity = %d after compaction, want %d kept", got, kept)
	}
	size := fileSize(t, path)
	mustPut(t, s, "kept", "abcdefghij")
	if fileSize(t, path) != size {
		t.Error("an update that fitted before compaction appended after it")
	}
	wantContents(t, s, map[string]string{"grown": "now small", "kept": "abcdefghij"})
}

// Writes compact by themselves once the free space reaches the threshold
// and half of the file.
func TestAutoCompact(t *testing.T) {
	s, path := newStore(t, Options{AutoCompact: 1024})
	want := map[string]string{}
	for i := range 40 {
		k := fmt.Sprintf("k%02d", i)
		mustPut(t, s, k, strings.Repeat("v", 50))
		want[k] = strings.Repeat("v", 50)
	}
	full := fileSize(t, path)
	compacted := false
	for i := range 39 {
		k := fmt.Sprintf("k%02d", i)
		if err := s.Delete(k); err != nil {
			t.Fatal(err)
		}
		delete(want, k)
		st := s.Stats()
		if st.Free >= 1024 && 2*st.Free >= st.Size {
			t.Fatalf("after deleting %s: Stats %+v passed the threshold without compacting", k, st)
		}
		if fileSize(t, path) < full {
			compacted = true
		}
	}
	if !compacted {
		t.Fatal("the store never compacted itself")
	}
	wantContents(t, s, want)
	mustClose(t, s)
	wantContents(t, mustOpen(t, path, Options{}), want)

	// A negative threshold turns it off.
	s, path = newStore(t, Options{AutoCompact: -1})
	for i := range 40 {
		mustPut(t, s, fmt.Sprintf("k%02d", i), strings.Repeat("v", 50))
	}
	full = fileSize(t, path)
	for i := range 40 {
		if err := s.Delete(fmt.Sprintf("k%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := fileSize(t, path); got != full {
		t.Errorf("file went from %d to %d bytes with automatic compaction off", full, got)
	}
}

// A store reached through a symbolic link stays behind the link after a
// compaction.
func TestCompactThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.zefs")
	link := filepath.Join(dir, "link.zefs")
	s := mustOpen(t, target, Options{})
	mustPut(t, s, "k", "v")
	mustClose(t, s)
	if err := os.Symlink(target, link); err != nil {
		t.Fatalf("symlink: %v", err)
	}
	s = mustOpen(t, link, Options{})
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "k2", "v2")
	mustClose(t, s)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	wantContents(t, mustOpen(t, target, Options{ReadOnly: true}), map[string]string{"k": "v", "k2": "v2"})
}
