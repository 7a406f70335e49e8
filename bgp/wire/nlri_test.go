package wire

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// collect returns the text of every NLRI with its path id, and the error.
func collect(t *testing.T, f Family, b []byte, addPath bool) (string, error) {
	t.Helper()
	it := NewNLRIIter(f, b, addPath)
	c, _ := LookupFamily(f)
	var out []string
	for {
		n, ok := it.Next()
		if !ok {
			break
		}
		s := string(c.AppendText(nil, n.Bytes))
		if n.HasPathID {
			s = "path-id " + itoa(n.PathID) + " " + s
		}
		out = append(out, s)
	}
	return strings.Join(out, ","), it.Err()
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

func TestNLRISameBytesTwoReadings(t *testing.T) {
	// The spec's example: with ADD-PATH this is path-id 1 + 10.0.0.0/24; without
	// it, the same octets are a run of short prefixes.
	b := mustHex(t, "00000001180A0000")
	got, err := collect(t, IPv4Unicast, b, true)
	if err != nil || got != "path-id 1 10.0.0.0/24" {
		t.Fatalf("add-path: got %q, %v", got, err)
	}
	got, err = collect(t, IPv4Unicast, b, false)
	if err != nil || got != "0.0.0.0/0,0.0.0.0/0,0.0.0.0/0,0.0.0.0/1,0.0.0.0/10" {
		t.Fatalf("no add-path: got %q, %v", got, err)
	}
}

func TestNLRIIter(t *testing.T) {
	tests := []struct {
		name    string
		f       Family
		in      string
		addPath bool
		want    string
		wantErr bool
	}{
		{"v4 several", IPv4Unicast, "180A0000200A0000011000FF08C0", false, "10.0.0.0/24,10.0.0.1/32,0.255.0.0/16,192.0.0.0/8", false},
		{"v4 default", IPv4Multicast, "00", false, "0.0.0.0/0", false},
		{"v4 host bits cleared", IPv4Unicast, "170A0001", false, "10.0.0.0/23", false},
		{"v4 too long", IPv4Unicast, "210A000000", false, "", true},
		{"v4 truncated", IPv4Unicast, "180A00", false, "", true},
		{"v4 add-path truncated id", IPv4Unicast, "000001", true, "", true},
		{"v4 add-path two", IPv4Unicast, "00000001180A000000000002180A0001", true, "path-id 1 10.0.0.0/24,path-id 2 10.0.1.0/24", false},
		{"v6", IPv6Unicast, "4020010DB800000001" + "8020010DB8000000000000000000000001", false, "2001:db8:0:1::/64,2001:db8::1/128", false},
		{"v6 too long", IPv6Unicast, "81" + strings.Repeat("00", 17), false, "", true},
		{"v6 truncated", IPv6Multicast, "0000000A202001DB8", false, "", true},
		{"empty", IPv6Unicast, "", false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if len(in)%2 == 1 {
				in += "0"
			}
			got, err := collect(t, tt.f, mustHex(t, in), tt.addPath)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v (got %q)", err, tt.wantErr, got)
			}
			if !tt.wantErr && got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	it := NewNLRIIter(Family{AFIL2VPN, 99}, []byte{1}, false)
	if _, ok := it.Next(); ok || it.Err() == nil || !strings.Contains(it.Err().Error(), "no codec for family l2vpn/99") {
		t.Fatalf("unknown family: %v", it.Err())
	}
}

func TestPrefixText(t *testing.T) {
	buf := make([]byte, 40)
	c4, _ := LookupFamily(IPv4Unicast)
	c6, _ := LookupFamily(IPv6Unicast)
	for _, s := range []string{"10.0.0.0/24", "0.0.0.0/0", "192.0.2.1/32", "172.16.0.0/12"} {
		n, err := c4.ParseText(s, buf, 1)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := string(c4.AppendText(nil, buf[1:1+n])); got != s {
			t.Errorf("round trip %s -> %s", s, got)
		}
	}
	n, err := c4.ParseText("192.0.2.7", buf, 0)
	if err != nil || string(c4.AppendText(nil, buf[:n])) != "192.0.2.7/32" {
		t.Errorf("bare address: %v", err)
	}
	for _, s := range []string{"2001:db8::/32", "::/0", "2001:db8::1/128", "fe80::/10"} {
		n, err := c6.ParseText(s, buf, 0)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := string(c6.AppendText(nil, buf[:n])); got != s {
			t.Errorf("round trip %s -> %s", s, got)
		}
	}
	bad := []struct {
		c       *NLRICodec
		s, want string
	}{
		{c4, "10.0.0.1/24", "host bits set (did you mean 10.0.0.0/24?)"},
		{c4, "2001:db8::/32", "not an ipv4 prefix"},
		{c6, "10.0.0.0/8", "not an ipv6 prefix"},
		{c4, "10.0.0.0/33", "bad prefix"},
		{c4, "ten", "bad prefix"},
	}
	for _, b := range bad {
		if _, err := b.c.ParseText(b.s, buf, 0); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParseText(%q) = %v, want error containing %q", b.s, err, b.want)
		}
	}
	if _, err := c6.ParseText("2001:db8::/32", buf[:3], 0); !errors.Is(err, ErrShortBuffer) {
		t.Errorf("short buffer: %v", err)
	}
}

func TestNLRIIterAllocs(t *testing.T) {
	b := mustHex(t, "00000001180A000000000002180A0001000000032008080808")
	allocs := testing.AllocsPerRun(100, func() {
		it := NewNLRIIter(IPv4Unicast, b, true)
		for {
			n, ok := it.Next()
			if !ok {
				break
			}
			if _, err := PrefixFromNLRI(n.Bytes, false); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("iteration allocates %.1f times per run, want 0", allocs)
	}
}

func FuzzNLRI(f *testing.F) {
	f.Add([]byte{0x18, 10, 0, 0}, uint8(0))
	f.Add([]byte{0, 0, 0, 1, 0x18, 10, 0, 0}, uint8(1))
	f.Add([]byte{0x40, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1}, uint8(2))
	f.Add([]byte{0, 0, 0, 9, 0x80, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, uint8(3))
	fams := []Family{IPv4Unicast, IPv6Unicast, IPv4Multicast, IPv6Multicast}
	f.Fuzz(func(t *testing.T, b []byte, sel uint8) {
		fam := fams[int(sel>>1)%len(fams)]
		addPath := sel&1 == 1
		it := NewNLRIIter(fam, b, addPath)
		c, _ := LookupFamily(fam)
		out := make([]byte, 0, len(b)+8)
		buf := make([]byte, 17)
		total := 0
		for {
			n, ok := it.Next()
			if !ok {
				break
			}
			total += len(n.Bytes)
			p, err := PrefixFromNLRI(n.Bytes, fam.AFI == AFIIPv6)
			if err != nil {
				t.Fatalf("iterator yielded an undecodable prefix %X: %v", n.Bytes, err)
			}
			// Re-encoding the masked prefix must parse back to itself.
			m := WritePrefix(buf, 0, p)
			q, err := PrefixFromNLRI(buf[:m], fam.AFI == AFIIPv6)
			if err != nil || q != p {
				t.Fatalf("re-encode %v -> %X -> %v %v", p, buf[:m], q, err)
			}
			out = c.AppendText(out[:0], n.Bytes)
		}
		if total > len(b) {
			t.Fatalf("yielded %d bytes from %d", total, len(b))
		}
	})
}
