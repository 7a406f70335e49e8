package hub

import (
	"context"
	"testing"
)

type payload struct{ _ int }

// BenchmarkDeliverSameGoroutine publishes one message to one internal
// subscriber and takes it back in the same goroutine: the cost of the hub
// itself, without any scheduler hand-off.
func BenchmarkDeliverSameGoroutine(b *testing.B) {
	h, sub, pub, topic := benchHub(b, 1024)
	defer h.Close()
	ctx := context.Background()
	v := &payload{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := pub.PublishTo(ctx, topic, v); err != nil {
			b.Fatal(err)
		}
		if _, ok := sub.TryReceive(); !ok {
			b.Fatal("nothing received")
		}
	}
}

// BenchmarkDeliver has a publisher goroutine and a subscriber goroutine
// (Receive, one message at a time): ns/op is the time per message through
// the queue, hand-offs between the two included.
func BenchmarkDeliver(b *testing.B) {
	h, sub, pub, topic := benchHub(b, 1024)
	defer h.Close()
	ctx := context.Background()
	v := &payload{}
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for range b.N {
			if _, err := sub.Receive(ctx); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range b.N {
		if err := pub.PublishTo(ctx, topic, v); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDeliverBatch is BenchmarkDeliver with a subscriber that drains
// its queue with ReceiveBatch.
func BenchmarkDeliverBatch(b *testing.B) {
	h, sub, pub, topic := benchHub(b, 1024)
	defer h.Close()
	ctx := context.Background()
	v := &payload{}
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		buf := make([]Message, 64)
		for got := 0; got < b.N; {
			k, err := sub.ReceiveBatch(ctx, buf)
			if err != nil {
				done <- err
				return
			}
			got += k
		}
		done <- nil
	}()
	for range b.N {
		if err := pub.PublishTo(ctx, topic, v); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

func benchHub(b *testing.B, qlen int) (*Hub, *Subscription, *Publisher, *Topic) {
	b.Helper()
	h, err := New(Config{StallLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	sub, err := h.Subscribe(SubscribeConfig{Name: "bench", Prefixes: []string{"bgp/update"}, QueueLen: qlen})
	if err != nil {
		b.Fatal(err)
	}
	topic, err := h.Topic("bgp/update/ipv4/unicast")
	if err != nil {
		b.Fatal(err)
	}
	return h, sub, h.NewPublisher("bench"), topic
}
