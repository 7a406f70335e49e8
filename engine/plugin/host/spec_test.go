package host

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in   string
		want Spec
		err  string
	}{
		{in: "ze.bgp-rib", want: Spec{Name: "bgp-rib", Mode: Internal}},
		{in: "bgp-rib", want: Spec{Name: "bgp-rib", Mode: Fork}},
		{in: "/usr/lib/ze/watch.py", want: Spec{Mode: Path, Run: "/usr/lib/ze/watch.py"}},
		{in: "", err: "empty plugin name"},
		{in: "ze.", err: `plugin name ""`},
		{in: "Bad", err: `plugin name "Bad"`},
		{in: "x/y", err: "want an absolute path"},
		{in: "9lives", err: `plugin name "9lives"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSpec(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil || got.Name != tt.want.Name || got.Mode != tt.want.Mode || got.Run != tt.want.Run {
				t.Fatalf("got %+v, %v, want %+v", got, err, tt.want)
			}
			if got.String() != tt.in {
				t.Errorf("String: got %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestSpecsFromConfig(t *testing.T) {
	doc := `{
	  "ze-plugin:plugin": {
	    "internal": [{"name": "bgp-rib", "startup-timeout": 5}],
	    "external": [
	      {"name": "counter", "restart": {"max-retries": 0}},
	      {"name": "watch", "run": "/opt/watch.py", "arguments": "--mode 'a b' \"c\\\"d\"",
	       "environment": [{"name": "LEVEL", "value": "3"}], "transport": "stdio",
	       "restart": {"max-retries": 2, "backoff": 3, "backoff-max": 30}}
	    ]
	  },
	  "ze-bgp:bgp": {"router-id": "1.2.3.4"}
	}`
	specs, err := SpecsFromConfig([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 3 {
		t.Fatalf("got %d specs", len(specs))
	}
	if s := specs[0]; s.Name != "bgp-rib" || s.Mode != Internal || s.StartupTimeout != 5*time.Second {
		t.Errorf("internal: got %+v", s)
	}
	if s := specs[1]; s.Name != "counter" || s.Mode != Fork || s.Restart.MaxRestarts != -1 {
		t.Errorf("fork: got %+v", s)
	}
	s := specs[2]
	if s.Mode != Path || s.Run != "/opt/watch.py" || !slices.Equal(s.Args, []string{"--mode", "a b", `c"d`}) ||
		!slices.Equal(s.Env, []string{"LEVEL=3"}) || s.Transport != TransportStdio ||
		s.Restart != (RestartPolicy{Base: 3 * time.Second, Cap: 30 * time.Second, MaxRestarts: 2}) {
		t.Errorf("path: got %+v", s)
	}

	bad := []struct{ doc, err string }{
		{`{"ze-plugin:plugin": {"external": [{"name": "x", "rn": "/a"}]}}`, `unknown field "rn"`},
		{`{"ze-plugin:plugin": {"external": [{"name": "x", "arguments": "-v"}]}}`, "arguments without run"},
		{`{"ze-plugin:plugin": {"external": [{"name": "x", "run": "rel/x"}]}}`, "not an absolute path"},
		{`{"ze-plugin:plugin": {"external": [{"name": "x", "run": "/x", "transport": "udp"}]}}`, `transport "udp"`},
		{`{"ze-plugin:plugin": {"internal": [{"name": "x"}], "external": [{"name": "x"}]}}`, "configured twice"},
		{`{"ze-plugin:plugin": {"external": [{"name": "x", "run": "/x", "arguments": "'open"}]}}`, "unterminated single quote"},
	}
	for _, b := range bad {
		if _, err := SpecsFromConfig([]byte(b.doc)); err == nil || !strings.Contains(err.Error(), b.err) {
			t.Errorf("%s: got %v, want %q", b.doc, err, b.err)
		}
	}
	if specs, err := SpecsFromConfig([]byte(`{"ze-bgp:bgp":{}}`)); err != nil || specs != nil {
		t.Errorf("no plugins: got %v, %v", specs, err)
	}
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  a  b\tc ", []string{"a", "b", "c"}},
		{`'a b' "c d" e\ f`, []string{"a b", "c d", "e f"}},
		{`x'y'"z"`, []string{"xyz"}},
		{`"" ''`, []string{"", ""}},
		{`"a\"b\\c\d"`, []string{`a"b\c\d`}},
	}
	for _, tt := range tests {
		got, err := SplitArgs(tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("SplitArgs(%q): got %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`'a`, `"a`, `a\`} {
		if _, err := SplitArgs(bad); err == nil {
			t.Errorf("SplitArgs(%q): no error", bad)
		}
	}
}

func TestConfigFromDocument(t *testing.T) {
	configure, err := ConfigFromDocument([]byte(`{
	  "ze-example-counter:counter": {"label": "a b"},
	  "ze-example-counter:other": [1, 2],
	  "ze-example-counter-py:counter": {"label": "py"},
	  "ze-bgp:bgp": {}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ module, want string }{
		{"ze-example-counter", `{"ze-example-counter:counter":{"label":"a b"},"ze-example-counter:other":[1,2]}`},
		{"ze-example-counter-py", `{"ze-example-counter-py:counter":{"label":"py"}}`},
		{"ze-nothing", `{}`},
		{"", `{}`},
	}
	for _, tt := range tests {
		got, err := configure(context.Background(), Spec{}, &Registration{Module: tt.module})
		if err != nil || string(got) != tt.want {
			t.Errorf("%q: got %s, %v, want %s", tt.module, got, err, tt.want)
		}
		if !json.Valid(got) {
			t.Errorf("%q: not JSON", tt.module)
		}
	}
}

func TestStateText(t *testing.T) {
	for s := StateStarting; s <= StateStopped; s++ {
		b, _ := s.MarshalText()
		var back State
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%s: round trip gave %s, %v", s, back, err)
		}
	}
	var s State
	if err := s.UnmarshalText([]byte("none")); err == nil {
		t.Error(`"none" was accepted`)
	}
	ev, _ := json.Marshal(StateEvent{Name: "x", Mode: "fork", State: StateCrashed, Reason: "r", Time: time.Unix(0, 0).UTC()})
	if want := `{"name":"x","mode":"fork","state":"crashed","reason":"r","restarts":0,"time":"1970-01-01T00:00:00Z"}`; string(ev) != want {
		t.Errorf("event: got %s, want %s", ev, want)
	}
}

func TestRegisterBuiltin(t *testing.T) {
	name := uniqueName("builtin")
	Register(name, func(context.Context, *Link) error { return nil })
	if _, ok := Lookup(name); !ok || !slices.Contains(Registered(), name) {
		t.Errorf("%s is not registered", name)
	}
	for _, bad := range []string{name, "Bad Name"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", bad)
				}
			}()
			Register(bad, func(context.Context, *Link) error { return nil })
		}()
	}
}
