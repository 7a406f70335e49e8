package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/yang"
)

// bigModel is an editor over a candidate of 1,000 peers in 50 groups.
func bigModel(b *testing.B) *Model {
	b.Helper()
	y, err := yang.Core()
	if err != nil {
		b.Fatal(err)
	}
	db, err := cdb.Open(b.TempDir(), cdb.Options{Schema: y})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s, err := db.Session(cdb.SessionOptions{User: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	var text strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&text, "set bgp group g%d peer p%d remote ip 10.%d.%d.1\n", i%50, i, i/256, i%256)
		fmt.Fprintf(&text, "set bgp group g%d peer p%d hold-time %d\n", i%50, i, 30+i%60)
	}
	if err := s.Load(cdb.LoadSet, []byte(text.String()), "bench"); err != nil {
		b.Fatal(err)
	}
	return newModel(s, y, Options{Width: 120, Height: 50})
}

// BenchmarkView1000Peers draws one screen of a 1,000-peer candidate, all
// unfolded: what each key press costs in the tree.
func BenchmarkView1000Peers(b *testing.B) {
	m := bigModel(b)
	m.cur = len(m.rows) / 2
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkRefresh1000Peers reads the candidate again and rebuilds the
// rows: what each edit costs on top of the cdb call.
func BenchmarkRefresh1000Peers(b *testing.B) {
	m := bigModel(b)
	b.ReportAllocs()
	for b.Loop() {
		m.refresh()
	}
}
