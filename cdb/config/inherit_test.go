package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const inheritConf = `bgp {
    local-as 65000;
    hold-time 180;
    remote { as 64999; }
    capability { software-version true; graceful-restart { restart-time 90; } }
    family { ipv4 unicast { prefix-limit 1000; } }
    group g {
        description "transit";
        hold-time 60;
        inactive: keepalive 5;
        capability { role customer; }
        family { ipv6 unicast { add-path { send; } } }
        peer p {
            remote { ip 192.0.2.1; }
            capability { hostname true; }
            family { ipv6 unicast { prefix-limit 200; } ipv4 multicast; }
        }
        peer q {
            remote { ip 192.0.2.2; as 65002; }
            hold-time 30;
        }
    }
    peer direct { remote { ip 192.0.2.9; } }
}
`

// effective formats Effective for comparison: "path = values (from)".
func effective(t *testing.T, tr *Tree, path string) string {
	t.Helper()
	vals, err := Effective(tr, words(path))
	if err != nil {
		t.Fatalf("Effective(%s): %v", path, err)
	}
	var b strings.Builder
	for _, v := range vals {
		from := "default"
		if !v.IsDefault() {
			from = JoinPath(v.From)
		}
		rel := strings.TrimPrefix(JoinPath(v.Path), path+" ")
		fmt.Fprintf(&b, "%s = %s (%s)\n", rel, strings.Join(v.Values, ","), from)
	}
	return b.String()
}

// A peer takes what it does not set from its group, then from bgp, then
// the YANG default; containers merge deeply and lists by key; keys and a
// peer's remote ip are not inherited; inactive nodes do not count.
func TestEffective(t *testing.T) {
	tr := mustParse(t, inheritConf)
	tests := []struct{ path, want string }{
		{"bgp group g peer q hold-time", "bgp group g peer q hold-time = 30 (bgp group g peer q hold-time)\n"},
		{"bgp group g peer p hold-time", "bgp group g peer p hold-time = 60 (bgp group g hold-time)\n"},
		{"bgp group g peer p local-as", "bgp group g peer p local-as = 65000 (bgp local-as)\n"},
		{"bgp group g peer p keepalive", ""}, // the group's is inactive; no default
		{"bgp group g peer p connect-retry", "bgp group g peer p connect-retry = 120 (default)\n"},
		{"bgp group g peer p remote as", "bgp group g peer p remote as = 64999 (bgp remote as)\n"},
		{"bgp group g peer q remote as", "bgp group g peer q remote as = 65002 (bgp group g peer q remote as)\n"},
		{"bgp group g peer p description", "bgp group g peer p description = transit (bgp group g description)\n"},
		{"bgp peer direct hold-time", "bgp peer direct hold-time = 180 (bgp hold-time)\n"},
		{"bgp group g peer nobody hold-time", "bgp group g peer nobody hold-time = 60 (bgp group g hold-time)\n"},
		{"bgp group g peer p remote", `ip = 192.0.2.1 (bgp group g peer p remote ip)
as = 64999 (bgp remote as)
port = 179 (default)
`},
		{"bgp group g peer p capability", `route-refresh = true (default)
graceful-restart =  (bgp capability graceful-restart)
graceful-restart enable = true (default)
graceful-restart restart-time = 90 (bgp capability graceful-restart restart-time)
extended-message = true (default)
extended-next-hop = false (default)
hostname = true (bgp group g peer p capability hostname)
software-version = true (bgp capability software-version)
role = customer (bgp group g capability role)
role-strict = false (default)
`},
		{"bgp group g peer p family", `ipv4 unicast =  (bgp family ipv4 unicast)
ipv4 unicast prefix-limit = 1000 (bgp family ipv4 unicast prefix-limit)
ipv4 multicast =  (bgp group g peer p family ipv4 multicast)
ipv6 unicast =  (bgp group g peer p family ipv6 unicast)
ipv6 unicast add-path send =  (bgp group g family ipv6 unicast add-path send)
ipv6 unicast prefix-limit = 200 (bgp group g peer p family ipv6 unicast prefix-limit)
`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := effective(t, tr, tt.path); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}

	vals, err := Effective(tr, words("bgp group g peer p hold-time"))
	if err != nil || len(vals) != 1 || !vals[0].Inherited || vals[0].Node.Value() != "60" {
		t.Errorf("Effective(hold-time) = %+v, %v; want inherited 60", vals, err)
	}
	vals, _ = Effective(tr, words("bgp group g peer q hold-time"))
	if len(vals) != 1 || vals[0].Inherited {
		t.Errorf("the peer's own hold-time is marked inherited: %+v", vals)
	}
}

// Paths Effective cannot answer are errors.
func TestEffectiveErrors(t *testing.T) {
	tr := mustParse(t, inheritConf)
	for path, want := range map[string]string{
		"bgp group g peer nobody": "bgp group g peer nobody: config: not found",
		"bgp group g peer":        "config: bgp group g peer: name one entry (by name)",
		"bgp hold-tme":            `test.conf: unknown keyword "hold-tme" under bgp; did you mean "hold-time"?`,
		"bgp hold-time 90":        "config: bgp hold-time 90: a path names no value",
	} {
		_, err := Effective(tr, words(path))
		if err == nil || err.Error() != want {
			t.Errorf("Effective(%s) = %v, want %s", path, err, want)
		}
	}
	if _, err := Effective(tr, words("bgp group g peer nobody")); !errors.Is(err, ErrNotFound) {
		t.Errorf("not ErrNotFound: %v", err)
	}
}

// EffectiveTree prints a peer's whole effective configuration, each value
// that is not the peer's own annotated with where it comes from.
func TestEffectiveTree(t *testing.T) {
	tr := mustParse(t, inheritConf)
	e, err := EffectiveTree(tr, words("bgp group g peer q"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(e.Text())
	for _, want := range []string{
		"            # from bgp group g\n            description transit;\n            remote {\n                ip 192.0.2.2;\n                as 65002;\n                # default\n                port 179;\n            }\n",
		"            # from bgp\n            local-as 65000;\n            hold-time 30;\n",
		"                # from bgp group g\n                role customer;\n",
		"                # from bgp group g\n                ipv6 unicast {\n                    add-path {\n                        # from bgp group g\n                        send;\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing\n%s\nin\n%s", want, got)
		}
	}
	// The effective tree is a configuration like any other.
	back := mustParse(t, got)
	if !back.Equal(e) {
		t.Error("the effective tree does not read back")
	}
}
