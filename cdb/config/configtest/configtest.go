// Package configtest holds what the tests and benchmarks of the config
// packages share: generated configurations of a given size.
package configtest

import (
	"fmt"
	"strings"
)

// BigConfig returns a configuration of peers peers in groups groups, each
// peer with its address, AS, description, timers and a family, each group
// with its own settings: the size of a large route server.
func BigConfig(groups, peers int) []byte {
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
