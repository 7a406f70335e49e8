package host

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// joinedPy is testdata/joined.py: a Python path plugin whose module ze does
// not ship.
func joinedPy(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatalf("python3 is needed for the Python plugin tests (make deps installs it): %v", err)
	}
	p, err := filepath.Abs("testdata/joined.py")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// hookLog records the OnModules calls.
type hookLog struct {
	mu    sync.Mutex
	calls []map[string]string
	fail  map[string]error // module → the error to answer
}

func (l *hookLog) hook(_ context.Context, mods map[string]string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, mods)
	for m, err := range l.fail {
		if _, ok := mods[m]; ok {
			return err
		}
	}
	return nil
}

func (l *hookLog) get() []map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]map[string]string(nil), l.calls...)
}

// fakeComplete adds "interval":30 to each member that has none: what cdb's
// CompleteJSON does with the module of joined.py.
func fakeComplete(_ context.Context, module string, cfg json.RawMessage) (json.RawMessage, error) {
	var top map[string]map[string]any
	if err := json.Unmarshal(cfg, &top); err != nil {
		return nil, err
	}
	key := module + ":" + strings.TrimPrefix(module, "ze-test-")
	if top[key] == nil {
		top[key] = map[string]any{}
	}
	if _, ok := top[key]["interval"]; !ok {
		top[key]["interval"] = 30
	}
	return json.MarshalIndent(top, "", "  ")
}

func joinedSpec(t testing.TB, name, module, config string) Spec {
	sp := Spec{Name: name, Mode: Path, Run: joinedPy(t), StartupTimeout: 20 * time.Second, Config: []byte(config)}
	if module != "" {
		sp.Env = []string{"JOINED_MODULE=" + module}
	}
	return sp
}

// state calls MODULE:state and returns the configs the plugin was given.
func joinedConfigs(t *testing.T, h *Host, module string) []string {
	t.Helper()
	res, err := h.Call(context.Background(), module+":state", nil)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Configs []json.RawMessage `json:"configs"`
	}
	if err := json.Unmarshal(res, &st); err != nil {
		t.Fatalf("%v: %s", err, res)
	}
	out := make([]string, len(st.Configs))
	for i, c := range st.Configs {
		out[i] = string(c)
	}
	return out
}

// A path plugin whose module the schema does not have: OnModules is called
// with it at registration, once; the plugin is configured with its subtree
// completed (Complete); a second plugin's module comes with the first's.
func TestJoinSchemaPython(t *testing.T) {
	log := &hookLog{}
	ph, _ := newTestHost(t, Config{
		OnModules: log.hook,
		Complete:  fakeComplete,
		Modules:   map[string]string{"ze-test-stored": "module ze-test-stored {}"},
	})
	sp := joinedSpec(t, "joined", "", `{"ze-test-joined:joined":{"label":"py"}}`)
	if err := ph.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	calls := log.get()
	if len(calls) != 1 {
		t.Fatalf("OnModules called %d times, want 1", len(calls))
	}
	if len(calls[0]) != 2 || !strings.HasPrefix(calls[0]["ze-test-joined"], "module ze-test-joined {") ||
		calls[0]["ze-test-stored"] != "module ze-test-stored {}" {
		t.Errorf("OnModules got %v", calls[0])
	}
	got := joinedConfigs(t, ph, "ze-test-joined")
	if want := `{"ze-test-joined:joined":{"interval":30,"label":"py"}}`; len(got) != 1 || got[0] != want {
		t.Errorf("configured with %v, want %s", got, want)
	}
	if mods := ph.SchemaModules(); len(mods) != 2 || mods["ze-test-joined"] == "" {
		t.Errorf("SchemaModules: %v", mods)
	}

	// A restart declares the same module: no second call.
	if err := ph.Stop(context.Background(), "joined"); err != nil {
		t.Fatal(err)
	}
	if err := ph.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	if n := len(log.get()); n != 1 {
		t.Errorf("OnModules called %d times after a restart, want 1", n)
	}

	// Another plugin, another module: every module so far, and the new one.
	if err := ph.Start(context.Background(), joinedSpec(t, "joined-b", "ze-test-b", `{}`)); err != nil {
		t.Fatal(err)
	}
	calls = log.get()
	if len(calls) != 2 {
		t.Fatalf("OnModules called %d times, want 2", len(calls))
	}
	if len(calls[1]) != 3 || calls[1]["ze-test-b"] == "" || calls[1]["ze-test-joined"] == "" || calls[1]["ze-test-stored"] == "" {
		t.Errorf("second OnModules got %v", keysOf(calls[1]))
	}
	// Nothing configured: the defaults alone.
	got = joinedConfigs(t, ph, "ze-test-b")
	if want := `{"ze-test-b:b":{"interval":30}}`; len(got) != 1 || got[0] != want {
		t.Errorf("configured with %v, want %s", got, want)
	}
}

// A module given in Config.Modules is in the schema already: no call.
func TestJoinSchemaKnown(t *testing.T) {
	log := &hookLog{}
	sp := joinedSpec(t, "joined", "", `{}`)
	// The text joined.py declares, as the first registration gives it.
	first, _ := newTestHost(t, Config{OnModules: log.hook})
	if err := first.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	text := first.SchemaModules()["ze-test-joined"]
	if text == "" {
		t.Fatal("no module recorded")
	}
	log2 := &hookLog{}
	ph, _ := newTestHost(t, Config{OnModules: log2.hook, Modules: map[string]string{"ze-test-joined": text}})
	if err := ph.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	if n := len(log2.get()); n != 0 {
		t.Errorf("OnModules called %d times for a known module", n)
	}
	// Known with another text (the plugin was upgraded): called.
	log3 := &hookLog{}
	ph3, _ := newTestHost(t, Config{OnModules: log3.hook, Modules: map[string]string{"ze-test-joined": "module ze-test-joined { }"}})
	if err := ph3.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	if n := len(log3.get()); n != 1 {
		t.Errorf("OnModules called %d times for a changed module, want 1", n)
	}
}

// A module the hook refuses: the registration is refused with its error,
// the plugin fails and plugin/state says why; it is not restarted.
func TestJoinSchemaRefused(t *testing.T) {
	log := &hookLog{fail: map[string]error{"ze-test-joined": errors.New("top-level node joined is defined by both ze-test-joined and ze-other")}}
	ph, h := newTestHost(t, Config{OnModules: log.hook})
	states := watchStates(t, h, "joined")
	err := ph.Start(context.Background(), joinedSpec(t, "joined", "", `{}`))
	want := "declare-registration: module ze-test-joined does not join the schema: top-level node joined is defined by both ze-test-joined and ze-other"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Start: %v", err)
	}
	_, ev := states.until(t, StateFailed)
	if ev.Reason != want {
		t.Errorf("state reason %q, want %q", ev.Reason, want)
	}
	st, _ := ph.Status("joined")
	if st.State != StateFailed || st.Restarts != 0 {
		t.Errorf("status %+v", st)
	}
	if mods := ph.SchemaModules(); len(mods) != 0 {
		t.Errorf("a refused module is known: %v", keysOf(mods))
	}
	if _, err := ph.Call(context.Background(), "ze-test-joined:state", nil); err == nil {
		t.Errorf("the refused plugin's RPC is routed")
	}
}

// A module ze ships cannot be declared with another text.
func TestJoinSchemaShippedText(t *testing.T) {
	name := uniqueName("shipped")
	mod := "ze-test-" + name
	RegisterYANG(name, "module "+mod+` { yang-version 1.1; namespace "urn:ze:test:`+name+`"; prefix ts; }`)
	log := &hookLog{}
	ph, _ := newTestHost(t, Config{OnModules: log.hook})
	err := ph.Start(context.Background(), joinedSpec(t, "joined", mod, `{}`))
	if err == nil || !strings.Contains(err.Error(), "module "+mod+" is shipped with ze (plugin "+name+") with another text") {
		t.Errorf("Start: %v", err)
	}
	if n := len(log.get()); n != 0 {
		t.Errorf("OnModules called for a shipped module")
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
