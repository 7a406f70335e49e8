package reactor

import (
	"bytes"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
)

// TestSessionUpdateVerdict: the handler gets the RFC 7606 verdict the
// session found, so that nobody checks the UPDATE a second time.
func TestSessionUpdateVerdict(t *testing.T) {
	s, rec, raw := dialRaw(t, "127.0.45.21", "127.0.45.22", SessionOptions{}, nil)
	establishRaw(t, s, rec, raw, 90)
	good := stUpdateMsg(1)
	bad := bytes.Clone(good)
	bad[23+3] = 7 // ORIGIN 7: RFC 7606 §7.1 treat-as-withdraw
	raw.write(good)
	raw.write(bad)
	e := rec.wait(t, "the first update", func(e stEvent) bool { return e.kind == "update" })
	if e.action != attr.ActionNone {
		t.Errorf("valid update: action %v, want none", e.action)
	}
	e = rec.wait(t, "the malformed update", func(e stEvent) bool { return e.kind == "update" && bytes.Equal(e.msg, bad) })
	if e.action != attr.ActionTreatAsWithdraw {
		t.Errorf("ORIGIN 7: action %v, want treat-as-withdraw", e.action)
	}
}

// TestSessionStalledHandler: a handler that does not return for longer
// than the hold time holds back the reading of the connection
// (back-pressure) but not the session's keepalives, and the hold timer
// does not expire on the peer's messages we do not read. When the handler
// returns, the reader takes the messages that waited.
func TestSessionStalledHandler(t *testing.T) {
	clock := fsm.NewFakeClock(time.Unix(1000, 0))
	s, rec, raw := dialRaw(t, "127.0.45.23", "127.0.45.24", fakeOpts(clock), nil)
	establishRaw(t, s, rec, raw, 3) // hold 3s, keepalive 1s
	release := make(chan struct{})
	entered := make(chan struct{}, 8)
	rec.onUpdate = func() {
		entered <- struct{}{}
		<-release
	}
	raw.write(stUpdateMsg(1))
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the update did not reach the handler")
	}
	// 10 s on the session's clock, more than three hold times: the peer
	// keeps sending keepalives (unread), the session keeps sending its own.
	for i := range 10 {
		raw.write(keepaliveMsg)
		advance(s, clock, time.Second)
		m := raw.read()
		if !bytes.Equal(m, keepaliveMsg) {
			t.Fatalf("second %d: got % X, want a keepalive", i+1, m)
		}
		if st := s.State(); st != fsm.Established {
			t.Fatalf("second %d: state %v", i+1, st)
		}
	}
	raw.write(stUpdateMsg(2))
	if n := s.Stats().In.Keepalive; n != 1 {
		t.Errorf("keepalives read while the handler waits: %d, want 1 (the one before)", n)
	}
	close(release)
	rec.wait(t, "the update sent while the handler waited", func(e stEvent) bool {
		return e.kind == "update" && bytes.Equal(e.msg, stUpdateMsg(2))
	})
	waitFor(t, "the waiting keepalives read", func() bool { return s.Stats().In.Keepalive == 11 })
	if st := s.State(); st != fsm.Established {
		t.Fatalf("state %v after the handler returned", st)
	}
	// Reading goes on as usual: the hold timer runs again.
	advance(s, clock, 3100*time.Millisecond)
	n := stNotificationOf(t, raw.readType(wire.MsgNotification))
	if n.Code != wire.NotifyHoldTimer {
		t.Errorf("got %v, want hold-timer-expired once the peer is silent", n)
	}
}

// TestSessionConfiguredKeepalive: a configured keepalive shorter than a
// third of the negotiated hold time is the interval; a longer one is
// bounded by the third (RFC 4271 §10); with a hold time of 0 no keepalive
// is sent.
func TestSessionConfiguredKeepalive(t *testing.T) {
	tests := []struct {
		name      string
		keepalive time.Duration
		hold      uint16
		want      time.Duration // 0: none
	}{
		{"configured shorter", 5 * time.Second, 90, 5 * time.Second},
		{"configured longer than a third", 60 * time.Second, 30, 10 * time.Second},
		{"not configured", 0, 30, 10 * time.Second},
		{"hold time 0", 5 * time.Second, 0, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := fsm.NewFakeClock(time.Unix(1000, 0))
			a, b := "127.0.45."+itoa(uint32(31+2*i)), "127.0.45."+itoa(uint32(32+2*i))
			s, rec, raw := dialRaw(t, a, b, fakeOpts(clock), func(c *SessionConfig) {
				c.HoldTime, c.Keepalive = 90*time.Second, tt.keepalive
			})
			establishRaw(t, s, rec, raw, tt.hold)
			if neg, _ := s.Negotiated(); neg.Keepalive != tt.want {
				t.Errorf("negotiated keepalive %v, want %v", neg.Keepalive, tt.want)
			}
			if tt.want == 0 {
				advance(s, clock, time.Hour)
				if m, err := raw.tryRead(150 * time.Millisecond); err == nil {
					t.Errorf("got % X with a hold time of 0, want nothing", m)
				}
				return
			}
			for round := range 3 {
				raw.write(keepaliveMsg) // the peer's, so that the hold timer never ends it
				advance(s, clock, tt.want-time.Millisecond)
				if m, err := raw.tryRead(100 * time.Millisecond); err == nil {
					t.Fatalf("round %d: got % X before the interval", round, m)
				}
				advance(s, clock, time.Millisecond)
				if m := raw.read(); !bytes.Equal(m, keepaliveMsg) {
					t.Fatalf("round %d: got % X, want a keepalive", round, m)
				}
			}
		})
	}
}
