package hub

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

type peerUp struct {
	Address string `json:"address"`
	ASN     uint32 `json:"asn"`
}

// counted has its own encoding and counts how often it is produced.
type counted struct {
	n     int
	calls *atomic.Int32
}

func (c *counted) AppendExternal(dst []byte) ([]byte, error) {
	c.calls.Add(1)
	dst = append(dst, `{"n":`...)
	dst = strconv.AppendInt(dst, int64(c.n), 10)
	return append(dst, '}'), nil
}

func TestDefaultEncode(t *testing.T) {
	var calls atomic.Int32
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"bytes", []byte(`{"raw":true}`), `{"raw":true}`},
		{"appender", &counted{n: 3, calls: &calls}, `{"n":3}`},
		{"json", &peerUp{Address: "10.0.0.1", ASN: 65001}, `{"address":"10.0.0.1","asn":65001}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultEncode("t", tt.v)
			if err != nil || string(got) != tt.want {
				t.Errorf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

// TestEncodeOncePerMessage: three external subscribers read the same bytes,
// produced once per message, from three goroutines; the internal one never
// causes an encoding.
func TestEncodeOncePerMessage(t *testing.T) {
	var calls atomic.Int32
	h := newHub(t, Config{})
	internal := subscribe(t, h, SubscribeConfig{Name: "rib", Prefixes: []string{"bgp"}})
	var ext []*Subscription
	for _, name := range []string{"py", "go", "sh"} {
		ext = append(ext, subscribe(t, h, SubscribeConfig{Name: name, Prefixes: []string{"bgp/event"}, External: true}))
	}
	p := h.NewPublisher("p")
	const msgs = 5
	for i := range msgs {
		publish(t, p, "bgp/event/x", &counted{n: i, calls: &calls})
	}
	publish(t, p, "bgp/update/y", "internal only")

	got := make([][][]byte, len(ext))
	var wg sync.WaitGroup
	for i, s := range ext {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range msgs {
				m, err := s.Receive(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				b, err := m.Encoded()
				if err != nil {
					t.Error(err)
					return
				}
				got[i] = append(got[i], b)
			}
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != msgs {
		t.Errorf("encoder ran %d times for %d messages", n, msgs)
	}
	for j := range msgs {
		want := `{"n":` + strconv.Itoa(j) + `}`
		for i := range ext {
			if string(got[i][j]) != want {
				t.Errorf("%s message %d: %s, want %s", ext[i].Name(), j, got[i][j], want)
			}
			if &got[i][j][0] != &got[0][j][0] {
				t.Errorf("%s message %d: a separate encoding, want the shared one", ext[i].Name(), j)
			}
		}
	}
	for range msgs {
		if m, _ := internal.TryReceive(); m.enc == nil {
			t.Error("a message that also went to external subscribers has no shared encoding")
		}
	}
	if m, _ := internal.TryReceive(); m.enc != nil || m.Value() != "internal only" {
		t.Errorf("internal-only message: enc %v value %v, want no encoding cell", m.enc, m.Value())
	}
}

func TestEncodeError(t *testing.T) {
	boom := errors.New("boom")
	h := newHub(t, Config{Encode: func(string, any) ([]byte, error) { return nil, boom }})
	s := subscribe(t, h, SubscribeConfig{Name: "ext", Prefixes: []string{"a"}, External: true})
	publish(t, h.NewPublisher("p"), "a", 1)
	m, _ := s.TryReceive()
	if _, err := m.Encoded(); !errors.Is(err, boom) {
		t.Errorf("Encoded() error %v, want boom", err)
	}
}

// TestPublishDeliverAllocs: publishing to internal subscribers and taking
// the message must not allocate.
func TestPublishDeliverAllocs(t *testing.T) {
	h := newHub(t, Config{})
	subs := []*Subscription{
		subscribe(t, h, SubscribeConfig{Name: "a", Prefixes: []string{"bgp/update"}}),
		subscribe(t, h, SubscribeConfig{Name: "b", Prefixes: []string{"bgp"}}),
	}
	p := h.NewPublisher("p")
	topic, err := h.Topic("bgp/update/ipv4/unicast")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v := &peerUp{}
	tests := []struct {
		name string
		run  func()
	}{
		{"topic handle", func() {
			if err := p.PublishTo(ctx, topic, v); err != nil {
				t.Fatal(err)
			}
		}},
		{"topic name", func() {
			if err := p.Publish(ctx, "bgp/update/ipv4/unicast", v); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(1000, func() {
				tt.run()
				for _, s := range subs {
					m, ok := s.TryReceive()
					if !ok || m.Value() != any(v) {
						t.Fatal("message not delivered")
					}
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per publish and deliver, want 0", allocs)
			}
		})
	}
}
