package hub

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Policy says what happens to a topic's message when a subscriber's queue
// is full.
type Policy uint8

const (
	// Lossless messages are never dropped: the publisher waits for room
	// (back-pressure). It is the policy of every topic that no rule names,
	// and the one route topics must keep.
	Lossless Policy = iota
	// DropOldest messages make room by evicting the oldest DropOldest
	// message in the queue (possibly the incoming one itself, when every
	// queued message is Lossless); the drop is counted.
	DropOldest
)

// String returns "lossless" or "drop-oldest".
func (p Policy) String() string {
	switch p {
	case Lossless:
		return "lossless"
	case DropOldest:
		return "drop-oldest"
	}
	return fmt.Sprintf("policy(%d)", uint8(p))
}

// TopicPolicy applies Policy to the topics under Prefix. When several rules
// match a topic, the longest prefix wins.
type TopicPolicy struct {
	Prefix string
	Policy Policy
}

// Topics the hub publishes itself. They are always DropOldest, so that the
// hub never blocks on its own reports.
const (
	TopicStalled = "hub/subscriber/stalled"
	TopicResumed = "hub/subscriber/resumed"
)

// Defaults for Config.
const (
	DefaultQueueLen   = 1024
	DefaultStallLimit = 10 * time.Second
)

// Errors a subscription is closed with, and publishing errors.
var (
	ErrHubClosed    = errors.New("hub: closed")
	ErrUnsubscribed = errors.New("hub: unsubscribed")
	ErrStalled      = errors.New("hub: subscriber stalled")
)

// Config sets a hub's policies. The zero value is usable.
type Config struct {
	// Policies maps topic prefixes to a queueing policy; topics no rule
	// names are Lossless. Topics under "hub/" are always DropOldest.
	Policies []TopicPolicy
	// QueueLen is a subscription's queue length when it does not ask for
	// one (default DefaultQueueLen). Lengths round up to a power of two.
	QueueLen int
	// StallLimit is how long a subscriber may leave messages queued without
	// taking any before it is reported stalled, and disconnected if it is
	// external (default DefaultStallLimit; negative disables the check).
	// The check runs every StallLimit/4.
	StallLimit time.Duration
	// OnStall, if set, is called (from the hub's monitor goroutine) for
	// every stall, besides the StallEvent published on TopicStalled.
	OnStall func(StallEvent)
	// Encode produces a message's bytes for external subscribers, once per
	// message (default DefaultEncode).
	Encode func(topic string, v any) ([]byte, error)
}

// StallEvent is the payload published on TopicStalled and TopicResumed.
type StallEvent struct {
	Subscriber   string        `json:"subscriber"`
	ID           uint64        `json:"id"`
	External     bool          `json:"external"`
	Depth        int           `json:"depth"`
	Idle         time.Duration `json:"idle-ns"`
	Disconnected bool          `json:"disconnected"`
}

// Hub is the message bus: it routes values published on hierarchical topics
// to the subscriptions whose prefixes match, in per-publisher order, and
// never looks inside them.
type Hub struct {
	cfg    Config
	encode func(string, any) ([]byte, error)

	mu     sync.RWMutex
	topics map[string]*Topic
	subs   []*Subscription // in subscription order
	nextID uint64
	closed bool

	done     chan struct{}
	monitorW sync.WaitGroup
	self     *Publisher
}

// New returns a running hub; Close stops it.
func New(cfg Config) (*Hub, error) {
	for _, p := range cfg.Policies {
		if err := checkPrefix(p.Prefix); err != nil {
			return nil, fmt.Errorf("hub: policy: %w", err)
		}
		if p.Policy > DropOldest {
			return nil, fmt.Errorf("hub: policy for %q: unknown %s", p.Prefix, p.Policy)
		}
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = DefaultQueueLen
	}
	if cfg.StallLimit == 0 {
		cfg.StallLimit = DefaultStallLimit
	}
	h := &Hub{
		cfg:    cfg,
		encode: cfg.Encode,
		topics: make(map[string]*Topic),
		done:   make(chan struct{}),
	}
	if h.encode == nil {
		h.encode = DefaultEncode
	}
	h.self = h.NewPublisher("hub")
	if cfg.StallLimit > 0 {
		h.monitorW.Add(1)
		go h.monitor()
	}
	return h, nil
}

// Close closes every subscription with ErrHubClosed and stops the stall
// monitor. Later publishes fail with ErrHubClosed.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	subs := h.subs
	h.subs = nil
	for _, t := range h.topics {
		t.subs.Store(nil)
	}
	h.mu.Unlock()
	close(h.done)
	for _, s := range subs {
		s.shut(ErrHubClosed)
	}
	h.monitorW.Wait()
	return nil
}

// Topic returns the handle of a topic, creating it on first use.
func (h *Hub) Topic(name string) (*Topic, error) {
	h.mu.RLock()
	t := h.topics[name]
	h.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	if err := checkTopic(name); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.topics[name]; t != nil {
		return t, nil
	}
	t = &Topic{hub: h, name: name, lossy: h.policyOf(name) == DropOldest}
	if !h.closed {
		var l matchList
		for _, s := range h.subs {
			if s.matches(name) {
				l.subs = append(l.subs, s)
				l.external = l.external || s.external
			}
		}
		if len(l.subs) > 0 {
			t.subs.Store(&l)
		}
	}
	h.topics[name] = t
	return t, nil
}

// policyOf returns the policy of the longest matching rule.
func (h *Hub) policyOf(topic string) Policy {
	if Match("hub", topic) {
		return DropOldest
	}
	best, pol := -1, Lossless
	for _, p := range h.cfg.Policies {
		if len(p.Prefix) > best && Match(p.Prefix, topic) {
			best, pol = len(p.Prefix), p.Policy
		}
	}
	return pol
}

// SubscribeConfig describes a subscription.
type SubscribeConfig struct {
	// Name identifies the subscriber in counters and stall reports.
	Name string
	// Prefixes are the topic prefixes to receive; a topic matching several
	// is delivered once. "" receives every topic.
	Prefixes []string
	// QueueLen overrides Config.QueueLen; rounded up to a power of two.
	QueueLen int
	// External marks a subscriber outside the process (it reads
	// Message.Encoded): a stall disconnects it.
	External bool
}

// Subscribe adds a subscription. It receives messages published after
// Subscribe returns.
func (h *Hub) Subscribe(cfg SubscribeConfig) (*Subscription, error) {
	if len(cfg.Prefixes) == 0 {
		return nil, errors.New("hub: subscribe: no prefix")
	}
	for _, p := range cfg.Prefixes {
		if err := checkPrefix(p); err != nil {
			return nil, fmt.Errorf("hub: subscribe %s: %w", cfg.Name, err)
		}
	}
	size := cfg.QueueLen
	if size <= 0 {
		size = h.cfg.QueueLen
	}
	size = roundPow2(size)
	s := &Subscription{
		hub:      h,
		name:     cfg.Name,
		prefixes: append([]string(nil), cfg.Prefixes...),
		external: cfg.External,
		ring:     make([]Message, size),
		mask:     size - 1,
		ready:    make(chan struct{}, 1),
		space:    make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrHubClosed
	}
	h.nextID++
	s.id = h.nextID
	h.subs = append(h.subs, s)
	for name, t := range h.topics {
		if !s.matches(name) {
			continue
		}
		var l matchList
		if old := t.subs.Load(); old != nil {
			l.subs = append(make([]*Subscription, 0, len(old.subs)+1), old.subs...)
			l.external = old.external
		}
		l.subs = append(l.subs, s)
		l.external = l.external || s.external
		t.subs.Store(&l)
	}
	return s, nil
}

// unsubscribe removes s from every match list, then shuts it with reason.
func (h *Hub) unsubscribe(s *Subscription, reason error) {
	h.mu.Lock()
	for i, x := range h.subs {
		if x == s {
			h.subs = append(h.subs[:i:i], h.subs[i+1:]...)
			break
		}
	}
	for name, t := range h.topics {
		old := t.subs.Load()
		if old == nil || !s.matches(name) {
			continue
		}
		var l matchList
		for _, x := range old.subs {
			if x != s {
				l.subs = append(l.subs, x)
				l.external = l.external || x.external
			}
		}
		if len(l.subs) == 0 {
			t.subs.Store(nil)
		} else {
			t.subs.Store(&l)
		}
	}
	h.mu.Unlock()
	s.shut(reason)
}

func (s *Subscription) matches(topic string) bool {
	for _, p := range s.prefixes {
		if Match(p, topic) {
			return true
		}
	}
	return false
}

func roundPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// sortedTopics returns the topics by name; used by Snapshot.
func (h *Hub) sortedTopics() []*Topic {
	h.mu.RLock()
	ts := make([]*Topic, 0, len(h.topics))
	for _, t := range h.topics {
		ts = append(ts, t)
	}
	h.mu.RUnlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].name < ts[j].name })
	return ts
}
