package yang

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/openconfig/ygot/ygot"
)

func unmarshalFile(t *testing.T, path string) (*Device, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := &Device{}
	if err := Unmarshal(b, d); err != nil {
		return nil, err
	}
	return d, nil
}

// The spec's example configuration, as RFC 7951 JSON, fills the generated
// structs with the values written.
func TestStructsSpecExample(t *testing.T) {
	d, err := unmarshalFile(t, "testdata/example.json")
	if err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got := d.GetEnvironment().GetLog().GetLevel(); got != ZeTypes_LogLevel_info {
		t.Errorf("environment log level %v, want info", got)
	}
	g := d.GetBgp().GetGroup("my-peers")
	if g == nil || g.GetLocalAs() != 65001 {
		t.Fatalf("group my-peers: %+v", g)
	}
	fam := g.GetFamily()
	if fam.GetIpv4(ZeTypes_IpSafi_unicast) == nil || fam.GetIpv6(ZeTypes_IpSafi_unicast) == nil || len(fam.Ipv4) != 1 || len(fam.Ipv6) != 1 {
		t.Errorf("families: ipv4 %v, ipv6 %v", fam.Ipv4, fam.Ipv6)
	}
	p := g.GetPeer("peer-east")
	if p.GetRemote().GetIp() != "192.168.1.2" || p.GetRemote().GetAs() != 65002 || p.GetLocalAddress() != "192.168.1.1" || p.GetHoldTime() != 90 {
		t.Errorf("peer-east: remote %s AS %d, local %s, hold %d", p.GetRemote().GetIp(), p.GetRemote().GetAs(), p.GetLocalAddress(), p.GetHoldTime())
	}
	if d.GetPlugin().GetInternal("bgp-rib") == nil {
		t.Errorf("plugin internal bgp-rib missing: %+v", d.GetPlugin())
	}
	// Leaf getters give the YANG default of an unset leaf.
	if got := p.GetConnectRetry(); got != 120 || p.ConnectRetry != nil {
		t.Errorf("connect-retry %d (set %v), want the default 120, unset", got, p.ConnectRetry != nil)
	}
}

// Unmarshal then EmitJSON gives the same document back.
func TestStructsRoundTrip(t *testing.T) {
	for _, name := range []string{"example.json", "full.json"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			d, err := unmarshalFile(t, path)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if err := d.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			out, err := ygot.EmitJSON(d, &ygot.EmitJSONConfig{Format: ygot.RFC7951, RFC7951Config: &ygot.RFC7951JSONConfig{AppendModuleName: true}})
			if err != nil {
				t.Fatalf("EmitJSON: %v", err)
			}
			in, _ := os.ReadFile(path)
			var want, got any
			if err := json.Unmarshal(in, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(normalize(got), normalize(want)) {
				t.Errorf("round trip differs:\ngot  %s\nwant %s", out, in)
			}
		})
	}
}

// normalize sorts the entries of JSON lists by their JSON text, since ygot
// emits list entries in key order.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		slices.SortStableFunc(x, func(a, b any) int {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			return strings.Compare(string(ja), string(jb))
		})
	}
	return v
}

// ygot checks types, ranges, patterns and enumerations from the modules.
// (Mandatory leaves and unique constraints are not its job: testdata/invalid
// also holds such cases, which yanglint rejects in `make yang`.)
func TestStructsRejectInvalid(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"hold-time-2.json", "hold-time"},
		{"unknown-safi.json", "evpn"},
		{"bad-ipv4.json", "192.168.1.256"},
		{"community-out-of-range.json", "65536:1"},
		{"as-zero.json", "local-as"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			d, err := unmarshalFile(t, filepath.Join("testdata", "invalid", tt.file))
			if err == nil {
				err = d.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
