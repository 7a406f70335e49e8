package config

import (
	"testing"

	"github.com/zebgp/ze/cdb/config/configtest"
)

// bigConfig is configtest.BigConfig: peers peers in groups groups.
func bigConfig(groups, peers int) []byte { return configtest.BigConfig(groups, peers) }

// BenchmarkLoad1000Peers parses and validates 1,000 peers in 50 groups
// (the budget: under 100 ms).
func BenchmarkLoad1000Peers(b *testing.B) {
	y := coreSchema(b)
	src := bigConfig(50, 1000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(y, src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse1000Peers(b *testing.B) {
	y := coreSchema(b)
	src := bigConfig(50, 1000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(y, src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate1000Peers(b *testing.B) {
	tr, err := Parse(coreSchema(b), bigConfig(50, 1000), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := tr.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrint1000Peers(b *testing.B) {
	tr, err := Parse(coreSchema(b), bigConfig(50, 1000), Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []Format{Hierarchical, SetForm, JSON} {
		b.Run(f.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tr.Format(f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompare1000Peers compares two configurations of 1,000 peers
// that differ in one peer's hold time and one new peer.
func BenchmarkCompare1000Peers(b *testing.B) {
	y := coreSchema(b)
	a, err := Parse(y, bigConfig(50, 1000), Options{})
	if err != nil {
		b.Fatal(err)
	}
	c := a.Clone()
	if err := c.Set(words("bgp group group-7 peer peer-140 hold-time 30")); err != nil {
		b.Fatal(err)
	}
	if err := c.Set(words("bgp group group-7 peer new remote ip 192.0.2.77")); err != nil {
		b.Fatal(err)
	}
	b.Run("Diff", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(Diff(a, c)) != 2 {
				b.Fatal("want 2 changes")
			}
		}
	})
	b.Run("Compare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Compare(a, c)
		}
	})
	b.Run("Clone", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a.Clone()
		}
	})
}
