package yang

import "testing"

func TestNearest(t *testing.T) {
	tr := core(t)
	for _, tt := range []struct{ under, name, want string }{
		{"bgp/group/peer", "hold-tme", "hold-time"},
		{"bgp/group/peer", "hodl-time", "hold-time"},
		{"bgp/group/peer", "remote-as", "remote"},
		{"bgp/group/peer", "loc", "local-as"},
		{"bgp/group/peer", "capabilities", "capability"},
		{"bgp/group/peer", "zzz", ""},
		{"bgp", "grup", "group"},
		{"", "bpg", "bgp"},
		{"", "environement", "environment"},
		{"bgp/group/peer/family", "ipv5", "ipv4"},
	} {
		n := tr.Root()
		if tt.under != "" {
			n = find(t, tr, tt.under)
		}
		if got := n.Nearest(tt.name); got != tt.want {
			t.Errorf("%s: Nearest(%q) = %q, want %q", tt.under, tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"kitten", "sitting", 3}, {"hold-tme", "hold-time", 1}} {
		if got := distance(tt.a, tt.b); got != tt.d {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}
