package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/commit"
)

// docRequest is a commit of whole documents (RFC 7951 JSON), rendered per
// module as cdb's Fanout does.
func docRequest(rev uint64, old, cur string, changes ...commit.Change) *commit.Request {
	render := func(cfg any, path string) ([]byte, error) {
		var top map[string]json.RawMessage
		if err := json.Unmarshal([]byte(cfg.(string)), &top); err != nil {
			return nil, err
		}
		if path == "" {
			return []byte(cfg.(string)), nil
		}
		mod, _, _ := strings.Cut(path, ":")
		return Subtree(top, mod), nil
	}
	return &commit.Request{Revision: rev, Old: old, New: cur, Changes: changes, Render: render}
}

func pluginDoc(names []string, extra string) string {
	var entries []string
	for _, n := range names {
		entries = append(entries, fmt.Sprintf(`{"name":%q}`, n))
	}
	doc := fmt.Sprintf(`{"ze-plugin:plugin":{"internal":[%s]}`, strings.Join(entries, ","))
	if extra != "" {
		doc += "," + extra
	}
	return doc + "}"
}

// TestPluginOwner: Configure starts the plugins of a document, each with
// its module's members; a plugin with a module is the commit owner of its
// subtree: it vetoes with its message, gets config-apply with the new
// subtree, and a plugin dropped from the document is stopped and no longer
// an owner.
func TestPluginOwner(t *testing.T) {
	name, other := uniqueName("owner"), uniqueName("plain")
	ready := make(chan *fake, 4)
	registerInternal(name, fakeBody(nil, plainReg(name, "ze-test-echo:echo"), nil, ready))
	registerInternal(other, fakeBody(nil, func(string) Registration { return Registration{Name: other} }, nil, nil))
	c := commit.New(commit.Config{VerifyTimeout: 2 * time.Second})
	ph, _ := newTestHost(t, Config{Commit: c})
	ctx := context.Background()

	doc1 := pluginDoc([]string{name, other}, `"ze-test-echo:box":{"v":1}`)
	if err := ph.Configure(ctx, []byte(doc1)); err != nil {
		t.Fatal(err)
	}
	f := <-ready
	if got, want := string(f.first(MethodConfigure)), `{"config":{"ze-test-echo:box":{"v":1}}}`; got != want {
		t.Errorf("configure %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(c.Owners()), fmt.Sprintf("[[%s ze-plugin:] [plugin/%s ze-test-echo:]]", OwnerHost, name); got != want {
		t.Errorf("owners %s, want %s", got, want)
	}

	f.setAnswer(func(method string, params []byte) ([]byte, error) {
		if method == MethodConfigVerify && strings.Contains(string(params), "bad") {
			return nil, errors.New("v bad is not allowed")
		}
		return nil, nil
	})
	box := commit.Change{Module: "ze-test-echo", Path: []string{"box", "v"}}
	doc2 := pluginDoc([]string{name, other}, `"ze-test-echo:box":{"v":"bad"}`)
	err := c.Commit(ctx, docRequest(2, doc1, doc2, box))
	var ve *commit.VetoError
	if !errors.As(err, &ve) || ve.Owner != "plugin/"+name || ve.Err.Error() != "v bad is not allowed" {
		t.Fatalf("got %v, want a veto by plugin/%s", err, name)
	}
	if f.first(MethodConfigApply) != nil {
		t.Error("config-apply after a veto")
	}

	doc3 := pluginDoc([]string{name, other}, `"ze-test-echo:box":{"v":3}`)
	if err := c.Commit(ctx, docRequest(3, doc1, doc3, box)); err != nil {
		t.Fatal(err)
	}
	if got, want := string(f.first(MethodConfigApply)), `{"revision":3,"config":{"ze-test-echo:box":{"v":3}}}`; got != want {
		t.Errorf("config-apply %s, want %s", got, want)
	}

	// The declarations: the host's. other is dropped and stopped.
	doc4 := pluginDoc([]string{name}, `"ze-test-echo:box":{"v":3}`)
	plug := commit.Change{Module: "ze-plugin", Path: []string{"plugin", "internal"}}
	if err := c.Commit(ctx, docRequest(4, doc3, doc4, plug)); err != nil {
		t.Fatal(err)
	}
	if _, ok := ph.Status(other); ok {
		t.Errorf("%s still runs", other)
	}
	if st, _ := ph.Status(name); st.State != StateReady || st.Restarts != 0 {
		t.Errorf("%s: %+v, want ready, never restarted", name, st)
	}
	// A declaration that does not parse is vetoed by the host.
	bad := `{"ze-plugin:plugin":{"internal":[{"name":"x","bogus":1}]}}`
	err = c.Commit(ctx, docRequest(5, doc4, bad, plug))
	if !errors.As(err, &ve) || ve.Owner != OwnerHost || !strings.Contains(err.Error(), `unknown field "bogus"`) {
		t.Errorf("got %v, want the host's veto", err)
	}
	// So is a plugin ze does not have, or a program that is not there.
	for _, tt := range []struct{ doc, want string }{
		{`{"ze-plugin:plugin":{"internal":[{"name":"nosuch"}]}}`, "plugin nosuch: no plugin nosuch is built into ze"},
		{`{"ze-plugin:plugin":{"external":[{"name":"x","run":"/nonexistent/x"}]}}`, "plugin x: stat /nonexistent/x: no such file or directory"},
		{`{"ze-plugin:plugin":{"external":[{"name":"x","run":"/etc/passwd"}]}}`, "plugin x: /etc/passwd is not an executable file"},
	} {
		err = c.Commit(ctx, docRequest(5, doc4, tt.doc, plug))
		if !errors.As(err, &ve) || ve.Owner != OwnerHost || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want the host's veto: %s", err, tt.want)
		}
	}
	// Without the plugin, it is stopped and no longer an owner.
	if err := c.Commit(ctx, docRequest(6, doc4, `{}`, plug)); err != nil {
		t.Fatal(err)
	}
	if got := c.Owners(); len(got) != 1 || got[0][0] != OwnerHost {
		t.Errorf("owners %v, want the host alone", got)
	}
}

// TestPluginOwnerRestarting: while a plugin is not ready, verify accepts
// and apply keeps the subtree, which its next start receives.
func TestPluginOwnerRestarting(t *testing.T) {
	name := uniqueName("restarting")
	ready := make(chan *fake, 4)
	registerInternal(name, fakeBody(nil, plainReg(name, "ze-test-echo:echo"), nil, ready))
	c := commit.New(commit.Config{})
	ph, _ := newTestHost(t, Config{Commit: c, Clock: &fakeClock{}})
	ctx := context.Background()
	doc1 := pluginDoc([]string{name}, `"ze-test-echo:box":{"v":1}`)
	if err := ph.Configure(ctx, []byte(doc1)); err != nil {
		t.Fatal(err)
	}
	f := <-ready
	p := ph.lookup(name)
	// Take it out of ready, as a crash does, without restarting it yet.
	p.mu.Lock()
	sess := p.sess
	p.sess = nil
	p.mu.Unlock()
	box := commit.Change{Module: "ze-test-echo", Path: []string{"box"}}
	doc2 := pluginDoc([]string{name}, `"ze-test-echo:box":{"v":2}`)
	if err := c.Commit(ctx, docRequest(2, doc1, doc2, box)); err != nil {
		t.Fatal(err)
	}
	if f.first(MethodConfigVerify) != nil || f.first(MethodConfigApply) != nil {
		t.Error("a plugin not ready was called")
	}
	cfg, err := ph.configFor(ctx, p, &Registration{Module: "ze-test-echo"})
	if err != nil || string(cfg) != `{"ze-test-echo:box":{"v":2}}` {
		t.Errorf("next configure: %s %v", cfg, err)
	}
	p.mu.Lock()
	p.sess = sess
	p.mu.Unlock()
}

// TestConfigureRestartsChanged: a plugin whose declaration changed is
// restarted; one unchanged keeps running.
func TestConfigureRestartsChanged(t *testing.T) {
	a, b := uniqueName("same"), uniqueName("changed")
	for _, n := range []string{a, b} {
		registerInternal(n, fakeBody(nil, plainReg(n), nil, nil))
	}
	ph, h := newTestHost(t, Config{})
	ctx := context.Background()
	if err := ph.Configure(ctx, []byte(pluginDoc([]string{a, b}, ""))); err != nil {
		t.Fatal(err)
	}
	log := watchStates(t, h, b)
	doc := fmt.Sprintf(`{"ze-plugin:plugin":{"internal":[{"name":%q},{"name":%q,"startup-timeout":9}]}}`, a, b)
	if err := ph.Configure(ctx, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	states, _ := log.until(t, StateReady)
	if want := []State{StateStopped, StateStarting, StateRegistered, StateReady}; !slices.Equal(states, want) {
		t.Errorf("%s went %v, want %v", b, states, want)
	}
	if st, _ := ph.Status(b); st.State != StateReady {
		t.Errorf("%s: %+v", b, st)
	}
	if got := ph.lookup(b).spec.StartupTimeout; got != 9*time.Second {
		t.Errorf("startup timeout %s", got)
	}
	if err := ph.Configure(ctx, []byte(`{"ze-plugin:plugin":{"internal":[{"name":"Bad"}]}}`)); err == nil {
		t.Error("a bad declaration configured")
	}
}

// TestPluginOwnerCatchUp: a commit applied while the plugin goes through
// the stages, after its configure stage, reaches it once it is ready.
func TestPluginOwnerCatchUp(t *testing.T) {
	name := uniqueName("catchup")
	ready := make(chan *fake, 1)
	configured := make(chan struct{})
	release := make(chan struct{})
	var steps int
	pause := func() {
		steps++
		if steps == 2 { // after configure, before declare-capabilities
			close(configured)
			<-release
		}
	}
	registerInternal(name, fakeBody(nil, plainReg(name, "ze-test-echo:echo"), pause, ready))
	c := commit.New(commit.Config{})
	ph, _ := newTestHost(t, Config{Commit: c})
	ctx := context.Background()
	doc1 := pluginDoc([]string{name}, `"ze-test-echo:box":{"v":1}`)
	done := make(chan error, 1)
	go func() { done <- ph.Configure(ctx, []byte(doc1)) }()
	<-configured
	box := commit.Change{Module: "ze-test-echo", Path: []string{"box"}}
	doc2 := pluginDoc([]string{name}, `"ze-test-echo:box":{"v":2}`)
	if err := c.Commit(ctx, docRequest(2, doc1, doc2, box)); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f := <-ready
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	g, err := f.wait(wctx, MethodConfigApply)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"revision":2,"config":{"ze-test-echo:box":{"v":2}}}`; string(g.params) != want {
		t.Errorf("got %s, want %s", g.params, want)
	}
	if got := string(f.first(MethodConfigure)); got != `{"config":{"ze-test-echo:box":{"v":1}}}` {
		t.Errorf("configure %s", got)
	}
}
