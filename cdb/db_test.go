package cdb

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb/config"
)

// A new database starts with the factory default as revision 1; opening
// it again finds the running configuration and the history as they were.
func TestOpenFactoryAndReopen(t *testing.T) {
	dir := t.TempDir()
	y := coreSchema(t)
	db := mustOpen(t, dir, Options{Schema: y})
	if got := runningText(t, db); got != string(DefaultConfig) {
		t.Errorf("running = %q, want the default %q", got, DefaultConfig)
	}
	h, err := db.History()
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].Seq != 1 || h[0].Origin != OriginFactory || h[0].User != "ze" {
		t.Fatalf("history = %+v, want one factory-default entry, revision 1", h)
	}
	s := session(t, db, SessionOptions{})
	mustSet(t, s, "system host-name router-1")
	mustCommit(t, s, CommitOptions{Comment: "name"})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Show(config.Hierarchical); !errors.Is(err, ErrClosed) {
		t.Errorf("a session of a closed database: %v, want ErrClosed", err)
	}

	// The factory default counts only for a new database.
	db = mustOpen(t, dir, Options{Schema: y, Factory: []byte("system { host-name other; }")})
	if got, want := runningText(t, db), strings.Replace(string(DefaultConfig), "host-name ze;", "host-name router-1;", 1); got != want {
		t.Errorf("running after reopen = %q, want %q", got, want)
	}
	if _, rev, _ := db.Running(); rev != 2 {
		t.Errorf("revision after reopen = %d, want 2", rev)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Error(err)
	}
}

func TestOpenErrors(t *testing.T) {
	y := coreSchema(t)
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no schema", Options{}, "cdb: Open without a schema"},
		{"invalid factory", Options{Schema: y, Factory: []byte("bgp { group g { peer p { hold-time 90; } } }")},
			"cdb: the factory default is not valid: factory default: line 1 col 17: bgp group g peer p: mandatory remote ip is missing"},
		{"unknown keyword", Options{Schema: y, Factory: []byte("bpg { }")},
			`did you mean "bgp"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Logger = quiet
			_, err := Open(t.TempDir(), tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open: %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// A second process (here: a second Open) waits for the file, then gives up.
func TestOpenInUse(t *testing.T) {
	db, dir := openDB(t, "")
	_ = db
	_, err := Open(dir, Options{Schema: coreSchema(t), Timeout: 50 * time.Millisecond, Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "is in use by another process") {
		t.Errorf("second Open: %v, want in use", err)
	}
}
