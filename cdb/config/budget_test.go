//go:build !race

package config

import (
	"testing"
	"time"
)

// Parsing and validating 1,000 peers in 50 groups takes under 100 ms (the
// best of five runs, so that a busy machine does not fail it). The race
// detector slows everything down, so this test is not built with it.
func TestLoadBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	y := coreSchema(t)
	src := bigConfig(50, 1000)
	best := time.Hour
	for range 5 {
		start := time.Now()
		tr, err := Load(y, src, Options{})
		if err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
		if l, _ := tr.Get(words("bgp group group-49 peer")); l == nil || len(l.Children()) != 20 {
			t.Fatalf("the last group has %v, want 20 peers", l)
		}
	}
	if best > 100*time.Millisecond {
		t.Errorf("parse and validate took %v, want under 100ms", best)
	}
	t.Logf("parse and validate of 1,000 peers: %v", best)
}
