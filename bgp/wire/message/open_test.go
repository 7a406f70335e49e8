package message

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// capList renders the capabilities of an OPEN as "code:HEX" items.
func capList(o Open) string {
	var out []string
	it := o.Capabilities()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		out = append(out, fmt.Sprintf("%d:%X", r.Code, r.Value))
	}
	if it.Err() != nil {
		out = append(out, "error")
	}
	return strings.Join(out, " ")
}

// wantNotify checks that err is the *wire.NotifyError code/subcode/data.
func wantNotify(t *testing.T, err error, code wire.NotifyCode, sub uint8, data string) {
	t.Helper()
	var ne *wire.NotifyError
	if !errors.As(err, &ne) {
		t.Fatalf("error %v (%T), want *wire.NotifyError %s/%d", err, err, code, sub)
	}
	if ne.Code != code || ne.Subcode != sub || fmt.Sprintf("%X", ne.Data) != strings.ToUpper(strings.ReplaceAll(data, " ", "")) {
		t.Errorf("notify %d/%d data %X, want %d/%d data %s", ne.Code, ne.Subcode, ne.Data, code, sub, data)
	}
}

var openCases = []struct {
	name string
	body string // the message body, after the header
	want Open   // without Params
	caps string
	as   uint32
}{
	{"exabgp software version", // vectors-5.0/encoding/conf-cap-software-version.msg
		"04FFFD00B40A0000022C0206010400010001020641040000FFFD0202060002164B14134578614247502F352E302E302D302B74657374",
		Open{Version: 4, MyAS: 65533, HoldTime: 180, BGPID: netip.MustParseAddr("10.0.0.2")},
		"1:00010001 65:0000FFFD 6: 75:134578614247502F352E302E302D302B74657374", 65533},
	{"exabgp hostname", // vectors-5.0/encoding/conf-hostname.msg
		"04FFFD00B40A000002380206010400010001020641040000FFFD02020600022249200C6D792D686F73742D6E616D65126D792D646F6D61696E2D6E616D652E636F6D",
		Open{Version: 4, MyAS: 65533, HoldTime: 180, BGPID: netip.MustParseAddr("10.0.0.2")},
		"1:00010001 65:0000FFFD 6: 73:0C6D792D686F73742D6E616D65126D792D646F6D61696E2D6E616D652E636F6D", 65533},
	{"exabgp 4.2 received", // json-4.2/exabgp-4.2.21-sender-wire-messages.ci
		"04FDEA00B40A00000224020601040001000102060104000100850206010400020001020641040000FDEA02020600",
		Open{Version: 4, MyAS: 65002, HoldTime: 180, BGPID: netip.MustParseAddr("10.0.0.2")},
		"1:00010001 1:00010085 1:00020001 65:0000FDEA 6:", 65002},
	{"4-octet AS behind AS_TRANS", "04 5BA0 005A C0000201 08 0206 4104 FA56EA00",
		Open{Version: 4, MyAS: ASTrans, HoldTime: 90, BGPID: netip.MustParseAddr("192.0.2.1")},
		"65:FA56EA00", 4200000000},
	{"no parameters, hold time 0", "04 FDE9 0000 01020304 00",
		Open{Version: 4, MyAS: 65001, BGPID: netip.MustParseAddr("1.2.3.4")}, "", 65001},
	{"hold time 3", "04 FDE9 0003 01020304 00",
		Open{Version: 4, MyAS: 65001, HoldTime: 3, BGPID: netip.MustParseAddr("1.2.3.4")}, "", 65001},
	{"RFC 9072 form below 255 bytes", "04 FDE9 00B4 FFFFFFFF FF FF 000E 02 0006 0104 00010001 02 0002 0200",
		Open{Version: 4, MyAS: 65001, HoldTime: 180, BGPID: netip.MustParseAddr("255.255.255.255"), ExtParams: true},
		"1:00010001 2:", 65001},
	{"RFC 9072 form, no parameters", "04 FDE9 00B4 01020304 FF FF 0000",
		Open{Version: 4, MyAS: 65001, HoldTime: 180, BGPID: netip.MustParseAddr("1.2.3.4"), ExtParams: true},
		"", 65001},
	{"several capabilities in one parameter", "04 FDE9 00B4 01020304 10 020E 0104 00020001 0200 4104 0000FDE9",
		Open{Version: 4, MyAS: 65001, HoldTime: 180, BGPID: netip.MustParseAddr("1.2.3.4")},
		"1:00020001 2: 65:0000FDE9", 65001},
}

func TestParseOpen(t *testing.T) {
	for _, tt := range openCases {
		t.Run(tt.name, func(t *testing.T) {
			body := unhex(t, tt.body)
			o, err := ParseOpen(body)
			if err != nil {
				t.Fatalf("ParseOpen: %v", err)
			}
			got := o
			got.Params = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseOpen = %+v, want %+v", got, tt.want)
			}
			if c := capList(o); c != tt.caps {
				t.Errorf("capabilities %q, want %q", c, tt.caps)
			}
			if o.AS() != tt.as {
				t.Errorf("AS() = %d, want %d", o.AS(), tt.as)
			}
			msg := make([]byte, o.Len()+5)
			n := o.WriteTo(msg, 5)
			if n != o.Len() || n != wire.HeaderLen+len(body) {
				t.Fatalf("WriteTo wrote %d, Len %d, want %d", n, o.Len(), wire.HeaderLen+len(body))
			}
			want := append(header(len(body), wire.MsgOpen), body...)
			if !bytes.Equal(msg[5:5+n], want) {
				t.Errorf("WriteTo = %X\nwant      %X", msg[5:5+n], want)
			}
		})
	}
}

// header returns the 19-byte header of a message with a body of n bytes.
func header(n int, t wire.MsgType) []byte {
	h := bytes.Repeat([]byte{0xFF}, 16)
	return append(h, byte((n+19)>>8), byte(n+19), byte(t))
}

func TestParseOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		code wire.NotifyCode
		sub  uint8
		data string
	}{
		{"body too short", "04 FDE9 00B4 01020304", wire.NotifyHeader, wire.HeaderBadLength, "001C"},
		{"version 3", "03 FDE9 00B4 01020304 00", wire.NotifyOpen, wire.OpenUnsupportedVersion, "0004"},
		{"version 5", "05 FDE9 00B4 01020304 00", wire.NotifyOpen, wire.OpenUnsupportedVersion, "0004"},
		{"hold time 1", "04 FDE9 0001 01020304 00", wire.NotifyOpen, wire.OpenUnacceptableHoldTime, ""},
		{"hold time 2", "04 FDE9 0002 01020304 00", wire.NotifyOpen, wire.OpenUnacceptableHoldTime, ""},
		{"bgp identifier 0", "04 FDE9 00B4 00000000 00", wire.NotifyOpen, wire.OpenBadBGPID, ""},
		{"params length beyond message", "04 FDE9 00B4 01020304 05 0202 0200", wire.NotifyOpen, 0, ""},
		{"params length short of message", "04 FDE9 00B4 01020304 02 0202 0200", wire.NotifyOpen, 0, ""},
		{"params length 0 with bytes after", "04 FDE9 00B4 01020304 00 0200", wire.NotifyOpen, 0, ""},
		{"extended marker cut", "04 FDE9 00B4 01020304 FF FF 00", wire.NotifyOpen, 0, ""},
		{"extended length beyond message", "04 FDE9 00B4 01020304 FF FF 0006 02 0002 0200", wire.NotifyOpen, 0, ""},
		{"extended length short of message", "04 FDE9 00B4 01020304 FF FF 0004 02 0002 0200", wire.NotifyOpen, 0, ""},
		{"authentication parameter", "04 FDE9 00B4 01020304 04 0102 0000", wire.NotifyOpen, wire.OpenUnsupportedOptParam, ""},
		{"unknown parameter after capabilities", "04 FDE9 00B4 01020304 06 0202 0200 0900",
			wire.NotifyOpen, wire.OpenUnsupportedOptParam, ""},
		{"marker inside the extended area", "04 FDE9 00B4 01020304 FF FF 0003 FF 0000", wire.NotifyOpen, wire.OpenUnsupportedOptParam, ""},
		{"parameter overruns area", "04 FDE9 00B4 01020304 04 0203 0200 02", wire.NotifyOpen, 0, ""},
		{"parameter header cut", "04 FDE9 00B4 01020304 01 02", wire.NotifyOpen, 0, ""},
		{"capability overruns parameter", "04 FDE9 00B4 01020304 06 0204 4104 0000", wire.NotifyOpen, 0, ""},
		{"capability header cut", "04 FDE9 00B4 01020304 05 0203 0200 06", wire.NotifyOpen, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOpen(unhex(t, tt.body))
			wantNotify(t, err, tt.code, tt.sub, tt.data)
		})
	}
}

// The octet after a non-zero length decides the form (RFC 9072 §2), whatever
// the length octet says; re-encoding writes the canonical 255.
func TestParseOpenExtendedMarkerWithOtherLength(t *testing.T) {
	body := unhex(t, "04 FDE9 00B4 01020304 07 FF 0005 02 0002 0200")
	o, err := ParseOpen(body)
	if err != nil {
		t.Fatal(err)
	}
	if !o.ExtParams || capList(o) != "2:" {
		t.Errorf("ext %v caps %q, want extended with route refresh", o.ExtParams, capList(o))
	}
	buf := make([]byte, o.Len())
	o.WriteTo(buf, 0)
	body[9] = 255
	if !bytes.Equal(buf[19:], body) {
		t.Errorf("re-encoded body %X, want %X", buf[19:], body)
	}
}

// exaOpen is the OPEN of vectors-5.0/encoding/conf-cap-software-version.msg.
const exaOpen = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00490104FFFD00B40A0000022C0206010400010001020641040000FFFD0202060002164B14134578614247502F352E302E302D302B74657374"

func exaCaps() []capability.Capability {
	return []capability.Capability{
		capability.Multiprotocol{Family: wire.IPv4Unicast}, capability.ASN4{ASN: 65533},
		capability.ExtendedMessage{}, &capability.SoftwareVersion{Version: "ExaBGP/5.0.0-0+test"},
	}
}

func TestWriteOpen(t *testing.T) {
	o := Open{Version: 4, MyAS: 65533, HoldTime: 180, BGPID: netip.MustParseAddr("10.0.0.2")}
	caps := exaCaps()
	buf := make([]byte, 4096)
	n := WriteOpen(buf, 7, o, caps)
	if n != OpenLen(o, caps) {
		t.Errorf("wrote %d, OpenLen %d", n, OpenLen(o, caps))
	}
	if got := fmt.Sprintf("%X", buf[7:7+n]); got != exaOpen {
		t.Errorf("WriteOpen =\n%s\nwant\n%s", got, exaOpen)
	}
}

// Parameters over 255 bytes switch to the RFC 9072 form, from WriteOpen and
// from WriteTo with classic-form Params alike.
func TestWriteOpenExtended(t *testing.T) {
	o := Open{Version: 4, MyAS: ASTrans, HoldTime: 90, BGPID: netip.MustParseAddr("192.0.2.1")}
	caps := []capability.Capability{capability.Multiprotocol{Family: wire.IPv4Unicast}, capability.ASN4{ASN: 4200000000},
		&capability.SoftwareVersion{Version: strings.Repeat("v", 200)},
		&capability.Hostname{HostName: strings.Repeat("h", 60), DomainName: "example.net"}}
	buf := make([]byte, 4096)
	n := WriteOpen(buf, 0, o, caps)
	if n != OpenLen(o, caps) || n != 19+9+4+3*4+6+6+203+75 {
		t.Fatalf("wrote %d, OpenLen %d", n, OpenLen(o, caps))
	}
	if !bytes.Equal(buf[28:32], []byte{255, 255, byte((n - 32) >> 8), byte(n - 32)}) {
		t.Errorf("extended marker %X, want FFFF%04X", buf[28:32], n-32)
	}
	m, err := Parse(buf[:n], wire.MaxMsgLen)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Open.ExtParams || m.Open.AS() != 4200000000 || capTypes(t, m.Open) != "1 65 75 73" {
		t.Errorf("decoded ext %v AS %d caps %s", m.Open.ExtParams, m.Open.AS(), capTypes(t, m.Open))
	}
	if again := m.Open.WriteTo(make([]byte, n), 0); again != n {
		t.Errorf("re-encoded %d bytes, want %d", again, n)
	}

	// The same capabilities as classic Params (1-octet lengths, 306 bytes).
	pn := 0
	for _, c := range caps {
		pn += 2 + c.Len()
	}
	classic := make([]byte, pn)
	capability.WriteParams(classic, 0, caps, false)
	o.Params = classic
	if o.Len() != n {
		t.Errorf("widened Len %d, want %d", o.Len(), n)
	}
	wide := make([]byte, o.Len())
	if w := o.WriteTo(wide, 0); w != n || !bytes.Equal(wide, buf[:n]) {
		t.Errorf("widened WriteTo =\n%X\nwant\n%X", wide[:w], buf[:n])
	}

	// ExtParams forces the form for a small OPEN.
	o.Params, o.ExtParams = nil, true
	small := exaCaps()
	n = WriteOpen(buf, 0, o, small)
	m, err = Parse(buf[:n], wire.MaxMsgLen)
	if err != nil || !m.Open.ExtParams || n != OpenLen(o, small) || capTypes(t, m.Open) != "1 65 6 75" {
		t.Errorf("forced extended: %v, ext %v, %d bytes", err, m.Open.ExtParams, n)
	}
}

func capTypes(t *testing.T, o Open) string {
	var out []string
	it := o.Capabilities()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		if _, err := r.Parse(); err != nil {
			t.Errorf("%s: %v", r.Code, err)
		}
		out = append(out, fmt.Sprint(uint8(r.Code)))
	}
	return strings.Join(out, " ")
}

func TestOpenAllocs(t *testing.T) {
	o := Open{Version: 4, MyAS: 65001, HoldTime: 180, BGPID: netip.MustParseAddr("10.0.0.1")}
	caps := append(exaCaps(), capability.RouteRefresh{},
		&capability.AddPath{Families: []capability.AddPathFamily{{Family: wire.IPv4Unicast, Mode: capability.AddPathBoth}}},
		&capability.GracefulRestart{RestartTime: 120, Families: []capability.GRFamily{{Family: wire.IPv4Unicast}}})
	buf := make([]byte, 4096)
	var n int
	if a := testing.AllocsPerRun(100, func() { n = WriteOpen(buf, 0, o, caps) }); a != 0 || n != OpenLen(o, caps) {
		t.Errorf("WriteOpen: %v allocations, %d bytes", a, n)
	}
	parsed, err := ParseOpen(buf[19:n])
	if err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(100, func() { n = parsed.WriteTo(buf, 0) }); a != 0 {
		t.Errorf("Open.WriteTo: %v allocations", a)
	}
	if a := testing.AllocsPerRun(100, func() { _, _ = ParseOpen(buf[19:n]) }); a != 0 {
		t.Errorf("ParseOpen: %v allocations", a)
	}
	if a := testing.AllocsPerRun(100, func() { _ = parsed.AS() }); a != 0 {
		t.Errorf("AS: %v allocations", a)
	}
}

func TestOpenJSON(t *testing.T) {
	m, err := Parse(unhex(t, exaOpen), wire.MaxMsgLen)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Open.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":4,"my-as":65533,"hold-time":180,"bgp-id":"10.0.0.2","extended-parameters":false,"as":65533,` +
		`"capabilities":[{"code":1,"name":"multiprotocol","value":{"family":"ipv4/unicast"}},` +
		`{"code":65,"name":"asn4","value":{"asn":65533}},{"code":6,"name":"extended-message","value":{}},` +
		`{"code":75,"name":"software-version","value":{"version":"ExaBGP/5.0.0-0+test"}}]}`
	if string(got) != want {
		t.Errorf("json =\n%s\nwant\n%s", got, want)
	}
	bad := Open{Version: 4, MyAS: 1, BGPID: netip.MustParseAddr("1.1.1.1"), Params: unhex(t, "0203 4101 00 0900")}
	got, _ = bad.MarshalJSON()
	want = `{"version":4,"my-as":1,"hold-time":0,"bgp-id":"1.1.1.1","extended-parameters":false,"as":1,` +
		`"capabilities":[{"code":65,"name":"asn4","raw":"00","error":"capability: asn4: length 1, want 4"}],` +
		`"capabilities-error":"capability: optional parameter at offset 5: unsupported type 9"}`
	if string(got) != want {
		t.Errorf("json =\n%s\nwant\n%s", got, want)
	}
}

func BenchmarkWriteOpen(b *testing.B) {
	o := Open{Version: 4, MyAS: 65001, HoldTime: 180, BGPID: netip.MustParseAddr("10.0.0.1")}
	caps := exaCaps()
	buf := make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		WriteOpen(buf, 0, o, caps)
	}
}

func BenchmarkParseOpen(b *testing.B) {
	body := unhex(b, exaOpen)[wire.HeaderLen:]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseOpen(body); err != nil {
			b.Fatal(err)
		}
	}
}
