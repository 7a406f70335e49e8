package config

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/zebgp/ze/yang"
)

var loadDefaultsSchema = sync.OnceValues(func() (*yang.Tree, error) {
	text, err := os.ReadFile("testdata/ze-dflttest.yang")
	if err != nil {
		return nil, err
	}
	l := yang.NewLoader()
	if err := l.Add("ze-dflttest.yang", text); err != nil {
		return nil, err
	}
	return l.Load()
})

// defaultsSchema is the core modules with testdata/ze-dflttest.yang, a
// plugin-like module full of defaults.
func defaultsSchema(t testing.TB) *yang.Tree {
	t.Helper()
	y, err := loadDefaultsSchema()
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// dfltMember returns the "ze-dflttest:dflt" member of a JSON document,
// compacted.
func dfltMember(t *testing.T, doc []byte) string {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		t.Fatalf("%v:\n%s", err, doc)
	}
	raw, ok := top["ze-dflttest:dflt"]
	if !ok {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestJSONWithDefaults(t *testing.T) {
	y := defaultsSchema(t)
	for _, tc := range []struct {
		name, conf, want string
	}{{
		name: "empty: the non-presence container with every default, the default case",
		conf: ``,
		want: `{"interval":30,"enabled":true,"mode":"slow","port":179,"level":[1,2],` +
			`"timers":{"hold":90,"deep":{"keepalive":30}},"tcp-port":8080}`,
	}, {
		name: "values set are kept; entries and a presence container completed",
		conf: `dflt { label edge; interval 5; level 9; timers { hold 30; } tls; peer a; peer b { weight 3; } }`,
		want: `{"label":"edge","interval":5,"enabled":true,"mode":"slow","port":179,"level":[9],` +
			`"timers":{"hold":30,"deep":{"keepalive":30}},"tls":{"verify":false},` +
			`"peer":[{"name":"a","weight":10},{"name":"b","weight":3}],"tcp-port":8080}`,
	}, {
		name: "another case chosen: the default case's defaults are not added, the chosen case's are",
		conf: `dflt { socket /tmp/s; }`,
		want: `{"interval":30,"enabled":true,"mode":"slow","port":179,"level":[1,2],` +
			`"timers":{"hold":90,"deep":{"keepalive":30}},"socket":"/tmp/s","socket-mode":"0600"}`,
	}, {
		name: "a choice without a default case: the case chosen only",
		conf: `dflt { binary; }`,
		want: `{"interval":30,"enabled":true,"mode":"slow","port":179,"level":[1,2],` +
			`"timers":{"hold":90,"deep":{"keepalive":30}},"tcp-port":8080,"binary":[null]}`,
	}, {
		name: "a case chosen by a value equal to its default",
		conf: `dflt { text-width 80; }`,
		want: `{"interval":30,"enabled":true,"mode":"slow","port":179,"level":[1,2],` +
			`"timers":{"hold":90,"deep":{"keepalive":30}},"tcp-port":8080,"text-width":80}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := Parse(y, []byte(tc.conf), Options{File: "test.conf"})
			if err != nil {
				t.Fatal(err)
			}
			before := tr.Text()
			doc, err := tr.JSONWithDefaults()
			if err != nil {
				t.Fatal(err)
			}
			if got := dfltMember(t, doc); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if !bytes.Equal(tr.Text(), before) {
				t.Errorf("JSONWithDefaults changed the tree:\n%s", tr.Text())
			}
			// The plain JSON has the values set only.
			plain, _ := tr.JSON()
			if strings.Contains(string(plain), `"keepalive"`) {
				t.Errorf("JSON has defaults:\n%s", plain)
			}
			// The completed tree reads back, equal, from its JSON.
			back, err := Parse(y, doc, Options{Format: JSON})
			if err != nil {
				t.Fatalf("%v\n%s", err, doc)
			}
			if !back.Equal(tr.WithDefaults()) {
				t.Errorf("round trip differs:\n%s\nvs\n%s", back.Text(), tr.WithDefaults().Text())
			}
			if err := back.Validate(); err != nil {
				t.Errorf("the completed tree does not validate: %v", err)
			}
		})
	}
}

func TestCompleteJSON(t *testing.T) {
	y := defaultsSchema(t)
	out, err := CompleteJSON(y, []byte(`{"ze-system:system":{"host-name":"h"},"ze-dflttest:dflt":{"label":"x","peer":[{"name":"p"}]}}`), "ze-dflttest")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"label":"x","interval":30,"enabled":true,"mode":"slow","port":179,"level":[1,2],` +
		`"timers":{"hold":90,"deep":{"keepalive":30}},"peer":[{"name":"p","weight":10}],"tcp-port":8080}`
	if got := dfltMember(t, out); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(string(out), "ze-system") || strings.Contains(string(out), "ze-bgp") {
		t.Errorf("members of other modules:\n%s", out)
	}
	// Empty: the module's defaults all the same.
	out, err = CompleteJSON(y, nil, "ze-dflttest")
	if err != nil {
		t.Fatal(err)
	}
	if got := dfltMember(t, out); !strings.Contains(got, `"interval":30`) {
		t.Errorf("CompleteJSON(nil): %s", out)
	}
	// A member the schema does not have is an error naming it.
	_, err = CompleteJSON(y, []byte(`{"ze-dflttest:dflt":{"lable":"x"}}`), "ze-dflttest")
	if err == nil || !strings.Contains(err.Error(), "lable") {
		t.Errorf("unknown member: %v", err)
	}
	_, err = CompleteJSON(y, []byte(`{"ze-dflttest:dflt":{"interval":"soon"}}`), "ze-dflttest")
	if err == nil || !strings.Contains(err.Error(), "soon") {
		t.Errorf("bad value: %v", err)
	}
	_, err = CompleteJSON(y, nil, "ze-nosuch")
	if err == nil || !strings.Contains(err.Error(), "ze-nosuch") {
		t.Errorf("unknown module: %v", err)
	}
	// A module without any member or default: {}.
	out, err = CompleteJSON(y, nil, "ze-types")
	if err != nil || string(bytes.TrimSpace(out)) != "{}" {
		t.Errorf("a module without defaults: %s, %v", out, err)
	}
}

// A leaf inherited from an enclosing level (zt:inherit) gets no default of
// its own: the peer's hold-time is its group's, and bgp's has the default.
func TestWithDefaultsInherit(t *testing.T) {
	y := defaultsSchema(t)
	tr, err := Parse(y, []byte(`bgp { group g { hold-time 120; peer p { remote { ip 192.0.2.1; as 65002; } } } }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := tr.WithDefaults()
	for _, tc := range []struct {
		path string
		want string // "" for absent
	}{
		{"bgp hold-time", "90"},
		{"bgp group g hold-time", "120"},
		{"bgp group g peer p hold-time", ""},
		{"bgp group g peer p remote port", ""},
		{"bgp remote port", "179"},
	} {
		n, err := c.Get(strings.Fields(tc.path))
		switch {
		case err != nil:
			t.Errorf("%s: %v", tc.path, err)
		case tc.want == "" && n != nil:
			t.Errorf("%s: got %q, want no default", tc.path, n.Value())
		case tc.want != "" && (n == nil || n.Value() != tc.want):
			t.Errorf("%s: got %v, want %s", tc.path, n, tc.want)
		}
	}
	// WithDefaultsIf leaves the modules it is not asked about alone.
	d := tr.WithDefaultsIf(func(m string) bool { return m == "ze-dflttest" })
	if n, _ := d.Get([]string{"bgp", "hold-time"}); n != nil {
		t.Errorf("ze-bgp completed: %s", d.Text())
	}
	if n, _ := d.Get([]string{"dflt", "interval"}); n == nil || n.Value() != "30" {
		t.Errorf("ze-dflttest not completed: %s", d.Text())
	}
}

func TestWithDefaultsCoreUnchangedWhenNone(t *testing.T) {
	// A presence container or a list of the core is never created.
	y := defaultsSchema(t)
	tr := New(y)
	c := tr.WithDefaults()
	c.Walk(func(n *Node) bool {
		if n.Kind() == List {
			t.Errorf("list %s created", n.PathString())
		}
		if n.Kind() == Container && n.s.presence {
			t.Errorf("presence container %s created", n.PathString())
		}
		return true
	})
	if c.IsEmpty() {
		t.Errorf("no default at all added")
	}
}

func BenchmarkWithDefaults(b *testing.B) {
	y := defaultsSchema(b)
	var sb strings.Builder
	sb.WriteString("dflt {\n")
	for i := range 1000 {
		sb.WriteString("peer p")
		sb.WriteString(strings.Repeat("x", i%7))
		sb.WriteString(string(rune('a' + i%26)))
		sb.WriteString(";\n")
	}
	sb.WriteString("}\n")
	tr, err := Parse(y, []byte(sb.String()), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = tr.JSONWithDefaults()
	}
}
