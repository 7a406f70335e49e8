package hub

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// Topic is a resolved topic name: a publisher that holds one publishes
// without any lookup. It keeps the topic's counters, its queueing policy and
// the list of subscriptions that match it, rebuilt whenever a subscription
// is added or closed, so that publishing reads one atomic pointer.
type Topic struct {
	hub   *Hub
	name  string
	lossy bool // DropOldest policy

	subs atomic.Pointer[matchList]

	published atomic.Uint64
	delivered atomic.Uint64
	dropped   atomic.Uint64
}

// Name returns the topic's name.
func (t *Topic) Name() string { return t.name }

// Policy returns the queueing policy that applies to the topic's messages.
func (t *Topic) Policy() Policy {
	if t.lossy {
		return DropOldest
	}
	return Lossless
}

// matchList is the immutable set of subscriptions a topic is delivered to,
// in subscription order.
type matchList struct {
	subs     []*Subscription
	external bool // at least one subscriber needs the encoded form
}

// checkTopic reports whether name is a valid topic: one or more non-empty
// segments separated by "/", made of printable ASCII other than space.
func checkTopic(name string) error {
	if name == "" {
		return errors.New("hub: empty topic")
	}
	return checkSegments(name)
}

// checkPrefix is checkTopic that also accepts "", the prefix of every topic.
func checkPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	return checkSegments(prefix)
}

func checkSegments(s string) error {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '/' {
			if i == start {
				return fmt.Errorf("hub: topic %q: empty segment", s)
			}
			start = i + 1
			continue
		}
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("hub: topic %q: byte %#02x not allowed", s, c)
		}
	}
	return nil
}

// Match reports whether a subscription to prefix receives topic: the prefix
// must equal the topic or end at one of its "/" separators, so "bgp/update"
// matches "bgp/update/ipv4/unicast" but not "bgp/updates". The empty prefix
// matches every topic.
func Match(prefix, topic string) bool {
	if prefix == "" {
		return true
	}
	if !strings.HasPrefix(topic, prefix) {
		return false
	}
	return len(topic) == len(prefix) || topic[len(prefix)] == '/'
}
