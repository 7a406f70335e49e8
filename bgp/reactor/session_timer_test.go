package reactor

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
)

// fixedRand is a jitter source without jitter.
type fixedRand struct{}

func (fixedRand) Float64() float64 { return 0 }

func fakeOpts(clock *fsm.FakeClock) SessionOptions {
	return SessionOptions{Clock: clock, Rand: fixedRand{}, FlushTimeout: 200 * time.Millisecond}
}

// advance moves the fake clock and lets the session see it.
func advance(s *Session, clock *fsm.FakeClock, d time.Duration) {
	clock.Advance(d)
	s.wake()
}

func TestSessionHoldTimerExpires(t *testing.T) {
	clock := fsm.NewFakeClock(time.Unix(1000, 0))
	s, rec, raw := dialRaw(t, "127.0.45.1", "127.0.45.2", fakeOpts(clock), nil)
	establishRaw(t, s, rec, raw, 3)
	if neg, _ := s.Negotiated(); neg.HoldTime != 3*time.Second {
		t.Fatalf("hold time %v, want 3s", neg.HoldTime)
	}
	advance(s, clock, 2*time.Second)
	raw.readType(wire.MsgKeepalive) // the keepalive timer (1s) ran
	if s.State() != fsm.Established {
		t.Fatalf("state %v before the hold time", s.State())
	}
	advance(s, clock, 1100*time.Millisecond)
	n := stNotificationOf(t, raw.readType(wire.MsgNotification))
	if n.Code != wire.NotifyHoldTimer || n.Subcode != 0 {
		t.Errorf("got %v, want hold-timer-expired", n)
	}
	down := rec.waitState(t, fsm.Idle)
	if de, ok := downErr(down.reason); !ok || de.Reason != fsm.ReasonHoldTimerExpired {
		t.Errorf("down reason %v", down.reason)
	}
}

func TestSessionKeepalives(t *testing.T) {
	clock := fsm.NewFakeClock(time.Unix(1000, 0))
	s, rec, raw := dialRaw(t, "127.0.45.3", "127.0.45.4", fakeOpts(clock), func(c *SessionConfig) { c.HoldTime = 30 * time.Second })
	establishRaw(t, s, rec, raw, 30)
	// Keepalives every 10s; the peer's keepalives keep the session up for
	// far longer than the hold time.
	for i := range 10 {
		raw.write(keepaliveMsg)
		waitFor(t, "keepalive read", func() bool { return s.Stats().In.Keepalive == uint64(i+2) })
		advance(s, clock, 10*time.Second)
		m := raw.read()
		if !bytes.Equal(m, keepaliveMsg) {
			t.Fatalf("round %d: got % X, want a keepalive", i, m)
		}
	}
	if s.State() != fsm.Established {
		t.Fatalf("state %v after 100s of keepalives", s.State())
	}
	waitFor(t, "keepalives counted", func() bool { st := s.Stats(); return st.Out.Keepalive >= 11 && st.In.Keepalive >= 11 })
	st := s.Stats()
	if st.Out.Keepalive != 11 || st.In.Keepalive != 11 {
		t.Errorf("keepalives out %d in %d, want 11 and 11", st.Out.Keepalive, st.In.Keepalive)
	}
	// An UPDATE sent restarts the keepalive timer (RFC 4271 §8.2.2).
	raw.write(keepaliveMsg)
	waitFor(t, "keepalive read", func() bool { return s.Stats().In.Keepalive == 12 })
	advance(s, clock, 9*time.Second)
	if err := s.Send(stUpdateMsg(1)); err != nil {
		t.Fatal(err)
	}
	raw.readType(wire.MsgUpdate)
	waitFor(t, "update sent seen by the loop", func() bool { return s.Stats().Out.Update == 1 })
	time.Sleep(20 * time.Millisecond)
	advance(s, clock, 2*time.Second) // 11s after the last keepalive, 2s after the update
	if m, err := raw.tryRead(150 * time.Millisecond); err == nil {
		t.Errorf("got % X 2s after an update, want nothing", m)
	}
}

func TestSessionSendHoldTimer(t *testing.T) {
	clock := fsm.NewFakeClock(time.Unix(1000, 0))
	opts := fakeOpts(clock)
	opts.QueueLimit = 1 << 20
	s, rec, raw := dialRaw(t, "127.0.45.5", "127.0.45.6", opts, func(c *SessionConfig) {
		c.HoldTime, c.SendHoldTime = 600*time.Second, 20*time.Second
	})
	establishRaw(t, s, rec, raw, 600)
	// The peer stops reading: fill the socket and the queue.
	big := make([]byte, 4096)
	copy(big, stUpdateMsg(1))
	wire.BackfillLength(big, 0, len(big))
	big[21], big[22] = 0x0F, 0xE9 // attributes to the end
	fillStuck(t, s, big)
	if st := s.Stats(); st.QueueBytes < 1<<20-4096 || st.QueueMessages == 0 {
		t.Errorf("queue %d bytes %d messages, want about 1 MiB", st.QueueBytes, st.QueueMessages)
	}
	advance(s, clock, 21*time.Second)
	e := rec.waitNotification(t, true)
	if e.n.Code != wire.NotifySendHoldTimer {
		t.Errorf("sent %v, want send-hold-timer-expired", e.n)
	}
	down := rec.waitState(t, fsm.Idle)
	if de, ok := downErr(down.reason); !ok || de.Reason != fsm.ReasonSendHoldTimerExpired {
		t.Errorf("down reason %v", down.reason)
	}
	if err := s.Send(big); !errors.Is(err, ErrNotEstablished) {
		t.Errorf("send after the drop: %v", err)
	}
	// The connection is closed within the flush timeout.
	_ = raw.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1<<20)
	for {
		if _, err := raw.c.Read(buf); err != nil {
			break
		}
	}
}

func TestSessionDelayOpen(t *testing.T) {
	clock := fsm.NewFakeClock(time.Unix(1000, 0))
	s, rec, raw := dialRaw(t, "127.0.45.7", "127.0.45.8", fakeOpts(clock), func(c *SessionConfig) {
		c.DelayOpen = 5 * time.Second
	})
	if m, err := raw.tryRead(200 * time.Millisecond); err == nil {
		t.Fatalf("got % X during the delay, want nothing", m)
	}
	// The peer's OPEN ends the delay: OPEN and KEEPALIVE come at once.
	raw.write(stOpenMsg(4, 65002, 90, "2.2.2.2"))
	raw.readType(wire.MsgOpen)
	raw.readType(wire.MsgKeepalive)
	raw.write(keepaliveMsg)
	rec.waitState(t, fsm.Established)

	// Without an OPEN from the peer, ours goes when the delay expires.
	s2, _, raw2 := dialRaw(t, "127.0.45.9", "127.0.45.10", fakeOpts(clock), func(c *SessionConfig) {
		c.DelayOpen = 5 * time.Second
	})
	if m, err := raw2.tryRead(100 * time.Millisecond); err == nil {
		t.Fatalf("got % X during the delay, want nothing", m)
	}
	waitFor(t, "connection up", func() bool { return s2.State() == fsm.Connect || s2.State() == fsm.Active })
	advance(s2, clock, 5*time.Second)
	raw2.readType(wire.MsgOpen)
	_ = s
}

// waitFor polls cond for up to 5 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSessionKeepaliveConfigured: a configured keepalive shorter than a
// third of the hold time is used.
func TestSessionKeepaliveConfigured(t *testing.T) {
	clock := fsm.NewFakeClock(time.Unix(1000, 0))
	s, rec, raw := dialRaw(t, "127.0.45.11", "127.0.45.12", fakeOpts(clock), func(c *SessionConfig) {
		c.HoldTime, c.Keepalive = 30*time.Second, 4*time.Second
	})
	establishRaw(t, s, rec, raw, 30)
	if neg, _ := s.Negotiated(); neg.Keepalive != 4*time.Second || neg.HoldTime != 30*time.Second {
		t.Errorf("negotiated keepalive %v hold %v, want 4s 30s", neg.Keepalive, neg.HoldTime)
	}
	advance(s, clock, 3*time.Second)
	if m, err := raw.tryRead(100 * time.Millisecond); err == nil {
		t.Fatalf("got % X after 3s, want nothing", m)
	}
	advance(s, clock, time.Second)
	if m := raw.read(); !bytes.Equal(m, keepaliveMsg) {
		t.Fatalf("got % X after 4s, want a keepalive", m)
	}
}

// TestSessionStopWhilePeerSends: a Cease reaches a peer that keeps
// sending: the session half-closes and drains instead of resetting the
// connection with unread data.
func TestSessionStopWhilePeerSends(t *testing.T) {
	s, rec, raw := dialRaw(t, "127.0.45.13", "127.0.45.14", SessionOptions{}, nil)
	establishRaw(t, s, rec, raw, 90)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		batch := bytes.Repeat(stUpdateMsg(2), 500)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := raw.c.Write(batch); err != nil {
				return
			}
		}
	}()
	waitFor(t, "updates flowing", func() bool { return s.Stats().In.Update > 1000 })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Stop(ctx, 0, 0, "bye"); err != nil {
		t.Fatal(err)
	}
	n := stNotificationOf(t, raw.readType(wire.MsgNotification))
	if c, _ := n.Communication(); n.Code != wire.NotifyCease || c != "bye" {
		t.Errorf("got %v, want cease with \"bye\"", n)
	}
}

// TestSessionKeepaliveBeforeQueuedUpdates: a KEEPALIVE due while megabytes
// of UPDATEs wait goes out ahead of them (at most a 64 KiB batch behind),
// and a session whose peer does not read holds up no other session.
func TestSessionKeepaliveBeforeQueuedUpdates(t *testing.T) {
	clock := fsm.NewFakeClock(time.Unix(1000, 0))
	opts := fakeOpts(clock)
	opts.QueueLimit = 2 << 20
	s, rec, raw := dialRaw(t, "127.0.45.15", "127.0.45.16", opts, func(c *SessionConfig) { c.HoldTime = 30 * time.Second })
	establishRaw(t, s, rec, raw, 30)
	u := stUpdateMsg(3)
	sent := fillStuck(t, s, u)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.SendWait(ctx, u); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SendWait on a full queue: %v, want the context's deadline", err)
	}

	// Meanwhile another session works.
	p := newStPair(t, stIP("127.0.45.17"), stIP("127.0.45.18"), nil)
	p.ra.waitState(t, fsm.Established)
	p.rb.waitState(t, fsm.Established)
	if err := p.a.Send(stUpdateMsg(4)); err != nil {
		t.Fatal(err)
	}
	p.rb.wait(t, "update", func(e stEvent) bool { return e.kind == "update" })

	// The writer is stuck: what is queued stays queued.
	queued := s.Stats().QueueMessages
	if queued < (2<<20)/len(u)-maxChunk/len(u)-1 {
		t.Fatalf("%d updates queued, want the queue full", queued)
	}
	advance(s, clock, 10*time.Second) // the keepalive is due
	waitFor(t, "keepalive queued", func() bool {
		s.mu.Lock()
		w := s.st.main.c.w
		s.mu.Unlock()
		w.mu.Lock()
		queued := len(w.ctrl) > 0
		w.mu.Unlock()
		return queued || s.Stats().Out.Keepalive == 2
	})
	before := 0
	for {
		m := raw.read()
		if wire.MsgType(m[18]) == wire.MsgKeepalive {
			break
		}
		before++
	}
	// Ahead of the keepalive: what the kernel held, and at most one batch
	// of the queue.
	inKernel := sent - queued
	t.Logf("%d updates sent, %d in the kernel, %d queued; the keepalive came after %d", sent, inKernel, queued, before)
	if limit := inKernel + maxChunk/len(u) + 1; before > limit {
		t.Errorf("the keepalive came after %d updates, want at most %d", before, limit)
	}
}

// fillStuck sends msg until the queue is full and the writer has been
// stuck (nothing written) for 100 ms, and returns how many it sent.
func fillStuck(t *testing.T, s *Session, msg []byte) int {
	t.Helper()
	sent := 0
	deadline := time.Now().Add(20 * time.Second)
	for last := uint64(0); ; {
		for {
			err := s.Send(msg)
			if errors.Is(err, ErrQueueFull) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			sent++
		}
		time.Sleep(100 * time.Millisecond)
		out := s.Stats().Out.Bytes
		if out == last {
			return sent
		}
		last = out
		if time.Now().After(deadline) {
			t.Fatal("the writer never got stuck")
		}
	}
}
