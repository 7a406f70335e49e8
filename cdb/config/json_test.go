package config

import (
	"encoding/json"
	"os"
	"testing"
)

// The JSON of a tree is RFC 7951: module-qualified top-level names, numbers
// for small integers, strings for 64-bit ones, [null] for an empty leaf,
// identities with their module; annotations and inactive flags as
// metadata.
func TestJSONForm(t *testing.T) {
	tr := mustParse(t, `# east
bgp { inactive: hold-time 90; family { ipv4 unicast { add-path { send; } } } }
cfgtest {
    u64 18446744073709551615;
    color ct:red;
    # two
    # lines
    tag [ a b ];
    inactive: step s { action a; }
}`)
	got, err := tr.JSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "ze-bgp:bgp": {
    "hold-time": 90,
    "@hold-time": {"ze-config:inactive": true},
    "family": {
      "ipv4": [
        {
          "safi": "unicast",
          "add-path": {
            "send": [null]
          }
        }
      ]
    },
    "@": {"ze-config:annotation": "east"}
  },
  "ze-cfgtest:cfgtest": {
    "u64": "18446744073709551615",
    "color": "ze-cfgtest:red",
    "tag": ["a", "b"],
    "@tag": [{"ze-config:annotation": "two\nlines"}, null],
    "step": [
      {
        "name": "s",
        "action": "a",
        "@": {"ze-config:inactive": true}
      }
    ]
  }
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !json.Valid(got) {
		t.Error("not valid JSON")
	}
}

// yang/testdata/example.json, the spec's example in JSON, reads as the same
// tree as the hierarchical form.
func TestJSONExample(t *testing.T) {
	src, err := os.ReadFile("../../yang/testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	j, err := Load(coreSchema(t), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("testdata/golden/example.conf")
	if err != nil {
		t.Fatal(err)
	}
	h, err := Load(coreSchema(t), text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !j.Equal(h) {
		t.Errorf("JSON:\n%s\nhierarchical:\n%s", j.Text(), h.Text())
	}
}

// Detect tells the forms apart by their first token.
func TestDetect(t *testing.T) {
	tests := map[string]Format{
		"{}":                          JSON,
		"# c\n  {\"ze-bgp:bgp\": {}}": JSON,
		"set bgp local-as 1":          SetForm,
		"# c\ndelete bgp":             SetForm,
		"bgp { local-as 1; }":         Hierarchical,
		"":                            Hierarchical,
		"inactive: bgp;":              Hierarchical,
	}
	for src, want := range tests {
		if got := Detect([]byte(src)); got != want {
			t.Errorf("Detect(%q) = %s, want %s", src, got, want)
		}
	}
	for _, name := range []string{"hierarchical", "set", "json", "auto"} {
		if f, err := ParseFormat(name); err != nil || f.String() != name {
			t.Errorf("ParseFormat(%q) = %s, %v", name, f, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("ParseFormat(xml): no error")
	}
}
