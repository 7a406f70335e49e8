package bench

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

var corpus struct {
	once   sync.Once
	bodies [][]byte
	err    error
}

func loadCorpus(tb testing.TB) [][]byte {
	tb.Helper()
	corpus.once.Do(func() { corpus.bodies, corpus.err = LoadUpdates(CorpusFile) })
	if corpus.err != nil {
		tb.Fatalf("corpus (expected at %s): %v", CorpusFile, corpus.err)
	}
	return corpus.bodies
}

// report adds the per-prefix metrics; one op is a pass over the corpus.
func report(b *testing.B, s *Stats) {
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(s.Prefixes)/sec, "prefixes/s")
	b.ReportMetric(sec*1e9/float64(s.Prefixes), "ns/prefix")
}

// BenchmarkIterate runs both decoders over the same UPDATE stream, loaded
// before the timer starts.
func BenchmarkIterate(b *testing.B) {
	b.Run("ze", benchZe)
	b.Run("gobgp", benchGoBGP)
}

func benchZe(b *testing.B) {
	bodies := loadCorpus(b)
	ctx := wire.NewContext(true, false)
	var s Stats
	b.ReportAllocs()
	for b.Loop() {
		if err := ZeWalk(bodies, ctx, &s); err != nil {
			b.Fatal(err)
		}
	}
	report(b, &s)
}

func benchGoBGP(b *testing.B) {
	bodies := loadCorpus(b)
	var s Stats
	b.ReportAllocs()
	for b.Loop() {
		if err := GoBGPWalk(bodies, &s); err != nil {
			b.Fatal(err)
		}
	}
	report(b, &s)
}

// TestSameWork: both decoders see the same updates, attributes and prefixes
// (and the same flags and prefix lengths), so the benchmark compares like
// with like.
func TestSameWork(t *testing.T) {
	bodies := loadCorpus(t)
	var ze, gb Stats
	if err := ZeWalk(bodies, wire.NewContext(true, false), &ze); err != nil {
		t.Fatal(err)
	}
	if err := GoBGPWalk(bodies, &gb); err != nil {
		t.Fatal(err)
	}
	if ze != gb || ze.Updates != 89679 || ze.Prefixes != 577740 {
		t.Errorf("ze %+v, gobgp %+v; want equal, with 89,679 updates and 577,740 prefixes", ze, gb)
	}
}

// TestCompare runs both benchmarks and prints the ratio. ze must not
// allocate; with ZE_BENCH_MIN_RATIO set (run.sh sets 5) ze must also be at
// least that many times faster.
func TestCompare(t *testing.T) {
	if testing.Short() {
		t.Skip("benchmark comparison: runs for a few seconds")
	}
	loadCorpus(t)
	z := testing.Benchmark(benchZe)
	g := testing.Benchmark(benchGoBGP)
	ratio := float64(g.NsPerOp()) / float64(z.NsPerOp())
	fmt.Printf("ze:    %s %s\n", z, z.MemString())
	fmt.Printf("gobgp: %s %s\n", g, g.MemString())
	fmt.Printf("ze is %.1fx faster than gobgp, allocs ze %d vs gobgp %d (per pass over %d UPDATEs)\n",
		ratio, z.AllocsPerOp(), g.AllocsPerOp(), len(corpus.bodies))
	if z.AllocsPerOp() != 0 {
		t.Errorf("ze allocates %d times per pass, want 0", z.AllocsPerOp())
	}
	if s := os.Getenv("ZE_BENCH_MIN_RATIO"); s != "" {
		min, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("ZE_BENCH_MIN_RATIO=%q: %v", s, err)
		}
		if ratio < min {
			t.Errorf("ze is %.1fx faster than gobgp, want at least %.1fx", ratio, min)
		}
	}
}
