package counter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/plugins/examples/counter"
	"github.com/zebgp/ze/plugins/sdk"
)

// The test binary is also the forked plugin: ze's `plugin run counter`.
func TestMain(m *testing.M) {
	if os.Getenv("ZE_COUNTER_TEST_FORK") != "" {
		if err := sdk.RunBuiltin(counter.Name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		cfg, label, err string
	}{
		{`{}`, "", ""},
		{`{"ze-example-counter:counter":{"label":"edge"}}`, "edge", ""},
		{`{"ze-example-counter:counter":{"label":7}}`, "", "counter: config:"},
	}
	for _, tt := range tests {
		c := &counter.Counter{}
		err := c.Configure(context.Background(), json.RawMessage(tt.cfg))
		if (err != nil) != (tt.err != "") {
			t.Errorf("%s: got error %v, want %q", tt.cfg, err, tt.err)
			continue
		}
		res, _ := c.Count(context.Background(), nil)
		if got := res.(counter.CountResult).Label; err == nil && got != tt.label {
			t.Errorf("%s: label %q, want %q", tt.cfg, got, tt.label)
		}
	}
}

// TestCounter runs the example in both Go modes: it takes its label from its
// config, counts what the hub sends on example/counter and answers count.
func TestCounter(t *testing.T) {
	for _, mode := range []host.Mode{host.Internal, host.Fork} {
		t.Run(mode.String(), func(t *testing.T) {
			h, err := hub.New(hub.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			ph, err := host.New(host.Config{Hub: h, Self: os.Args[0], SelfArgs: func(string) []string { return []string{"-test.run=^$"} },
				Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			defer ph.Close()
			sp := host.Spec{Name: counter.Name, Mode: mode, Env: []string{"ZE_COUNTER_TEST_FORK=1"},
				Config: []byte(`{"ze-example-counter:counter":{"label":"edge-1"}}`)}
			if err := ph.Start(context.Background(), sp); err != nil {
				t.Fatal(err)
			}
			pub := h.NewPublisher("test")
			for i := range 5 {
				_ = pub.Publish(context.Background(), counter.Topic+"/tick", []byte(fmt.Sprintf(`{"i":%d}`, i)))
			}
			_ = pub.Publish(context.Background(), "example/other", []byte(`{}`)) // not counted
			want := `{"count":5,"label":"edge-1","last-topic":"example/counter/tick"}`
			var got string
			for deadline := time.Now().Add(10 * time.Second); got != want && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				res, err := ph.Call(context.Background(), counter.MethodCount, nil)
				if err != nil {
					t.Fatal(err)
				}
				got = string(res)
			}
			if got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}
