package config

import (
	"fmt"
	"strings"
	"testing"
)

const diffOld = `bgp {
    local-as 65000;
    hold-time 90;
    group g {
        peer a { remote { ip 192.0.2.1; } hold-time 30; }
        peer b { remote { ip 192.0.2.2; } }
        peer c { remote { ip 192.0.2.3; } }
    }
    static { route 10.0.0.0/8 { community [ 65000:1 65000:2 ]; } }
}
plugin { internal bgp-rib; }
`

const diffNew = `bgp {
    local-as 65000;
    group g {
        # the first peer
        peer a { remote { ip 192.0.2.1; } hold-time 60; }
        inactive: peer b { remote { ip 192.0.2.2; } }
        peer d { remote { ip 192.0.2.4; as 65004; } }
    }
    static { route 10.0.0.0/8 { community [ 65000:2 65000:3 ]; } }
    router-id 192.0.2.254;
}
`

// Diff lists each change once, at its path, in schema order; in a list,
// the deleted entries come first, then the changed ones, then the new ones.
func TestDiff(t *testing.T) {
	a, b := mustParse(t, diffOld), mustParse(t, diffNew)
	var got []string
	for _, c := range Diff(a, b) {
		got = append(got, fmt.Sprintf("%s %s", c.Kind, JoinPath(c.Path)))
	}
	want := []string{
		"added bgp router-id",
		"deleted bgp hold-time",
		"modified bgp static route 10.0.0.0/8 community",
		"deleted bgp group g peer c",
		"annotated bgp group g peer a",
		"modified bgp group g peer a hold-time",
		"deactivated bgp group g peer b",
		"added bgp group g peer d",
		"deleted plugin",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := Diff(a, a.Clone()); len(d) != 0 {
		t.Errorf("Diff of equal trees: %v", d)
	}
	// The order of entries of a list ordered by the system is no change.
	x := mustParse(t, "bgp { peer a { remote { ip ::1; } } peer b { remote { ip ::2; } } }")
	y := mustParse(t, "bgp { peer b { remote { ip ::2; } } peer a { remote { ip ::1; } } }")
	if d := Diff(x, y); len(d) != 0 || x.Equal(y) {
		t.Errorf("reordered entries: Diff %v, Equal %v; want no change but not Equal", d, x.Equal(y))
	}
	// For a list ordered by the user it is.
	x = mustParse(t, "cfgtest { step a { action x; } step b { action y; } tag [ p q ]; }")
	y = mustParse(t, "cfgtest { step b { action y; } step a { action x; } tag [ q p ]; }")
	got = got[:0]
	for _, c := range Diff(x, y) {
		got = append(got, fmt.Sprintf("%s %s", c.Kind, JoinPath(c.Path)))
	}
	if strings.Join(got, ",") != "modified cfgtest tag,modified cfgtest step" {
		t.Errorf("user-ordered changes: %q", got)
	}
}

// Compare prints the changes the way JunOS "show | compare" does.
func TestCompare(t *testing.T) {
	a, b := mustParse(t, diffOld), mustParse(t, diffNew)
	want := `[edit bgp]
+    router-id 192.0.2.254;
-    hold-time 90;
[edit bgp static route 10.0.0.0/8]
-    community 65000:1;
+    community 65000:3;
[edit bgp group g]
-    peer c {
-        remote {
-            ip 192.0.2.3;
-        }
-    }
+    # the first peer
     peer a { ... }
[edit bgp group g peer a]
-    hold-time 30;
+    hold-time 60;
[edit bgp group g]
!    inactive: peer b { ... }
+    peer d {
+        remote {
+            ip 192.0.2.4;
+            as 65004;
+        }
+    }
[edit]
-    plugin {
-        internal bgp-rib;
-    }
`
	if got := string(Compare(a, b)); got != want {
		t.Errorf("Compare:\n%s\nwant:\n%s", got, want)
	}
	if got := Compare(a, a); len(got) != 0 {
		t.Errorf("Compare of a tree with itself: %q", got)
	}
	want = "[edit bgp group g]\n!    active: peer b { ... }\n"
	c := b.Clone()
	if err := c.Activate(words("bgp group g peer b")); err != nil {
		t.Fatal(err)
	}
	if got := string(Compare(b, c)); got != want {
		t.Errorf("Compare after Activate:\n%s\nwant:\n%s", got, want)
	}
}
