package hub

// TopicCounters are the counters of one topic, or the sums over the topics
// under a prefix (Snapshot.Prefix).
type TopicCounters struct {
	Topic     string `json:"topic"`
	Policy    string `json:"policy,omitempty"`
	Published uint64 `json:"published"` // Publish calls
	Delivered uint64 `json:"delivered"` // copies queued, summed over subscribers
	Dropped   uint64 `json:"dropped"`   // copies evicted (DropOldest) or discarded at close
}

// SubscriberCounters are the counters of one subscription.
type SubscriberCounters struct {
	ID        uint64   `json:"id"`
	Name      string   `json:"name"`
	Prefixes  []string `json:"prefixes"`
	External  bool     `json:"external"`
	Delivered uint64   `json:"delivered"` // queued for it
	Received  uint64   `json:"received"`  // taken by it
	Dropped   uint64   `json:"dropped"`   // evicted or discarded at close
	Depth     int      `json:"depth"`     // queued now
	MaxDepth  int      `json:"max-depth"`
	Capacity  int      `json:"capacity"`
	Stalled   bool     `json:"stalled"`
	Stalls    uint64   `json:"stalls"`
}

// Snapshot is a copy of a hub's counters at one moment (each counter is
// read atomically, the set is not).
type Snapshot struct {
	Topics      []TopicCounters      `json:"topics"`      // sorted by topic
	Subscribers []SubscriberCounters `json:"subscribers"` // in subscription order
}

// Snapshot returns the hub's counters for every topic ever used and every
// open subscription.
func (h *Hub) Snapshot() Snapshot {
	var snap Snapshot
	for _, t := range h.sortedTopics() {
		snap.Topics = append(snap.Topics, TopicCounters{
			Topic:     t.name,
			Policy:    t.Policy().String(),
			Published: t.published.Load(),
			Delivered: t.delivered.Load(),
			Dropped:   t.dropped.Load(),
		})
	}
	h.mu.RLock()
	subs := append([]*Subscription(nil), h.subs...)
	h.mu.RUnlock()
	for _, s := range subs {
		snap.Subscribers = append(snap.Subscribers, s.Counters())
	}
	return snap
}

// Prefix returns the sums of the counters of the topics under prefix
// (matching whole segments, as subscriptions do).
func (s Snapshot) Prefix(prefix string) TopicCounters {
	sum := TopicCounters{Topic: prefix}
	for _, t := range s.Topics {
		if Match(prefix, t.Topic) {
			sum.Published += t.Published
			sum.Delivered += t.Delivered
			sum.Dropped += t.Dropped
		}
	}
	return sum
}

// Topic returns the counters of one topic, and false if it was never used.
func (s Snapshot) Topic(name string) (TopicCounters, bool) {
	for _, t := range s.Topics {
		if t.Topic == name {
			return t, true
		}
	}
	return TopicCounters{}, false
}

// Counters returns the subscription's counters.
func (s *Subscription) Counters() SubscriberCounters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SubscriberCounters{
		ID:        s.id,
		Name:      s.name,
		Prefixes:  append([]string(nil), s.prefixes...),
		External:  s.external,
		Delivered: s.enqueued,
		Received:  s.received,
		Dropped:   s.dropped,
		Depth:     s.n,
		MaxDepth:  s.maxDepth,
		Capacity:  len(s.ring),
		Stalled:   s.stalled,
		Stalls:    s.stalls,
	}
}
