package host

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// deliver sends the plugin its subscription's messages: batches of what is
// queued (up to Config.EventBatch), one ze-plugin-callback:event call at a
// time so that the plugin sees them in order, or one Direct.Events call for
// an internal plugin. A batch grows while the previous call is out, so the
// cost of a call is shared by more messages as the rate rises.
func (s *session) deliver(d Direct) {
	defer close(s.deliverDone)
	msgs := make([]hub.Message, s.h.cfg.EventBatch)
	var buf []byte
	for {
		n, err := s.sub.ReceiveBatch(s.ctx, msgs)
		if err != nil {
			if errors.Is(err, hub.ErrStalled) {
				s.lose("disconnected: " + err.Error())
			}
			return
		}
		batch := msgs[:n]
		if d != nil {
			err = d.Events(s.ctx, batch)
		} else {
			buf = AppendEvents(buf[:0], batch)
			_, err = s.conn.Call(s.ctx, MethodEvent, buf)
			if cap(buf) > 1<<20 {
				buf = nil
			}
		}
		clear(batch) // let the payloads go
		if err != nil {
			var re *rpc.RemoteError
			if errors.As(err, &re) {
				s.log.Warn("plugin refused events", "count", n, "error", re.Message)
				continue
			}
			return // the connection is gone; watch reports it
		}
	}
}

// AppendEvents appends the params of an event call for msgs:
//
//	{"events":[{"topic":"example/counter","publisher":"cli","seq":1,"data":{"n":1}},…]}
//
// A message whose encoding is JSON goes in "data" (compacted onto one line);
// other bytes go in "hex", and an encoding error in "error".
func AppendEvents(dst []byte, msgs []hub.Message) []byte {
	dst = append(dst, `{"events":[`...)
	for i := range msgs {
		m := &msgs[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"topic":`...)
		dst = rpc.AppendJSONString(dst, m.Topic())
		if pub := m.Publisher(); pub != "" {
			dst = append(dst, `,"publisher":`...)
			dst = rpc.AppendJSONString(dst, pub)
		}
		dst = append(dst, `,"seq":`...)
		dst = strconv.AppendUint(dst, m.Seq(), 10)
		data, err := m.Encoded()
		switch {
		case err != nil:
			dst = append(dst, `,"error":`...)
			dst = rpc.AppendJSONString(dst, err.Error())
		default:
			dst = appendData(dst, data)
		}
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// appendData appends ,"data":JSON when data is JSON, else ,"hex":"…".
func appendData(dst, data []byte) []byte {
	n := len(dst)
	b := bytes.NewBuffer(append(dst, `,"data":`...))
	if json.Compact(b, data) == nil {
		return b.Bytes()
	}
	dst = b.Bytes()[:n]
	dst = append(dst, `,"hex":"`...)
	start := len(dst)
	dst = hex.AppendEncode(dst, data)
	upper(dst[start:])
	return append(dst, '"')
}

func upper(b []byte) {
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
}

// publish serves ze-plugin-engine:publish: one message or a batch, each
// published as the JSON bytes of its data.
func (s *session) publish(ctx context.Context, params []byte) error {
	var p PublishParams
	if err := decodeStrict(params, &p); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	events := p.Events
	if p.Topic != "" || len(p.Data) > 0 {
		events = append([]PublishEvent{{Topic: p.Topic, Data: p.Data}}, events...)
	}
	if len(events) == 0 {
		return errors.New("publish: nothing to publish")
	}
	for _, e := range events {
		if err := checkPublishTopic(e.Topic); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if len(e.Data) == 0 {
			return fmt.Errorf("publish: %s: no data", e.Topic)
		}
	}
	for _, e := range events {
		if err := s.pub.Publish(ctx, e.Topic, []byte(e.Data)); err != nil {
			return fmt.Errorf("publish %s: %w", e.Topic, err)
		}
	}
	return nil
}

// publishDirect is Link.Publish: an internal plugin publishes a value as is.
func (s *session) publishDirect(ctx context.Context, topic string, v any) error {
	if !s.ready.Load() {
		return errors.New("host: publish: not before ready")
	}
	if err := checkPublishTopic(topic); err != nil {
		return fmt.Errorf("host: publish: %w", err)
	}
	return s.pub.Publish(ctx, topic, v)
}
