package hub

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// event is a test payload; pointers to it travel through the hub.
type event struct {
	pub string
	n   int
}

func newHub(t *testing.T, cfg Config) *Hub {
	t.Helper()
	if cfg.StallLimit == 0 {
		cfg.StallLimit = -1
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func subscribe(t *testing.T, h *Hub, cfg SubscribeConfig) *Subscription {
	t.Helper()
	s, err := h.Subscribe(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func publish(t *testing.T, p *Publisher, topic string, v any) {
	t.Helper()
	if err := p.Publish(context.Background(), topic, v); err != nil {
		t.Fatalf("publish %s: %v", topic, err)
	}
}

// drain returns what is queued, as "topic=value" strings.
func drain(s *Subscription) []string {
	var got []string
	for {
		m, ok := s.TryReceive()
		if !ok {
			return got
		}
		got = append(got, fmt.Sprintf("%s=%v", m.Topic(), m.Value()))
	}
}

func TestDeliveryContentAndOrder(t *testing.T) {
	h := newHub(t, Config{})
	updates := subscribe(t, h, SubscribeConfig{Name: "rib", Prefixes: []string{"bgp/update"}})
	all := subscribe(t, h, SubscribeConfig{Name: "all", Prefixes: []string{""}})
	// Overlapping prefixes: each message once.
	both := subscribe(t, h, SubscribeConfig{Name: "both", Prefixes: []string{"bgp", "bgp/event"}})

	p := h.NewPublisher("reactor")
	publish(t, p, "bgp/event/peer-up", "10.0.0.1")
	publish(t, p, "bgp/update/ipv4/unicast", "u1")
	publish(t, p, "bgp/updates", "not-an-update")
	publish(t, p, "bgp/update/ipv6/unicast", "u2")
	publish(t, p, "bgp/update", "u3")
	publish(t, p, "system/log", "hello")

	tests := []struct {
		sub  *Subscription
		want []string
	}{
		{updates, []string{"bgp/update/ipv4/unicast=u1", "bgp/update/ipv6/unicast=u2", "bgp/update=u3"}},
		{all, []string{"bgp/event/peer-up=10.0.0.1", "bgp/update/ipv4/unicast=u1", "bgp/updates=not-an-update",
			"bgp/update/ipv6/unicast=u2", "bgp/update=u3", "system/log=hello"}},
		{both, []string{"bgp/event/peer-up=10.0.0.1", "bgp/update/ipv4/unicast=u1", "bgp/updates=not-an-update",
			"bgp/update/ipv6/unicast=u2", "bgp/update=u3"}},
	}
	for _, tt := range tests {
		t.Run(tt.sub.Name(), func(t *testing.T) {
			if got := drain(tt.sub); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestMessageFields(t *testing.T) {
	h := newHub(t, Config{})
	s := subscribe(t, h, SubscribeConfig{Name: "s", Prefixes: []string{"a"}})
	p := h.NewPublisher("pub")
	v := &event{pub: "pub", n: 7}
	publish(t, p, "b", "elsewhere") // counts in the publisher's sequence
	publish(t, p, "a/x", v)
	m, err := s.Receive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m.Topic() != "a/x" || m.Publisher() != "pub" || m.Seq() != 2 || m.Value() != any(v) {
		t.Errorf("got topic %q publisher %q seq %d value %v, want a/x pub 2 %v",
			m.Topic(), m.Publisher(), m.Seq(), m.Value(), v)
	}
}

func TestSubscribeLater(t *testing.T) {
	h := newHub(t, Config{})
	p := h.NewPublisher("p")
	publish(t, p, "x/old", 1) // topic exists before the subscription
	s := subscribe(t, h, SubscribeConfig{Name: "s", Prefixes: []string{"x"}})
	publish(t, p, "x/old", 2)
	publish(t, p, "x/new", 3) // topic created after it
	if got, want := drain(s), []string{"x/old=2", "x/new=3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	publish(t, p, "x/old", 4)
	if _, ok := s.TryReceive(); ok {
		t.Error("received after Close")
	}
	if err := s.Err(); !errors.Is(err, ErrUnsubscribed) {
		t.Errorf("Err() = %v, want ErrUnsubscribed", err)
	}
	if _, err := s.Receive(context.Background()); !errors.Is(err, ErrUnsubscribed) {
		t.Errorf("Receive after Close: %v, want ErrUnsubscribed", err)
	}
	tp, _ := h.Topic("x/old")
	if l := tp.subs.Load(); l != nil {
		t.Errorf("match list after Close has %d subscribers, want none", len(l.subs))
	}
}

// TestConcurrentPublishers checks that each subscriber gets every message
// of every publisher, each publisher's in order, through queues small
// enough that publishers block on them all the time.
func TestConcurrentPublishers(t *testing.T) {
	const pubs, per = 4, 2000
	h := newHub(t, Config{})
	var subs []*Subscription
	for i, q := range []int{1, 4, 64} {
		subs = append(subs, subscribe(t, h, SubscribeConfig{
			Name: fmt.Sprintf("sub%d", i), Prefixes: []string{"bgp/update"}, QueueLen: q,
		}))
	}
	ctx := context.Background()
	results := make([]map[string][]int, len(subs))
	var rw sync.WaitGroup
	for i, s := range subs {
		rw.Add(1)
		go func() {
			defer rw.Done()
			got := map[string][]int{}
			buf := make([]Message, 3)
			for n := 0; n < pubs*per; {
				k, err := s.ReceiveBatch(ctx, buf)
				if err != nil {
					t.Errorf("%s: %v", s.Name(), err)
					return
				}
				for _, m := range buf[:k] {
					e := m.Value().(*event)
					if e.pub != m.Publisher() {
						t.Errorf("%s: value from %s carried by %s", s.Name(), e.pub, m.Publisher())
					}
					if uint64(e.n) != m.Seq() {
						t.Errorf("%s: value %d with seq %d", s.Name(), e.n, m.Seq())
					}
					got[e.pub] = append(got[e.pub], e.n)
				}
				n += k
			}
			results[i] = got
		}()
	}
	var pw sync.WaitGroup
	for i := range pubs {
		pw.Add(1)
		go func() {
			defer pw.Done()
			name := fmt.Sprintf("p%d", i)
			p := h.NewPublisher(name)
			topics := []string{"bgp/update/ipv4/unicast", "bgp/update/ipv6/unicast"}
			for n := 1; n <= per; n++ {
				if err := p.Publish(ctx, topics[n%2], &event{pub: name, n: n}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	pw.Wait()
	rw.Wait()
	for i, got := range results {
		for p := range pubs {
			name := fmt.Sprintf("p%d", p)
			seq := got[name]
			if len(seq) != per {
				t.Errorf("sub%d: %d messages from %s, want %d", i, len(seq), name, per)
				continue
			}
			for j, n := range seq {
				if n != j+1 {
					t.Errorf("sub%d: message %d from %s is %d, want %d", i, j, name, n, j+1)
					break
				}
			}
		}
	}
	snap := h.Snapshot()
	if got := snap.Prefix("bgp/update"); got.Published != pubs*per || got.Delivered != 3*pubs*per || got.Dropped != 0 {
		t.Errorf("bgp/update counters %+v, want published %d delivered %d dropped 0", got, pubs*per, 3*pubs*per)
	}
}

// TestBackPressure shows a Lossless publisher waiting for a full queue.
func TestBackPressure(t *testing.T) {
	h := newHub(t, Config{})
	s := subscribe(t, h, SubscribeConfig{Name: "slow", Prefixes: []string{"bgp/update"}, QueueLen: 2})
	p := h.NewPublisher("p")
	publish(t, p, "bgp/update/ipv4/unicast", 1)
	publish(t, p, "bgp/update/ipv4/unicast", 2)
	returned := make(chan error)
	go func() { returned <- p.Publish(context.Background(), "bgp/update/ipv4/unicast", 3) }()
	select {
	case err := <-returned:
		t.Fatalf("publish into a full lossless queue returned (%v) instead of waiting", err)
	case <-time.After(50 * time.Millisecond):
	}
	if c := s.Counters(); c.Depth != 2 || c.Dropped != 0 {
		t.Errorf("while blocked: depth %d dropped %d, want 2 and 0", c.Depth, c.Dropped)
	}
	if m, _ := s.Receive(context.Background()); m.Value() != 1 {
		t.Errorf("first message %v, want 1", m.Value())
	}
	if err := <-returned; err != nil {
		t.Fatal(err)
	}
	if got, want := drain(s), []string{"bgp/update/ipv4/unicast=2", "bgp/update/ipv4/unicast=3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if c := s.Counters(); c.MaxDepth != 2 || c.Delivered != 3 || c.Received != 3 {
		t.Errorf("counters %+v, want max depth 2, delivered 3, received 3", c)
	}
}

func TestBlockedPublisherContext(t *testing.T) {
	h := newHub(t, Config{})
	s := subscribe(t, h, SubscribeConfig{Name: "slow", Prefixes: []string{"a"}, QueueLen: 1})
	p := h.NewPublisher("p")
	publish(t, p, "a", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := p.Publish(ctx, "a", 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Publish = %v, want deadline exceeded", err)
	}
	if got, want := drain(s), []string{"a=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	s.mu.Lock()
	blocked := s.blocked
	s.mu.Unlock()
	if blocked != 0 {
		t.Errorf("%d publishers still counted as blocked, want 0", blocked)
	}
}

func TestDropOldest(t *testing.T) {
	h := newHub(t, Config{Policies: []TopicPolicy{{Prefix: "bgp/event", Policy: DropOldest}}})
	p := h.NewPublisher("p")

	t.Run("lossy only", func(t *testing.T) {
		s := subscribe(t, h, SubscribeConfig{Name: "events", Prefixes: []string{"bgp/event/a"}, QueueLen: 4})
		for i := 1; i <= 10; i++ {
			publish(t, p, "bgp/event/a", i) // never blocks
		}
		want := []string{"bgp/event/a=7", "bgp/event/a=8", "bgp/event/a=9", "bgp/event/a=10"}
		if got := drain(s); !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		if c := s.Counters(); c.Dropped != 6 || c.MaxDepth != 4 {
			t.Errorf("dropped %d max depth %d, want 6 and 4", c.Dropped, c.MaxDepth)
		}
		s.Close()
	})

	t.Run("lossless kept", func(t *testing.T) {
		s := subscribe(t, h, SubscribeConfig{Name: "mixed", Prefixes: []string{"bgp"}, QueueLen: 4})
		publish(t, p, "bgp/update/x", "r1")
		publish(t, p, "bgp/event/b", "e1")
		publish(t, p, "bgp/update/x", "r2")
		publish(t, p, "bgp/event/b", "e2")
		publish(t, p, "bgp/event/b", "e3") // evicts e1, the oldest lossy one
		want := []string{"bgp/update/x=r1", "bgp/update/x=r2", "bgp/event/b=e2", "bgp/event/b=e3"}
		if got := drain(s); !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		for i := range 4 {
			publish(t, p, "bgp/update/x", i)
		}
		publish(t, p, "bgp/event/b", "e4") // queue all lossless: e4 itself goes
		want = []string{"bgp/update/x=0", "bgp/update/x=1", "bgp/update/x=2", "bgp/update/x=3"}
		if got := drain(s); !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		if c := s.Counters(); c.Dropped != 2 {
			t.Errorf("dropped %d, want 2", c.Dropped)
		}
		s.Close()
	})

	snap := h.Snapshot()
	tests := []struct {
		topic string
		want  TopicCounters
	}{
		{"bgp/event/a", TopicCounters{Topic: "bgp/event/a", Policy: "drop-oldest", Published: 10, Delivered: 10, Dropped: 6}},
		{"bgp/event/b", TopicCounters{Topic: "bgp/event/b", Policy: "drop-oldest", Published: 4, Delivered: 3, Dropped: 2}},
		{"bgp/update/x", TopicCounters{Topic: "bgp/update/x", Policy: "lossless", Published: 6, Delivered: 6, Dropped: 0}},
	}
	for _, tt := range tests {
		if got, _ := snap.Topic(tt.topic); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.topic, got, tt.want)
		}
	}
	if got, want := snap.Prefix("bgp/event"), (TopicCounters{Topic: "bgp/event", Published: 14, Delivered: 13, Dropped: 8}); got != want {
		t.Errorf("prefix bgp/event: %+v, want %+v", got, want)
	}
}

func TestCloseDiscardsAndCounts(t *testing.T) {
	h := newHub(t, Config{})
	s := subscribe(t, h, SubscribeConfig{Name: "s", Prefixes: []string{"a"}})
	p := h.NewPublisher("p")
	publish(t, p, "a", 1)
	publish(t, p, "a", 2)
	s.Close()
	snap := h.Snapshot()
	if got, _ := snap.Topic("a"); got.Delivered != 2 || got.Dropped != 2 {
		t.Errorf("topic a: %+v, want delivered 2 dropped 2", got)
	}
	if len(snap.Subscribers) != 0 {
		t.Errorf("closed subscription still listed: %+v", snap.Subscribers)
	}
}

func TestHubClose(t *testing.T) {
	h, err := New(Config{StallLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := subscribe(t, h, SubscribeConfig{Name: "s", Prefixes: []string{"a"}, QueueLen: 1})
	p := h.NewPublisher("p")
	publish(t, p, "a", 1)
	blocked := make(chan error)
	go func() { blocked <- p.Publish(context.Background(), "a", 2) }()
	received := make(chan error)
	s2 := subscribe(t, h, SubscribeConfig{Name: "s2", Prefixes: []string{"b"}})
	go func() { _, err := s2.Receive(context.Background()); received <- err }()
	waitFor(t, "publisher blocked", func() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.blocked == 1 })
	waitFor(t, "receiver parked", func() bool { s2.mu.Lock(); defer s2.mu.Unlock(); return s2.waiting })
	h.Close()
	if err := <-blocked; err != nil {
		t.Errorf("blocked Publish returned %v at Close, want nil", err)
	}
	if err := <-received; !errors.Is(err, ErrHubClosed) {
		t.Errorf("parked Receive returned %v, want ErrHubClosed", err)
	}
	if err := p.Publish(context.Background(), "a", 3); !errors.Is(err, ErrHubClosed) {
		t.Errorf("Publish after Close = %v, want ErrHubClosed", err)
	}
	if _, err := h.Subscribe(SubscribeConfig{Prefixes: []string{"a"}}); !errors.Is(err, ErrHubClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrHubClosed", err)
	}
}

func TestReceiveContext(t *testing.T) {
	h := newHub(t, Config{})
	s := subscribe(t, h, SubscribeConfig{Name: "s", Prefixes: []string{"a"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := s.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Receive = %v, want deadline exceeded", err)
	}
	// Still usable afterwards.
	publish(t, h.NewPublisher("p"), "a", 1)
	if m, err := s.Receive(context.Background()); err != nil || m.Value() != 1 {
		t.Errorf("Receive = %v, %v; want 1, nil", m.Value(), err)
	}
}

func TestSubscribeErrors(t *testing.T) {
	h := newHub(t, Config{})
	if _, err := h.Subscribe(SubscribeConfig{Name: "x"}); err == nil {
		t.Error("Subscribe without prefix succeeded")
	}
	if _, err := h.Subscribe(SubscribeConfig{Name: "x", Prefixes: []string{"a//b"}}); err == nil {
		t.Error("Subscribe with an empty segment succeeded")
	}
	if err := h.NewPublisher("p").Publish(context.Background(), "a/", 1); err == nil {
		t.Error("Publish on a bad topic succeeded")
	}
	if _, err := New(Config{Policies: []TopicPolicy{{Prefix: "a", Policy: 9}}}); err == nil {
		t.Error("New with an unknown policy succeeded")
	}
}

// waitFor polls cond until it holds, for at most ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
