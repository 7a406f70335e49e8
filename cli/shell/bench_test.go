package shell

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/yang"
)

// bigShell is a shell in configure mode over 1,000 peers in 50 groups.
func bigShell(b *testing.B) *Shell {
	b.Helper()
	var s strings.Builder
	s.WriteString("bgp {\n    local-as 65000;\n")
	for g := range 50 {
		fmt.Fprintf(&s, "    group g%d {\n", g)
		for p := range 20 {
			n := g*20 + p
			fmt.Fprintf(&s, "        peer p%d {\n            remote {\n                ip 10.%d.%d.1;\n                as %d;\n            }\n        }\n", n, n/256, n%256, 65001+n)
		}
		s.WriteString("    }\n")
	}
	s.WriteString("}\n")
	y, err := yang.Core()
	if err != nil {
		b.Fatal(err)
	}
	db, err := cdb.Open(b.TempDir(), cdb.Options{Schema: y, Factory: []byte(s.String()), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	sh := New(Env{DB: db, Schema: y, User: "bench", Class: SuperUser, Logger: quiet})
	b.Cleanup(func() { sh.Close() })
	if err := sh.Run(context.Background(), "configure", io.Discard); err != nil {
		b.Fatal(err)
	}
	return sh
}

// BenchmarkComplete is one TAB on a peer name among 1,000: what a key
// press costs.
func BenchmarkComplete(b *testing.B) {
	sh := bigShell(b)
	line := "set bgp group g7 peer p14"
	b.ReportAllocs()
	for b.Loop() {
		if nl, _, _ := sh.Complete(line, len(line)); nl != line+"0 " && nl != line {
			b.Fatalf("completed to %q", nl)
		}
	}
}

// BenchmarkSet is one set command in a candidate of 1,000 peers.
func BenchmarkSet(b *testing.B) {
	sh := bigShell(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := sh.Run(context.Background(), fmt.Sprintf("set bgp group g7 peer p140 hold-time %d", 30+i%100), io.Discard); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
