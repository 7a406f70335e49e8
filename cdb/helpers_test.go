package cdb

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

// testModule adds, to the core modules, a list ordered by the user and a
// leaf-list, which the core does not have, for Rebase.
const testModule = `module ze-cdbtest {
  yang-version 1.1;
  namespace "urn:ze:yang:ze-cdbtest";
  prefix cdbt;
  description "Test nodes of package cdb.";
  revision 2026-11-23 { description "Initial revision."; }
  container cdbtest {
    description "Test nodes.";
    list step {
      key "name";
      ordered-by user;
      description "Steps, in the user's order.";
      leaf name { type string; description "The step."; }
      leaf action { type string; description "What it does."; }
    }
    leaf-list tag { type string; description "Tags."; }
    leaf flag { type empty; description "A flag."; }
  }
}
`

var loadSchemas = sync.OnceValues(func() ([2]*yang.Tree, error) {
	core, err := yang.Core()
	if err != nil {
		return [2]*yang.Tree{}, err
	}
	l := yang.NewLoader()
	if err := l.Add("ze-cdbtest.yang", []byte(testModule)); err != nil {
		return [2]*yang.Tree{}, err
	}
	ext, err := l.Load()
	return [2]*yang.Tree{core, ext}, err
})

// coreSchema returns the core modules.
func coreSchema(t testing.TB) *yang.Tree {
	t.Helper()
	s, err := loadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	return s[0]
}

// testSchema returns the core modules with ze-cdbtest.
func testSchema(t testing.TB) *yang.Tree {
	t.Helper()
	s, err := loadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	return s[1]
}

// baseConfig is the configuration most tests start from.
const baseConfig = `system {
    host-name ze;
}
bgp {
    group g {
        local-as 65001;
        peer p1 {
            remote {
                ip 192.0.2.1;
                as 65002;
            }
            hold-time 90;
        }
        peer p2 {
            remote {
                ip 192.0.2.2;
                as 65003;
            }
        }
    }
}
`

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openDB opens a new database in a temporary directory, made from
// factory (baseConfig when ""), with the core schema.
func openDB(t testing.TB, factory string) (*DB, string) {
	t.Helper()
	if factory == "" {
		factory = baseConfig
	}
	dir := t.TempDir()
	db := mustOpen(t, dir, Options{Schema: coreSchema(t), Factory: []byte(factory)})
	return db, dir
}

func mustOpen(t testing.TB, dir string, o Options) *DB {
	t.Helper()
	if o.Logger == nil {
		o.Logger = quiet
	}
	db, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func session(t testing.TB, db *DB, o SessionOptions) *Session {
	t.Helper()
	if o.User == "" {
		o.User = "alice"
	}
	s, err := db.Session(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// words splits a path written as one line.
func words(s string) []string { return strings.Fields(s) }

func mustSet(t testing.TB, s *Session, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if err := s.Set(words(l)); err != nil {
			t.Fatalf("set %s: %v", l, err)
		}
	}
}

func mustCommit(t testing.TB, s *Session, o CommitOptions) Revision {
	t.Helper()
	rev, err := s.Commit(o)
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	return rev
}

func runningText(t testing.TB, db *DB) string {
	t.Helper()
	b, err := db.Show(config.Hierarchical)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func candidateText(t testing.TB, s *Session, f config.Format) string {
	t.Helper()
	b, err := s.Show(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// errAs returns err as a *E, failing when it is not one.
func errAs[E error](t testing.TB, err error) E {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want a %T", err, err, e)
	}
	return e
}
