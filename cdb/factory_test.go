package cdb

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb/config"
)

const testHash = "$6$rounds=5000$saltsalt$Q0f1b7l3T9b0rQ8xC8m0F2m0y7cGxZk4xJ8J2eZxG0z1m5v6p9T3.sWd/Hq8aS1V0b7u2kR3cT9yN4e5Q6w7x"

// The factory default validates, with and without the admin password, and
// is in canonical form: printing what it parses to gives it back.
func TestFactoryDefault(t *testing.T) {
	y := coreSchema(t)
	for _, tt := range []struct {
		name, hash string
		want       []string // set-form lines, in order
	}{
		{"no password", "", []string{
			"set system host-name ze",
			"set system login user admin class super-user",
			"set system ssh address 127.0.0.1",
			"set system ssh port 2222",
		}},
		{"password", testHash, []string{
			"set system host-name ze",
			"set system login user admin class super-user",
			"set system login user admin authentication password " + testHash,
			"set system ssh address 127.0.0.1",
			"set system ssh port 2222",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := FactoryDefault(tt.hash)
			tree, err := config.Load(y, text, config.Options{File: "factory"})
			if err != nil {
				t.Fatalf("the factory default does not validate: %v\n%s", err, text)
			}
			if got := string(tree.Text()); got != string(text) {
				t.Errorf("not canonical:\n%s\nprints as\n%s", text, got)
			}
			set, err := tree.Format(config.SetForm)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(set), strings.Join(tt.want, "\n")+"\n"; got != want {
				t.Errorf("set form:\n%s\nwant\n%s", got, want)
			}
			if strings.Contains(string(text), adminHashPlaceholder) {
				t.Errorf("placeholder left in:\n%s", text)
			}
		})
	}
	if string(DefaultConfig) != string(FactoryDefault("")) {
		t.Errorf("DefaultConfig = %q, want FactoryDefault(\"\")", DefaultConfig)
	}
	if strings.Contains(string(DefaultConfig), "password") || strings.Contains(string(DefaultConfig), "authentication") {
		t.Errorf("DefaultConfig has a password:\n%s", DefaultConfig)
	}
}

// A hash that is not a crypt(3) hash makes a factory default that Open
// refuses with the YANG pattern error, not a parse error somewhere else.
func TestFactoryDefaultBadHash(t *testing.T) {
	_, err := Open(t.TempDir(), Options{Schema: coreSchema(t), Logger: quiet, Factory: FactoryDefault(`plain "text"; x`)})
	if err == nil || !strings.Contains(err.Error(), "system login user admin authentication password") {
		t.Errorf("Open: %v, want the password refused", err)
	}
}

// Created is true for the Open that made the database only.
func TestCreated(t *testing.T) {
	dir := t.TempDir()
	y := coreSchema(t)
	db := mustOpen(t, dir, Options{Schema: y, Factory: FactoryDefault(testHash)})
	if !db.Created() {
		t.Error("first Open: Created() = false")
	}
	if got := runningText(t, db); !strings.Contains(got, "password "+testHash+";") {
		t.Errorf("running has no admin password:\n%s", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpen(t, dir, Options{Schema: y, Factory: FactoryDefault(testHash)})
	if db.Created() {
		t.Error("second Open: Created() = true")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ro := mustOpen(t, dir, Options{Schema: y, ReadOnly: true})
	if ro.Created() {
		t.Error("read-only Open: Created() = true")
	}
}

// A read-only open reads, shares the file with other read-only opens,
// refuses every change, creates nothing, and excludes writers (and is
// excluded by them): bbolt's shared and exclusive file locks.
func TestOpenReadOnly(t *testing.T) {
	y := coreSchema(t)
	dir := t.TempDir()
	if _, err := Open(dir, Options{Schema: y, Logger: quiet, ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read-only Open of nothing: %v, want fs.ErrNotExist", err)
	}
	w := mustOpen(t, dir, Options{Schema: y, Factory: []byte(baseConfig)})
	s := session(t, w, SessionOptions{})
	mustSet(t, s, "system host-name r2")
	mustCommit(t, s, CommitOptions{Comment: "r2"})

	// A writer holds it: a read-only open waits, then fails.
	start := time.Now()
	_, err := Open(dir, Options{Schema: y, Logger: quiet, ReadOnly: true, Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "cdb.db is in use by another process") {
		t.Errorf("read-only Open beside a writer: %v, want ErrInUse", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("read-only Open took %v to give up", d)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	r1 := mustOpen(t, dir, Options{Schema: y, ReadOnly: true, Timeout: 100 * time.Millisecond})
	r2 := mustOpen(t, dir, Options{Schema: y, ReadOnly: true, Timeout: 100 * time.Millisecond})
	for i, r := range []*DB{r1, r2} {
		if !r.ReadOnly() {
			t.Errorf("reader %d: ReadOnly() = false", i)
		}
		if got := runningText(t, r); !strings.Contains(got, "host-name r2;") {
			t.Errorf("reader %d: running =\n%s", i, got)
		}
		h, err := r.History()
		if err != nil || len(h) != 2 || h[0].Comment != "r2" {
			t.Errorf("reader %d: history %+v, %v", i, h, err)
		}
		if out, err := r.CompareRollbacks(1, 0); err != nil || !strings.Contains(string(out), "+    host-name r2;") {
			t.Errorf("reader %d: compare %q, %v", i, out, err)
		}
	}
	// Writers wait for the readers.
	if _, err := Open(dir, Options{Schema: y, Logger: quiet, Timeout: 100 * time.Millisecond}); !errors.Is(err, ErrInUse) {
		t.Errorf("writable Open beside readers: %v, want ErrInUse", err)
	}
	// Every change is refused.
	rs := session(t, r1, SessionOptions{})
	if err := rs.Set(words("system host-name r3")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Set: %v, want ErrReadOnly", err)
	}
	if err := rs.Rollback(1); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Rollback: %v, want ErrReadOnly", err)
	}
	if _, err := rs.Commit(CommitOptions{}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Commit: %v, want ErrReadOnly", err)
	}
	if err := rs.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := rs.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// A read-only open neither restores nor times an expired commit confirmed:
// it reports it with Expired; the next writable open restores it.
func TestOpenReadOnlyExpired(t *testing.T) {
	y := coreSchema(t)
	dir := t.TempDir()
	past := time.Now().Add(-time.Hour)
	w := mustOpen(t, dir, Options{Schema: y, Factory: []byte(baseConfig), Now: func() time.Time { return past }})
	s := session(t, w, SessionOptions{})
	mustSet(t, s, "system host-name risky")
	mustCommit(t, s, CommitOptions{Confirmed: time.Minute})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := mustOpen(t, dir, Options{Schema: y, ReadOnly: true})
	if !r.Expired() || r.Pending() == nil || r.Pending().Seq != 2 {
		t.Errorf("read-only: Expired %v, Pending %+v, want revision 2 expired", r.Expired(), r.Pending())
	}
	if got := runningText(t, r); !strings.Contains(got, "host-name risky;") {
		t.Errorf("read-only running =\n%s", got)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	w = mustOpen(t, dir, Options{Schema: y})
	if w.Expired() || w.Pending() != nil {
		t.Errorf("writable: Expired %v, Pending %+v, want it restored", w.Expired(), w.Pending())
	}
	if got := runningText(t, w); !strings.Contains(got, "host-name ze;") {
		t.Errorf("restored running =\n%s", got)
	}
}
