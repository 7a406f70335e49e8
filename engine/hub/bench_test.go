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

// BenchmarkPublishByName is BenchmarkDeliverSameGoroutine with the topic
// looked up by name on every publish.
func BenchmarkPublishByName(b *testing.B) {
	h, sub, pub, _ := benchHub(b, 1024)
	defer h.Close()
	ctx := context.Background()
	v := &payload{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := pub.Publish(ctx, "bgp/update/ipv4/unicast", v); err != nil {
			b.Fatal(err)
		}
		if _, ok := sub.TryReceive(); !ok {
			b.Fatal("nothing received")
		}
	}
}

// BenchmarkFanOut4 delivers each message to four subscribers, each drained
// by its own goroutine; ns/op is per published message.
func BenchmarkFanOut4(b *testing.B) {
	h, err := New(Config{StallLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	topic, _ := h.Topic("bgp/update/ipv4/unicast")
	done := make(chan error, 4)
	for range 4 {
		sub, err := h.Subscribe(SubscribeConfig{Name: "bench", Prefixes: []string{"bgp/update"}})
		if err != nil {
			b.Fatal(err)
		}
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
	}
	pub := h.NewPublisher("bench")
	v := &payload{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := pub.PublishTo(ctx, topic, v); err != nil {
			b.Fatal(err)
		}
	}
	for range 4 {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}

type jsonEvent struct {
	Peer  string `json:"peer"`
	State string `json:"state"`
}

// BenchmarkExternalEncodeOnce publishes to two external subscribers that
// both read the encoding: one allocation for the shared cell, one
// encoding per message.
func BenchmarkExternalEncodeOnce(b *testing.B) {
	h, err := New(Config{StallLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	var subs []*Subscription
	for range 2 {
		s, err := h.Subscribe(SubscribeConfig{Name: "ext", Prefixes: []string{"bgp/event"}, External: true})
		if err != nil {
			b.Fatal(err)
		}
		subs = append(subs, s)
	}
	topic, _ := h.Topic("bgp/event/peer")
	pub := h.NewPublisher("bench")
	v := &jsonEvent{Peer: "10.0.0.1", State: "established"}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := pub.PublishTo(ctx, topic, v); err != nil {
			b.Fatal(err)
		}
		for _, s := range subs {
			m, _ := s.TryReceive()
			if _, err := m.Encoded(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
