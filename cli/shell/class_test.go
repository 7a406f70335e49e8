package shell

import (
	"errors"
	"testing"
)

func TestSetClass(t *testing.T) {
	db := openDB(t)
	sh := newShell(t, db, SuperUser)
	mustRun(t, sh, "configure")
	mustRun(t, sh, "set bgp group g local-as 65009")
	if sh.Class() != SuperUser {
		t.Fatalf("class %v", sh.Class())
	}
	// a super-user stays: nothing changes
	if left, _, err := sh.SetClass(SuperUser); left || err != nil {
		t.Fatalf("SetClass(super-user): left %v, %v", left, err)
	}
	if sh.Mode() != Configure {
		t.Fatal("left configure mode")
	}
	left, discarded, err := sh.SetClass(Operator)
	if !left || !discarded || err != nil {
		t.Fatalf("SetClass(operator): left %v discarded %v %v", left, discarded, err)
	}
	if sh.Mode() != Operational || sh.Session() != nil || sh.Class() != Operator {
		t.Fatalf("mode %v session %v class %v", sh.Mode(), sh.Session(), sh.Class())
	}
	if len(sh.env.Sessions.Editors()) != 0 {
		t.Error("still listed by status")
	}
	if _, err := run(t, sh, "configure"); !errors.Is(err, ErrDenied) {
		t.Fatalf("configure as operator: %v", err)
	}
	// the change was discarded with the private candidate
	out := mustRun(t, sh, "show configuration bgp group g local-as")
	if out != "local-as 65001;\n" {
		t.Errorf("running: %q", out)
	}
	// promoted again: configure is allowed, nothing to discard in
	// operational mode
	if left, _, err := sh.SetClass(SuperUser); left || err != nil {
		t.Fatalf("SetClass(super-user): left %v, %v", left, err)
	}
	contains(t, "configure", mustRun(t, sh, "configure"), "Entering configuration mode")
	// demoted without changes: leaves, nothing discarded
	if left, discarded, err := sh.SetClass(Operator); !left || discarded || err != nil {
		t.Fatalf("SetClass(operator) clean: left %v discarded %v %v", left, discarded, err)
	}
}
