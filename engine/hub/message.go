package hub

import (
	"encoding/json"
	"sync"
)

// Message is one published value as a subscriber receives it. It is a small
// value copied into each subscriber's queue; the payload itself is never
// copied or serialized on the way to an internal subscriber.
type Message struct {
	topic *Topic
	value any
	pub   *Publisher
	seq   uint64
	enc   *encoding // shared by every subscriber of this message, or nil
	lossy bool
}

// Topic returns the topic the message was published on.
func (m Message) Topic() string {
	if m.topic == nil {
		return ""
	}
	return m.topic.name
}

// Value returns the payload as published. It is shared by every subscriber:
// treat it as read-only.
func (m Message) Value() any { return m.value }

// Publisher returns the name of the publisher that sent the message.
func (m Message) Publisher() string {
	if m.pub == nil {
		return ""
	}
	return m.pub.name
}

// Seq returns the message's sequence number within its publisher: 1 for its
// first message, then one more for each message, whatever the topic.
func (m Message) Seq() uint64 { return m.seq }

// Encoded returns the message's byte encoding for external subscribers (see
// Config.Encode). It is produced on the first call for a given message and
// the same slice is returned to every subscriber that asks; the caller must
// not modify it.
func (m Message) Encoded() ([]byte, error) {
	if m.enc != nil {
		return m.enc.get(m.topic.name, m.value)
	}
	if m.topic == nil {
		return nil, nil
	}
	return m.topic.hub.encode(m.topic.name, m.value)
}

// ExternalAppender is implemented by payloads that know their own encoding
// for external subscribers. The default encoder uses it before falling back
// to encoding/json.
type ExternalAppender interface {
	// AppendExternal appends the payload's encoding (JSON for events) to dst.
	AppendExternal(dst []byte) ([]byte, error)
}

// DefaultEncode is the encoder used when Config.Encode is nil: a []byte
// payload is its own encoding, an ExternalAppender appends its own, and any
// other value is marshaled with encoding/json.
func DefaultEncode(_ string, v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case ExternalAppender:
		return x.AppendExternal(nil)
	default:
		return json.Marshal(v)
	}
}

// encoding is the once-per-message cell behind Message.Encoded. It is only
// allocated when a message matches at least one external subscriber, so the
// internal path never pays for it.
type encoding struct {
	once sync.Once
	fn   func(string, any) ([]byte, error)
	b    []byte
	err  error
}

func (e *encoding) get(topic string, v any) ([]byte, error) {
	e.once.Do(func() { e.b, e.err = e.fn(topic, v) })
	return e.b, e.err
}
