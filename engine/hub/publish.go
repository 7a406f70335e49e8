package hub

import (
	"context"
	"sync/atomic"
)

// Publisher is a named source of messages. Every subscriber receives a
// publisher's messages in the order its Publish calls returned, whatever
// their topics; messages of different publishers interleave freely. A
// Publisher may be shared by goroutines, but then only the calls ordered by
// the caller (one returning before the other starts) keep their order.
type Publisher struct {
	hub  *Hub
	name string
	seq  atomic.Uint64
}

// NewPublisher returns a publisher named name (it shows in Message.Publisher).
func (h *Hub) NewPublisher(name string) *Publisher {
	return &Publisher{hub: h, name: name}
}

// Name returns the publisher's name.
func (p *Publisher) Name() string { return p.name }

// Publish sends v on the named topic; see PublishTo.
func (p *Publisher) Publish(ctx context.Context, topic string, v any) error {
	t, err := p.hub.Topic(topic)
	if err != nil {
		return err
	}
	return p.PublishTo(ctx, t, v)
}

// PublishTo sends v to every subscription whose prefix matches t, and
// returns once v is queued for each of them (or dropped, under DropOldest).
// A full queue blocks a Lossless topic's publisher until the subscriber
// makes room, is closed, or ctx ends; PublishTo then returns ctx's error and
// v has reached only some subscribers. It fails with ErrHubClosed after
// Close.
//
// v is not copied: publish a pointer (an interface holding a non-pointer
// value allocates) and do not modify what it points to afterwards. Storing
// v and the topic in each queue is the whole cost of internal delivery.
func (p *Publisher) PublishTo(ctx context.Context, t *Topic, v any) error {
	if t.hub != p.hub {
		panic("hub: topic of another hub")
	}
	seq := p.seq.Add(1)
	t.published.Add(1)
	l := t.subs.Load()
	if l == nil {
		if p.hub.isClosed() {
			return ErrHubClosed
		}
		return nil
	}
	m := Message{topic: t, value: v, pub: p, seq: seq, lossy: t.lossy}
	if l.external {
		m.enc = &encoding{fn: p.hub.encode}
	}
	var delivered uint64
	var err error
	for _, s := range l.subs {
		var k int
		k, err = s.push(ctx, &m)
		delivered += uint64(k)
		if err != nil {
			break
		}
	}
	if delivered > 0 {
		t.delivered.Add(delivered)
	}
	return err
}

func (h *Hub) isClosed() bool {
	select {
	case <-h.done:
		return true
	default:
		return false
	}
}
