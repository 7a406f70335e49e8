package cdb

import (
	"context"
	"encoding/json"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
)

// TestPluginModuleJoins is the whole chain the daemon wires: a commit
// declares a Python path plugin whose module ze does not ship; at its
// registration the host's OnModules loads the schema with it and
// SetSchema installs it (queued: the commit that started the plugin holds
// the database); the plugin is configured with its module's defaults; a
// commit of a node of its module reaches it completed; the module is
// stored for the next start.
func TestPluginModuleJoins(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatalf("python3 is needed for this test: %v", err)
	}
	prog, err := filepath.Abs("../engine/plugin/host/testdata/joined.py")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := host.LoadSchema(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := mustOpen(t, dir, Options{Schema: schema})
	h, err := hub.New(hub.Config{Policies: []hub.TopicPolicy{
		{Prefix: "plugin", Policy: hub.DropOldest}, {Prefix: "commit", Policy: hub.DropOldest}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	coord := commit.New(commit.Config{Hub: h, Logger: quiet})
	db.RegisterFanout(coord)
	plugins, err := host.New(host.Config{
		Hub: h, Commit: coord, Logger: slog.New(slog.DiscardHandler), StopTimeout: time.Second,
		OnModules: func(_ context.Context, mods map[string]string) error {
			y, err := host.LoadSchema(mods)
			if err != nil {
				return err
			}
			return db.SetSchema(y)
		},
		Complete: func(_ context.Context, module string, cfg json.RawMessage) (json.RawMessage, error) {
			return db.CompleteJSON(cfg, module)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = plugins.Close() })

	s := session(t, db, SessionOptions{Name: "tty1"})
	if err := s.Set(words("joined label x")); err == nil {
		t.Fatal("the plugin's node is in the schema before the plugin")
	}
	mustSet(t, s, "plugin external joined run "+prog)
	done := make(chan error, 1)
	go func() { _, err := s.Commit(CommitOptions{}); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the commit that starts the plugin does not end")
	}
	if st, _ := plugins.Status("joined"); st.State != host.StateReady {
		t.Fatalf("plugin %+v", st)
	}
	if db.Schema().Module("ze-test-joined") == nil {
		t.Fatal("the plugin's module is not in the schema")
	}
	mustSet(t, s, "joined label x")
	mustCommit(t, s, CommitOptions{})

	res, err := plugins.Call(context.Background(), "ze-test-joined:state", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"configs":[{"ze-test-joined:joined":{"interval":30}},{"ze-test-joined:joined":{"label":"x","interval":30}}]}`
	if string(res) != want {
		t.Errorf("the plugin got\n%s\nwant\n%s", res, want)
	}
	if err := plugins.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	mods, err := ReadModules(dir)
	if err != nil || !strings.HasPrefix(mods["ze-test-joined"], "module ze-test-joined {") {
		t.Errorf("ReadModules: %v, %v", keys(mods), err)
	}
	// The next start: the schema from the stored modules reads running.
	y, err := host.LoadSchema(mods)
	if err != nil {
		t.Fatal(err)
	}
	db2 := mustOpen(t, dir, Options{Schema: y})
	if !strings.Contains(runningText(t, db2), "label x;") {
		t.Errorf("running after restart:\n%s", runningText(t, db2))
	}
}
