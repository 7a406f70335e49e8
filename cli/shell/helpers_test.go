package shell

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/yang"
)

const baseConfig = `system {
    host-name r1;
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

func openDB(t testing.TB) *cdb.DB {
	t.Helper()
	y, err := yang.Core()
	if err != nil {
		t.Fatal(err)
	}
	db, err := cdb.Open(t.TempDir(), cdb.Options{Schema: y, Factory: []byte(baseConfig), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// registries shares one Registry among the shells of a database, as a
// server does.
var registries sync.Map

func newShell(t testing.TB, db *cdb.DB, class Class) *Shell {
	t.Helper()
	y, _ := yang.Core()
	reg, _ := registries.LoadOrStore(db, &Registry{})
	sh := New(Env{DB: db, Schema: y, User: "alice", Class: class, Logger: quiet, Host: func() string { return "r1" }, Sessions: reg.(*Registry), Via: "test"})
	t.Cleanup(func() { sh.Close() })
	return sh
}

// run runs line and returns its output and error text.
func run(t testing.TB, sh *Shell, line string) (string, error) {
	t.Helper()
	var b bytes.Buffer
	err := sh.Run(context.Background(), line, &b)
	return b.String(), err
}

func mustRun(t testing.TB, sh *Shell, line string) string {
	t.Helper()
	out, err := run(t, sh, line)
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, FormatError(line, err, -1))
	}
	return out
}

func contains(t testing.TB, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: missing %q in:\n%s", what, w, got)
		}
	}
}
