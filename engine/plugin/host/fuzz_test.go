package host

import (
	"testing"
)

// FuzzRegistration feeds the registration checks and the other parsers of a
// plugin's stage and publish requests with arbitrary objects: they may
// refuse, never panic.
func FuzzRegistration(f *testing.F) {
	seeds := []string{
		`{"name":"counter","version":"1.0.0","topics":["example/counter"],"rpcs":["ze-example-counter:count"],"yang":"module ze-example-counter { yang-version 1.1; namespace \"urn:x\"; prefix x; rpc count; }"}`,
		`{"name":"bgp-rib","topics":["bgp/update",""]}`,
		`{"name":"x","rpcs":["a:b","a:b"]}`,
		`{"name":"x","yang":"module ze-plugin-engine { }"}`,
		`{"capabilities":{"families":["ipv4/unicast"]}}`,
		`{"topic":"t/a","data":{"n":1},"events":[{"topic":"t/b","data":[1]}]}`,
		`{}`, `{"name":null}`, `{"yang":"module"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	// The YANG load is yang's FuzzLoad's business, and takes 100 ms.
	load := loadModule
	loadModule = func(string, string) error { return nil }
	f.Cleanup(func() { loadModule = load })
	ph, _ := newTestHost(f, Config{})
	p := newPlug(ph, Spec{Mode: Path, Run: "/x"}.withDefaults())
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ph.checkRegistration(p, b); err == nil && (r == nil || r.Name == "") {
			t.Fatalf("accepted a registration without a name: %s", b)
		}
		var c CapabilitiesParams
		_ = decodeStrict(b, &c)
		var pp PublishParams
		if decodeStrict(b, &pp) == nil {
			for _, e := range pp.Events {
				_ = checkPublishTopic(e.Topic)
			}
		}
	})
}
