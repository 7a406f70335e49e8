package capability

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func encode(c Capability) []byte {
	buf := make([]byte, c.Len()+4)
	n := c.WriteTo(buf, 2) // a non-zero offset catches writes relative to 0
	return buf[2 : 2+n]
}

var ipv4Flow = wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIFlowSpec}

// Each case is a capability as it sits in an OPEN (code, length, value), the
// value it decodes to, and its JSON view.
var capCases = []struct {
	name string
	wire string
	want Capability
	json string
}{
	{"multiprotocol ipv4/unicast", "01 04 0001 00 01", Multiprotocol{wire.IPv4Unicast}, `{"family":"ipv4/unicast"}`},
	{"multiprotocol ipv4/flowspec", "01 04 0001 00 85", Multiprotocol{ipv4Flow}, `{"family":"ipv4/flowspec"}`},
	{"multiprotocol unknown afi", "01 04 1234 00 07", Multiprotocol{wire.Family{AFI: 0x1234, SAFI: 7}}, `{"family":"4660/7"}`},
	{"route refresh", "02 00", RouteRefresh{}, `{}`},
	{"extended next hop", "05 0c 0001 0001 0002 0001 0080 0002",
		&ExtendedNextHop{Tuples: []ExtNHTuple{
			{wire.IPv4Unicast, wire.AFIIPv6},
			{wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIVPN}, wire.AFIIPv6},
		}},
		`{"tuples":[{"family":"ipv4/unicast","next-hop-afi":"ipv6"},{"family":"ipv4/vpn","next-hop-afi":"ipv6"}]}`},
	{"extended message", "06 00", ExtendedMessage{}, `{}`},
	{"role provider", "09 01 00", Role{RoleProvider}, `{"role":"provider"}`},
	{"role rs-client", "09 01 02", Role{RoleRSClient}, `{"role":"rs-client"}`},
	{"role unknown value kept", "09 01 07", Role{7}, `{"role":"role-7"}`},
	{"graceful restart R N 120s two families", "40 0a c0 78 0001 01 80 0002 01 00",
		&GracefulRestart{Restarting: true, Notification: true, RestartTime: 120, Families: []GRFamily{
			{wire.IPv4Unicast, true}, {wire.IPv6Unicast, false}}},
		`{"restarting":true,"notification":true,"restart-time":120,"families":[{"family":"ipv4/unicast","forwarding":true},{"family":"ipv6/unicast","forwarding":false}]}`},
	{"graceful restart helper only", "40 02 0f ff",
		&GracefulRestart{RestartTime: 4095, Families: []GRFamily{}},
		`{"restarting":false,"notification":false,"restart-time":4095,"families":[]}`},
	{"asn4", "41 04 0001 fde8", ASN4{130536}, `{"asn":130536}`},
	{"add-path", "45 08 0001 01 03 0002 01 01",
		&AddPath{Families: []AddPathFamily{{wire.IPv4Unicast, AddPathBoth}, {wire.IPv6Unicast, AddPathReceive}}},
		`{"families":[{"family":"ipv4/unicast","mode":"both"},{"family":"ipv6/unicast","mode":"receive"}]}`},
	{"enhanced route refresh", "46 00", EnhancedRouteRefresh{}, `{}`},
	{"llgr", "47 0e 0001 01 80 000e10 0002 85 00 ffffff",
		&LLGR{Families: []LLGRFamily{
			{wire.IPv4Unicast, true, 3600},
			{wire.Family{AFI: wire.AFIIPv6, SAFI: wire.SAFIFlowSpec}, false, 0xFFFFFF}}},
		`{"families":[{"family":"ipv4/unicast","forwarding":true,"stale-time":3600},{"family":"ipv6/flowspec","forwarding":false,"stale-time":16777215}]}`},
	// From exabgp vectors-5.0/encoding/conf-hostname.msg.
	{"hostname", "49 20 0c 6d792d686f73742d6e616d65 12 6d792d646f6d61696e2d6e616d652e636f6d",
		&Hostname{HostName: "my-host-name", DomainName: "my-domain-name.com"},
		`{"host-name":"my-host-name","domain-name":"my-domain-name.com"}`},
	{"hostname empty domain", "49 04 02 7236 00", &Hostname{HostName: "r6"}, `{"host-name":"r6","domain-name":""}`},
	// From exabgp vectors-5.0/encoding/conf-cap-software-version.msg.
	{"software version", "4b 14 13 4578614247502f352e302e302d302b74657374",
		&SoftwareVersion{Version: "ExaBGP/5.0.0-0+test"}, `{"version":"ExaBGP/5.0.0-0+test"}`},
	{"link-local next hop", "4d 00", LinkLocalNextHop{}, `{}`},
	{"unknown code kept raw", "83 03 010203", &Unknown{Type: 131, Value: []byte{1, 2, 3}}, `{"code":131,"value":"010203"}`},
	{"pre-standard route refresh", "80 00", &Unknown{Type: 128}, `{"code":128,"value":""}`},
}

func TestParseAndWrite(t *testing.T) {
	for _, tt := range capCases {
		t.Run(tt.name, func(t *testing.T) {
			raw := unhex(t, tt.wire)
			if int(raw[1]) != len(raw)-2 {
				t.Fatalf("test case: length octet %d, value %d bytes", raw[1], len(raw)-2)
			}
			got, err := Parse(Code(raw[0]), raw[2:])
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse = %#v, want %#v", got, tt.want)
			}
			if got.Code() != Code(raw[0]) {
				t.Errorf("Code() = %d, want %d", got.Code(), raw[0])
			}
			if got.Len() != len(raw) {
				t.Errorf("Len() = %d, want %d", got.Len(), len(raw))
			}
			if enc := encode(got); !bytes.Equal(enc, raw) {
				t.Errorf("WriteTo = %X, want %X", enc, raw)
			}
			if enc := encode(tt.want); !bytes.Equal(enc, raw) {
				t.Errorf("WriteTo(want) = %X, want %X", enc, raw)
			}
			j, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("json: %v", err)
			}
			if string(j) != tt.json {
				t.Errorf("json = %s, want %s", j, tt.json)
			}
		})
	}
}

func TestParseDoesNotAlias(t *testing.T) {
	v := []byte{9, 9, 9}
	c, err := Parse(200, v)
	if err != nil {
		t.Fatal(err)
	}
	v[0] = 0
	if u := c.(*Unknown); u.Value[0] != 9 {
		t.Errorf("Unknown.Value aliases the input: %X", u.Value)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		code  Code
		value string
		want  string
	}{
		{CodeMultiprotocol, "000100", "capability: multiprotocol: length 3, want 4"},
		{CodeRouteRefresh, "00", "capability: route-refresh: length 1, want 0"},
		{CodeExtendedNextHop, "0001000100", "capability: extended-next-hop: length 5 not a multiple of 6"},
		{CodeExtendedNextHop, "000101000002", "capability: extended-next-hop: tuple 0: safi 256 out of range"},
		{CodeExtendedMessage, "01", "capability: extended-message: length 1, want 0"},
		{CodeRole, "", "capability: role: length 0, want 1"},
		{CodeRole, "0102", "capability: role: length 2, want 1"},
		{CodeGracefulRestart, "00", "capability: graceful-restart: length 1 shorter than the 2-byte header"},
		{CodeGracefulRestart, "007800", "capability: graceful-restart: length 3 not a multiple of 4 after the 2-byte header"},
		{CodeGracefulRestart, "0078000101", "capability: graceful-restart: length 5 not a multiple of 4 after the 2-byte header"},
		{CodeASN4, "0001fd", "capability: asn4: length 3, want 4"},
		{CodeAddPath, "000101", "capability: add-path: length 3 not a multiple of 4"},
		{CodeAddPath, "0001010300020104", "capability: add-path: entry 1: send/receive value 4 not 1, 2 or 3"},
		{CodeAddPath, "00010100", "capability: add-path: entry 0: send/receive value 0 not 1, 2 or 3"},
		{CodeEnhancedRouteRefresh, "0000", "capability: enhanced-route-refresh: length 2, want 0"},
		{CodeLLGR, "00010180000e", "capability: llgr: length 6 not a multiple of 7"},
		{CodeHostname, "", "capability: hostname: length 0, want at least 2"},
		{CodeHostname, "02616263", "capability: hostname: host name length 2 and domain name length 99 do not add up to length 4"},
		{CodeHostname, "026162", "capability: hostname: host name length 2 leaves no domain name length in 3 bytes"},
		{CodeHostname, "0161016263", "capability: hostname: host name length 1 and domain name length 1 do not add up to length 5"},
		{CodeSoftwareVersion, "", "capability: software-version: length 0, want at least 1"},
		{CodeSoftwareVersion, "0561", "capability: software-version: version length 5 in a value of length 2"},
		{CodeLinkLocalNextHop, "00", "capability: link-local-next-hop: length 1, want 0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			c, err := Parse(tt.code, unhex(t, tt.value))
			if err == nil {
				t.Fatalf("Parse = %#v, want error %q", c, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			if c != nil {
				t.Errorf("Parse returned %#v next to the error", c)
			}
			ne, ok := wire.AsNotify(err)
			if !ok || ne.Code != wire.NotifyOpen || ne.Subcode != 0 || ne.Data != nil {
				t.Errorf("notify = %+v, want OPEN Message Error / 0, no data", ne)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *capability.Error", err)
			}
		})
	}
}

func TestCodeString(t *testing.T) {
	want := map[Code]string{
		1: "multiprotocol", 2: "route-refresh", 5: "extended-next-hop", 6: "extended-message",
		9: "role", 64: "graceful-restart", 65: "asn4", 69: "add-path", 70: "enhanced-route-refresh",
		71: "llgr", 73: "hostname", 75: "software-version", 77: "link-local-next-hop",
		0: "capability-0", 128: "capability-128", 255: "capability-255",
	}
	for c, s := range want {
		if got := c.String(); got != s {
			t.Errorf("Code(%d).String() = %q, want %q", c, got, s)
		}
	}
}

func TestRoles(t *testing.T) {
	pairs := map[RoleValue]RoleValue{
		RoleProvider: RoleCustomer, RoleCustomer: RoleProvider,
		RoleRS: RoleRSClient, RoleRSClient: RoleRS, RolePeer: RolePeer,
	}
	for l, p := range pairs {
		if got, ok := l.Expects(); !ok || got != p {
			t.Errorf("%s.Expects() = %s, %v; want %s", l, got, ok, p)
		}
		if r, ok := ParseRole(l.String()); !ok || r != l {
			t.Errorf("ParseRole(%q) = %d, %v", l.String(), r, ok)
		}
	}
	if _, ok := RoleValue(5).Expects(); ok {
		t.Error("role 5 expects something")
	}
	if _, ok := ParseRole("boss"); ok {
		t.Error(`ParseRole("boss") succeeded`)
	}
}

// Values that do not fit one capability are cut so Len and WriteTo agree
// and the result still decodes.
func TestWriteClips(t *testing.T) {
	long := strings.Repeat("x", 300)
	fams := make([]GRFamily, 70)
	for i := range fams {
		fams[i] = GRFamily{Family: wire.IPv4Unicast}
	}
	cases := []Capability{
		&Hostname{HostName: long, DomainName: "example.com"},
		&Hostname{HostName: "r1", DomainName: long},
		&SoftwareVersion{Version: long},
		&GracefulRestart{RestartTime: 9999, Families: fams},
		&AddPath{Families: slices.Repeat([]AddPathFamily{{wire.IPv4Unicast, AddPathSend}}, 70)},
		&LLGR{Families: []LLGRFamily{{StaleTime: 1 << 30}}},
		&ExtendedNextHop{Tuples: make([]ExtNHTuple, 50)},
		&Unknown{Type: 200, Value: make([]byte, 300)},
	}
	for _, c := range cases {
		b := encode(c)
		if len(b) != c.Len() || len(b) > 2+MaxValueLen || int(b[1]) != len(b)-2 {
			t.Errorf("%s: Len %d, wrote %d bytes, length octet %d", c.Code(), c.Len(), len(b), b[1])
			continue
		}
		if _, err := Parse(c.Code(), b[2:]); err != nil {
			t.Errorf("%s: clipped encoding does not decode: %v", c.Code(), err)
		}
	}
	gr, _ := Parse(CodeGracefulRestart, encode(cases[3])[2:])
	if rt := gr.(*GracefulRestart).RestartTime; rt != MaxRestartTime {
		t.Errorf("restart time 9999 written as %d, want %d", rt, MaxRestartTime)
	}
	ll, _ := Parse(CodeLLGR, encode(cases[5])[2:])
	if st := ll.(*LLGR).Families[0].StaleTime; st != MaxStaleTime {
		t.Errorf("stale time 2^30 written as %d, want %d", st, MaxStaleTime)
	}
}
