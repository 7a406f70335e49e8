package hub

import (
	"context"
	"sync"
)

// Subscription is one subscriber's bounded queue and the prefixes that fill
// it. Messages from all its prefixes share the queue, so a publisher's order
// holds across topics. Receive, TryReceive and ReceiveBatch may be called
// from any goroutine, but a subscriber normally drains its queue from one.
type Subscription struct {
	hub      *Hub
	id       uint64
	name     string
	prefixes []string
	external bool

	mu      sync.Mutex
	ring    []Message // len is a power of two
	mask    int
	head    int // index of the oldest message
	n       int // queued messages
	closed  bool
	err     error // why it was closed
	waiting bool  // a receiver is parked on ready
	blocked int   // publishers parked on space

	ready chan struct{} // cap 1: the queue is no longer empty
	space chan struct{} // cap 1: the queue is no longer full
	done  chan struct{} // closed when the subscription closes

	enqueued uint64
	received uint64
	dropped  uint64
	maxDepth int

	// Stall monitor state, under mu.
	seenReceived uint64
	idleTicks    int
	stalled      bool
	stalls       uint64
}

// ID returns the subscription's number, unique within its hub.
func (s *Subscription) ID() uint64 { return s.id }

// Name returns the name the subscription was created with.
func (s *Subscription) Name() string { return s.name }

// Done returns a channel closed when the subscription is closed.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err returns nil while the subscription is open, then why it was closed:
// ErrUnsubscribed, ErrHubClosed, or an error wrapping ErrStalled.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close unsubscribes: no message is queued after it returns, queued messages
// are discarded (and counted as dropped), and publishers blocked on this
// queue move on.
func (s *Subscription) Close() error {
	s.hub.unsubscribe(s, ErrUnsubscribed)
	return nil
}

// Receive returns the oldest queued message, waiting for one if the queue
// is empty. It fails with ctx's error, or with the reason the subscription
// was closed; messages still queued at close are not returned.
func (s *Subscription) Receive(ctx context.Context) (Message, error) {
	s.mu.Lock()
	for s.n == 0 {
		if err := s.waitReady(ctx); err != nil {
			return Message{}, err
		}
	}
	m := s.pop()
	s.mu.Unlock()
	return m, nil
}

// TryReceive returns the oldest queued message and true, or false at once
// when the queue is empty or the subscription is closed.
func (s *Subscription) TryReceive() (Message, bool) {
	s.mu.Lock()
	if s.n == 0 || s.closed {
		s.mu.Unlock()
		return Message{}, false
	}
	m := s.pop()
	s.mu.Unlock()
	return m, true
}

// ReceiveBatch waits like Receive for at least one message, then moves as
// many queued messages as fit into dst, oldest first, and returns how many.
// It takes the queue's lock once per batch, which is what a subscriber that
// writes to a socket wants.
func (s *Subscription) ReceiveBatch(ctx context.Context, dst []Message) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	for s.n == 0 {
		if err := s.waitReady(ctx); err != nil {
			return 0, err
		}
	}
	k := 0
	for k < len(dst) && s.n > 0 {
		dst[k] = s.pop()
		k++
	}
	s.mu.Unlock()
	return k, nil
}

// waitReady parks until the queue may have a message. It is called with mu
// held and returns with mu held, or unlocked when it returns an error.
func (s *Subscription) waitReady(ctx context.Context) error {
	if s.closed {
		err := s.err
		s.mu.Unlock()
		return err
	}
	s.waiting = true
	s.mu.Unlock()
	select {
	case <-s.ready:
	case <-s.done:
	case <-ctx.Done():
		s.mu.Lock()
		s.waiting = false
		s.mu.Unlock()
		return ctx.Err()
	}
	s.mu.Lock()
	return nil
}

// pop removes the oldest message; mu is held and the queue is not empty.
func (s *Subscription) pop() Message {
	m := s.ring[s.head]
	s.ring[s.head] = Message{} // let the payload go
	s.head = (s.head + 1) & s.mask
	s.n--
	s.received++
	if s.blocked > 0 {
		// One slot freed wakes one publisher; it passes the token on if
		// space and waiters remain (see push).
		select {
		case s.space <- struct{}{}:
		default:
		}
	}
	return m
}

// push queues m, applying the policy of its topic when the queue is full.
// It returns 1 when m was queued, 0 when it was not (subscription closed, or
// m itself was the message dropped), and an error only when ctx ended while
// the publisher was blocked.
func (s *Subscription) push(ctx context.Context, m *Message) (int, error) {
	s.mu.Lock()
	for s.n == len(s.ring) && !s.closed {
		if m.lossy {
			if !s.dropOldestLossy() {
				// Every queued message is lossless: the incoming one is
				// the oldest droppable message.
				s.dropped++
				s.mu.Unlock()
				m.topic.dropped.Add(1)
				return 0, nil
			}
			break
		}
		s.blocked++
		s.mu.Unlock()
		select {
		case <-s.space:
		case <-s.done:
		case <-ctx.Done():
			s.mu.Lock()
			s.blocked--
			s.mu.Unlock()
			return 0, ctx.Err()
		}
		s.mu.Lock()
		s.blocked--
	}
	if s.closed {
		s.mu.Unlock()
		return 0, nil
	}
	s.ring[(s.head+s.n)&s.mask] = *m
	s.n++
	s.enqueued++
	if s.n > s.maxDepth {
		s.maxDepth = s.n
	}
	if s.waiting {
		s.waiting = false
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}
	if s.blocked > 0 && s.n < len(s.ring) {
		select {
		case s.space <- struct{}{}:
		default:
		}
	}
	s.mu.Unlock()
	return 1, nil
}

// dropOldestLossy removes the oldest queued message whose topic is
// DropOldest, keeping the order of the rest, and reports whether there was
// one. mu is held.
func (s *Subscription) dropOldestLossy() bool {
	for i := 0; i < s.n; i++ {
		idx := (s.head + i) & s.mask
		if !s.ring[idx].lossy {
			continue
		}
		victim := s.ring[idx].topic
		// Shift the older messages one slot towards the tail.
		for j := i; j > 0; j-- {
			s.ring[(s.head+j)&s.mask] = s.ring[(s.head+j-1)&s.mask]
		}
		s.ring[s.head] = Message{}
		s.head = (s.head + 1) & s.mask
		s.n--
		s.dropped++
		victim.dropped.Add(1)
		return true
	}
	return false
}

// shut closes the subscription with reason err, discards its queue and
// wakes everyone parked on it. It reports whether it did anything.
func (s *Subscription) shut(err error) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	s.closed = true
	s.err = err
	for s.n > 0 {
		m := s.ring[s.head]
		s.ring[s.head] = Message{}
		s.head = (s.head + 1) & s.mask
		s.n--
		s.dropped++
		m.topic.dropped.Add(1)
	}
	close(s.done)
	s.mu.Unlock()
	return true
}
