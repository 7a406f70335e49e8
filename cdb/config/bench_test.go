package config

import (
	"fmt"
	"strings"
	"testing"
)

// bigConfig returns a configuration of peers peers in groups groups, each
// peer with its address, AS, description, timers and a family, each group
// with its own settings: the size of a large route server.
func bigConfig(groups, peers int) []byte {
	var b strings.Builder
	b.WriteString("environment { log { level info; } }\n")
	b.WriteString("bgp {\n    router-id 192.0.2.1;\n    local-as 65000;\n    hold-time 90;\n")
	for g := range groups {
		fmt.Fprintf(&b, "    group group-%d {\n", g)
		fmt.Fprintf(&b, "        description \"customers of region %d\";\n", g)
		fmt.Fprintf(&b, "        local-as %d;\n", 65000+g)
		b.WriteString("        family {\n            ipv4 unicast { prefix-limit 100000; }\n            ipv6 unicast;\n        }\n")
		b.WriteString("        capability { graceful-restart { restart-time 120; } role provider; }\n")
		for p := range peers / groups {
			n := g*(peers/groups) + p
			fmt.Fprintf(&b, "        peer peer-%d {\n", n)
			fmt.Fprintf(&b, "            description \"customer %d\";\n", n)
			fmt.Fprintf(&b, "            remote { ip 10.%d.%d.%d; as %d; }\n", n/65536, n/256%256, n%256, 100000+n)
			fmt.Fprintf(&b, "            local-address 10.255.%d.1;\n", g)
			b.WriteString("            hold-time 180;\n            keepalive 60;\n")
			b.WriteString("            family { ipv4 unicast { prefix-limit 1000; } }\n")
			b.WriteString("        }\n")
		}
		b.WriteString("    }\n")
	}
	b.WriteString("}\nplugin { internal bgp-rib; }\n")
	return []byte(b.String())
}

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
