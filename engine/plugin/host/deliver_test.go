package host

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/zebgp/ze/engine/hub"
)

type appendValue struct{}

func (appendValue) AppendExternal(dst []byte) ([]byte, error) {
	return append(dst, "{\n  \"spaced\": true\n}"...), nil
}

type badValue struct{ C chan int }

// messages publishes values on a hub and returns them as an external
// subscriber receives them.
func messages(t testing.TB, values ...any) []hub.Message {
	t.Helper()
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	sub, err := h.Subscribe(hub.SubscribeConfig{Name: "x", Prefixes: []string{""}, External: true, QueueLen: 4096})
	if err != nil {
		t.Fatal(err)
	}
	pub := h.NewPublisher(`pub "q"`)
	for _, v := range values {
		if err := pub.Publish(context.Background(), "t/a", v); err != nil {
			t.Fatal(err)
		}
	}
	msgs := make([]hub.Message, len(values))
	n, err := sub.ReceiveBatch(context.Background(), msgs)
	if err != nil || n != len(values) {
		t.Fatalf("got %d, %v", n, err)
	}
	return msgs
}

func TestAppendEvents(t *testing.T) {
	msgs := messages(t, []byte(`{"a": 1}`), []byte("\x00\xff"), []byte(`[1,`), appendValue{}, &badValue{}, []byte(""))
	got := string(AppendEvents(nil, msgs))
	want := `{"events":[` +
		`{"topic":"t/a","publisher":"pub \"q\"","seq":1,"data":{"a":1}},` +
		`{"topic":"t/a","publisher":"pub \"q\"","seq":2,"hex":"00FF"},` +
		`{"topic":"t/a","publisher":"pub \"q\"","seq":3,"hex":"5B312C"},` +
		`{"topic":"t/a","publisher":"pub \"q\"","seq":4,"data":{"spaced":true}},` +
		`{"topic":"t/a","publisher":"pub \"q\"","seq":5,"error":"json: unsupported type: chan int"},` +
		`{"topic":"t/a","publisher":"pub \"q\"","seq":6,"hex":""}]}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var p EventParams
	if err := json.Unmarshal([]byte(got), &p); err != nil || len(p.Events) != 6 {
		t.Errorf("not valid event params: %v", err)
	}
	if got := string(AppendEvents(nil, nil)); got != `{"events":[]}` {
		t.Errorf("empty: got %s", got)
	}
}

// TestAppendEventsAllocs: encoding a batch into a buffer with room does not
// allocate (the hub encodes a []byte payload as itself).
func TestAppendEventsAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool allocate")
	}
	vals := make([]any, 64)
	for i := range vals {
		vals[i] = []byte(`{"prefix":"10.0.0.0/24","next-hop":"192.0.2.1"}`)
	}
	msgs := messages(t, vals...)
	buf := AppendEvents(nil, msgs)
	if n := testing.AllocsPerRun(100, func() { buf = AppendEvents(buf[:0], msgs) }); n > 0 {
		t.Errorf("AppendEvents allocates %.1f times per batch", n)
	}
}

func BenchmarkAppendEvents(b *testing.B) {
	vals := make([]any, 512)
	for i := range vals {
		vals[i] = []byte(`{"prefix":"10.0.0.0/24","next-hop":"192.0.2.1","as-path":[65001,65002]}`)
	}
	msgs := messages(b, vals...)
	buf := AppendEvents(nil, msgs)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf = AppendEvents(buf[:0], msgs)
	}
	b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "events/s")
}
