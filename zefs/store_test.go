package zefs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Operations in sequence, the error each gives, and what the store holds
// afterwards, before and after reopening.
func TestOperations(t *testing.T) {
	type op struct {
		do         string // put, delete, get
		key, value string
		err        error
	}
	tests := []struct {
		name string
		ops  []op
		want map[string]string
	}{
		{name: "empty store", want: map[string]string{}},
		{
			name: "put and get",
			ops:  []op{{do: "put", key: "ssh/host-key", value: "KEY"}, {do: "get", key: "ssh/host-key", value: "KEY"}},
			want: map[string]string{"ssh/host-key": "KEY"},
		},
		{
			name: "overwrite shorter, then longer than the capacity",
			ops: []op{
				{do: "put", key: "a", value: "first value"},
				{do: "put", key: "a", value: "2nd"},
				{do: "get", key: "a", value: "2nd"},
				{do: "put", key: "a", value: strings.Repeat("x", 200)},
				{do: "get", key: "a", value: strings.Repeat("x", 200)},
			},
			want: map[string]string{"a": strings.Repeat("x", 200)},
		},
		{
			name: "delete",
			ops: []op{
				{do: "put", key: "a", value: "1"},
				{do: "put", key: "b", value: "2"},
				{do: "delete", key: "a"},
				{do: "get", key: "a", err: ErrNotFound},
				{do: "delete", key: "a", err: ErrNotFound},
			},
			want: map[string]string{"b": "2"},
		},
		{
			name: "put after delete",
			ops:  []op{{do: "put", key: "a", value: "old"}, {do: "delete", key: "a"}, {do: "put", key: "a", value: "new"}},
			want: map[string]string{"a": "new"},
		},
		{
			name: "empty and binary values",
			ops: []op{
				{do: "put", key: "empty", value: ""},
				{do: "put", key: "bin", value: "\x00\xff\n1:2:3\n\n"},
				{do: "get", key: "empty", value: ""},
			},
			want: map[string]string{"empty": "", "bin": "\x00\xff\n1:2:3\n\n"},
		},
		{
			name: "invalid keys are refused",
			ops: []op{
				{do: "put", key: "", value: "x", err: ErrInvalidKey},
				{do: "put", key: "a//b", value: "x", err: ErrInvalidKey},
				{do: "put", key: "/a", value: "x", err: ErrInvalidKey},
				{do: "put", key: "a\nb", value: "x", err: ErrInvalidKey},
				{do: "get", key: "a//b", err: ErrNotFound},
			},
			want: map[string]string{},
		},
		{
			name: "similar keys stay apart",
			ops: []op{
				{do: "put", key: "a", value: "1"},
				{do: "put", key: "a/b", value: "2"},
				{do: "put", key: "ab", value: "3"},
				{do: "delete", key: "a"},
			},
			want: map[string]string{"a/b": "2", "ab": "3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, path := newStore(t, Options{})
			for i, o := range tt.ops {
				var err error
				switch o.do {
				case "put":
					err = s.Put(o.key, []byte(o.value))
				case "delete":
					err = s.Delete(o.key)
				case "get":
					var v []byte
					v, err = s.Get(o.key)
					if err == nil && string(v) != o.value {
						t.Errorf("op %d: Get(%q) = %q, want %q", i, o.key, v, o.value)
					}
				}
				if !errors.Is(err, o.err) || (err == nil) != (o.err == nil) {
					t.Errorf("op %d: %s(%q) error = %v, want %v", i, o.do, o.key, err, o.err)
				}
			}
			wantContents(t, s, tt.want)
			mustClose(t, s)
			wantContents(t, mustOpen(t, path, Options{ReadOnly: true}), tt.want)
		})
	}
}

func TestList(t *testing.T) {
	s, _ := newStore(t, Options{})
	for _, k := range []string{"ssh/host-key", "ssh/host-key.pub", "config/archive/1", "config/archive/2", "config/running", "conference", "z"} {
		mustPut(t, s, k, "v:"+k)
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"conference", "config/archive/1", "config/archive/2", "config/running", "ssh/host-key", "ssh/host-key.pub", "z"}},
		{"config/", []string{"config/archive/1", "config/archive/2", "config/running"}},
		{"config/archive/", []string{"config/archive/1", "config/archive/2"}},
		{"conf", []string{"conference", "config/archive/1", "config/archive/2", "config/running"}},
		{"ssh/host-key", []string{"ssh/host-key", "ssh/host-key.pub"}},
		{"z", []string{"z"}},
		{"nothing", nil},
	}
	for _, tt := range tests {
		if got := s.List(tt.prefix); !slices.Equal(got, tt.want) {
			t.Errorf("List(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

// The file is readable netcapstrings: this is the whole of a small store.
func TestFileLayout(t *testing.T) {
	s, path := newStore(t, Options{})
	mustPut(t, s, "a/b", "hi")
	mustPut(t, s, "c", "x")
	if err := s.Delete("c"); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	got := string(readFile(t, path))
	// a/b: record 16 bytes, capacity 16+16; c: 13 bytes, capacity 13+16.
	want := "1:6:6\nzefs 1\n" +
		"2:32:16\n+" + got[22:30] + " a/b\nhi" + strings.Repeat(" ", 16) + "\n" +
		"2:29:13\n-" + got[63:71] + " c\nx" + strings.Repeat(" ", 16) + "\n"
	if got != want {
		t.Errorf("file:\n%q\nwant\n%q", got, want)
	}
}

// An update that fits the capacity rewrites the frame where it is: the file
// keeps its size and the entry its offset.
func TestInPlaceUpdate(t *testing.T) {
	s, path := newStore(t, Options{})
	mustPut(t, s, "before", "b")
	mustPut(t, s, "k", "0123456789")
	mustPut(t, s, "after", "a")
	size := fileSize(t, path)
	off := s.index["k"].off
	capacity := s.index["k"].cap
	room := capacity - recordLen("k", 0) // the longest value that fits

	for _, v := range []string{"", "short", strings.Repeat("y", room), "9876543210"} {
		mustPut(t, s, "k", v)
		if got := fileSize(t, path); got != size {
			t.Errorf("after Put of %d bytes: file is %d bytes, want %d", len(v), got, size)
		}
		if e := s.index["k"]; e.off != off || e.cap != capacity {
			t.Errorf("after Put of %d bytes: entry at %d cap %d, want %d cap %d", len(v), e.off, e.cap, off, capacity)
		}
		if got, _ := s.Get("k"); string(got) != v {
			t.Errorf("Get = %q, want %q", got, v)
		}
		if st := s.Stats(); st.Free != 0 {
			t.Errorf("Stats().Free = %d after an in-place update, want 0", st.Free)
		}
	}
	if !bytes.Contains(readFile(t, path), []byte("k\n9876543210 ")) {
		t.Errorf("file does not hold the last value in place:\n%q", readFile(t, path))
	}
	mustClose(t, s)
	wantContents(t, mustOpen(t, path, Options{}), map[string]string{"before": "b", "k": "9876543210", "after": "a"})
}

// An update that does not fit appends a new frame and frees the old one.
func TestGrowRelocates(t *testing.T) {
	s, path := newStore(t, Options{})
	mustPut(t, s, "k", "small")
	old := s.index["k"]
	size := fileSize(t, path)
	big := strings.Repeat("B", old.cap)
	mustPut(t, s, "k", big)
	e := s.index["k"]
	if e.off != int(size) {
		t.Errorf("new frame at %d, want the old end of file %d", e.off, size)
	}
	if got, want := fileSize(t, path), size+int64(e.size()); got != want {
		t.Errorf("file is %d bytes, want %d", got, want)
	}
	if st := s.Stats(); st.Free != int64(old.size()) {
		t.Errorf("Stats().Free = %d, want the old frame's %d", st.Free, old.size())
	}
	if b := readFile(t, path); b[old.off+old.hdr] != stateFree {
		t.Errorf("old frame's state is %q, want %q", b[old.off+old.hdr], stateFree)
	}
	mustClose(t, s)
	wantContents(t, mustOpen(t, path, Options{}), map[string]string{"k": big})
}

// With NoInPlace every Put appends.
func TestNoInPlace(t *testing.T) {
	s, path := newStore(t, Options{NoInPlace: true, AutoCompact: -1})
	mustPut(t, s, "k", "one")
	size := fileSize(t, path)
	mustPut(t, s, "k", "two")
	if got := fileSize(t, path); got <= size {
		t.Errorf("file is %d bytes after a NoInPlace update, want more than %d", got, size)
	}
	wantContents(t, s, map[string]string{"k": "two"})
}

func TestReadOnly(t *testing.T) {
	s, path := newStore(t, Options{})
	mustPut(t, s, "k", "v")
	mustClose(t, s)
	before := readFile(t, path)

	r := mustOpen(t, path, Options{ReadOnly: true})
	wantContents(t, r, map[string]string{"k": "v"})
	for name, err := range map[string]error{
		"put":     r.Put("k", []byte("w")),
		"delete":  r.Delete("k"),
		"compact": r.Compact(),
		"sync":    r.Sync(),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: error = %v, want ErrReadOnly", name, err)
		}
	}
	mustClose(t, r)
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("a read-only open changed the file")
	}

	_, err := Open(filepath.Join(t.TempDir(), "missing.zefs"), Options{ReadOnly: true})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read-only open of a missing file: error = %v, want fs.ErrNotExist", err)
	}
}

func TestLocking(t *testing.T) {
	w, path := newStore(t, Options{})
	if _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("second writer: error = %v, want ErrLocked", err)
	}
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrLocked) {
		t.Errorf("reader while a writer has it: error = %v, want ErrLocked", err)
	}
	mustClose(t, w)

	r1 := mustOpen(t, path, Options{ReadOnly: true})
	r2 := mustOpen(t, path, Options{ReadOnly: true})
	if _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("writer while readers have it: error = %v, want ErrLocked", err)
	}
	mustClose(t, r1)
	mustClose(t, r2)
	mustClose(t, mustOpen(t, path, Options{}))
}

// The lock holds against another process, and still after a compaction
// replaced the file.
func TestLockOtherProcess(t *testing.T) {
	if path := os.Getenv("ZEFS_TEST_HOLD"); path != "" {
		s, err := Open(path, Options{})
		if err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		if err := s.Compact(); err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		_, _ = os.Stdin.Read(make([]byte, 1)) // until the parent closes stdin
		os.Exit(0)
	}
	s, path := newStore(t, Options{})
	mustPut(t, s, "k", "v")
	mustClose(t, s)

	child := helperProcess(t, "TestLockOtherProcess", "ZEFS_TEST_HOLD="+path)
	if _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("writer while another process writes: error = %v, want ErrLocked", err)
	}
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrLocked) {
		t.Errorf("reader while another process writes: error = %v, want ErrLocked", err)
	}
	child.stop(t)
	wantContents(t, mustOpen(t, path, Options{}), map[string]string{"k": "v"})
}

func TestClosed(t *testing.T) {
	s, _ := newStore(t, Options{})
	mustPut(t, s, "k", "v")
	mustClose(t, s)
	errs := map[string]error{"close": s.Close(), "put": s.Put("k", nil), "delete": s.Delete("k"), "compact": s.Compact(), "sync": s.Sync()}
	_, errs["get"] = s.Get("k")
	_, errs["getcopy"] = s.GetCopy("k")
	for name, err := range errs {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: error = %v, want ErrClosed", name, err)
		}
	}
	if l := s.List(""); l != nil {
		t.Errorf("List after Close = %q, want nil", l)
	}
}

// Errors start with "zefs: ", say what was being done to which key, and
// wrap the sentinel.
func TestErrorMessages(t *testing.T) {
	s, path := newStore(t, Options{})
	_, getErr := s.Get("no/such")
	tests := []struct {
		err  error
		want string
		is   error
	}{
		{getErr, `zefs: get "no/such": key not found`, ErrNotFound},
		{s.Delete("gone"), `zefs: delete "gone": key not found`, ErrNotFound},
		{s.Put("a//b", nil), `zefs: put "a//b": invalid key: empty segment (a leading, trailing or doubled '/')`, ErrInvalidKey},
		{s.Put("big", make([]byte, MaxValueLen+1)), `zefs: put "big": value too large: 1073741825 bytes, more than 1073741824`, ErrTooLarge},
	}
	_, lockErr := Open(path, Options{})
	tests = append(tests, struct {
		err  error
		want string
		is   error
	}{lockErr, "zefs: " + path + ": store is in use by another process", ErrLocked})
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want || !errors.Is(tt.err, tt.is) {
			t.Errorf("error = %v, want %q wrapping %v", tt.err, tt.want, tt.is)
		}
	}
}

func TestNotStore(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		readOnly bool
		want     map[string]string // nil: Open fails with ErrNotStore
	}{
		{name: "text file", content: "hello, world\nthis is not a store\n"},
		{name: "text file, writer", content: "hello, world\nthis is not a store\n"},
		{name: "other netcapstring", content: "1:6:6\nzefs 2\n"},
		{name: "empty, reader", content: "", readOnly: true},
		{name: "header prefix, reader", content: "1:6:6\nze", readOnly: true},
		{name: "short garbage, writer", content: "xyz"},
		{name: "empty, writer initializes", content: "", want: map[string]string{}},
		{name: "torn header, writer initializes", content: "1:6:6\nz", want: map[string]string{}},
		{name: "zeros, writer initializes", content: "\x00\x00\x00\x00", want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeStore(t, []byte(tt.content))
			s, err := Open(path, Options{ReadOnly: tt.readOnly})
			if tt.want == nil {
				if !errors.Is(err, ErrNotStore) || !strings.HasPrefix(err.Error(), "zefs: "+path+": not a zefs store") {
					t.Fatalf("Open error = %v, want ErrNotStore", err)
				}
				if got := string(readFile(t, path)); got != tt.content {
					t.Errorf("a failed open changed the file to %q", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			mustPut(t, s, "k", "v")
			mustClose(t, s)
			wantContents(t, mustOpen(t, path, Options{}), map[string]string{"k": "v"})
		})
	}
}

// A value from Get can be appended to without writing into the mapping.
func TestGetCapacity(t *testing.T) {
	s, _ := newStore(t, Options{})
	mustPut(t, s, "a", "one")
	mustPut(t, s, "b", "two")
	v, err := s.Get("a")
	if err != nil {
		t.Fatal(err)
	}
	if cap(v) != len(v) {
		t.Fatalf("cap(Get) = %d, want len %d", cap(v), len(v))
	}
	v = append(v, '!') // copies: writing into the mapping would crash
	if string(v) != "one!" {
		t.Errorf("append = %q", v)
	}
	wantContents(t, s, map[string]string{"a": "one", "b": "two"})
}

func TestGetCopyAndView(t *testing.T) {
	s, _ := newStore(t, Options{})
	mustPut(t, s, "k", "before")
	c, err := s.GetCopy("k")
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "k", "after!") // in place: the mapping changes under Get's slice
	if string(c) != "before" {
		t.Errorf("copy = %q after an update, want %q", c, "before")
	}
	var seen string
	if err := s.View("k", func(v []byte) error { seen = string(v); return nil }); err != nil || seen != "after!" {
		t.Errorf("View saw %q, %v; want %q", seen, err, "after!")
	}
	stop := errors.New("stop")
	if err := s.View("k", func([]byte) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("View error = %v, want fn's", err)
	}
	if err := s.View("nope", func([]byte) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("View of a missing key: error = %v, want ErrNotFound", err)
	}
}

func TestGetAllocs(t *testing.T) {
	s, _ := newStore(t, Options{})
	for _, k := range []string{"ssh/host-key", "config/archive/1", "b"} {
		mustPut(t, s, k, "value of "+k)
	}
	var v []byte
	allocs := testing.AllocsPerRun(1000, func() {
		v, _ = s.Get("config/archive/1")
	})
	if allocs != 0 {
		t.Errorf("Get allocates %.1f times, want 0", allocs)
	}
	if string(v) != "value of config/archive/1" {
		t.Errorf("Get = %q", v)
	}
	allocs = testing.AllocsPerRun(1000, func() {
		_ = s.View("b", func(b []byte) error { v = b; return nil })
	})
	if allocs != 0 {
		t.Errorf("View allocates %.1f times, want 0", allocs)
	}
}

// Many goroutines read and write; the race detector watches, and the end
// state is what the writers wrote last.
func TestConcurrent(t *testing.T) {
	s, path := newStore(t, Options{NoSync: true, AutoCompact: 4096})
	const writers, rounds = 4, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			key := "w/" + string(rune('a'+w))
			for i := range rounds {
				val := strings.Repeat(string(rune('a'+w)), i%50)
				if err := s.Put(key, []byte(val)); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range rounds {
				for _, k := range s.List("w/") {
					_ = s.View(k, func(v []byte) error {
						if len(v) > 0 && strings.Trim(string(v), k[2:]) != "" {
							t.Errorf("value of %s is %q", k, v)
						}
						return nil
					})
					if c, err := s.GetCopy(k); err == nil && strings.Trim(string(c), k[2:]) != "" {
						t.Errorf("copy of %s is %q", k, c)
					}
				}
			}
		})
	}
	wg.Wait()
	want := map[string]string{}
	for w := range writers {
		want["w/"+string(rune('a'+w))] = strings.Repeat(string(rune('a'+w)), (rounds-1)%50)
	}
	wantContents(t, s, want)
	mustClose(t, s)
	wantContents(t, mustOpen(t, path, Options{}), want)
}

// An in-place update builds its frame in a reused buffer and does not
// allocate.
func TestPutInPlaceAllocs(t *testing.T) {
	s, _ := newStore(t, Options{NoSync: true})
	mustPut(t, s, "k", "0123456789")
	val := []byte("abcdefghij")
	allocs := testing.AllocsPerRun(100, func() {
		if err := s.Put("k", val); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("in-place Put allocates %.1f times, want 0", allocs)
	}
	wantContents(t, s, map[string]string{"k": "abcdefghij"})
}
