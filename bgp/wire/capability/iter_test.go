package capability

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

// The optional parameters of the OPEN in exabgp
// vectors-5.0/encoding/conf-cap-software-version.msg.
const exaParams = "0206010400010001 020641040000FFFD 02020600 02164B14134578614247502F352E302E302D302B74657374"

// list renders what an iterator yields as "code:HEX" items.
func list(it *Iter) string {
	var out []string
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		out = append(out, fmt.Sprintf("%d:%X", r.Code, r.Value))
	}
	return strings.Join(out, " ")
}

func TestIter(t *testing.T) {
	tests := []struct {
		name   string
		params string
		ext    bool
		want   string
	}{
		{"exabgp one per parameter", exaParams, false,
			"1:00010001 65:0000FFFD 6: 75:134578614247502F352E302E302D302B74657374"},
		{"several in one parameter", "0210 0104 00020001 4104 0001fde8 0200 4600", false,
			"1:00020001 65:0001FDE8 2: 70:"},
		{"several parameters of several", "0206 0200 0600 4d00 0208 0104 00010001 0200", false,
			"2: 6: 77: 1:00010001 2:"},
		{"empty parameter skipped", "0200 0202 0600 0200", false, "6:"},
		{"empty area", "", false, ""},
		{"extended lengths", "02 0006 0104 00010001 02 0002 0200", true, "1:00010001 2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := NewIter(unhex(t, tt.params), tt.ext)
			if got := list(&it); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			it = NewIter(unhex(t, tt.params), tt.ext)
			list(&it)
			if it.Err() != nil {
				t.Errorf("Err = %v", it.Err())
			}
			if err := Validate(unhex(t, tt.params), tt.ext); err != nil {
				t.Errorf("Validate = %v", err)
			}
		})
	}
}

func TestIterErrors(t *testing.T) {
	tests := []struct {
		name    string
		params  string
		ext     bool
		yields  string // what comes out before the error
		subcode uint8
		msg     string
	}{
		{"parameter header cut", "0202 0600 02", false, "6:", 0,
			"capability: optional parameter at offset 4: header needs 2 bytes, 1 left"},
		{"extended parameter header cut", "02 00", true, "", 0,
			"capability: optional parameter at offset 0: header needs 3 bytes, 2 left"},
		{"parameter overruns area", "0205 0600", false, "", 0,
			"capability: optional parameter at offset 0: length 5 overruns the 2 bytes left"},
		{"extended parameter overruns area", "02 0100 0600", true, "", 0,
			"capability: optional parameter at offset 0: length 256 overruns the 2 bytes left"},
		{"authentication parameter", "0100", false, "", wire.OpenUnsupportedOptParam,
			"capability: optional parameter at offset 0: unsupported type 1"},
		{"unknown parameter after capabilities", "0202 0200 0301 00", false, "2:", wire.OpenUnsupportedOptParam,
			"capability: optional parameter at offset 4: unsupported type 3"},
		{"extended marker as a parameter", "ff00", false, "", wire.OpenUnsupportedOptParam,
			"capability: optional parameter at offset 0: unsupported type 255"},
		{"capability header cut", "0203 0200 06", false, "2:", 0,
			"capability: capability header needs 2 bytes, 1 left in parameter"},
		{"capability overruns parameter", "0204 4104 0000 0200", false, "", 0,
			"capability: asn4: length 4 overruns the 2 bytes left in parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := NewIter(unhex(t, tt.params), tt.ext)
			if got := list(&it); got != tt.yields {
				t.Errorf("yielded %q, want %q", got, tt.yields)
			}
			err := it.Err()
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.msg {
				t.Errorf("error %q, want %q", err, tt.msg)
			}
			ne, ok := wire.AsNotify(err)
			if !ok || ne.Code != wire.NotifyOpen || ne.Subcode != tt.subcode || ne.Data != nil {
				t.Errorf("notify = %+v, want OPEN Message Error / %d, no data", ne, tt.subcode)
			}
			if _, ok := it.Next(); ok {
				t.Error("Next after error yielded a capability")
			}
			if verr := Validate(unhex(t, tt.params), tt.ext); verr == nil || verr.Error() != tt.msg {
				t.Errorf("Validate = %v, want %q", verr, tt.msg)
			}
		})
	}
}

func TestIterParse(t *testing.T) {
	it := NewIter(unhex(t, exaParams), false)
	var got []Capability
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		c, err := r.Parse()
		if err != nil {
			t.Fatalf("%s: %v", r.Code, err)
		}
		got = append(got, c)
	}
	want := []Capability{Multiprotocol{wire.IPv4Unicast}, ASN4{65533}, ExtendedMessage{},
		&SoftwareVersion{Version: "ExaBGP/5.0.0-0+test"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
	// One parameter per capability re-encodes the exabgp area exactly.
	n, ext := ParamsLen(got)
	buf := make([]byte, n)
	if w := WriteParams(buf, 0, got, ext); w != n || ext || !bytes.Equal(buf, unhex(t, exaParams)) {
		t.Errorf("WriteParams = %X (%d, ext %v), want %s", buf[:w], w, ext, exaParams)
	}
}

func TestWriteParams(t *testing.T) {
	small := []Capability{Multiprotocol{wire.IPv6Unicast}, RouteRefresh{}, ASN4{65000}}
	n, ext := ParamsLen(small)
	buf := make([]byte, n+3)
	w := WriteParams(buf, 3, small, ext)
	want := unhex(t, "0206 0104 00020001 0202 0200 0206 4104 0000fde8")
	if ext || w != n || !bytes.Equal(buf[3:3+w], want) {
		t.Errorf("WriteParams = %X (%d, ext %v), want %X", buf[3:3+w], w, ext, want)
	}
	if ExtParamsLen(small) != n+3 {
		t.Errorf("ExtParamsLen = %d, want %d", ExtParamsLen(small), n+3)
	}
	ext3 := make([]byte, ExtParamsLen(small))
	WriteParams(ext3, 0, small, true)
	if want := "020006010400020001020002020002000641040000FDE8"; fmt.Sprintf("%X", ext3) != want {
		t.Errorf("extended WriteParams = %X, want %s", ext3, want)
	}

	// 300 bytes of capabilities need the RFC 9072 form.
	big := []Capability{&SoftwareVersion{Version: strings.Repeat("v", 150)},
		&Hostname{HostName: strings.Repeat("h", 100), DomainName: "example.net"}, ASN4{1}}
	n, ext = ParamsLen(big)
	if !ext || n != ExtParamsLen(big) || n != 3*3+big[0].Len()+big[1].Len()+big[2].Len() {
		t.Fatalf("ParamsLen = %d, %v; want extended %d", n, ext, ExtParamsLen(big))
	}
	buf = make([]byte, n)
	if w := WriteParams(buf, 0, big, true); w != n {
		t.Fatalf("wrote %d, want %d", w, n)
	}
	it := NewIter(buf, true)
	var got []Capability
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		c, err := r.Parse()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if it.Err() != nil || !reflect.DeepEqual(got, big) {
		t.Errorf("round trip = %#v (%v), want %#v", got, it.Err(), big)
	}
}

func TestIterAllocs(t *testing.T) {
	params := unhex(t, exaParams+"0210 0104 00020001 4104 0001fde8 0200 4600")
	var count int
	allocs := testing.AllocsPerRun(100, func() {
		count = 0
		it := NewIter(params, false)
		for _, ok := it.Next(); ok; _, ok = it.Next() {
			count++
		}
	})
	if allocs != 0 || count != 8 {
		t.Errorf("%v allocations for %d capabilities, want 0 for 8", allocs, count)
	}
}

func TestWriteParamsAllocs(t *testing.T) {
	caps := []Capability{Multiprotocol{wire.IPv4Unicast}, ASN4{65000}, RouteRefresh{},
		&AddPath{Families: []AddPathFamily{{wire.IPv4Unicast, AddPathBoth}}},
		&GracefulRestart{RestartTime: 120, Families: []GRFamily{{wire.IPv4Unicast, true}}},
		&Hostname{HostName: "r1", DomainName: "example.net"}}
	buf := make([]byte, 512)
	allocs := testing.AllocsPerRun(100, func() {
		n, ext := ParamsLen(caps)
		if WriteParams(buf, 0, caps, ext) != n {
			t.Fatal("short write")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations, want 0", allocs)
	}
}

func BenchmarkIter(b *testing.B) {
	params := unhex(b, exaParams)
	b.ReportAllocs()
	for b.Loop() {
		it := NewIter(params, false)
		for _, ok := it.Next(); ok; _, ok = it.Next() {
		}
	}
}
