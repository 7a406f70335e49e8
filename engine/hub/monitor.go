package hub

import (
	"context"
	"fmt"
	"time"
)

// monitor looks at every subscription each StallLimit/4. A subscription
// that had messages queued at every look for StallLimit and took none in
// that time is stalled (so a stall is seen between StallLimit and
// StallLimit*5/4 after the subscriber last took a message): it is reported once (OnStall and TopicStalled) and,
// if external, closed with an error wrapping ErrStalled. When a reported
// internal subscriber takes a message again, TopicResumed says so.
//
// Publishers never pay for this: the monitor only reads counters a
// subscription keeps anyway.
func (h *Hub) monitor() {
	defer h.monitorW.Done()
	tick := h.cfg.StallLimit / 4
	if tick < time.Millisecond {
		tick = time.Millisecond
	}
	limit := int((h.cfg.StallLimit + tick - 1) / tick)
	tk := time.NewTicker(tick)
	defer tk.Stop()
	var subs []*Subscription
	for {
		select {
		case <-h.done:
			return
		case <-tk.C:
		}
		h.mu.RLock()
		subs = append(subs[:0], h.subs...)
		h.mu.RUnlock()
		for _, s := range subs {
			h.check(s, limit, tick)
		}
		clear(subs)
	}
}

// check updates s's idle count and acts on a stall or a resume.
func (h *Hub) check(s *Subscription, limit int, tick time.Duration) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	took := s.received != s.seenReceived
	s.seenReceived = s.received
	if took || s.n == 0 {
		s.idleTicks = 0
		resumed := s.stalled
		s.stalled = false
		ev := StallEvent{Subscriber: s.name, ID: s.id, External: s.external, Depth: s.n}
		s.mu.Unlock()
		if resumed {
			h.report(TopicResumed, &ev)
		}
		return
	}
	// The first idle look may come just after the queue filled: only
	// limit more idle looks make sure StallLimit has passed.
	s.idleTicks++
	if s.stalled || s.idleTicks <= limit {
		s.mu.Unlock()
		return
	}
	s.stalled = true
	s.stalls++
	ev := StallEvent{
		Subscriber:   s.name,
		ID:           s.id,
		External:     s.external,
		Depth:        s.n,
		Idle:         time.Duration(s.idleTicks-1) * tick,
		Disconnected: s.external,
	}
	s.mu.Unlock()
	if ev.Disconnected {
		h.unsubscribe(s, fmt.Errorf("%w: %d messages queued, none taken for %s",
			ErrStalled, ev.Depth, ev.Idle))
	}
	if h.cfg.OnStall != nil {
		h.cfg.OnStall(ev)
	}
	h.report(TopicStalled, &ev)
}

// report publishes a hub event. Topics under "hub/" are DropOldest, so this
// never waits on a subscriber.
func (h *Hub) report(topic string, ev *StallEvent) {
	_ = h.self.Publish(context.Background(), topic, ev)
}
