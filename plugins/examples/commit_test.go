package examples_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
	_ "github.com/zebgp/ze/plugins/examples" // the counters and their modules
	"github.com/zebgp/ze/plugins/sdk"
)

// The test binary is also the forked plugin: `TEST ze-fork-plugin NAME` is
// ze's `plugin run NAME`.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == "ze-fork-plugin" {
		if err := sdk.RunBuiltin(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// engine is what the daemon assembles: the config database, the hub, the
// commit coordinator with the database's Fanout, and the plugin host as an
// owner.
type engine struct {
	db   *cdb.DB
	hub  *hub.Hub
	c    *commit.Coordinator
	host *host.Host

	mu     sync.Mutex
	events []string // plugin/state and commit/result, as text
}

func newEngine(t *testing.T, factory string) *engine {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	schema, err := host.LoadSchema(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &engine{}
	e.db, err = cdb.Open(t.TempDir(), cdb.Options{Schema: schema, Factory: []byte(factory), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.db.Close() })
	e.hub, err = hub.New(hub.Config{Policies: []hub.TopicPolicy{{Prefix: "plugin", Policy: hub.DropOldest}, {Prefix: "commit", Policy: hub.DropOldest}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.hub.Close() })
	sub, err := e.hub.Subscribe(hub.SubscribeConfig{Name: "test", Prefixes: []string{"plugin/state", commit.TopicResult}, QueueLen: 4096})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			m, err := sub.Receive(context.Background())
			if err != nil {
				return
			}
			var s string
			switch ev := m.Value().(type) {
			case *host.StateEvent:
				s = fmt.Sprintf("state %s %s %s", ev.Name, ev.State, ev.Reason)
			case *commit.ResultEvent:
				s = fmt.Sprintf("result %d %s ok=%v %s %s", ev.Revision, ev.Phase, ev.OK, ev.Owner, ev.Error)
			}
			e.mu.Lock()
			e.events = append(e.events, s)
			e.mu.Unlock()
		}
	}()
	e.c = commit.New(commit.Config{Hub: e.hub, Logger: log, VerifyTimeout: 10 * time.Second, ApplyTimeout: 30 * time.Second})
	e.db.RegisterFanout(e.c)
	e.host, err = host.New(host.Config{Hub: e.hub, Commit: e.c, Logger: log, Self: os.Args[0], StopTimeout: 2 * time.Second,
		SelfArgs: func(name string) []string { return []string{"ze-fork-plugin", name} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.host.Close() })
	tree, _, err := e.db.Running()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := tree.JSON()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := e.host.Configure(ctx, doc); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *engine) seen(prefix string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.events {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func (e *engine) commit(t *testing.T, lines ...string) error {
	t.Helper()
	s, err := e.db.Session(cdb.SessionOptions{User: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, l := range lines {
		words := strings.Fields(l)
		var err error
		if words[0] == "delete" {
			err = s.Delete(words[1:])
		} else {
			err = s.Set(words)
		}
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	_, err = s.Commit(cdb.CommitOptions{})
	return err
}

func (e *engine) running(t *testing.T) string {
	t.Helper()
	b, err := e.db.Show(config.Hierarchical)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// count calls a counter's count RPC and returns its label.
func (e *engine) label(t *testing.T, method string) string {
	t.Helper()
	res, err := e.host.Call(context.Background(), method, nil)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	var out struct {
		Label string `json:"label"`
	}
	if err := json.Unmarshal(res, &out); err != nil {
		t.Fatalf("%s: %s: %v", method, res, err)
	}
	return out.Label
}

func (e *engine) kill(t *testing.T, name string) {
	t.Helper()
	st, ok := e.host.Status(name)
	if !ok || st.PID == 0 {
		t.Fatalf("%s: no process (%+v)", name, st)
	}
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := e.host.Wait(ctx, name, func(s host.Status) bool { return s.State == host.StateReady && s.Restarts >= st.Restarts+1 }); err != nil {
		t.Fatal(err)
	}
}

const (
	goCount = "ze-example-counter:count"
	pyCount = "ze-example-counter-py:count"
)

// TestCommitFanOut: the Python example (path mode, over TLS) and the Go
// example (forked), both declared in the config, take their config from
// it; a commit that one vetoes is refused with its message and running
// does not change; a valid commit reaches both; after kill -9 each comes
// back with the config of the last commit, and commits go on.
func TestCommitFanOut(t *testing.T) {
	py, err := filepath.Abs("counter.py")
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, fmt.Sprintf(`plugin {
    external counter {
        restart {
            backoff 1;
        }
    }
    external counter-py {
        run %s;
        restart {
            backoff 1;
        }
    }
}
counter {
    label go-1;
}
counter-py {
    label py-1;
}
`, py))

	// Both registered, configured from the database, and are owners.
	if got := e.label(t, goCount); got != "go-1" {
		t.Errorf("go label %q, want go-1", got)
	}
	if got := e.label(t, pyCount); got != "py-1" {
		t.Errorf("py label %q, want py-1", got)
	}
	owners := fmt.Sprint(e.c.Owners())
	for _, want := range []string{"[plugin-host ze-plugin:]", "[plugin/counter ze-example-counter:]", "[plugin/counter-py ze-example-counter-py:]"} {
		if !strings.Contains(owners, want) {
			t.Errorf("owners %s: no %s", owners, want)
		}
	}

	// A veto from each, with its message; running stays.
	before := e.running(t)
	err = e.commit(t, "counter-py veto-message not-today", "counter label go-x")
	var ve *cdb.VetoError
	if !errors.As(err, &ve) || ve.Applier != "plugin/counter-py" || ve.Err.Error() != "not-today" {
		t.Fatalf("got %v, want a veto by plugin/counter-py", err)
	}
	if want := "cdb: commit refused by plugin/counter-py: not-today"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	err = e.commit(t, "counter veto-message no-way")
	if err == nil || err.Error() != "cdb: commit refused by plugin/counter: no-way" {
		t.Errorf("got %v, want the Go plugin's veto", err)
	}
	if after := e.running(t); after != before {
		t.Errorf("running changed after vetoes:\n%s", after)
	}
	if got := e.label(t, goCount); got != "go-1" {
		t.Errorf("go label %q after a veto, want go-1", got)
	}

	// A valid commit reaches both, applied with the new JSON.
	if err := e.commit(t, "counter label go-2", "counter-py label py-2"); err != nil {
		t.Fatal(err)
	}
	if a, b := e.label(t, goCount), e.label(t, pyCount); a != "go-2" || b != "py-2" {
		t.Errorf("labels %q %q, want go-2 py-2", a, b)
	}

	// kill -9 each: it comes back with the last config, the crash is
	// published, the other keeps answering, and commits go on.
	e.kill(t, "counter")
	if got := e.label(t, goCount); got != "go-2" {
		t.Errorf("go label after restart %q, want go-2", got)
	}
	e.kill(t, "counter-py")
	if got := e.label(t, pyCount); got != "py-2" {
		t.Errorf("py label after restart %q, want py-2", got)
	}
	for _, want := range []string{"state counter crashed process exited (signal: killed)", "state counter-py crashed process exited (signal: killed)"} {
		if !e.seen(want) {
			t.Errorf("no event %q", want)
		}
	}
	if err := e.commit(t, "counter label go-3", "counter-py label py-3"); err != nil {
		t.Fatal(err)
	}
	if a, b := e.label(t, goCount), e.label(t, pyCount); a != "go-3" || b != "py-3" {
		t.Errorf("labels %q %q, want go-3 py-3", a, b)
	}
	if err := e.commit(t, "counter-py veto-message still-here"); err == nil || !strings.Contains(err.Error(), "plugin/counter-py: still-here") {
		t.Errorf("veto after restart: %v", err)
	}

	// The plugin declarations are the host's: deleting one stops it.
	if err := e.commit(t, "delete plugin external counter-py"); err != nil {
		t.Fatal(err)
	}
	if st, ok := e.host.Status("counter-py"); ok {
		t.Errorf("counter-py still there: %+v", st)
	}
	if _, err := e.host.Call(context.Background(), pyCount, nil); err == nil {
		t.Error("counter-py still answers")
	}
	if strings.Contains(fmt.Sprint(e.c.Owners()), "plugin/counter-py") {
		t.Errorf("counter-py still an owner: %v", e.c.Owners())
	}
	if err := e.commit(t, "counter label go-4"); err != nil {
		t.Fatal(err)
	}
	if got := e.label(t, goCount); got != "go-4" {
		t.Errorf("go label %q, want go-4", got)
	}
	for _, want := range []string{"result 2 verify ok=false plugin/counter-py not-today", "result 2 apply ok=true", "result 5 apply ok=true"} {
		if !e.seen(want) {
			t.Errorf("no event %q", want)
		}
	}
}
