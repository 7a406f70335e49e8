package shell

import (
	"context"
	"io"
	"strings"
	"testing"
)

// A command registered with RegisterSuper runs for a super-user and is
// refused to an operator, who still runs the plain registered ones.
func TestRegisterSuper(t *testing.T) {
	db := openDB(t)
	ops := &Ops{}
	ops.RegisterSuper([]string{"peer"}, "announce routes", "<selector> …", func(_ context.Context, args []string, w io.Writer) error {
		_, err := io.WriteString(w, "announced "+strings.Join(args, " ")+"\n")
		return err
	})
	ops.Register([]string{"show", "bgp", "summary"}, "the peers", func(_ context.Context, _ []string, w io.Writer) error {
		_, err := io.WriteString(w, "no peers\n")
		return err
	})
	for _, class := range []Class{SuperUser, Operator} {
		sh := newShell(t, db, class)
		sh.env.Ops = ops
		out, err := run(t, sh, "peer * update text")
		if class == SuperUser {
			if err != nil || out != "announced * update text\n" {
				t.Fatalf("super-user: %q %v", out, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Fatalf("operator: %q %v", out, err)
		}
		contains(t, class.String()+" show", mustRun(t, sh, "show bgp summary"), "no peers")
	}
}

// show system rollback N shows an earlier configuration, and with
// compare M what changes from it to rollback M.
func TestShowSystemRollback(t *testing.T) {
	db := openDB(t)
	sh := newShell(t, db, SuperUser)
	mustRun(t, sh, "configure")
	mustRun(t, sh, "set system host-name r2")
	mustRun(t, sh, "commit")
	mustRun(t, sh, "set system host-name r3")
	mustRun(t, sh, "commit")
	mustRun(t, sh, "exit")
	contains(t, "rollback 1", mustRun(t, sh, "show system rollback 1"), "host-name r2;")
	got := mustRun(t, sh, "show system rollback 1 compare 0")
	contains(t, "compare", got, "-    host-name r2;", "+    host-name r3;")
	contains(t, "set form", mustRun(t, sh, "show system rollback 1 | display set"), "set system host-name r2")
	if _, err := run(t, sh, "show system rollback 1 compare"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("compare without a number: %v", err)
	}
	if _, err := run(t, sh, "show system rollback 50"); err == nil {
		t.Fatal("rollback 50 accepted")
	}
}
