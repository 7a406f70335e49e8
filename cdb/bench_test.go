package cdb

import (
	"fmt"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/cdb/config/configtest"
)

// bigConfig is configtest.BigConfig: peers peers in groups groups.
func bigConfig(groups, peers int) []byte { return configtest.BigConfig(groups, peers) }

// peerPath is the path of a leaf of peer n of bigConfig(50, 1000).
func peerPath(n int, leaf ...string) []string {
	return append([]string{"bgp", "group", fmt.Sprintf("group-%d", n/20), "peer", fmt.Sprintf("peer-%d", n)}, leaf...)
}

func bigDB(b *testing.B) (*DB, *Session) {
	b.Helper()
	db := mustOpen(b, b.TempDir(), Options{Schema: coreSchema(b), Factory: bigConfig(50, 1000)})
	return db, session(b, db, SessionOptions{})
}

// BenchmarkCommit1000Peers commits one changed peer in a configuration of
// 1,000 peers in 50 groups: validate, diff (an applier is registered),
// persist with fsync (the budget: under 100 ms). The edit before
// each commit is not timed.
func BenchmarkCommit1000Peers(b *testing.B) {
	db, s := bigDB(b)
	db.RegisterApplier("count", "", countApplier{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if err := s.Set(peerPath(i%1000, "hold-time", fmt.Sprint(100+i%2))); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Commit(CommitOptions{Comment: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEdit1000Peers is one set on the candidate: copy, change, store.
func BenchmarkEdit1000Peers(b *testing.B) {
	_, s := bigDB(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := s.Set(peerPath(i%1000, "hold-time", fmt.Sprint(100+i%2))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck1000Peers is commit check: validation only.
func BenchmarkCheck1000Peers(b *testing.B) {
	_, s := bigDB(b)
	if err := s.Set(peerPath(7, "hold-time", "100")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Check(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompare1000Peers compares a candidate with running, with ten
// peers changed, one deleted and one added (the budget: under 50
// ms).
func BenchmarkCompare1000Peers(b *testing.B) {
	_, s := bigDB(b)
	for i := range 10 {
		if err := s.Set(peerPath(i*97, "hold-time", "100")); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Delete(peerPath(500)); err != nil {
		b.Fatal(err)
	}
	if err := s.Set(append(peerPath(1000), "remote", "ip", "10.9.9.9")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		out, err := s.Compare()
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}

type countApplier struct{}

func (countApplier) Verify(d *Diff) error { return nil }
func (countApplier) Apply(d *Diff) error  { return nil }

// TestBudget1000Peers holds the budgets with room for a loaded
// machine and the race detector: a commit of 1,000 peers under 100 ms
// and a compare under 50 ms, each the best of five, checked with a
// margin of 5x.
func TestBudget1000Peers(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	db := mustOpen(t, t.TempDir(), Options{Schema: coreSchema(t), Factory: bigConfig(50, 1000)})
	s := session(t, db, SessionOptions{})
	best := func(fn func()) time.Duration {
		low := time.Hour
		for range 5 {
			start := time.Now()
			fn()
			low = min(low, time.Since(start))
		}
		return low
	}
	i := 0
	commit := best(func() {
		i++
		if err := s.Set(peerPath(i, "hold-time", "100")); err != nil {
			t.Fatal(err)
		}
		mustCommit(t, s, CommitOptions{})
	})
	mustSet(t, s, config.JoinPath(peerPath(3, "hold-time", "120")))
	compare := best(func() {
		if out, err := s.Compare(); err != nil || len(out) == 0 {
			t.Fatal(err)
		}
	})
	t.Logf("1,000 peers: edit+commit %v, compare %v", commit, compare)
	if commit > 500*time.Millisecond || compare > 250*time.Millisecond {
		t.Errorf("edit+commit %v (budget 100 ms), compare %v (budget 50 ms)", commit, compare)
	}
}
