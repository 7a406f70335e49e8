package route

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

func TestOriginated(t *testing.T) {
	const nlri = " nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24"
	tests := []struct {
		name     string
		cmd      string
		external bool
		want     string // the command Originated should equal
	}{
		{"external, no path", "update text origin set igp" + nlri, true,
			"update text origin set igp as-path set [65000]" + nlri},
		{"external, a path", "update text as-path set [65001 65002]" + nlri, true,
			"update text as-path set [65000 65001 65002]" + nlri},
		{"external, one ASN", "update text as-path set 65001" + nlri, true,
			"update text as-path set [65000 65001]" + nlri},
		{"external, a set first", "update text as-path set [(65003 65004) 65005]" + nlri, true,
			"update text as-path set [65000 (65003 65004) 65005]" + nlri},
		{"external, empty path", "update text as-path set []" + nlri, true,
			"update text as-path set [65000]" + nlri},
		{"external drops local-preference (RFC 4271 §5.1.5)", "update text local-preference set 50 med set 7" + nlri, true,
			"update text med set 7 as-path set [65000]" + nlri},
		{"internal, no local-preference", "update text as-path set [65001]" + nlri, false,
			"update text as-path set [65001] local-preference set 100" + nlri},
		{"internal keeps local-preference", "update text local-preference set 50" + nlri, false,
			"update text local-preference set 50" + nlri},
		{"internal, no path", "update text" + nlri, false,
			"update text local-preference set 100" + nlri},
		{"withdraw only", "update text nlri ipv4/unicast del 10.0.0.0/24", true,
			"update text nlri ipv4/unicast del 10.0.0.0/24"},
		{"hex unchanged", "update hex attr set 40010100 nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000", true,
			"update hex attr set 40010100 nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000"},
		{"mixed announce and withdraw", "update text" + nlri + " nlri ipv4/unicast del 10.9.0.0/16", true,
			"update text as-path set [65000]" + nlri + " nlri ipv4/unicast del 10.9.0.0/16"},
	}
	for _, asn4 := range []bool{true, false} {
		ctx := wire.NewContext(asn4, false)
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s asn4=%v", tt.name, asn4), func(t *testing.T) {
				u, err := Parse(tt.cmd)
				if err != nil {
					t.Fatal(err)
				}
				before, err := build(t, tt.cmd, ctx)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				err = u.Originated(65000, tt.external).Build(ctx, func(m []byte) error { got = append(got, fmt.Sprintf("%X", m)); return nil })
				if err != nil {
					t.Fatal(err)
				}
				want, err := build(t, tt.want, ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("got\n  %v\nwant\n  %v", got, want)
				}
				var again []string
				_ = u.Build(ctx, func(m []byte) error { again = append(again, fmt.Sprintf("%X", m)); return nil })
				if !slices.Equal(again, before) {
					t.Errorf("the command itself changed:\n  %v\nwas\n  %v", again, before)
				}
			})
		}
	}
}
