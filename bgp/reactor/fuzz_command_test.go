package reactor

import (
	"context"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
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

// FuzzReencode: any UPDATE that parses is re-encoded or refused with an
// error, never a panic; what comes out parses with the destination context.
func FuzzReencode(f *testing.F) {
	asn4 := wire.NewContext(true, false)
	for _, cmd := range []string{
		"update text origin set igp as-path set [65001 200000 (65010 4200000000)] nhop set 192.0.2.1 aggregator set 200000:192.0.2.9 nlri ipv4/unicast add 10.0.0.0/24",
		"update text origin set igp nhop set 2001:db8::1 nlri ipv6/unicast add 2001:db8:1::/48",
		"update text nlri ipv4/unicast del 10.0.0.0/24",
		"update text nlri ipv6/unicast del 2001:db8:1::/48",
	} {
		f.Add(buildWith(f, asn4, cmd), uint8(1), uint8(0))
	}
	f.Fuzz(func(t *testing.T, msg []byte, srcBits, dstBits uint8) {
		ctx := func(b uint8) *wire.EncodingContext {
			c := wire.NewContext(b&1 != 0, b&2 != 0)
			c.SetAddPath(wire.IPv4Unicast, b&4 != 0)
			c.SetAddPath(wire.IPv6Unicast, b&8 != 0)
			c.SetExtNextHop(wire.IPv4Unicast, b&16 != 0)
			return c
		}
		src, dst := ctx(srcBits), ctx(dstBits)
		u, err := wire.ParseUpdateMessage(msg, src)
		if err != nil {
			return
		}
		buf := make([]byte, wire.ExtMaxMsgLen)
		n, err := Reencode(&u, dst, buf)
		if err != nil {
			return
		}
		if _, err := wire.ParseUpdateMessage(buf[:n], dst); err != nil {
			t.Errorf("re-encoded UPDATE does not parse: %v\n in % X\nout % X", err, msg, buf[:n])
		}
	})
}
