package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Inactive nodes are kept but not validated: an inactive peer may lack
// its address, an inactive duplicate is no conflict.
func TestValidateSkipsInactive(t *testing.T) {
	tr := mustParse(t, `bgp { group g {
		inactive: peer a { hold-time 9; }
		peer b { remote { ip 192.0.2.1; } }
		inactive: peer c { remote { ip 192.0.2.1; } }
	} }`)
	if err := tr.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if err := tr.Activate(words("bgp group g peer c")); err != nil {
		t.Fatal(err)
	}
	err := tr.Validate()
	if err == nil || !strings.Contains(err.Error(), "bgp group g peer c: remote ip 192.0.2.1 is not unique: peer b has it too (line 3 col 3)") {
		t.Errorf("Validate after activating peer c: %v", err)
	}
}

// Load stops at MaxErrors and says so.
func TestMaxErrors(t *testing.T) {
	var src strings.Builder
	for i := range 10 {
		fmt.Fprintf(&src, "bgp hold-time %d;\n", i+100000)
	}
	_, err := Load(coreSchema(t), []byte(src.String()), Options{File: "f", MaxErrors: 3})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 4 {
		t.Fatalf("got %v, want 3 errors and a last one", err)
	}
	if list[3].Message != "too many errors (stopped after 3)" || list[2].Pos.Line != 3 {
		t.Errorf("got %v", err)
	}
}

// The errors of Load carry file, place, path and message, and print as
// "FILE: line L col C: MESSAGE".
func TestErrorFields(t *testing.T) {
	_, err := Load(coreSchema(t), []byte("bgp {\n    group g {\n        peer p {\n            hold-tme 90;\n"), Options{File: "ze.conf"})
	var list ErrorList
	if !errors.As(err, &list) || len(list) < 2 {
		t.Fatalf("got %v", err)
	}
	var e *Error
	for _, x := range list {
		if strings.Contains(x.Message, "hold-tme") {
			e = x
		}
	}
	if e == nil || e.File != "ze.conf" || e.Pos != (Pos{4, 13}) || e.Path != "bgp group g peer p" ||
		e.Error() != `ze.conf: line 4 col 13: unknown keyword "hold-tme" under bgp group g peer p; did you mean "hold-time"?` {
		t.Errorf("got %#v: %s", e, e)
	}
}

// RegisterValidator is the public form of registerValidator.
var _ func(string, func(*Tree) error) = RegisterValidator

// Registered validators run on the active tree when it has their path;
// their errors point at nodes.
func TestRegisterValidator(t *testing.T) {
	calls := 0
	t.Cleanup(registerValidator("cfgtest/server", func(tr *Tree) error {
		calls++
		var errs ErrorList
		l, _ := tr.Get(words("cfgtest server"))
		for _, e := range l.Children() {
			if w := e.Child("weight"); w != nil && w.Value() == "0" {
				errs = append(errs, tr.Errorf(w, "a weight of 0 takes the server out; deactivate it instead"))
			}
		}
		return errs.Err()
	}))
	t.Cleanup(registerValidator("cfgtest step", func(*Tree) error { return errors.New("steps are not ready") }))
	base := "cfgtest { tcp-port 1; limits { max 1; } step s { action a; } "

	tr := mustParse(t, base+"}")
	if err := tr.Validate(); err == nil || err.Error() != "test.conf: line 1 col 41: cfgtest step: steps are not ready" {
		t.Errorf("Validate = %v", err)
	}
	if calls != 0 {
		t.Errorf("the server validator ran without servers")
	}
	tr = mustParse(t, base+"server a 1 { weight 0; } inactive: server b 1 { weight 0; } }")
	err := tr.Validate()
	want := "test.conf: line 1 col 75: cfgtest server a 1 weight: a weight of 0 takes the server out; deactivate it instead\n" +
		"test.conf: line 1 col 41: cfgtest step: steps are not ready"
	if err == nil || err.Error() != want || calls != 1 {
		t.Errorf("Validate = %v (%d calls)\nwant %s", err, calls, want)
	}
}
