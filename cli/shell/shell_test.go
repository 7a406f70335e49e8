package shell

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestConfigureSetCompareCommit(t *testing.T) {
	db := openDB(t)
	sh := newShell(t, db, SuperUser)
	if _, p := sh.Prompt(); p != "alice@r1> " {
		t.Fatalf("prompt %q", p)
	}
	contains(t, "configure", mustRun(t, sh, "configure"), "Entering configuration mode")
	if h, p := sh.Prompt(); h != "[edit]" || p != "alice@r1# " {
		t.Fatalf("prompt %q %q", h, p)
	}
	mustRun(t, sh, "set bgp group g peer p1 hold-time 120")
	mustRun(t, sh, "edit bgp group g peer p2")
	if h, _ := sh.Prompt(); h != "[edit bgp group g peer p2]" {
		t.Fatalf("header %q", h)
	}
	mustRun(t, sh, "set hold-time 30")
	out := mustRun(t, sh, "show")
	want := "remote {\n    ip 192.0.2.2;\n    as 65003;\n}\nhold-time 30;\n"
	if out != want {
		t.Fatalf("show at level: got\n%q\nwant\n%q", out, want)
	}
	mustRun(t, sh, "top")
	cmp := mustRun(t, sh, "show | compare")
	contains(t, "compare", cmp, "[edit bgp group g peer p1]", "-    hold-time 90;", "+    hold-time 120;", "+    hold-time 30;")
	contains(t, "commit", mustRun(t, sh, `commit comment "longer"`), "commit complete (revision 2)")
	mustRun(t, sh, "exit")
	if sh.Mode() != Operational {
		t.Fatal("still in configure mode")
	}
	contains(t, "show configuration", mustRun(t, sh, "show configuration bgp group g peer p1"), "hold-time 120;")
	set := mustRun(t, sh, "show configuration bgp | display set")
	contains(t, "display set", set, "set bgp group g peer p1 hold-time 120\n")
	if strings.Contains(set, "system") {
		t.Errorf("display set of bgp shows system:\n%s", set)
	}
	contains(t, "history", mustRun(t, sh, "show system commit"), "0   ", "by alice via cli (revision 2)", "    longer", "via factory-default")
	contains(t, "json", mustRun(t, sh, "show configuration system | display json"), `"host-name": "r1"`)
}

func TestSyntaxErrors(t *testing.T) {
	db := openDB(t)
	sh := newShell(t, db, SuperUser)
	tests := []struct {
		line string
		pos  int
		msg  string
	}{
		{"shwo configuration", 0, `unknown command "shwo" (did you mean show?)`},
		{"show configuration bgp hodl-time", 23, `unknown keyword "hodl-time" (did you mean hold-time?)`},
		{"show log x", 9, `"x" is not a number`},
		{"show configuration | frob", 21, `unknown pipe command "frob"`},
		{"show configuration | match (", 27, "bad regular expression"},
		{`show "configuration`, 5, "unterminated quoted string"},
		{"show system commit | display set", 29, "display set is only for a configuration"},
		{"show log | display json", 11, "display is only for a configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := run(t, sh, tt.line)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a syntax error", err)
			}
			if se.Pos != tt.pos || !strings.Contains(se.Msg, tt.msg) {
				t.Fatalf("got %d %q, want %d %q", se.Pos, se.Msg, tt.pos, tt.msg)
			}
			f := FormatError(tt.line, err, 10)
			if !strings.HasPrefix(f, strings.Repeat(" ", 10+tt.pos)+"^\nsyntax error: ") {
				t.Fatalf("caret: %q", f)
			}
		})
	}
}

func TestOperatorRefused(t *testing.T) {
	sh := newShell(t, openDB(t), Operator)
	_, err := run(t, sh, "configure")
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("got %v", err)
	}
	contains(t, "operator show", mustRun(t, sh, "show configuration system"), "host-name r1;")
}

func TestHelpAndComplete(t *testing.T) {
	sh := newShell(t, openDB(t), SuperUser)
	help := FormatItems(sh.Help("show "))
	contains(t, "help show", help, "Possible completions:", "configuration", "Show the running configuration", "system")
	line, pos, list := sh.Complete("show conf", 9)
	if line != "show configuration " || pos != len(line) || list != nil {
		t.Fatalf("complete: %q %d %v", line, pos, list)
	}
	mustRun(t, sh, "configure")
	line, _, _ = sh.Complete("set bgp group g peer p", 22)
	if line != "set bgp group g peer p" {
		t.Fatalf("ambiguous keys completed: %q", line)
	}
	_, _, list = sh.Complete("set bgp group g peer p", 22)
	contains(t, "keys", FormatItems(list), "p1", "p2")
	h := FormatItems(sh.Help("set bgp group g peer p1 hold-time "))
	contains(t, "hold-time help", h, "<hold-time>", "range")
	line, _, _ = sh.Complete("set system login user bob class sup", 35)
	if line != "set system login user bob class super-user " {
		t.Fatalf("enum: %q", line)
	}
	contains(t, "pipe", FormatItems(sh.Help("show | ")), "compare", "display", "match")
	contains(t, "commit", FormatItems(sh.Help("commit ")), "confirmed", "check", "comment", "and-quit")
}

func TestQuestionMarkLine(t *testing.T) {
	sh := newShell(t, openDB(t), SuperUser)
	out := mustRun(t, sh, "show ?")
	contains(t, "show ?", out, "Possible completions:", "configuration", "Show the running configuration")
	out = mustRun(t, sh, "show configuration bgp group g peer p?")
	contains(t, "keys", out, "p1", "p2")
	// a quoted ? is a word
	if _, err := run(t, sh, `show configuration "?"`); err == nil {
		t.Fatal(`"?" ran as help`)
	}
}

func TestOperatorSeesNoPasswordHash(t *testing.T) {
	db := openDB(t)
	admin := newShell(t, db, SuperUser)
	mustRun(t, admin, "configure")
	mustRun(t, admin, "set system login user bob class operator")
	mustRun(t, admin, "set system login user bob authentication password $6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1")
	mustRun(t, admin, "commit and-quit")
	contains(t, "super-user", mustRun(t, admin, "show configuration system login"), "password $6$saltsalt$")
	op := newShell(t, db, Operator)
	out := mustRun(t, op, "show configuration system login | display set")
	if strings.Contains(out, "$6$") || !strings.Contains(out, "set system login user bob class operator") {
		t.Fatalf("operator's view:\n%s", out)
	}
}

func TestCompleteFamilies(t *testing.T) {
	sh := newShell(t, openDB(t), SuperUser)
	mustRun(t, sh, "configure")
	help := FormatItems(sh.Help("set bgp group g peer p1 family ipv4 "))
	contains(t, "safi", help, "unicast", "flowspec", "<safi>")
	in := "set bgp group g peer p1 family ipv4 flowspec-"
	line, _, _ := sh.Complete(in, len(in))
	if line != "set bgp group g peer p1 family ipv4 flowspec-vpn " {
		t.Fatalf("completed %q", line)
	}
	in = "set bgp group g peer p1 passive t"
	line, _, _ = sh.Complete(in, len(in))
	if line != "set bgp group g peer p1 passive true " {
		t.Fatalf("boolean: %q", line)
	}
}

func TestShowCommitJSON(t *testing.T) {
	db := openDB(t)
	sh := newShell(t, db, SuperUser)
	mustRun(t, sh, "configure")
	mustRun(t, sh, "set system host-name r2")
	mustRun(t, sh, `commit confirmed 5 comment "try"`)
	out := mustRun(t, sh, "run show system commit | display json")
	var doc struct {
		Pending struct {
			Seq     uint64 `json:"seq"`
			Restore uint64 `json:"restore"`
		} `json:"pending"`
		Commits []struct {
			Rollback  int    `json:"rollback"`
			Seq       uint64 `json:"seq"`
			User      string `json:"user"`
			Comment   string `json:"comment"`
			Origin    string `json:"origin"`
			ConfirmBy string `json:"confirm-by"`
		} `json:"commits"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	c := doc.Commits
	if doc.Pending.Seq != 2 || doc.Pending.Restore != 1 || len(c) != 2 || c[0].Rollback != 0 || c[0].Seq != 2 || c[0].User != "alice" ||
		c[0].Comment != "try" || c[0].Origin != "cli" || c[0].ConfirmBy == "" || c[1].Origin != "factory-default" || c[1].Rollback != 1 {
		t.Fatalf("got %+v from\n%s", doc, out)
	}
	if _, err := run(t, sh, "run show system commit | display set"); err == nil {
		t.Fatal("display set of the history")
	}
}
