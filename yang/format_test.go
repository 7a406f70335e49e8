package yang

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./yang -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test ./yang -run %s -update rewrites it):\n%s", path, t.Name(), got)
	}
}

func TestWriteTreeGolden(t *testing.T) {
	tr := core(t)
	var b bytes.Buffer
	if err := WriteTree(&b, tr, tr.Root()); err != nil {
		t.Fatal(err)
	}
	golden(t, "core-tree.txt", b.Bytes())
}

func TestWriteTreeSubtree(t *testing.T) {
	tr := core(t)
	var b bytes.Buffer
	if err := WriteTree(&b, tr, find(t, tr, "bgp/group/peer/remote")); err != nil {
		t.Fatal(err)
	}
	want := `  +--rw remote
     +--rw ip      zt:ip-address
     +--rw as?     zt:asn
     +--rw port?   zt:port-number
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteTree(&b, tr, find(t, tr, "bgp/peer/capability/graceful-restart")); err != nil {
		t.Fatal(err)
	}
	want = `  +--rw graceful-restart!
     +--rw enable?         boolean
     +--rw restart-time?   uint16
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteTreeMarks(t *testing.T) {
	l := NewLoader()
	if err := l.Add("wd.yang", []byte(testPlugin)); err != nil {
		t.Fatal(err)
	}
	tr, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTree(&b, tr, tr.Root()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"\nmodule: ze-test-watchdog\n  +--rw watchdog\n     +--rw pool* [name]\n        +--rw name              zt:name\n        +--rw delay?            uint16\n        +--rw (action)?\n           +--:(withdraw)\n           |  +--rw withdraw?   empty\n           +--:(hold)\n              +--rw hold\n                 +--rw max?   uint8\n",
		"     |  +--rw peer* [name]\n",
		// An augmented node carries its module's prefix.
		"     |     +--rw wd:watchdog-pool?   string\n",
		"  +--rw system\n",
		"     |        +--rw ssh-key*    ssh-public-key\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tree lacks\n%s", want)
		}
	}
}
