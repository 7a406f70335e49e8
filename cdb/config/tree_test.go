package config

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func words(s string) []string { return strings.Fields(s) }

// Set, Get and Delete by path, in the words of the set form.
func TestSetGetDelete(t *testing.T) {
	tr := New(coreSchema(t))
	for _, p := range []string{
		"bgp group g peer p remote ip 192.0.2.1",
		"bgp group g peer p hold-time 090",
		"bgp group g peer p hold-time 60", // replaces
		"bgp static route 10.0.0.0/8 community 65000:1",
		"bgp static route 10.0.0.0/8 community 65000:2",
		"bgp static route 10.0.0.0/8 community 65000:1", // already there
		"bgp group g shutdown",
	} {
		if err := tr.Set(words(p)); err != nil {
			t.Fatalf("Set(%s): %v", p, err)
		}
	}
	n, err := tr.Get(words("bgp group g peer p hold-time"))
	if err != nil || n == nil || n.Value() != "60" || n.Kind() != Leaf {
		t.Fatalf("Get hold-time = %v, %v; want the leaf 60", n, err)
	}
	if got := JoinPath(n.Path()); got != "bgp group g peer p hold-time" {
		t.Errorf("Path = %q", got)
	}
	n, _ = tr.Get(words("bgp static route 10.0.0.0/8 community"))
	if n == nil || !slices.Equal(n.Values(), []string{"65000:1", "65000:2"}) {
		t.Fatalf("community = %v, want [65000:1 65000:2]", n)
	}
	l, _ := tr.Get(words("bgp group"))
	if l == nil || l.Kind() != List || len(l.Children()) != 1 || l.Entry("g") == nil || l.Entry("x") != nil {
		t.Fatalf("Get(bgp group) = %v; want the list with entry g", l)
	}
	if n, err := tr.Get(words("bgp group g peer nobody")); n != nil || err != nil {
		t.Errorf("Get of an absent entry = %v, %v; want nil, nil", n, err)
	}

	if err := tr.Delete(words("bgp static route 10.0.0.0/8 community 65000:1")); err != nil {
		t.Fatal(err)
	}
	if err := tr.Delete(words("bgp static route 10.0.0.0/8 community 65000:9")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of an absent value: %v, want ErrNotFound", err)
	}
	if err := tr.Delete(words("bgp group g peer p hold-time 61")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of a leaf with another value: %v, want ErrNotFound", err)
	}
	if err := tr.Delete(words("bgp group g peer p remote ip")); err != nil {
		t.Fatal(err)
	}
	want := `bgp {
    static {
        route 10.0.0.0/8 {
            community 65000:2;
        }
    }
    group g {
        shutdown;
        peer p {
            hold-time 60;
        }
    }
}
`
	if got := string(tr.Text()); got != want {
		t.Errorf("after the deletes:\n%s\nwant:\n%s", got, want)
	}
	// Deleting the last value removes the leaf-list, and the containers it
	// leaves void; an entry stays.
	if err := tr.Delete(words("bgp static route 10.0.0.0/8 community 65000:2")); err != nil {
		t.Fatal(err)
	}
	if err := tr.Delete(words("bgp group g")); err != nil {
		t.Fatal(err)
	}
	if got := string(tr.Text()); got != "bgp {\n    static {\n        route 10.0.0.0/8;\n    }\n}\n" {
		t.Errorf("after deleting the group:\n%s", got)
	}
	if err := tr.Delete(words("bgp static")); err != nil || !tr.IsEmpty() {
		t.Errorf("Delete(bgp static): %v, empty %v; want an empty tree", err, tr.IsEmpty())
	}
	if err := tr.Delete(words("bgp")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete(bgp) of an empty tree: %v, want ErrNotFound", err)
	}
}

// Paths the schema does not have are errors that say why.
func TestPathErrors(t *testing.T) {
	tr := New(coreSchema(t))
	tests := []struct {
		op   string
		path string
		want string
	}{
		{"set", "bgp group g peer p hold-tme 90", `unknown keyword "hold-tme" under bgp group g peer p; did you mean "hold-time"?`},
		{"set", "bgpp", `unknown keyword "bgpp" at the top level; did you mean "bgp"?`},
		{"set", "bgp hold-time 2", `bgp hold-time: "2" is out of range 0 | 3..65535`},
		{"set", "bgp hold-time", `bgp hold-time: missing value, got end of file`},
		{"set", "bgp hold-time 90 91", `unexpected "91" after bgp hold-time 90`},
		{"set", "bgp group", `missing the key name of bgp group, got end of file`},
		{"set", "bgp group g name g", `"name" is the key of bgp group g: it is given after "group", not inside`},
		{"get", "bgp hold-time 90", `unexpected "90" after bgp hold-time: a path names no value`},
		{"get", "bgp group g peer", ``},
		{"delete", "bgp local-as x y", `unexpected "y" after bgp local-as`},
		{"delete", "cfgtest", `unknown keyword "cfgtest" at the top level`},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.path, func(t *testing.T) {
			var err error
			switch tt.op {
			case "set":
				err = tr.Set(words(tt.path))
			case "get":
				_, err = tr.Get(words(tt.path))
			case "delete":
				err = tr.Delete(words(tt.path))
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// Deactivate, Activate and Annotate mark nodes; the marks print.
func TestMarks(t *testing.T) {
	tr := mustParse(t, "bgp { group g { peer p { remote { ip 192.0.2.1; } } } }")
	if err := tr.Deactivate(words("bgp group g peer p")); err != nil {
		t.Fatal(err)
	}
	if err := tr.Annotate(words("bgp group g"), "transit\r\nproviders"); err != nil {
		t.Fatal(err)
	}
	if err := tr.Annotate(words("bgp group"), "x"); err == nil || !strings.Contains(err.Error(), "names a whole list") {
		t.Errorf("Annotate of a whole list: %v", err)
	}
	if err := tr.Deactivate(words("bgp group h")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Deactivate of an absent entry: %v, want ErrNotFound", err)
	}
	want := "bgp {\n    # transit\n    # providers\n    group g {\n        inactive: peer p {\n            remote {\n                ip 192.0.2.1;\n            }\n        }\n    }\n}\n"
	if got := string(tr.Text()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if err := tr.Activate(words("bgp group g peer p")); err != nil {
		t.Fatal(err)
	}
	if err := tr.Annotate(words("bgp group g"), ""); err != nil {
		t.Fatal(err)
	}
	if !tr.Equal(mustParse(t, "bgp group g peer p remote ip 192.0.2.1;")) {
		t.Errorf("after Activate and removing the note:\n%s", tr.Text())
	}
}

// Setting a node of one case of a choice removes the other case's nodes.
func TestSetChoice(t *testing.T) {
	tr := New(testSchema(t))
	for _, p := range []string{"cfgtest tcp-port 80", "cfgtest udp-options checksum true", "cfgtest udp-port 53"} {
		if err := tr.Set(words(p)); err != nil {
			t.Fatal(err)
		}
	}
	want := "cfgtest {\n    udp-port 53;\n    udp-options {\n        checksum true;\n    }\n}\n"
	if got := string(tr.Text()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if err := tr.Set(words("cfgtest tcp-port 1")); err != nil {
		t.Fatal(err)
	}
	if got := string(tr.Text()); got != "cfgtest {\n    tcp-port 1;\n}\n" {
		t.Errorf("after setting tcp-port:\n%s", got)
	}
}

// A clone is independent of the original.
func TestClone(t *testing.T) {
	tr := mustParse(t, "bgp { local-as 65000; group g { peer p { remote { ip 192.0.2.1; } } } }")
	c := tr.Clone()
	if !c.Equal(tr) {
		t.Fatal("a clone is not Equal")
	}
	if err := c.Set(words("bgp group g peer p hold-time 30")); err != nil {
		t.Fatal(err)
	}
	if err := c.Annotate(words("bgp local-as"), "x"); err != nil {
		t.Fatal(err)
	}
	if c.Equal(tr) || strings.Contains(string(tr.Text()), "hold-time") || strings.Contains(string(tr.Text()), "# x") {
		t.Errorf("changing the clone changed the original:\n%s", tr.Text())
	}
}

// Lists find entries by key, also past the size where they keep an index,
// and after deletes and clones.
func TestManyEntries(t *testing.T) {
	tr := New(coreSchema(t))
	for i := range 40 {
		if err := tr.Set(words("bgp peer p" + strconv.Itoa(i) + " remote ip 192.0.2." + strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 40; i += 2 {
		if err := tr.Delete(words("bgp peer p" + strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, tree := range []*Tree{tr, tr.Clone()} {
		l, _ := tree.Get(words("bgp peer"))
		if len(l.Children()) != 20 {
			t.Fatalf("%d entries, want 20", len(l.Children()))
		}
		for i := range 40 {
			e := l.Entry("p" + strconv.Itoa(i))
			if (e != nil) != (i%2 == 1) {
				t.Errorf("entry p%d: %v", i, e)
			}
		}
	}
}

// Walk visits nodes parents first in schema order; false skips children.
func TestWalk(t *testing.T) {
	tr := mustParse(t, "plugin { internal a; } bgp { local-as 1; group g { peer p { hold-time 3; } } }")
	var got []string
	tr.Walk(func(n *Node) bool {
		got = append(got, n.Kind().String()+":"+n.PathString())
		return n.Name() != "peer" || n.Kind() != Entry
	})
	want := []string{
		"container:bgp", "leaf:bgp local-as", "list:bgp group", "entry:bgp group g",
		"list:bgp group g peer", "entry:bgp group g peer p",
		"container:plugin", "list:plugin internal", "entry:plugin internal a",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Walk = %q\nwant %q", got, want)
	}
}

// Words that would not read back bare are quoted.
func TestJoinPath(t *testing.T) {
	got := JoinPath([]string{"bgp", "group", "a b", "", `q"`, "#x", "a#b", "{", "ü"})
	want := `bgp group "a b" "" "q\"" "#x" a#b "{" ü`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// A Set or a set-form line that fails changes nothing: no entry or
// container is left behind by a path that turned out wrong.
func TestFailedSetChangesNothing(t *testing.T) {
	tr := mustParse(t, "bgp { local-as 65000; }")
	before := string(tr.Text())
	for _, p := range []string{
		"bgp group g peer p hold-tme 90",
		"bgp group g peer p hold-time 2",
		"bgp group g peer p remote ip",
		"bgp group g family ipv4 unicastt",
		"bgp static route 10.0.0.0/8 community [ 65000:1 x ]",
	} {
		if err := tr.Set(words(p)); err == nil {
			t.Errorf("Set(%s): no error", p)
		}
	}
	err := tr.ApplySet([]byte("set bgp group h peer q hold-tme 1\nset bgp group h peer q hold-time 1\n"), Options{})
	if err == nil {
		t.Error("ApplySet: no error")
	}
	if got := string(tr.Text()); got != before {
		t.Errorf("the tree changed:\n%s\nwant\n%s", got, before)
	}
}
