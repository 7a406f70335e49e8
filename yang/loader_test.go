package yang

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func core(t *testing.T) *Tree {
	t.Helper()
	tr, err := Core()
	if err != nil {
		t.Fatalf("Core: %v", err)
	}
	return tr
}

func find(t *testing.T, tr *Tree, path string) *Node {
	t.Helper()
	n := tr.Find(path)
	if n == nil {
		t.Fatalf("Find(%q) = nil", path)
	}
	return n
}

func TestCoreModules(t *testing.T) {
	tr := core(t)
	var got []string
	for _, m := range tr.Modules() {
		got = append(got, m.Name+" "+m.Revision+" "+m.Namespace+" "+m.Prefix)
		if !m.Core || m.Submodule || m.File != m.Name+".yang" || !strings.HasPrefix(m.Text, "module "+m.Name+" {") {
			t.Errorf("module %s: core %v, submodule %v, file %q, text starts %q", m.Name, m.Core, m.Submodule, m.File, m.Text[:20])
		}
		if m.Description == "" {
			t.Errorf("module %s has no description", m.Name)
		}
	}
	want := []string{
		"ze-types 2026-11-23 urn:ze:yang:ze-types zt",
		"ze-system 2026-11-23 urn:ze:yang:ze-system zsys",
		"ze-environment 2026-11-23 urn:ze:yang:ze-environment zenv",
		"ze-bgp 2026-11-23 urn:ze:yang:ze-bgp zbgp",
		"ze-plugin 2026-11-23 urn:ze:yang:ze-plugin zplug",
	}
	if !slices.Equal(got, want) {
		t.Errorf("modules:\ngot  %q\nwant %q", got, want)
	}
	if m := tr.Module("ze-bgp"); m == nil || m.Prefix != "zbgp" {
		t.Errorf("Module(ze-bgp) = %+v", m)
	}
	if m := tr.Module("ze-nothing"); m != nil {
		t.Errorf("Module(ze-nothing) = %+v, want nil", m)
	}
}

// Every embedded file is a core module, loaded in coreOrder.
func TestCoreOrderCoversEmbeddedFiles(t *testing.T) {
	files, err := fs.Glob(CoreFS(), "*.yang")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range coreOrder {
		want = append(want, n+".yang")
	}
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Errorf("embedded files %q, coreOrder %q", files, want)
	}
}

func TestTopLevelOrder(t *testing.T) {
	tr := core(t)
	var got []string
	for _, n := range tr.Root().Children() {
		got = append(got, n.Module()+":"+n.Name())
	}
	want := []string{"ze-system:system", "ze-environment:environment", "ze-bgp:bgp", "ze-plugin:plugin"}
	if !slices.Equal(got, want) {
		t.Errorf("top-level nodes: got %q, want %q", got, want)
	}
	if !tr.Root().IsRoot() || tr.Root().Name() != "" || tr.Root().Path() != "" {
		t.Errorf("root: IsRoot %v, name %q, path %q", tr.Root().IsRoot(), tr.Root().Name(), tr.Root().Path())
	}
}

func TestPeerHoldTime(t *testing.T) {
	n := find(t, core(t), "bgp/group/peer/hold-time")
	if n.Kind() != Leaf || n.Path() != "bgp/group/peer/hold-time" || n.Module() != "ze-bgp" {
		t.Errorf("kind %v, path %q, module %q", n.Kind(), n.Path(), n.Module())
	}
	ty := n.Type()
	if ty.Name() != "zt:hold-time" || ty.Kind() != "uint16" || ty.Typedef() != "hold-time" {
		t.Errorf("type: name %q, kind %q, typedef %q; want zt:hold-time, uint16, hold-time", ty.Name(), ty.Kind(), ty.Typedef())
	}
	if got, want := ty.Ranges(), []Range{{"0", "0"}, {"3", "65535"}}; !slices.Equal(got, want) {
		t.Errorf("ranges: got %v, want %v", got, want)
	}
	if d, ok := n.Default(); !ok || d != "90" {
		t.Errorf("default: got %q %v, want 90", d, ok)
	}
	if n.Units() != "seconds" || n.Mandatory() || n.IsKey() || !n.Config() {
		t.Errorf("units %q, mandatory %v, key %v, config %v", n.Units(), n.Mandatory(), n.IsKey(), n.Config())
	}
	if !strings.Contains(n.Description(), "hold time") {
		t.Errorf("description %q", n.Description())
	}
}

func TestPeerList(t *testing.T) {
	tr := core(t)
	for _, path := range []string{"bgp/group/peer", "bgp/peer"} {
		n := find(t, tr, path)
		if n.Kind() != List || !slices.Equal(n.Keys(), []string{"name"}) || !n.InheritLevel() {
			t.Errorf("%s: kind %v, keys %q, inherit %v; want list [name] inherit", path, n.Kind(), n.Keys(), n.InheritLevel())
		}
		if got := n.Uniques(); len(got) != 1 || !slices.Equal(got[0], []string{"remote/ip"}) {
			t.Errorf("%s: uniques %q, want [[remote/ip]]", path, got)
		}
		if name := n.Child("name"); name == nil || !name.IsKey() || !name.Mandatory() || name.Type().Name() != "zt:name" {
			t.Errorf("%s/name: %+v", path, name)
		}
		var got []string
		for _, c := range n.DataChildren()[:6] {
			got = append(got, c.Name())
		}
		if want := []string{"name", "description", "remote", "local-as", "local-address", "hold-time"}; !slices.Equal(got, want) {
			t.Errorf("%s children start %q, want %q", path, got, want)
		}
	}
	if n := find(t, tr, "bgp/group"); !n.InheritLevel() || !slices.Equal(n.Keys(), []string{"name"}) {
		t.Errorf("bgp/group: inherit %v, keys %q", n.InheritLevel(), n.Keys())
	}
	for _, path := range []string{"bgp", "bgp/listen", "bgp/group/peer/family/ipv4", "system/login/user"} {
		if find(t, tr, path).InheritLevel() {
			t.Errorf("%s is an inheritance level; want not", path)
		}
	}
}

func TestFamilySAFI(t *testing.T) {
	tr := core(t)
	for _, tt := range []struct {
		path string
		want []Enum
	}{
		{"bgp/group/peer/family/ipv4/safi", []Enum{{Name: "unicast", Value: 1}, {Name: "multicast", Value: 2}, {Name: "mpls-label", Value: 4},
			{Name: "mvpn", Value: 5}, {Name: "mup", Value: 85}, {Name: "vpn", Value: 128}, {Name: "mcast-vpn", Value: 129}, {Name: "rtc", Value: 132},
			{Name: "flowspec", Value: 133}, {Name: "flowspec-vpn", Value: 134}}},
		{"bgp/family/l2vpn/safi", []Enum{{Name: "vpls", Value: 65}, {Name: "evpn", Value: 70}}},
		{"bgp/peer/family/bgp-ls/safi", []Enum{{Name: "bgp-ls", Value: 71}, {Name: "bgp-ls-vpn", Value: 72}}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			n := find(t, tr, tt.path)
			if !n.IsKey() || n.Type().Kind() != "enumeration" {
				t.Fatalf("key %v, kind %q", n.IsKey(), n.Type().Kind())
			}
			got := n.Type().Enums()
			if len(got) != len(tt.want) {
				t.Fatalf("got %d enums %v, want %d", len(got), n.Type().EnumNames(), len(tt.want))
			}
			for i, e := range got {
				if e.Name != tt.want[i].Name || e.Value != tt.want[i].Value || !strings.Contains(e.Description, "SAFI") {
					t.Errorf("enum %d: got %+v, want %s = %d with a description naming the SAFI", i, e, tt.want[i].Name, tt.want[i].Value)
				}
			}
		})
	}
	if n := find(t, tr, "bgp/group/family"); n.Kind() != Container || n.Child("ipv4").Kind() != List {
		t.Errorf("family: %v, ipv4: %v", n.Kind(), n.Child("ipv4").Kind())
	}
}

// The configuration of the spec's example has this shape.
func TestSpecExampleShape(t *testing.T) {
	tr := core(t)
	for _, tt := range []struct {
		path string
		kind Kind
		typ  string
	}{
		{"environment", Container, ""},
		{"environment/log", Container, ""},
		{"environment/log/level", Leaf, "zt:log-level"},
		{"bgp", Container, ""},
		{"bgp/group", List, ""},
		{"bgp/group/local-as", Leaf, "zt:asn"},
		{"bgp/group/family", Container, ""},
		{"bgp/group/family/ipv4", List, ""},
		{"bgp/group/family/ipv6", List, ""},
		{"bgp/group/peer", List, ""},
		{"bgp/group/peer/remote", Container, ""},
		{"bgp/group/peer/remote/ip", Leaf, "zt:ip-address"},
		{"bgp/group/peer/remote/as", Leaf, "zt:asn"},
		{"bgp/group/peer/local-address", Leaf, "zt:ip-address"},
		{"bgp/group/peer/hold-time", Leaf, "zt:hold-time"},
		{"plugin", Container, ""},
		{"plugin/internal", List, ""},
	} {
		n := tr.Find(tt.path)
		if n == nil {
			t.Errorf("%s: missing", tt.path)
			continue
		}
		if n.Kind() != tt.kind {
			t.Errorf("%s: kind %v, want %v", tt.path, n.Kind(), tt.kind)
		}
		if tt.typ != "" && n.Type().Name() != tt.typ {
			t.Errorf("%s: type %q, want %q", tt.path, n.Type().Name(), tt.typ)
		}
	}
	if got := find(t, tr, "plugin/internal").Keys(); !slices.Equal(got, []string{"name"}) {
		t.Errorf("plugin/internal keys %q", got)
	}
	if got := find(t, tr, "environment/log/level").Type().EnumNames(); !slices.Equal(got, []string{"debug", "info", "warn", "error"}) {
		t.Errorf("log levels %q", got)
	}
}

func TestInherited(t *testing.T) {
	tr := core(t)
	for _, tt := range []struct{ path, want string }{
		{"bgp/group/peer/hold-time", "bgp/group/hold-time"},
		{"bgp/group/hold-time", "bgp/hold-time"},
		{"bgp/hold-time", ""},
		{"bgp/peer/local-as", "bgp/local-as"},
		{"bgp/group/peer/remote/as", "bgp/group/remote/as"},
		{"bgp/group/remote/port", "bgp/remote/port"},
		{"bgp/group/peer/remote/ip", ""},
		{"bgp/group/peer/name", ""},
		{"bgp/group/name", ""},
		{"bgp/group/peer", ""},
		{"bgp/group/peer/description", "bgp/group/description"},
		{"bgp/group/description", ""},
		{"bgp/group/peer/capability/graceful-restart/restart-time", "bgp/group/capability/graceful-restart/restart-time"},
		{"bgp/group/peer/family/ipv6/add-path/send", "bgp/group/family/ipv6/add-path/send"},
		{"bgp/peer/static/route/community", "bgp/static/route/community"},
		{"bgp/listen/port", ""},
		{"system/ssh/port", ""},
	} {
		got := ""
		if in := find(t, tr, tt.path).Inherited(); in != nil {
			got = in.Path()
		}
		if got != tt.want {
			t.Errorf("Inherited(%s) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestMandatoryPresenceDefaults(t *testing.T) {
	tr := core(t)
	for _, tt := range []struct {
		path      string
		mandatory bool
	}{
		{"bgp/group/peer/remote/ip", true},
		{"bgp/group/peer/remote/as", false},
		{"system/login/user/class", true},
		{"system/login/user/name", true},
		{"plugin/external/environment/value", true},
		{"bgp/router-id", false},
	} {
		if got := find(t, tr, tt.path).Mandatory(); got != tt.mandatory {
			t.Errorf("Mandatory(%s) = %v, want %v", tt.path, got, tt.mandatory)
		}
	}
	for _, tt := range []struct {
		path     string
		presence bool
	}{
		{"bgp/capability/graceful-restart", true},
		{"bgp/group/peer/shutdown", true},
		{"system/logging/file", true},
		{"bgp/group/peer/capability", false},
		{"bgp/group/peer/remote", false},
	} {
		p, ok := find(t, tr, tt.path).Presence()
		if ok != tt.presence || (ok && p == "") {
			t.Errorf("Presence(%s) = %q %v, want %v", tt.path, p, ok, tt.presence)
		}
	}
	for _, tt := range []struct{ path, def string }{
		{"bgp/group/peer/capability/route-refresh", "true"},
		{"bgp/peer/capability/graceful-restart/restart-time", "120"},
		{"bgp/peer/remote/port", "179"},
		{"bgp/peer/connect-retry", "120"},
		{"bgp/peer/static/route/next-hop", "self"},
		{"bgp/peer/static/route/origin", "igp"},
		{"system/ssh/port", "22"},
		{"environment/log/level", "info"},
		{"bgp/peer/local-as", ""},
	} {
		d, ok := find(t, tr, tt.path).Default()
		if d != tt.def || ok != (tt.def != "") {
			t.Errorf("Default(%s) = %q %v, want %q", tt.path, d, ok, tt.def)
		}
	}
	if n := find(t, tr, "bgp/group/peer/static/route/community"); n.Kind() != LeafList || n.OrderedByUser() {
		t.Errorf("community: kind %v, ordered-by user %v", n.Kind(), n.OrderedByUser())
	}
}

func TestUnionType(t *testing.T) {
	ty := find(t, core(t), "bgp/group/peer/static/route/next-hop").Type()
	if ty.Kind() != "union" {
		t.Fatalf("next-hop kind %q, want union", ty.Kind())
	}
	members := ty.Union()
	if len(members) != 2 || members[0].Name() != "ip-address" || members[0].Kind() != "union" ||
		members[1].Kind() != "enumeration" || !slices.Equal(members[1].EnumNames(), []string{"self"}) {
		t.Fatalf("members: %v", members)
	}
	inner := members[0].Union()
	if len(inner) != 2 || inner[0].Name() != "ipv4-address" || len(inner[0].Patterns()) != 1 || inner[1].Name() != "ipv6-address" || len(inner[1].Patterns()) != 2 {
		t.Errorf("ip-address members: %v", inner)
	}
	if got := inner[1].Lengths(); !slices.Equal(got, []Range{{"2", "45"}}) {
		t.Errorf("ipv6-address length %v", got)
	}
}

// Every node and every enum value has a description: they are the CLI help.
func TestDescriptions(t *testing.T) {
	tr := core(t)
	var walk func(n *Node)
	count := 0
	walk = func(n *Node) {
		for _, c := range n.Children() {
			count++
			if strings.TrimSpace(c.Description()) == "" {
				t.Errorf("%s (%s) has no description", c.Path(), c.Kind())
			}
			if s := c.Summary(); !strings.HasSuffix(s, ".") || strings.Contains(s, "\n") {
				t.Errorf("%s: summary %q is not one sentence", c.Path(), s)
			}
			if ty := c.Type(); ty != nil {
				checkEnums(t, c.Path(), ty)
			}
			walk(c)
		}
	}
	walk(tr.Root())
	if count < 300 {
		t.Errorf("walked %d nodes; want the whole tree (300+)", count)
	}
}

func checkEnums(t *testing.T, path string, ty *Type) {
	for _, e := range ty.Enums() {
		if e.Description == "" {
			t.Errorf("%s: enum %s has no description", path, e.Name)
		}
	}
	for _, m := range ty.Union() {
		checkEnums(t, path, m)
	}
}

const testPlugin = `module ze-test-watchdog {
  yang-version 1.1;
  namespace "urn:ze:yang:ze-test-watchdog";
  prefix wd;
  import ze-types { prefix zt; }
  import ze-bgp { prefix zbgp; }
  description "A plugin module for tests.";
  revision 2026-01-02 { description "First."; }
  container watchdog {
    description "Deferred announcements.";
    list pool {
      key "name";
      description "A named pool.";
      leaf name { type zt:name; description "The pool."; }
      leaf delay { type uint16 { range "1..600"; } default 5; description "Seconds."; }
      choice action {
        description "What to do.";
        leaf withdraw { type empty; description "Withdraw."; }
        container hold { description "Hold."; leaf max { type uint8; description "Max."; } }
      }
    }
  }
  augment "/zbgp:bgp/zbgp:group/zbgp:peer" {
    description "Per peer.";
    leaf watchdog-pool { type string; description "The pool of the peer."; }
  }
}
`

func TestLoaderExtraModule(t *testing.T) {
	l := NewLoader()
	if err := l.Add("ze-test-watchdog.yang", []byte(testPlugin)); err != nil {
		t.Fatalf("Add: %v", err)
	}
	tr, err := l.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	m := tr.Module("ze-test-watchdog")
	if m == nil || m.Core || m.Revision != "2026-01-02" || m.Namespace != "urn:ze:yang:ze-test-watchdog" {
		t.Fatalf("module: %+v", m)
	}
	if got := tr.Root().Children()[4].Name(); got != "watchdog" {
		t.Errorf("fifth top-level node %q, want watchdog", got)
	}
	aug := find(t, tr, "bgp/group/peer/watchdog-pool")
	if aug.Module() != "ze-test-watchdog" || aug.Kind() != Leaf {
		t.Errorf("augmented leaf: module %q, kind %v", aug.Module(), aug.Kind())
	}
	if find(t, tr, "bgp/group/peer/hold-time").Module() != "ze-bgp" {
		t.Error("hold-time changed module")
	}
	// Choices and cases are looked through by Child and Path.
	pool := find(t, tr, "watchdog/pool")
	if w := pool.Child("withdraw"); w == nil || w.Path() != "watchdog/pool/withdraw" || w.Parent().Kind() != Case || w.Parent().Parent().Kind() != Choice {
		t.Errorf("withdraw: %v", w)
	}
	var kinds []string
	for _, c := range pool.Children() {
		kinds = append(kinds, c.Kind().String()+" "+c.Name())
	}
	if want := []string{"leaf name", "leaf delay", "choice action"}; !slices.Equal(kinds, want) {
		t.Errorf("pool children %q, want %q", kinds, want)
	}
	var data []string
	for _, c := range pool.DataChildren() {
		data = append(data, c.Name())
	}
	if want := []string{"name", "delay", "withdraw", "hold"}; !slices.Equal(data, want) {
		t.Errorf("pool data children %q, want %q", data, want)
	}
	// The shared core tree is not changed.
	if c := core(t); c.Find("bgp/group/peer/watchdog-pool") != nil || c.Module("ze-test-watchdog") != nil {
		t.Error("the core tree sees the plugin module")
	}
}

func TestLoaderAddFS(t *testing.T) {
	l := NewLoader()
	fsys := fstest.MapFS{"yang/wd.yang": {Data: []byte(testPlugin)}, "yang/README": {Data: []byte("no")}}
	if err := l.AddFS(fsys, "yang/*.yang"); err != nil {
		t.Fatal(err)
	}
	tr, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if m := tr.Module("ze-test-watchdog"); m == nil || m.File != "yang/wd.yang" {
		t.Errorf("module: %+v", m)
	}
	if err := NewLoader().AddFS(fsys, "*.yang"); err == nil || !strings.Contains(err.Error(), "no module matches") {
		t.Errorf("empty glob: %v", err)
	}
}

func TestLoaderErrors(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		atAdd      bool
		want       string
	}{
		{"duplicate core", "module ze-bgp { namespace urn:x; prefix x; }", true, "module ze-bgp is already loaded from ze-bgp.yang"},
		{"syntax", "module broken { namespace urn:x; prefix x; leaf a {", true, "broken.yang"},
		{"not a module", "leaf a { type string; }", true, "want one module"},
		{"missing import", "module ze-x { namespace urn:x; prefix x; import ze-missing { prefix m; } }", false,
			"module ze-x imports ze-missing, which is not loaded"},
		{"top-level clash", "module ze-x { namespace urn:x; prefix x; container bgp { description d; } }", false,
			"top-level node bgp is defined by both ze-bgp and ze-x"},
		{"unknown type", "module ze-x { namespace urn:x; prefix x; leaf a { type nosuch; } }", false, "nosuch"},
		{"unknown grouping", "module ze-x { namespace urn:x; prefix x; container c { uses nosuch; } }", false, "nosuch"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLoader()
			file := "broken.yang"
			err := l.Add(file, []byte(tt.text))
			if !tt.atAdd {
				if err != nil {
					t.Fatalf("Add: %v", err)
				}
				_, err = l.Load()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "yang: ") {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadTwice(t *testing.T) {
	l := NewLoader()
	a, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add("wd.yang", []byte(testPlugin)); err != nil {
		t.Fatal(err)
	}
	b, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if a.Find("watchdog") != nil || b.Find("watchdog") == nil || a.Find("bgp/group/peer/watchdog-pool") != nil {
		t.Errorf("first load changed by the second: %v %v", a.Find("watchdog"), b.Find("watchdog"))
	}
}
