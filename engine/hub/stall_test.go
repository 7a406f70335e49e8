package hub

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// stallRecorder collects OnStall callbacks.
type stallRecorder struct {
	mu     sync.Mutex
	events []StallEvent
	ch     chan StallEvent
}

func newStallRecorder() *stallRecorder { return &stallRecorder{ch: make(chan StallEvent, 16)} }

func (r *stallRecorder) on(ev StallEvent) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	r.ch <- ev
}

func (r *stallRecorder) wait(t *testing.T) StallEvent {
	t.Helper()
	select {
	case ev := <-r.ch:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no stall reported")
		return StallEvent{}
	}
}

const testStallLimit = 40 * time.Millisecond

// TestStallInternal: a fake slow subscriber stops taking messages. It is
// reported, once, but not disconnected: route messages are never dropped,
// so the publisher stays blocked until the subscriber takes one again.
func TestStallInternal(t *testing.T) {
	rec := newStallRecorder()
	h := newHub(t, Config{StallLimit: testStallLimit, OnStall: rec.on})
	watch := subscribe(t, h, SubscribeConfig{Name: "watch", Prefixes: []string{"hub/subscriber"}})
	slow := subscribe(t, h, SubscribeConfig{Name: "slow-rib", Prefixes: []string{"bgp/update"}, QueueLen: 2})
	p := h.NewPublisher("reactor")
	published := make(chan error, 1)
	go func() {
		for i := range 3 {
			if err := p.Publish(context.Background(), "bgp/update/ipv4/unicast", i); err != nil {
				published <- err
				return
			}
		}
		published <- nil
	}()

	ev := rec.wait(t)
	if ev.Subscriber != "slow-rib" || ev.ID != slow.ID() || ev.External || ev.Disconnected || ev.Depth != 2 || ev.Idle < testStallLimit {
		t.Errorf("stall event %+v, want slow-rib internal, not disconnected, depth 2, idle >= %s", ev, testStallLimit)
	}
	m, err := watch.Receive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m.Topic() != TopicStalled || m.Publisher() != "hub" {
		t.Errorf("watch got %s from %s, want %s from hub", m.Topic(), m.Publisher(), TopicStalled)
	}
	if got, ok := m.Value().(*StallEvent); !ok || *got != ev {
		t.Errorf("stall payload %#v, want %+v", m.Value(), ev)
	}
	if err := slow.Err(); err != nil {
		t.Fatalf("internal subscriber closed: %v", err)
	}
	if c := slow.Counters(); !c.Stalled || c.Stalls != 1 {
		t.Errorf("counters %+v, want stalled, 1 stall", c)
	}
	select {
	case err := <-published:
		t.Fatalf("publisher returned (%v) while the subscriber was stalled", err)
	case <-time.After(2 * testStallLimit):
	}
	rec.mu.Lock()
	n := 0
	for _, e := range rec.events {
		if e.Subscriber == "slow-rib" { // watch may stall too on a loaded machine
			n++
		}
	}
	rec.mu.Unlock()
	if n != 1 {
		t.Errorf("%d stall reports for one stall, want 1", n)
	}

	// The subscriber wakes up: everything arrives, in order.
	for want := range 3 {
		m, err := slow.Receive(context.Background())
		if err != nil || m.Value() != want {
			t.Fatalf("Receive = %v, %v; want %d", m.Value(), err, want)
		}
	}
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	m, err = watch.Receive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ev, _ := m.Value().(*StallEvent); m.Topic() != TopicResumed || ev == nil || ev.Subscriber != "slow-rib" {
		t.Errorf("after resuming: %s %+v, want %s for slow-rib", m.Topic(), m.Value(), TopicResumed)
	}
	if c := slow.Counters(); c.Stalled || c.Dropped != 0 || c.Received != 3 {
		t.Errorf("counters %+v, want not stalled, 0 dropped, 3 received", c)
	}
}

// TestStallExternal: an external subscriber that stalls is disconnected,
// which frees the publisher; the other subscribers keep everything.
func TestStallExternal(t *testing.T) {
	rec := newStallRecorder()
	h := newHub(t, Config{StallLimit: testStallLimit, OnStall: rec.on})
	ext := subscribe(t, h, SubscribeConfig{Name: "python-plugin", Prefixes: []string{"bgp/update"}, QueueLen: 2, External: true})
	rib := subscribe(t, h, SubscribeConfig{Name: "rib", Prefixes: []string{"bgp/update"}, QueueLen: 64})
	p := h.NewPublisher("reactor")
	for i := range 5 { // the third blocks until ext is disconnected
		if err := p.Publish(context.Background(), "bgp/update/ipv4/unicast", i); err != nil {
			t.Fatal(err)
		}
	}
	ev := rec.wait(t)
	if ev.Subscriber != "python-plugin" || !ev.External || !ev.Disconnected || ev.Depth != 2 {
		t.Errorf("stall event %+v, want python-plugin external disconnected depth 2", ev)
	}
	_, err := ext.Receive(context.Background())
	if !errors.Is(err, ErrStalled) || !strings.Contains(err.Error(), "2 messages queued") {
		t.Errorf("Receive on the disconnected subscriber: %v, want ErrStalled with the queue depth", err)
	}
	select {
	case <-ext.Done():
	default:
		t.Error("Done not closed")
	}
	for want := range 5 {
		m, ok := rib.TryReceive()
		if !ok || m.Value() != want {
			t.Fatalf("rib got %v, %v; want %d", m.Value(), ok, want)
		}
	}
	snap := h.Snapshot()
	if got, _ := snap.Topic("bgp/update/ipv4/unicast"); got.Published != 5 || got.Delivered != 7 || got.Dropped != 2 {
		t.Errorf("topic counters %+v, want published 5, delivered 7 (5 rib + 2 ext), dropped 2", got)
	}
	if len(snap.Subscribers) != 1 || snap.Subscribers[0].Name != "rib" {
		t.Errorf("subscribers %+v, want only rib", snap.Subscribers)
	}
}

// TestStallRule drives the monitor's check by hand: an empty queue is
// never a stall, nor is a subscriber that takes something between looks,
// however slowly; limit+1 idle looks in a row are.
func TestStallRule(t *testing.T) {
	const limit, tick = 4, 10 * time.Millisecond
	rec := newStallRecorder()
	h := newHub(t, Config{StallLimit: -1, OnStall: rec.on}) // no monitor: looks by hand
	s := subscribe(t, h, SubscribeConfig{Name: "ext", Prefixes: []string{"a"}, QueueLen: 4, External: true})
	p := h.NewPublisher("p")
	look := func(n int) {
		for range n {
			h.check(s, limit, tick)
		}
	}
	look(10) // empty queue
	for range 10 {
		publish(t, p, "a", 1)
		look(limit) // queued, nothing taken: not yet
		if _, ok := s.TryReceive(); !ok {
			t.Fatal("nothing to receive")
		}
	}
	if len(rec.ch) != 0 || s.Err() != nil {
		t.Fatalf("stall reported for a live subscriber: err %v", s.Err())
	}
	publish(t, p, "a", 1)
	look(1) // sees the last receive
	look(limit)
	if len(rec.ch) != 0 {
		t.Fatal("stall reported after limit idle looks, want limit+1")
	}
	look(1)
	ev := rec.wait(t)
	if ev.Idle != limit*tick || !ev.Disconnected || ev.Depth != 1 {
		t.Errorf("stall event %+v, want idle %s, disconnected, depth 1", ev, limit*tick)
	}
	if !errors.Is(s.Err(), ErrStalled) {
		t.Errorf("Err() = %v, want ErrStalled", s.Err())
	}
}
