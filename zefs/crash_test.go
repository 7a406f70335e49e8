package zefs

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A crash while appending leaves a prefix of the new frame at the end of
// the file. Cut there at every byte: the entries written before are intact,
// the torn one is absent (a relocated one keeps its old value), a reader
// reports the damage and a writer cuts it off and goes on.
func TestTornAppend(t *testing.T) {
	prev := map[string]string{"a": "first", "b": "second\nline"}
	tests := []struct {
		name  string
		key   string
		value string
	}{
		{"new key", "c", "third value"},
		{"relocated key", "a", strings.Repeat("longer than the capacity ", 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, path := newStore(t, Options{})
			for k, v := range prev {
				mustPut(t, s, k, v)
			}
			mustClose(t, s)
			before := readFile(t, path)
			s = mustOpen(t, path, Options{})
			mustPut(t, s, tt.key, tt.value)
			mustClose(t, s)
			after := readFile(t, path)
			if !bytes.Equal(after[:len(storeHeader)], before[:len(storeHeader)]) || len(after) <= len(before) {
				t.Fatal("the Put did not append")
			}
			// The old frame is marked free only after the append is synced,
			// so a torn append finds it as it was.
			for cut := len(before); cut < len(after); cut++ {
				torn := append(bytes.Clone(before), after[len(before):cut]...)
				checkTorn(t, torn, len(before), prev)
			}
		})
	}
}

func checkTorn(t *testing.T, torn []byte, good int, prev map[string]string) {
	t.Helper()
	path := writeStore(t, torn)
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("cut at %d: read-only open: %v", len(torn), err)
	}
	wantContents(t, r, prev)
	dmg, _ := r.Damage()
	if len(torn) == good {
		if len(dmg) != 0 {
			t.Errorf("cut at %d: damage %v, want none", len(torn), dmg)
		}
	} else if len(dmg) != 1 || dmg[0].Offset != int64(good) || dmg[0].Length != int64(len(torn)-good) || !errors.Is(dmg[0].Err, ErrTruncated) || dmg[0].Removed {
		t.Errorf("cut at %d: damage %v, want %d truncated bytes at %d", len(torn), dmg, len(torn)-good, good)
	}
	mustClose(t, r)
	if !bytes.Equal(readFile(t, path), torn) {
		t.Errorf("cut at %d: a read-only open changed the file", len(torn))
	}

	w := mustOpen(t, path, Options{})
	wantContents(t, w, prev)
	if dmg, _ := w.Damage(); len(torn) > good && (len(dmg) != 1 || !dmg[0].Removed) {
		t.Errorf("cut at %d: writer's damage %v, want the tail removed", len(torn), dmg)
	}
	if got := fileSize(t, path); got != int64(good) {
		t.Errorf("cut at %d: writer left %d bytes, want %d", len(torn), got, good)
	}
	mustPut(t, w, "d", "after the crash")
	mustClose(t, w)
	want := maps.Clone(prev)
	want["d"] = "after the crash"
	r = mustOpen(t, path, Options{ReadOnly: true})
	wantContents(t, r, want)
	if dmg, _ := r.Damage(); len(dmg) != 0 {
		t.Errorf("cut at %d: damage %v after the repair, want none", len(torn), dmg)
	}
	mustClose(t, r)
}

// A crash during an in-place update leaves part of the new frame over the
// old one (its first bytes, or its last ones when later sectors landed
// first). The key then has its old value, its new one, or none; never a mix.
// The other entries are intact.
func TestTornInPlace(t *testing.T) {
	s, path := newStore(t, Options{})
	mustPut(t, s, "a", "before")
	mustPut(t, s, "k", "old value")
	mustPut(t, s, "z", "after")
	e := s.index["k"]
	mustClose(t, s)
	before := readFile(t, path)
	s = mustOpen(t, path, Options{})
	mustPut(t, s, "k", "new value!")
	mustClose(t, s)
	after := readFile(t, path)
	if len(after) != len(before) {
		t.Fatal("the update was not in place")
	}
	absent := 0
	for _, suffix := range []bool{false, true} {
		for n := 0; n <= e.size(); n++ {
			torn := bytes.Clone(before)
			if suffix {
				copy(torn[e.off+n:e.off+e.size()], after[e.off+n:e.off+e.size()])
			} else {
				copy(torn[e.off:e.off+n], after[e.off:e.off+n])
			}
			r := mustOpen(t, writeStore(t, torn), Options{ReadOnly: true})
			got := contents(t, r)
			v, ok := got["k"]
			delete(got, "k")
			if !maps.Equal(got, map[string]string{"a": "before", "z": "after"}) {
				t.Errorf("suffix %v, %d bytes: other entries are %q", suffix, n, got)
			}
			switch {
			case !ok:
				absent++
				if dmg, _ := r.Damage(); len(dmg) == 0 {
					t.Errorf("suffix %v, %d bytes: k is absent and no damage is reported", suffix, n)
				}
			case v != "old value" && v != "new value!":
				t.Errorf("suffix %v, %d bytes: k = %q, a value never written", suffix, n, v)
			}
			if whole := (!suffix && n == e.size()) || (suffix && n == 0); whole && v != "new value!" {
				t.Errorf("suffix %v, %d bytes: k = %q, want the new value", suffix, n, v)
			}
			if none := (!suffix && n == 0) || (suffix && n == e.size()); none && v != "old value" {
				t.Errorf("suffix %v, %d bytes: k = %q, want the old value", suffix, n, v)
			}
			mustClose(t, r)
		}
	}
	if absent == 0 {
		t.Error("no torn write was detected: the test does not test")
	}
}

// Delete writes 9 bytes; a crash in the middle leaves the entry or not.
func TestTornDelete(t *testing.T) {
	s, path := newStore(t, Options{})
	mustPut(t, s, "k", "value")
	mustPut(t, s, "z", "other")
	e := s.index["k"]
	mustClose(t, s)
	before := readFile(t, path)
	s = mustOpen(t, path, Options{})
	if err := s.Delete("k"); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	after := readFile(t, path)
	at := e.off + e.hdr
	for n := 0; n <= recSpace; n++ {
		torn := bytes.Clone(before)
		copy(torn[at:at+n], after[at:at+n])
		r := mustOpen(t, writeStore(t, torn), Options{ReadOnly: true})
		got := contents(t, r)
		want := map[string]string{"z": "other"}
		if n == 0 {
			want["k"] = "value"
		}
		if v, ok := got["k"]; ok && n > 0 && n < recSpace {
			want["k"] = v // a byte written may be the one already there
		}
		if !maps.Equal(got, want) {
			t.Errorf("%d of 9 bytes: contents %q, want %q", n, sorted(got), sorted(want))
		}
		mustClose(t, r)
	}
}

// A crash between appending a relocated record and marking the old one
// free leaves two live records of the key: the later one wins, and the next
// writer marks the earlier one free, so that deleting the key later cannot
// bring the old value back.
func TestSupersededRecord(t *testing.T) {
	s, path := newStore(t, Options{})
	mustPut(t, s, "k", "v1")
	old := s.index["k"]
	mustClose(t, s)
	before := readFile(t, path)
	s = mustOpen(t, path, Options{})
	long := strings.Repeat("v2", 40)
	mustPut(t, s, "k", long)
	mustClose(t, s)
	after := readFile(t, path)
	at := old.off + old.hdr
	if after[at] != stateFree {
		t.Fatal("the old record was not marked free")
	}
	stale := bytes.Clone(after)
	copy(stale[at:at+recSpace], before[at:at+recSpace]) // as if the mark never landed
	path = writeStore(t, stale)

	r := mustOpen(t, path, Options{ReadOnly: true})
	wantContents(t, r, map[string]string{"k": long})
	if st := r.Stats(); st.Free != int64(old.size()) {
		t.Errorf("Free = %d, want the stale record's %d", st.Free, old.size())
	}
	mustClose(t, r)

	w := mustOpen(t, path, Options{})
	wantContents(t, w, map[string]string{"k": long})
	if b := readFile(t, path); b[at] != stateFree {
		t.Errorf("the writer left the stale record's state %q, want %q", b[at], stateFree)
	}
	if err := w.Delete("k"); err != nil {
		t.Fatal(err)
	}
	mustClose(t, w)
	wantContents(t, mustOpen(t, path, Options{ReadOnly: true}), map[string]string{})
}

// The newer record of a key decides even when it is free: a deleted key
// stays deleted when an older record of it was never marked free.
func TestLaterFreeRecordWins(t *testing.T) {
	s, path := newStore(t, Options{NoInPlace: true, AutoCompact: -1})
	mustPut(t, s, "k", "v1")
	first := s.index["k"]
	mustClose(t, s)
	before := readFile(t, path)
	s = mustOpen(t, path, Options{NoInPlace: true, AutoCompact: -1})
	mustPut(t, s, "k", "v2")
	if err := s.Delete("k"); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	stale := readFile(t, path)
	at := first.off + first.hdr
	copy(stale[at:at+recSpace], before[at:at+recSpace])
	wantContents(t, mustOpen(t, writeStore(t, stale), Options{}), map[string]string{})
}

// flipStore is a store with live, free and relocated records, values with
// newlines and padding, for the bit-flip test.
func flipStore(t *testing.T) (file []byte, want map[string]string, frames map[string]entry) {
	s, path := newStore(t, Options{AutoCompact: -1})
	want = map[string]string{
		"ssh/host-key":     "-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n",
		"config/archive/1": "1:6:6\nzefs 1\n",
		"empty":            "",
		"moved":            strings.Repeat("m", 40),
		"z":                "last",
	}
	mustPut(t, s, "moved", "short")
	mustPut(t, s, "gone", "deleted")
	for _, k := range []string{"ssh/host-key", "config/archive/1", "empty", "moved", "z"} {
		mustPut(t, s, k, want[k])
	}
	if err := s.Delete("gone"); err != nil {
		t.Fatal(err)
	}
	frames = maps.Clone(s.index)
	mustClose(t, s)
	return readFile(t, path), want, frames
}

// Flip bits at every offset: the CRC catches every change to a record, so
// the entry whose frame holds the byte is absent (unless the byte is
// padding, which the CRC does not cover) and every other entry is present
// with its value.
func TestBitFlips(t *testing.T) {
	file, want, frames := flipStore(t)
	for off := range file {
		for _, mask := range []byte{0x01, 0x20, 0x80} {
			bad := bytes.Clone(file)
			bad[off] ^= mask
			path := writeStore(t, bad)
			r, err := Open(path, Options{ReadOnly: true})
			if off < len(storeHeader) {
				if !errors.Is(err, ErrNotStore) {
					t.Errorf("flip %02X at %d in the header: error = %v, want ErrNotStore", mask, off, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("flip %02X at %d: %v", mask, off, err)
			}
			exp := maps.Clone(want)
			for k, e := range frames {
				pad := off >= e.valOff+e.valLen && off < e.off+e.hdr+e.cap
				if off >= e.off && off < e.off+e.size() && !pad {
					delete(exp, k)
				}
			}
			got := contents(t, r)
			if !maps.Equal(got, exp) {
				t.Errorf("flip %02X at %d (%q): contents\n got %q\nwant %q", mask, off, file[off], sorted(got), sorted(exp))
			}
			if dmg, _ := r.Damage(); len(exp) < len(want) && len(dmg) == 0 {
				t.Errorf("flip %02X at %d: an entry is gone and no damage is reported", mask, off)
			}
			mustClose(t, r)
		}
	}
}

// A writer opens a store with damage in the middle, keeps it (compaction
// drops it) and goes on writing after it.
func TestWriteAfterDamage(t *testing.T) {
	file, want, frames := flipStore(t)
	e := frames["config/archive/1"]
	file[e.valOff] ^= 0x01
	delete(want, "config/archive/1")
	path := writeStore(t, file)
	w := mustOpen(t, path, Options{})
	wantContents(t, w, want)
	dmg, more := w.Damage()
	if len(dmg) != 1 || more != 0 || dmg[0].Offset != int64(e.off) || dmg[0].Removed || !errors.Is(dmg[0].Err, ErrChecksum) {
		t.Fatalf("damage %v (+%d), want one checksum mismatch at %d", dmg, more, e.off)
	}
	if s := dmg[0].String(); !strings.HasPrefix(s, "offset ") || !strings.HasSuffix(s, "bytes skipped: checksum mismatch") {
		t.Errorf("Damage.String() = %q", s)
	}
	mustPut(t, w, "new", "entry")
	want["new"] = "entry"
	mustClose(t, w)
	w = mustOpen(t, path, Options{})
	wantContents(t, w, want)
	if err := w.Compact(); err != nil {
		t.Fatal(err)
	}
	mustClose(t, w)
	r := mustOpen(t, path, Options{ReadOnly: true})
	wantContents(t, r, want)
	if dmg, _ := r.Damage(); len(dmg) != 0 {
		t.Errorf("damage %v after compaction, want none", dmg)
	}
}

// A compaction that fails before its rename (standing for a crash there)
// leaves the file as it was and no temporary file, and the store goes on.
func TestCompactInterrupted(t *testing.T) {
	for _, step := range []string{"write", "sync", "rename"} {
		t.Run(step, func(t *testing.T) {
			s, path := newStore(t, Options{AutoCompact: -1})
			want := map[string]string{}
			for i := range 20 {
				k := "k/" + string(rune('a'+i))
				mustPut(t, s, k, strings.Repeat("v", i))
				want[k] = strings.Repeat("v", i)
			}
			for i := range 10 {
				k := "k/" + string(rune('a'+i))
				if err := s.Delete(k); err != nil {
					t.Fatal(err)
				}
				delete(want, k)
			}
			before := readFile(t, path)
			crash := errors.New("crash")
			testHook = func(s string) error {
				if s == step {
					return crash
				}
				return nil
			}
			err := s.Compact()
			testHook = nil
			if !errors.Is(err, crash) {
				t.Fatalf("Compact error = %v, want the hook's", err)
			}
			if !bytes.Equal(readFile(t, path), before) {
				t.Error("the file changed")
			}
			if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
				t.Errorf("directory holds %d files, want only the store", len(ents))
			}
			wantContents(t, s, want)
			mustPut(t, s, "after", "x")
			want["after"] = "x"
			if err := s.Compact(); err != nil {
				t.Fatal(err)
			}
			mustClose(t, s)
			wantContents(t, mustOpen(t, path, Options{}), want)
		})
	}
}

// A temporary file that a crashed compaction left is removed by the next
// writer, not by a reader.
func TestStaleTempRemoved(t *testing.T) {
	s, path := newStore(t, Options{})
	mustPut(t, s, "k", "v")
	mustClose(t, s)
	stale := path + compactSuffix + "123456"
	if err := os.WriteFile(stale, []byte("half a compaction"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustClose(t, mustOpen(t, path, Options{ReadOnly: true}))
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("a reader removed the temporary file: %v", err)
	}
	mustClose(t, mustOpen(t, path, Options{}))
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the writer left the temporary file: %v", err)
	}
}

// After a failed write the store refuses writes and still reads; opening it
// again repairs.
func TestWriteFailure(t *testing.T) {
	tests := []struct {
		name string
		key  string
		want map[string]string // what reads show after the failure
	}{
		{"append", "new", map[string]string{"a": "1", "k": "old"}},
		{"in place", "k", map[string]string{"a": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, path := newStore(t, Options{})
			mustPut(t, s, "a", "1")
			mustPut(t, s, "k", "old")
			_ = s.f.Close() // every write now fails
			err := s.Put(tt.key, []byte("new"))
			if err == nil || !strings.HasPrefix(err.Error(), "zefs: put ") {
				t.Fatalf("Put error = %v", err)
			}
			if err := s.Put("b", nil); !errors.Is(err, ErrFailed) {
				t.Errorf("next Put error = %v, want ErrFailed", err)
			}
			if err := s.Delete("a"); !errors.Is(err, ErrFailed) {
				t.Errorf("Delete error = %v, want ErrFailed", err)
			}
			wantContents(t, s, tt.want)
			_ = s.Close()
			wantContents(t, mustOpen(t, path, Options{}), map[string]string{"a": "1", "k": "old"})
		})
	}
}

// A file crafted so that every line after a damaged byte starts a frame that
// reaches to the end of the file and has a record header would cost open a
// CRC over most of the file per line, quadratic in all. The resync budget
// stops that: a reader gives up and reports the rest as damaged, a writer
// refuses to cut it off.
func TestResyncBudget(t *testing.T) {
	const size = 1 << 20
	var b bytes.Buffer
	b.Write(storeHeader)
	b.WriteString("garbage\n")
	for b.Len() < size-64 {
		off := b.Len()
		rest := size - off
		hdr := headerLen(rest) // close enough: cap has 6 or 7 digits
		capacity := rest - hdr - 1
		b.Write(appendHeader(nil, capacity, capacity)) // used = cap: the CRC would read it all
		b.WriteString("+00000000 k\n")
	}
	for b.Len() < size-1 {
		b.WriteByte(' ')
	}
	b.WriteByte('\n')
	path := writeStore(t, b.Bytes())

	start := time.Now()
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("open took %v", d)
	}
	dmg, _ := r.Damage()
	if r.Len() != 0 || len(dmg) != 1 || dmg[0].Offset != int64(len(storeHeader)) || dmg[0].Length != int64(size-len(storeHeader)) {
		t.Errorf("%d entries, damage %v; want none and all of it damaged", r.Len(), dmg)
	}
	mustClose(t, r)
	if _, err := Open(path, Options{}); !errors.Is(err, ErrUnrepairable) {
		t.Errorf("open for writing: error = %v, want ErrUnrepairable", err)
	}
	if got := fileSize(t, path); got != size {
		t.Errorf("the file is %d bytes, want %d untouched", got, size)
	}
}

// When fsync fails after a write, the store refuses further writes, reads
// show what was written (as the next open does), and a relocated value's old
// frame is not freed before the new one is known to be durable.
func TestSyncFailure(t *testing.T) {
	s, path := newStore(t, Options{AutoCompact: -1})
	mustPut(t, s, "k", "old")
	old := s.index["k"]
	t.Cleanup(func() { fsync = (*os.File).Sync })
	fsync = func(*os.File) error { return errors.New("disk on fire") }
	long := strings.Repeat("new", 30)
	if err := s.Put("k", []byte(long)); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("Put error = %v, want the fsync error", err)
	}
	fsync = (*os.File).Sync
	if err := s.Put("other", nil); !errors.Is(err, ErrFailed) {
		t.Errorf("next Put error = %v, want ErrFailed", err)
	}
	wantContents(t, s, map[string]string{"k": long})
	if b := readFile(t, path); b[old.off+old.hdr] != stateLive {
		t.Error("the old frame was marked free although the new one was not synced")
	}
	_ = s.Close()
	wantContents(t, mustOpen(t, path, Options{}), map[string]string{"k": long})
}
