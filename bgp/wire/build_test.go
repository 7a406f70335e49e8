package wire

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// packPrefixes encodes prefixes (with path ids when ids is non-nil) as the
// builder wants them.
func packPrefixes(t testing.TB, ps []string, ids []uint32) []byte {
	t.Helper()
	buf := make([]byte, 0, 21*len(ps))
	tmp := make([]byte, 21)
	for i, s := range ps {
		if ids != nil {
			buf = append(buf, byte(ids[i]>>24), byte(ids[i]>>16), byte(ids[i]>>8), byte(ids[i]))
		}
		n := WritePrefix(tmp, 0, netip.MustParsePrefix(s))
		buf = append(buf, tmp[:n]...)
	}
	return buf
}

func TestBuildClassicIPv4(t *testing.T) {
	ub := NewUpdateBuilder(NewContext(true, false))
	defer ub.Release()
	// ORIGIN igp, AS_PATH empty, MED 200: NEXT_HOP must land between AS_PATH and MED.
	attrs := mustHex(t, "40010100400200800404000000C8")
	var msgs []string
	err := ub.Announce(IPv4Unicast, attrs, []byte{101, 1, 101, 1}, packPrefixes(t, []string{"10.0.0.0/24", "1.1.1.1/32"}, nil), func(m []byte) error {
		msgs = append(msgs, hexUpper(m))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := marker + "0035020000001540010100400200400304650165018004040000 00C8180A00002001010101"
	want = strings.ReplaceAll(want, " ", "")
	if len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("got %v\nwant %s", msgs, want)
	}
}

func TestBuildMPReachIPv6(t *testing.T) {
	ub := NewUpdateBuilder(nil)
	defer ub.Release()
	attrs := mustHex(t, "400101004002004005040000006440")[:14]
	nh := netip.MustParseAddr("2001:db8::1").As16()
	var got []byte
	err := ub.Announce(IPv6Unicast, attrs, nh[:], packPrefixes(t, []string{"2001:db8:1::/48"}, nil), func(m []byte) error {
		got = append([]byte(nil), m...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	u, err := ParseUpdateMessage(got, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := u.AttrIter()
	var codes []string
	for {
		a, ok := it.Next()
		if !ok {
			break
		}
		codes = append(codes, a.Code.String())
	}
	if strings.Join(codes, ",") != "origin,as-path,local-preference,mp-reach-nlri" {
		t.Fatalf("attribute order %v", codes)
	}
	r, ok, err := u.MPReach()
	g, _, _ := r.NextHops()
	s, _ := collect(t, r.Family, r.NLRI, false)
	if !ok || err != nil || r.Family != IPv6Unicast || g.String() != "2001:db8::1" || s != "2001:db8:1::/48" {
		t.Fatalf("mp-reach %v %v %v %v %s", r.Family, ok, err, g, s)
	}
}

// TestBuildSplit announces enough prefixes to need several messages and
// checks that every message is within the limit and that no prefix is lost,
// duplicated or reordered, with and without ADD-PATH and extended message.
func TestBuildSplit(t *testing.T) {
	var prefixes []string
	var ids []uint32
	for i := 0; i < 5000; i++ {
		prefixes = append(prefixes, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24).String())
		ids = append(ids, uint32(i%7+1))
	}
	attrs := mustHex(t, "4001010040020602010000FDE8")
	tests := []struct {
		name    string
		ext     bool
		addPath bool
		family  Family
		nh      []byte
		maxMsgs int
		minMsgs int
	}{
		{"classic 4096", false, false, IPv4Unicast, []byte{192, 0, 2, 1}, 6, 5},
		{"classic add-path 4096", false, true, IPv4Unicast, []byte{192, 0, 2, 1}, 10, 10},
		{"extended 65535", true, false, IPv4Unicast, []byte{192, 0, 2, 1}, 1, 1},
		{"mp ipv4 multicast", false, false, IPv4Multicast, []byte{192, 0, 2, 1}, 6, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := NewContext(true, tt.ext)
			var pid []uint32
			if tt.addPath {
				ctx.SetAddPath(tt.family, true)
				pid = ids
			}
			ub := NewUpdateBuilder(ctx)
			defer ub.Release()
			var got []string
			n := 0
			err := ub.Announce(tt.family, attrs, tt.nh, packPrefixes(t, prefixes, pid), func(m []byte) error {
				n++
				if len(m) > ctx.MaxLen() {
					t.Fatalf("message %d is %d bytes, max %d", n, len(m), ctx.MaxLen())
				}
				u, err := ParseUpdateMessage(m, ctx)
				if err != nil {
					t.Fatal(err)
				}
				nlri := u.NLRI()
				if tt.family != IPv4Unicast {
					r, _, _ := u.MPReach()
					nlri = r.NLRI
				}
				it := NewNLRIIter(tt.family, nlri, tt.addPath)
				for {
					x, ok := it.Next()
					if !ok {
						break
					}
					p, _ := PrefixFromNLRI(x.Bytes, false)
					s := p.String()
					if tt.addPath && x.PathID != ids[len(got)] {
						t.Fatalf("prefix %s: path id %d, want %d", s, x.PathID, ids[len(got)])
					}
					got = append(got, s)
				}
				return it.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			if n < tt.minMsgs || n > tt.maxMsgs {
				t.Errorf("%d messages, want %d..%d", n, tt.minMsgs, tt.maxMsgs)
			}
			if strings.Join(got, ",") != strings.Join(prefixes, ",") {
				t.Fatalf("prefixes differ: got %d, want %d", len(got), len(prefixes))
			}
		})
	}
}

func TestBuildWithdraw(t *testing.T) {
	ub := NewUpdateBuilder(nil)
	defer ub.Release()
	var msgs [][]byte
	emit := func(m []byte) error { msgs = append(msgs, bytes.Clone(m)); return nil }
	if err := ub.Withdraw(IPv4Unicast, packPrefixes(t, []string{"10.0.0.0/24"}, nil), emit); err != nil {
		t.Fatal(err)
	}
	if err := ub.Withdraw(IPv6Unicast, packPrefixes(t, []string{"2001:db8::/32"}, nil), emit); err != nil {
		t.Fatal(err)
	}
	if got, want := hexUpper(msgs[0]), marker+"001B020004180A00000000"; got != want {
		t.Fatalf("ipv4 withdraw %s, want %s", got, want)
	}
	if got, want := hexUpper(msgs[1]), marker+"0022020000000B800F080002012020010DB8"; got != want {
		t.Fatalf("ipv6 withdraw %s, want %s", got, want)
	}
}

func TestBuildErrors(t *testing.T) {
	ub := NewUpdateBuilder(nil)
	defer ub.Release()
	emit := func([]byte) error { return nil }
	big := make([]byte, 4100)
	if err := ub.Announce(IPv4Unicast, big, []byte{1, 2, 3, 4}, []byte{0}, emit); err == nil {
		t.Error("oversized attributes accepted")
	}
	if err := ub.Announce(IPv4Unicast, nil, []byte{1, 2, 3, 4}, []byte{0x21, 1}, emit); err == nil {
		t.Error("invalid NLRI accepted")
	}
	if err := ub.Announce(Family{AFIIPv4, 99}, nil, []byte{1, 2, 3, 4}, []byte{0}, emit); err == nil {
		t.Error("unknown family accepted")
	}
}

func TestBuildAllocs(t *testing.T) {
	ub := NewUpdateBuilder(nil)
	defer ub.Release()
	attrs := mustHex(t, "4001010040020602010000FDE8")
	nlri := packPrefixes(t, []string{"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"}, nil)
	total := 0
	emit := func(m []byte) error { total += len(m); return nil }
	allocs := testing.AllocsPerRun(100, func() {
		if err := ub.Announce(IPv4Unicast, attrs, []byte{192, 0, 2, 1}, nlri, emit); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 || total == 0 {
		t.Fatalf("allocs %.1f (want 0), bytes %d", allocs, total)
	}
}
