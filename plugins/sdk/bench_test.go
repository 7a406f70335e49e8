package sdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/plugins/sdk"
)

const benchYANG = `module ze-test-bench {
  yang-version 1.1;
  namespace "urn:ze:test:bench";
  prefix tb;
  rpc count;
}`

// benchPayload is the size of a small route event, boxed once so that
// publishing it does not allocate.
var benchPayload any = []byte(`{"prefix":"10.0.0.0/24","next-hop":"192.0.2.1","as-path":[65001,65002]}`)

func init() {
	sdk.Builtin("sdk-bench", func(ctx context.Context, p *sdk.Plugin) error {
		var n atomic.Uint64
		p.OnEvent(func(context.Context, sdk.Event) { n.Add(1) })
		p.Handle("ze-test-bench:count", func(context.Context, json.RawMessage) (any, error) {
			return json.RawMessage(fmt.Sprintf(`{"count":%d}`, n.Load())), nil
		})
		return p.Run(ctx, sdk.Registration{Name: "sdk-bench", YANG: benchYANG, Topics: []string{"bench"}})
	})
}

// benchDelivery publishes b.N events on the hub and waits until the plugin
// has counted them all: delivery end to end, reported in messages per
// second.
func benchDelivery(b *testing.B, sp host.Spec, method, topicName string) {
	ph, h := newHost(b, host.Config{})
	if err := ph.Start(context.Background(), sp); err != nil {
		b.Fatal(err)
	}
	pub := h.NewPublisher("bench")
	topic, _ := h.Topic(topicName)
	ctx := context.Background()
	count := func() uint64 {
		res, err := ph.Call(ctx, method, nil)
		if err != nil {
			b.Fatal(err)
		}
		var c struct {
			Count uint64 `json:"count"`
		}
		_ = json.Unmarshal(res, &c)
		return c.Count
	}
	base := count()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if err := pub.PublishTo(ctx, topic, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for want := base + uint64(b.N); count() < want; {
		if time.Now().After(deadline) {
			b.Fatalf("the plugin counted %d events of %d in a minute", count()-base, b.N)
		}
		time.Sleep(200 * time.Microsecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// BenchmarkDeliveryFork: a forked Go plugin (this test binary) connected
// over TLS.
func BenchmarkDeliveryFork(b *testing.B) {
	benchDelivery(b, host.Spec{Name: "sdk-bench", Mode: host.Fork, Env: []string{envPlugin + "=1"}}, "ze-test-bench:count", "bench/update")
}

// BenchmarkDeliveryInternal: the same plugin in process, by direct calls.
func BenchmarkDeliveryInternal(b *testing.B) {
	benchDelivery(b, host.Spec{Name: "sdk-bench", Mode: host.Internal}, "ze-test-bench:count", "bench/update")
}

// BenchmarkDeliveryPython: the Python example over TLS.
func BenchmarkDeliveryPython(b *testing.B) {
	prog := counterPy(b)
	benchDelivery(b, host.Spec{Name: "counter-py", Mode: host.Path, Run: prog, StartupTimeout: 20 * time.Second,
		Restart: host.RestartPolicy{MaxRestarts: -1}}, "ze-example-counter-py:count", "example/counter")
}
