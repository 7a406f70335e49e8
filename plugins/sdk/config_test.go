package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/plugins/sdk"
)

// configPlugin vetoes a config holding "veto" and reports, by
// ze-test-sdk:state, what it was given: with OnApply (apply) or with
// OnConfigure alone (configure).
func configPlugin(name string, withApply bool) func(ctx context.Context, p *sdk.Plugin) error {
	return func(ctx context.Context, p *sdk.Plugin) error {
		var mu sync.Mutex
		var log []string
		p.OnConfigure(func(_ context.Context, cfg json.RawMessage) error {
			mu.Lock()
			defer mu.Unlock()
			log = append(log, "configure "+string(cfg))
			return nil
		})
		p.OnVerify(func(_ context.Context, c sdk.ConfigChange) error {
			if strings.Contains(string(c.Config), "veto") {
				return fmt.Errorf("%s says no to revision %d", name, c.Revision)
			}
			return nil
		})
		if withApply {
			p.OnApply(func(_ context.Context, c sdk.ConfigChange) error {
				mu.Lock()
				defer mu.Unlock()
				log = append(log, fmt.Sprintf("apply %d %v %s", c.Revision, c.Restore, c.Config))
				if strings.Contains(string(c.Config), "fail") {
					return errors.New("cannot")
				}
				return nil
			})
		}
		p.Handle("ze-test-sdk:state", func(context.Context, json.RawMessage) (any, error) {
			mu.Lock()
			defer mu.Unlock()
			return map[string]any{"log": log, "config": p.Config()}, nil
		})
		return p.Run(ctx, sdk.Registration{Name: name, YANG: testYANG})
	}
}

func init() {
	sdk.Builtin("sdk-config-apply", configPlugin("sdk-config-apply", true))
	sdk.Builtin("sdk-config-default", configPlugin("sdk-config-default", false))
}

func configRequest(rev uint64, restore bool, old, cur string) *commit.Request {
	return &commit.Request{Revision: rev, Restore: restore, Old: old, New: cur,
		Changes: []commit.Change{{Module: "ze-test-sdk", Path: []string{"x"}}},
		Render:  func(cfg any, _ string) ([]byte, error) { return []byte(cfg.(string)), nil }}
}

// TestSDKConfigChange: after ready, commits reach a plugin in process and
// forked: OnVerify vetoes with its message, OnApply takes the change (its
// error fails the commit, then the old config is applied with Restore),
// and without OnApply OnConfigure takes the new config.
func TestSDKConfigChange(t *testing.T) {
	for _, mode := range []host.Mode{host.Internal, host.Fork} {
		t.Run(mode.String(), func(t *testing.T) {
			c := commit.New(commit.Config{})
			ph, _ := newHost(t, host.Config{Commit: c})
			specs := []host.Spec{
				{Name: "sdk-config-apply", Mode: mode, Env: []string{envPlugin + "=1"}, Config: []byte(`{"ze-test-sdk:x":1}`)},
				{Name: "sdk-config-default", Mode: mode, Env: []string{envPlugin + "=1"}, Config: []byte(`{"ze-test-sdk:x":1}`)},
			}
			// The two declare the same module: one at a time.
			for _, sp := range specs {
				t.Run(sp.Name, func(t *testing.T) {
					ctx := context.Background()
					if err := ph.Start(ctx, sp); err != nil {
						t.Fatal(err)
					}
					defer func() { _ = ph.Stop(ctx, sp.Name) }()
					err := c.Commit(ctx, configRequest(2, false, `{"ze-test-sdk:x":1}`, `{"ze-test-sdk:x":"veto"}`))
					want := fmt.Sprintf("commit refused by plugin/%s: %s says no to revision 2", sp.Name, sp.Name)
					if err == nil || err.Error() != want {
						t.Errorf("got %v, want %s", err, want)
					}
					if err := c.Commit(ctx, configRequest(2, false, `{"ze-test-sdk:x":1}`, `{"ze-test-sdk:x":2}`)); err != nil {
						t.Fatal(err)
					}
					var wantLog string
					if sp.Name == "sdk-config-apply" {
						err := c.Commit(ctx, configRequest(3, false, `{"ze-test-sdk:x":2}`, `{"ze-test-sdk:x":"fail"}`))
						if err == nil || err.Error() != "plugin/sdk-config-apply could not apply the commit: cannot" {
							t.Errorf("got %v", err)
						}
						wantLog = `["configure {\"ze-test-sdk:x\":1}","apply 2 false {\"ze-test-sdk:x\":2}","apply 3 false {\"ze-test-sdk:x\":\"fail\"}","apply 3 true {\"ze-test-sdk:x\":2}"]`
					} else {
						wantLog = `["configure {\"ze-test-sdk:x\":1}","configure {\"ze-test-sdk:x\":2}"]`
					}
					res, err := ph.Call(ctx, "ze-test-sdk:state", nil)
					if err != nil {
						t.Fatal(err)
					}
					var st struct {
						Log    json.RawMessage `json:"log"`
						Config json.RawMessage `json:"config"`
					}
					if err := json.Unmarshal(res, &st); err != nil {
						t.Fatal(err)
					}
					if string(st.Log) != wantLog {
						t.Errorf("got %s\nwant %s", st.Log, wantLog)
					}
					if string(st.Config) != `{"ze-test-sdk:x":2}` {
						t.Errorf("Config() %s", st.Config)
					}
				})
			}
		})
	}
}

// TestPythonConfigChange: the same with zeplugin.py's on_verify and
// on_apply.
func TestPythonConfigChange(t *testing.T) {
	counterPy(t) // python3 is there
	prog, err := filepath.Abs("testdata/config.py")
	if err != nil {
		t.Fatal(err)
	}
	c := commit.New(commit.Config{})
	ph, _ := newHost(t, host.Config{Commit: c})
	ctx := context.Background()
	sp := host.Spec{Name: "sdk-config-py", Mode: host.Path, Run: prog, Config: []byte(`{"ze-test-sdk:x":1}`), StartupTimeout: 20 * time.Second}
	if err := ph.Start(ctx, sp); err != nil {
		t.Fatal(err)
	}
	err = c.Commit(ctx, configRequest(2, false, `{"ze-test-sdk:x":1}`, `{"ze-test-sdk:x":"veto"}`))
	if want := "commit refused by plugin/sdk-config-py: python says no to revision 2"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if err := c.Commit(ctx, configRequest(2, false, `{"ze-test-sdk:x":1}`, `{"ze-test-sdk:x":2}`)); err != nil {
		t.Fatal(err)
	}
	err = c.Commit(ctx, configRequest(3, false, `{"ze-test-sdk:x":2}`, `{"ze-test-sdk:x":"fail"}`))
	if err == nil || err.Error() != "plugin/sdk-config-py could not apply the commit: cannot" {
		t.Errorf("got %v", err)
	}
	res, err := ph.Call(ctx, "ze-test-sdk:state", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"log":["configure {\"ze-test-sdk:x\":1}","apply 2 False {\"ze-test-sdk:x\":2}","apply 3 False {\"ze-test-sdk:x\":\"fail\"}","apply 3 True {\"ze-test-sdk:x\":2}"],"config":{"ze-test-sdk:x":2}}`
	if string(res) != want {
		t.Errorf("got %s\nwant %s", res, want)
	}
}
