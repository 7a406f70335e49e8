package commit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/zebgp/ze/engine/commit"
)

// BenchmarkCommit: one commit through 16 owners, 8 of them concerned,
// verify (at once) and apply (in order), without a hub.
func BenchmarkCommit(b *testing.B) {
	c := commit.New(commit.Config{Logger: quiet()})
	for i := range 16 {
		path := "bgp"
		if i%2 == 1 {
			path = "system"
		}
		c.Register(fmt.Sprintf("o%d", i), path, commit.Funcs{})
	}
	r := req(2, change("ze-bgp", "bgp", "group", "peer", "hold-time"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Commit(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
