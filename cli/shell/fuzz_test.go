package shell

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds random command lines to the parser of both modes, to
// completion and to help: no panic, and Parse gives a command or an error
// (a *SyntaxError placed inside the line).
func FuzzParse(f *testing.F) {
	seeds := []string{
		"show configuration bgp group g | display set",
		"show configuration | match \"peer p[12]\" | count",
		`set bgp group g peer p1 hold-time 90`,
		`annotate bgp group g "the group"`,
		"rename bgp group g peer p1 to peer p3",
		"commit confirmed 5 comment \"try\" and-quit",
		"load merge terminal",
		"show | compare rollback 3",
		"run show system commit",
		"set system login user bob class operator",
		"edit bgp group g peer p2",
		"'unterminated",
		"| count",
		"show || display json",
		"set \"\" \"\\\"\"",
	}
	db := openDB(f)
	cfg := newShell(f, db, SuperUser)
	mustRun(f, cfg, "configure")
	seeds = append(seeds, strings.Split(mustRun(f, cfg, "show | display set"), "\n")...)
	for _, s := range seeds {
		f.Add(s)
	}
	op := newShell(f, db, Operator)
	f.Fuzz(func(t *testing.T, line string) {
		for _, sh := range []*Shell{op, cfg} {
			words, err := sh.Parse(line)
			var se *SyntaxError
			if err != nil {
				if !errors.As(err, &se) {
					t.Fatalf("%q: error %v is not a syntax error", line, err)
				}
				if se.Pos < 0 || se.Pos > len(line) {
					t.Fatalf("%q: error at %d, outside the line", line, se.Pos)
				}
				if se.Msg == "" {
					t.Fatalf("%q: error without a reason", line)
				}
			} else if len(words) == 0 && strings.TrimSpace(line) != "" && !strings.ContainsAny(line, "\"'") {
				t.Fatalf("%q: no command and no error", line)
			}
			nl, np, _ := sh.Complete(line, len(line))
			if np < 0 || np > len(nl) {
				t.Fatalf("%q: completion at %d of %q", line, np, nl)
			}
			_ = sh.Help(line)
		}
	})
}

// FuzzRun runs random command lines in configure mode on a database of its
// own (set, delete, rename, show, compare, commit, rollback …): no panic,
// and an error is shown by FormatError.
func FuzzRun(f *testing.F) {
	for _, s := range []string{
		"set bgp group g peer p3 remote ip 192.0.2.3",
		"delete bgp group g peer p1 hold-time",
		"rename bgp group g peer p2 to peer p9",
		"copy bgp group g to group h",
		"show bgp group g | display json",
		"show | compare rollback 0",
		"edit bgp group g",
		"up 3",
		"annotate system \"x\"",
		"deactivate bgp",
		"commit check",
		"rollback 1",
		"exit",
		"configure exclusive",
		"show configuration bgp group g peer",
	} {
		f.Add(s)
	}
	db := openDB(f)
	sh := newShell(f, db, SuperUser)
	f.Fuzz(func(t *testing.T, line string) {
		if sh.Mode() != Configure {
			if _, err := run(t, sh, "configure"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := run(t, sh, line); err != nil {
			if FormatError(line, err, 0) == "" {
				t.Fatalf("%q: error %v shows nothing", line, err)
			}
		}
	})
}
