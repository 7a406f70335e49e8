package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/engine/plugin/rpc"
	"github.com/zebgp/ze/plugins/sdk"
)

const testYANG = `module ze-test-sdk {
  yang-version 1.1;
  namespace "urn:ze:test:sdk";
  prefix ts;
  rpc state;
  rpc publish;
  rpc ask;
  rpc fail;
}`

// envPlugin makes the re-executed test binary run a built-in plugin.
const envPlugin = "ZE_SDK_TEST_PLUGIN"

func TestMain(m *testing.M) {
	if os.Getenv(envPlugin) != "" {
		if err := sdk.RunBuiltin(os.Getenv(host.EnvName)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// probe is the state of the test plugin, reported by ze-test-sdk:state.
type probe struct {
	Config   json.RawMessage `json:"config"`
	Registry []string        `json:"registry"`
	Events   []probeEvent    `json:"events"`
	Shutdown string          `json:"shutdown"`
}

type probeEvent struct {
	Topic  string          `json:"topic"`
	Seq    uint64          `json:"seq"`
	Data   json.RawMessage `json:"data"`
	Raw    []byte          `json:"raw,omitempty"`
	Direct bool            `json:"direct"` // Value was set: delivered in process
	Same   bool            `json:"same"`   // Value is the very pointer published
}

// published is set by tests that publish in process, to check identity.
var published atomic.Pointer[payload]

type payload struct {
	N int `json:"n"`
}

// testPlugin exercises every part of the SDK.
func testPlugin(name string) func(ctx context.Context, p *sdk.Plugin) error {
	return func(ctx context.Context, p *sdk.Plugin) error {
		var mu sync.Mutex
		st := probe{}
		p.OnConfigure(func(_ context.Context, cfg json.RawMessage) error {
			mu.Lock()
			defer mu.Unlock()
			st.Config = cfg
			if strings.Contains(string(cfg), "refuse") {
				return errors.New("refused: as asked")
			}
			return nil
		})
		p.OnRegistry(func(infos []sdk.Info) {
			mu.Lock()
			defer mu.Unlock()
			for _, i := range infos {
				st.Registry = append(st.Registry, i.Name+"="+strings.Join(i.RPCs, ","))
			}
		})
		p.OnEvent(func(_ context.Context, ev sdk.Event) {
			data, _ := ev.JSON()
			pe := probeEvent{Topic: ev.Topic, Seq: ev.Seq, Data: data, Raw: ev.Raw, Direct: ev.Value != nil}
			if v, ok := ev.Value.(*payload); ok && v == published.Load() {
				pe.Same = true
			}
			mu.Lock()
			st.Events = append(st.Events, pe)
			mu.Unlock()
		})
		p.OnShutdown(func(reason string) {
			mu.Lock()
			st.Shutdown = reason
			mu.Unlock()
		})
		p.Handle("ze-test-sdk:state", func(context.Context, json.RawMessage) (any, error) {
			mu.Lock()
			defer mu.Unlock()
			b, err := json.Marshal(st)
			return json.RawMessage(b), err
		})
		p.Handle("ze-test-sdk:publish", func(ctx context.Context, params json.RawMessage) (any, error) {
			var in struct {
				Topic string `json:"topic"`
			}
			if err := json.Unmarshal(params, &in); err != nil {
				return nil, err
			}
			return nil, p.Publish(ctx, in.Topic, &payload{N: 42})
		})
		p.Handle("ze-test-sdk:ask", func(ctx context.Context, params json.RawMessage) (any, error) {
			var in struct {
				Method string `json:"method"`
			}
			_ = json.Unmarshal(params, &in)
			return p.Call(ctx, in.Method, map[string]string{"from": name})
		})
		p.Handle("ze-test-sdk:fail", func(context.Context, json.RawMessage) (any, error) {
			return nil, errors.New("it failed")
		})
		if err := p.SetCapabilities(map[string]any{"families": []string{"ipv4/unicast"}}); err != nil {
			return err
		}
		return p.Run(ctx, sdk.Registration{Name: name, Version: "2.0", YANG: testYANG, Topics: []string{"test/sdk"}})
	}
}

func init() {
	sdk.Builtin("sdk-probe", testPlugin("sdk-probe"))
	sdk.Builtin("sdk-panic", func(ctx context.Context, p *sdk.Plugin) error {
		p.SetLogger(slog.New(slog.DiscardHandler))
		p.Handle("ze-test-sdk:state", func(context.Context, json.RawMessage) (any, error) { panic("oops") })
		p.Handle("ze-test-sdk:fail", func(context.Context, json.RawMessage) (any, error) { return map[string]int{"ok": 1}, nil })
		return p.Run(ctx, sdk.Registration{Name: "sdk-panic", YANG: testYANG})
	})
}

func newHost(t testing.TB, cfg host.Config) (*host.Host, *hub.Hub) {
	t.Helper()
	h, err := hub.New(hub.Config{Policies: []hub.TopicPolicy{{Prefix: "plugin", Policy: hub.DropOldest}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hub = h
	cfg.Self = os.Args[0]
	cfg.SelfArgs = func(string) []string { return []string{"-test.run=^$"} }
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ph, err := host.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = ph.Close()
		_ = h.Close()
	})
	return ph, h
}

func state(t *testing.T, ph *host.Host) probe {
	t.Helper()
	res, err := ph.Call(context.Background(), "ze-test-sdk:state", nil)
	if err != nil {
		t.Fatal(err)
	}
	var p probe
	if err := json.Unmarshal(res, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitEvents polls the plugin until it has n events.
func waitEvents(t *testing.T, ph *host.Host, n int) probe {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p := state(t, ph)
		if len(p.Events) >= n || time.Now().After(deadline) {
			return p
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSDK runs the same plugin in process (direct calls) and in a child
// process (TLS): stages, config, registry, RPCs both ways, events, publish,
// errors, shutdown.
func TestSDK(t *testing.T) {
	for _, mode := range []host.Mode{host.Internal, host.Fork} {
		t.Run(mode.String(), func(t *testing.T) {
			ph, h := newHost(t, host.Config{Engine: func(_ context.Context, method string, params []byte) ([]byte, error) {
				return []byte(`{"engine-saw":` + string(params) + `}`), nil
			}})
			sp := host.Spec{Name: "sdk-probe", Mode: mode, Config: []byte(`{"ze-test-sdk:x":1}`), Env: []string{envPlugin + "=1"}}
			if err := ph.Start(context.Background(), sp); err != nil {
				t.Fatal(err)
			}
			st, _ := ph.Status("sdk-probe")
			if st.Version != "2.0" || string(st.Capabilities) != `{"families":["ipv4/unicast"]}` {
				t.Errorf("status: got %+v, capabilities %s", st, st.Capabilities)
			}
			p := state(t, ph)
			if string(p.Config) != `{"ze-test-sdk:x":1}` {
				t.Errorf("config: got %s", p.Config)
			}
			if want := "sdk-probe=ze-test-sdk:ask,ze-test-sdk:fail,ze-test-sdk:publish,ze-test-sdk:state"; len(p.Registry) != 1 || p.Registry[0] != want {
				t.Errorf("registry: got %v, want [%s]", p.Registry, want)
			}

			// Events: a pointer in process, JSON over the wire.
			v := &payload{N: 1}
			published.Store(v)
			pub := h.NewPublisher("tester")
			ctx := context.Background()
			_ = pub.Publish(ctx, "test/sdk/a", v)
			_ = pub.Publish(ctx, "test/sdk/b", []byte{0xCA, 0xFE})
			p = waitEvents(t, ph, 2)
			if len(p.Events) != 2 {
				t.Fatalf("events: got %+v", p.Events)
			}
			e0, e1 := p.Events[0], p.Events[1]
			if e0.Topic != "test/sdk/a" || e0.Seq != 1 || string(e0.Data) != `{"n":1}` {
				t.Errorf("event 0: got %+v", e0)
			}
			if direct := mode == host.Internal; e0.Direct != direct || e0.Same != direct {
				t.Errorf("event 0 in %s mode: direct %v, same pointer %v", mode, e0.Direct, e0.Same)
			}
			if mode == host.Fork && string(e1.Raw) != "\xCA\xFE" {
				t.Errorf("event 1 raw: got %x", e1.Raw)
			}

			// The plugin publishes; an internal subscriber gets the value.
			sub, _ := h.Subscribe(hub.SubscribeConfig{Name: "out", Prefixes: []string{"test/out"}})
			if _, err := ph.Call(ctx, "ze-test-sdk:publish", []byte(`{"topic":"test/out/x"}`)); err != nil {
				t.Fatal(err)
			}
			m, err := sub.Receive(ctx)
			if err != nil {
				t.Fatal(err)
			}
			switch v := m.Value().(type) {
			case *payload: // in process: the value itself
				if mode != host.Internal || v.N != 42 {
					t.Errorf("published in %s mode: got %#v", mode, v)
				}
			case []byte: // over the wire: its JSON
				if mode != host.Fork || string(v) != `{"n":42}` {
					t.Errorf("published in %s mode: got %s", mode, v)
				}
			default:
				t.Errorf("published: got %T", v)
			}

			// Calls from the plugin, errors.
			res, err := ph.Call(ctx, "ze-test-sdk:ask", []byte(`{"method":"ze-test-engine:hello"}`))
			if err != nil || string(res) != `{"engine-saw":{"from":"sdk-probe"}}` {
				t.Errorf("plugin → engine: got %s, %v", res, err)
			}
			_, err = ph.Call(ctx, "ze-test-sdk:fail", nil)
			var re *rpc.RemoteError
			if !errors.As(err, &re) || re.Message != "it failed" {
				t.Errorf("fail: got %v", err)
			}
			res, err = ph.Call(ctx, "ze-test-sdk:ask", []byte(`{"method":"ze-test-sdk:fail"}`))
			if err == nil || !strings.Contains(err.Error(), "it failed") {
				t.Errorf("plugin → itself, failing: got %s, %v", res, err)
			}

			if err := ph.Stop(ctx, "sdk-probe"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSDKConfigRefused: an OnConfigure error fails the plugin with its text.
func TestSDKConfigRefused(t *testing.T) {
	ph, _ := newHost(t, host.Config{})
	err := ph.Start(context.Background(), host.Spec{Name: "sdk-probe", Mode: host.Internal, Config: []byte(`{"x":"refuse"}`)})
	if err == nil || !strings.Contains(err.Error(), "refused: as asked") {
		t.Fatalf("got %v", err)
	}
}

var (
	quietOnce sync.Once
	quiet     atomic.Pointer[quietChans]
)

type quietChans struct {
	reason chan string
	served chan error
}

// TestSDKShutdown: Stop reaches OnShutdown with its reason and Serve returns.
func TestSDKShutdown(t *testing.T) {
	reason := make(chan string, 1)
	served := make(chan error, 1)
	quietOnce.Do(func() {
		host.Register("sdk-quiet", func(ctx context.Context, l *host.Link) error {
			ch := quiet.Load()
			p := sdk.New(l)
			p.OnShutdown(func(r string) { ch.reason <- r })
			err := p.Run(ctx, sdk.Registration{Name: "sdk-quiet"})
			ch.served <- err
			return err
		})
	})
	quiet.Store(&quietChans{reason: reason, served: served})
	ph, _ := newHost(t, host.Config{})
	if err := ph.Start(context.Background(), host.Spec{Name: "sdk-quiet", Mode: host.Internal}); err != nil {
		t.Fatal(err)
	}
	if err := ph.Stop(context.Background(), "sdk-quiet"); err != nil {
		t.Fatal(err)
	}
	if r := <-reason; r != "stopped by request" {
		t.Errorf("reason: got %q", r)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: got %v, want nil after a shutdown", err)
	}
}

// TestDialRefused: a wrong token is refused with the host's reason.
func TestDialRefused(t *testing.T) {
	ph, _ := newHost(t, host.Config{})
	_, err := sdk.DialTLS(context.Background(), ph.Addr(), ph.CAPEM(), "nope", "x")
	if err == nil || !strings.Contains(err.Error(), "the engine refused the connection: authenticate: unknown or already used token") {
		t.Errorf("got %v", err)
	}
	if _, err := sdk.DialTLS(context.Background(), ph.Addr(), []byte("junk"), "nope", "x"); err == nil {
		t.Error("a junk CA was accepted")
	}
}

// TestPanic: a handler that panics answers an error, in process as over the
// wire, and the plugin keeps serving.
func TestPanic(t *testing.T) {
	for _, mode := range []host.Mode{host.Internal, host.Fork} {
		t.Run(mode.String(), func(t *testing.T) {
			ph, _ := newHost(t, host.Config{})
			if err := ph.Start(context.Background(), host.Spec{Name: "sdk-panic", Mode: mode, Env: []string{envPlugin + "=1"}}); err != nil {
				t.Fatal(err)
			}
			_, err := ph.Call(context.Background(), "ze-test-sdk:state", nil)
			var re *rpc.RemoteError
			if !errors.As(err, &re) || re.Message != "ze-test-sdk:state: panic: oops" {
				t.Errorf("got %v", err)
			}
			if res, err := ph.Call(context.Background(), "ze-test-sdk:fail", nil); err != nil || string(res) != `{"ok":1}` {
				t.Errorf("after the panic: got %s, %v", res, err)
			}
		})
	}
}
