package reactor

import (
	"context"
	"strings"
	"testing"
)

// FuzzCommand runs arbitrary command lines against peers on fake sessions,
// one of them up: a line is answered with a result or an error, never a panic.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{
		"peer * update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24",
		"peer 192.168.*.*,!b withdraw text nlri ipv4/unicast 10.0.0.0/24 nlri ipv6/unicast 2001:db8::/32",
		"peer a update hex attr set 40010100 nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000",
		`peer a shutdown "bye"`, "peer b start", "peer * reset", "peer a refresh ipv6/unicast",
		"peer [ reset", "peer a,,b update", "peer ! start", "peer a withdraw hex nlri",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fr := newFakeReactor(t, threePeers())
		fr.up(t, "a", plainNeg("192.0.2.254", false))
		res, err := fr.r.Command(context.Background(), line)
		if err == nil && len(res.Peers) == 0 {
			t.Errorf("%q: no error and no peer", line)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "reactor: ") {
			t.Errorf("%q: error without the package prefix: %v", line, err)
		}
	})
}

// FuzzParseASPath: any text gives segments or an error; segments print
// back to a text that parses to the same segments.
func FuzzParseASPath(f *testing.F) {
	for _, s := range []string{"", "65001 65002", "1.10 {2 3} 4", "{1", "(1 2)", "4294967295", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs, err := ParseASPath(s)
		if err != nil {
			return
		}
		var b strings.Builder
		for _, seg := range segs {
			if seg.Set {
				b.WriteString("{")
			}
			for _, as := range seg.ASNs {
				b.WriteString(" ")
				b.WriteString(itoa(as))
			}
			if seg.Set {
				b.WriteString("} ")
			}
			b.WriteString(" ")
		}
		again, err := ParseASPath(b.String())
		if err != nil || len(again) != len(segs) {
			t.Fatalf("%q → %v → %q → %v %v", s, segs, b.String(), again, err)
		}
	})
}

func itoa(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b [10]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}
