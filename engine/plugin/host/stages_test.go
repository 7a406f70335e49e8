package host

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// fakeBody returns the Main of a fake plugin: stages, then serve until
// shutdown. ready, when not nil, receives the fake once it is ready.
func fakeBody(seq *recorder, reg func(name string) Registration, pause func(), ready chan<- *fake) func(context.Context, *Link) error {
	return func(ctx context.Context, l *Link) error {
		name := reg("").Name
		f := newFake(name, l.Conn, l.Reader, seq)
		defer f.conn.Close()
		if err := f.stages(ctx, reg(name), pause); err != nil {
			return err
		}
		if ready != nil {
			ready <- f
		}
		select {
		case <-f.shut:
		case <-ctx.Done():
		}
		return nil
	}
}

func plainReg(name string, rpcs ...string) func(string) Registration {
	return func(string) Registration {
		r := Registration{Name: name, Version: "0.1", Topics: []string{"test/events"}, RPCs: rpcs}
		if len(rpcs) > 0 {
			r.YANG = echoYANG
		}
		return r
	}
}

// TestStagesBarrier starts three plugins, one slower than the other, and
// checks from the plugins' side that no plugin sees stage N+1 begin before
// every plugin has finished stage N.
func TestStagesBarrier(t *testing.T) {
	seq := &recorder{}
	names := []string{uniqueName("fast"), uniqueName("slow"), uniqueName("slower")}
	pauses := []time.Duration{0, 30 * time.Millisecond, 60 * time.Millisecond}
	var specs []Spec
	ready := make(chan *fake, len(names))
	for i, n := range names {
		d := pauses[i]
		registerInternal(n, fakeBody(seq, plainReg(n), func() { time.Sleep(d) }, ready))
		specs = append(specs, Spec{Name: n, Mode: Internal})
	}
	ph, _ := newTestHost(t, Config{})
	if err := ph.Start(context.Background(), specs...); err != nil {
		t.Fatal(err)
	}
	for range names {
		<-ready // each has seen its ready answered
	}
	for _, n := range names {
		if st, _ := ph.Status(n); st.State != StateReady {
			t.Fatalf("%s is %s, want ready", n, st.State)
		}
	}
	before := func(stage string, a, b []int) {
		t.Helper()
		if slices.Contains(a, -1) || slices.Contains(b, -1) {
			t.Fatalf("%s: missing events: %v %v in %q", stage, a, b, seq.evs)
		}
		if slices.Max(a) > slices.Min(b) {
			t.Errorf("%s: barrier broken: last %d after first %d in %q", stage, slices.Max(a), slices.Min(b), seq.evs)
		}
	}
	before("1: every registration before any answer to one",
		seq.index(names, MethodDeclareRegistration, "sent"), seq.index(names, MethodDeclareRegistration, "returned"))
	before("1→2: every registration before any configure",
		seq.index(names, MethodDeclareRegistration, "sent"), seq.index(names, MethodConfigure, "received"))
	before("2→3: every configure answered before any capabilities accepted",
		seq.index(names, MethodConfigure, "answered"), seq.index(names, MethodDeclareCapabilities, "returned"))
	before("3→4: every capabilities declared before any registry",
		seq.index(names, MethodDeclareCapabilities, "sent"), seq.index(names, MethodShareRegistry, "received"))
	before("4→5: every registry taken before any ready accepted",
		seq.index(names, MethodShareRegistry, "answered"), seq.index(names, MethodReady, "returned"))
	before("5: every ready before any answer to one",
		seq.index(names, MethodReady, "sent"), seq.index(names, MethodReady, "returned"))
}

// TestStagesContent follows one plugin through the stages and after:
// what it declared, the config and registry it receives, its capabilities,
// RPCs both ways, events from the hub and publications to it.
func TestStagesContent(t *testing.T) {
	name, other := uniqueName("content"), uniqueName("other")
	ready := make(chan *fake, 2)
	registerInternal(name, fakeBody(nil, plainReg(name, "ze-test-echo:echo", "ze-test-echo:fail", "ze-test-echo:ask"), nil, ready))
	registerInternal(other, fakeBody(nil, func(string) Registration {
		return Registration{Name: other, YANG: otherYANG, RPCs: []string{"ze-test-other:hello"}}
	}, nil, ready))
	engine := func(_ context.Context, method string, params []byte) ([]byte, error) {
		if method == "ze-test-engine:ping" {
			return []byte(`{"pong":` + string(params) + `}`), nil
		}
		return nil, errors.New("engine: unknown " + method)
	}
	ph, h := newTestHost(t, Config{Engine: engine})
	err := ph.Start(context.Background(),
		Spec{Name: name, Mode: Internal, Config: []byte(`{"ze-test-echo:x":{"y":1}}`)},
		Spec{Name: other, Mode: Internal})
	if err != nil {
		t.Fatal(err)
	}
	f, g := <-ready, <-ready
	if f.name != name {
		f, g = g, f
	}
	g.setAnswer(func(method string, _ []byte) ([]byte, error) { return []byte(`{"hello":"world"}`), nil })
	f.setAnswer(func(method string, params []byte) ([]byte, error) {
		switch method {
		case "ze-test-echo:echo":
			return params, nil
		case "ze-test-echo:fail":
			return nil, errors.New("no, because")
		}
		return nil, nil
	})

	// What the plugin received in stages 2 and 4.
	var cfg ConfigureParams
	var regp RegistryParams
	if err := errors.Join(json.Unmarshal(f.first(MethodConfigure), &cfg), json.Unmarshal(f.first(MethodShareRegistry), &regp)); err != nil {
		t.Fatal(err)
	}
	if got, want := string(cfg.Config), `{"ze-test-echo:x":{"y":1}}`; got != want {
		t.Errorf("config: got %s, want %s", got, want)
	}
	if len(regp.Plugins) != 2 {
		t.Fatalf("registry: got %+v, want both plugins", regp.Plugins)
	}
	for _, e := range regp.Plugins {
		if e.Name == name && (e.Mode != "internal" || e.Module != "ze-test-echo" || !slices.Equal(e.RPCs, []string{"ze-test-echo:echo", "ze-test-echo:fail", "ze-test-echo:ask"})) {
			t.Errorf("registry entry: got %+v", e)
		}
		if e.Name == other && !slices.Equal(e.RPCs, []string{"ze-test-other:hello"}) {
			t.Errorf("registry entry: got %+v", e)
		}
	}
	st, _ := ph.Status(name)
	if st.State != StateReady || st.Version != "0.1" || st.Module != "ze-test-echo" || string(st.Capabilities) != `{"from":"`+name+`"}` {
		t.Errorf("status: got %+v caps %s", st, st.Capabilities)
	}
	if mods := ph.Modules(); mods["ze-test-echo"] != echoYANG || mods["ze-test-other"] != otherYANG {
		t.Errorf("modules: got %v", mods)
	}

	ctx := context.Background()
	// RPCs from the engine side.
	res, err := ph.Call(ctx, "ze-test-echo:echo", []byte(`{"a":1}`))
	if err != nil || string(res) != `{"a":1}` {
		t.Errorf("echo: got %s, %v", res, err)
	}
	_, err = ph.Call(ctx, "ze-test-echo:fail", nil)
	var re *rpc.RemoteError
	if !errors.As(err, &re) || re.Message != "no, because" {
		t.Errorf("fail: got %v, want a remote error 'no, because'", err)
	}
	if _, err := ph.Call(ctx, "ze-test-none:x", nil); err == nil || !strings.Contains(err.Error(), "engine: unknown ze-test-none:x") {
		t.Errorf("undeclared method: got %v, want the engine's answer", err)
	}

	// RPCs from the plugin: to another plugin, to the engine, errors.
	res, err = f.call(ctx, "ze-test-other:hello", map[string]int{"n": 1})
	if err != nil || string(res) != `{"hello":"world"}` {
		t.Errorf("plugin → plugin: got %s, %v", res, err)
	}
	res, err = f.call(ctx, "ze-test-engine:ping", map[string]int{"n": 2})
	if err != nil || string(res) != `{"pong":{"n":2}}` {
		t.Errorf("plugin → engine: got %s, %v", res, err)
	}
	_, err = g.call(ctx, "ze-test-echo:fail", nil)
	if !errors.As(err, &re) || re.Message != "no, because" {
		t.Errorf("plugin → plugin error: got %v, want the bare message", err)
	}
	if _, err = f.call(ctx, MethodDeclareRegistration, Registration{Name: name}); err == nil {
		t.Errorf("a second registration was accepted")
	}

	// Events: the hub's messages reach the plugin in batches, as JSON or hex.
	pub := h.NewPublisher("tester")
	type payload struct {
		N int `json:"n"`
	}
	for _, v := range []any{[]byte(`{"a": [1, 2]}`), []byte{0x01, 0xFE}, &payload{N: 7}} {
		if err := pub.Publish(ctx, "test/events/x", v); err != nil {
			t.Fatal(err)
		}
	}
	var evs []EventFrame
	for len(evs) < 3 {
		x, err := f.wait(ctxTimeout(t), MethodEvent)
		if err != nil {
			t.Fatal(err)
		}
		var p EventParams
		if err := json.Unmarshal(x.params, &p); err != nil {
			t.Fatalf("event params %s: %v", x.params, err)
		}
		evs = append(evs, p.Events...)
	}
	want := []EventFrame{
		{Topic: "test/events/x", Publisher: "tester", Seq: 1, Data: json.RawMessage(`{"a":[1,2]}`)},
		{Topic: "test/events/x", Publisher: "tester", Seq: 2, Hex: "01FE"},
		{Topic: "test/events/x", Publisher: "tester", Seq: 3, Data: json.RawMessage(`{"n":7}`)},
	}
	for i := range want {
		gb, _ := json.Marshal(evs[i])
		wb, _ := json.Marshal(want[i])
		if string(gb) != string(wb) {
			t.Errorf("event %d: got %s, want %s", i, gb, wb)
		}
	}

	// Publishing from the plugin.
	sub, err := h.Subscribe(hub.SubscribeConfig{Name: "out", Prefixes: []string{"test/out"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.call(ctx, MethodPublish, map[string]any{"topic": "test/out/a", "data": map[string]int{"v": 2},
		"events": []map[string]any{{"topic": "test/out/b", "data": []int{3}}}}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct{ topic, data string }{{"test/out/a", `{"v":2}`}, {"test/out/b", `[3]`}} {
		m, err := sub.Receive(ctxTimeout(t))
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := m.Value().([]byte); m.Topic() != w.topic || string(b) != w.data || m.Publisher() != "plugin/"+name {
			t.Errorf("published: got %s %s from %s, want %s %s", m.Topic(), b, m.Publisher(), w.topic, w.data)
		}
	}
	for _, bad := range []string{"plugin/state/x", "hub/subscriber/stalled", "a//b"} {
		if _, err := f.call(ctx, MethodPublish, map[string]any{"topic": bad, "data": 1}); err == nil {
			t.Errorf("publish on %q was accepted", bad)
		}
	}
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestRegistrationRefused: a registration the host cannot accept fails the
// plugin, with the reason sent to the plugin and published, and never stops
// the plugins started with it.
func TestRegistrationRefused(t *testing.T) {
	tests := []struct {
		name string
		reg  func(name string) Registration
		want string
		// goodFirst starts the good plugin first, on its own; otherwise
		// both start together and the bad one must not hold up the good.
		goodFirst bool
	}{
		{"wrong name", func(string) Registration { return Registration{Name: "someone-else"} },
			`declared name "someone-else", expected`, false},
		{"rpc without yang", func(n string) Registration { return Registration{Name: n, RPCs: []string{"ze-test-echo:echo"}} },
			`no YANG module declares it`, false},
		{"rpc not in the module", func(n string) Registration {
			return Registration{Name: n, YANG: echoYANG, RPCs: []string{"ze-test-echo:nope"}}
		}, `module ze-test-echo has no rpc nope (it has echo, fail, ask)`, false},
		{"rpc of another module", func(n string) Registration {
			return Registration{Name: n, YANG: echoYANG, RPCs: []string{"ze-test-other:hello"}}
		}, `not in the plugin's module ze-test-echo`, false},
		{"rpc of the protocol", func(n string) Registration {
			return Registration{Name: n, YANG: echoYANG, RPCs: []string{"ze-plugin-engine:ready"}}
		}, `belongs to the protocol`, false},
		{"bad yang", func(n string) Registration { return Registration{Name: n, YANG: "module x {"} }, `yang:`, false},
		{"yang importing nothing known", func(n string) Registration {
			return Registration{Name: n, YANG: `module ze-test-x { yang-version 1.1; namespace "urn:x"; prefix x; import nope { prefix n; } }`}
		}, `imports nope, which is not loaded`, false},
		{"bad topic", func(n string) Registration { return Registration{Name: n, Topics: []string{"a//b"}} }, `topic "a//b"`, false},
		{"already served", func(n string) Registration {
			return Registration{Name: n, YANG: otherYANG, RPCs: []string{"ze-test-other:hello"}}
		}, `rpc ze-test-other:hello is already served by plugin`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad, good := uniqueName("bad"), uniqueName("good")
			answer := make(chan error, 1)
			registerInternal(bad, func(ctx context.Context, l *Link) error {
				f := newFake(bad, l.Conn, l.Reader, nil)
				_, err := f.call(ctx, MethodDeclareRegistration, tt.reg(bad))
				answer <- err
				<-ctx.Done()
				return nil
			})
			registerInternal(good, fakeBody(nil, func(string) Registration {
				return Registration{Name: good, YANG: otherYANG, RPCs: []string{"ze-test-other:hello"}}
			}, nil, nil))
			ph, h := newTestHost(t, Config{})
			states := watchStates(t, h, bad)
			specs := []Spec{{Name: good, Mode: Internal}, {Name: bad, Mode: Internal}}
			if tt.goodFirst {
				if err := ph.Start(context.Background(), specs[0]); err != nil {
					t.Fatal(err)
				}
				specs = specs[1:]
			}
			err := ph.Start(context.Background(), specs...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Start: got %v, want an error with %q", err, tt.want)
			}
			if got := <-answer; got == nil || !strings.Contains(got.Error(), tt.want) {
				t.Errorf("the plugin was answered %v, want %q", got, tt.want)
			}
			seen, ev := states.until(t, StateFailed)
			if !slices.Equal(seen, []State{StateStarting, StateFailed}) || !strings.Contains(ev.Reason, tt.want) {
				t.Errorf("events: got %v, reason %q", seen, ev.Reason)
			}
			if st, _ := ph.Status(good); st.State != StateReady {
				t.Errorf("the other plugin is %s, want ready", st.State)
			}
			if _, err := ph.Call(context.Background(), "ze-test-other:hello", nil); err != nil {
				t.Errorf("the other plugin's rpc: %v", err)
			}
		})
	}
}

// TestConfigureRefused: a plugin that refuses its config is failed with its
// message, not restarted.
func TestConfigureRefused(t *testing.T) {
	name := uniqueName("picky")
	registerInternal(name, func(ctx context.Context, l *Link) error {
		f := newFake(name, l.Conn, l.Reader, nil)
		f.setAnswer(func(method string, _ []byte) ([]byte, error) {
			if method == MethodConfigure {
				return nil, errors.New("label: too long")
			}
			return nil, nil
		})
		_, _ = f.call(ctx, MethodDeclareRegistration, Registration{Name: name})
		<-ctx.Done()
		return nil
	})
	ph, _ := newTestHost(t, Config{})
	err := ph.Start(context.Background(), Spec{Name: name, Mode: Internal})
	if err == nil || !strings.Contains(err.Error(), "failed: ze-plugin-callback:configure: the plugin answered: label: too long") {
		t.Fatalf("got %v", err)
	}
}

// TestProtocolOrder: a stage request out of order fails the plugin.
func TestProtocolOrder(t *testing.T) {
	name := uniqueName("hasty")
	answer := make(chan error, 1)
	registerInternal(name, func(ctx context.Context, l *Link) error {
		f := newFake(name, l.Conn, l.Reader, nil)
		if _, err := f.call(ctx, MethodDeclareRegistration, Registration{Name: name}); err != nil {
			return err
		}
		_, err := f.call(ctx, MethodReady, nil)
		answer <- err
		<-ctx.Done()
		return nil
	})
	ph, _ := newTestHost(t, Config{})
	err := ph.Start(context.Background(), Spec{Name: name, Mode: Internal})
	want := "protocol: got ze-plugin-engine:ready, want ze-plugin-engine:declare-capabilities"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Start: got %v, want %q", err, want)
	}
	if got := <-answer; got == nil || !strings.Contains(got.Error(), want) {
		t.Errorf("answer: got %v", got)
	}
}
