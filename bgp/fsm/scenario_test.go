package fsm

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// openAndKeepalive takes a harness from Connect or Active with a connection up to
// Established, the peer proposing a 60s hold time.
func (h *harness) openAndKeepalive(t *testing.T) {
	t.Helper()
	cfg := h.m.Config()
	s, err := cfg.CheckOpen(peerOpen(t, 65002, 60, peerID, mpV4, asn4))
	if err != nil {
		t.Fatal(err)
	}
	h.handle(Input{Event: BGPOpen, Session: &s})
	h.expectState(OpenConfirm)
	h.step(KeepAliveMsg)
	h.expectState(Established)
}

func TestScenarioActiveEstablishment(t *testing.T) {
	h := newHarness(t, nil)
	expect(t, "manual-start", h.step(ManualStart), aInit, aStartCR, aConnect)
	h.expectState(Connect)
	// The first attempt gets no answer; the ConnectRetryTimer tries again.
	expect(t, "2 minutes later", h.advance(2*time.Minute),
		"+2m0s connect-retry-timer-expires: drop-connection, start-timer connect-retry 2m0s, initiate-connection")
	expect(t, "tcp-connection-acked", h.step(TCPConnectionAcked), aStopCR, aOpen, aStartLarge, aStartSH)
	h.expectState(OpenSent)
	expect(t, "waiting for the OPEN", h.advance(10*time.Second))

	s, err := h.m.Config().CheckOpen(peerOpen(t, 65002, 60, peerID, mpV4, asn4))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "bgp-open", h.handle(Input{Event: BGPOpen, Session: &s}),
		aKeepalive, "start-timer keepalive 20s", "start-timer hold 1m0s")
	h.expectState(OpenConfirm)
	expect(t, "keepalive", h.step(KeepAliveMsg), "start-timer hold 1m0s", aUp)
	h.expectState(Established)
	if h.m.HoldTime() != time.Minute {
		t.Errorf("HoldTime %v, want 1m0s", h.m.HoldTime())
	}

	// The peer's keepalives every 20s keep the session up; ours go every 20s.
	for i := range 6 {
		fired := h.advance(20 * time.Second)
		expect(t, fmt.Sprintf("keepalive %d", i), fired,
			fmt.Sprintf("+%v keepalive-timer-expires: send-keepalive, start-timer keepalive 20s", h.elapsed()))
		expect(t, "peer keepalive", h.step(KeepAliveMsg), "start-timer hold 1m0s")
	}
	h.expectState(Established)
	if h.m.ConnectRetryCounter() != 0 {
		t.Errorf("ConnectRetryCounter %d, want 0", h.m.ConnectRetryCounter())
	}
}

func TestScenarioHoldTimerExpires(t *testing.T) {
	h := newHarness(t, nil)
	h.step(ManualStart)
	h.step(TCPConnectionAcked)
	h.openAndKeepalive(t)
	// The peer falls silent: two keepalives of ours, then at 60s the
	// HoldTimer and the KeepaliveTimer are both due; the HoldTimer goes
	// first and stops the other.
	expect(t, "a silent peer", h.advance(time.Minute),
		"+20s keepalive-timer-expires: send-keepalive, start-timer keepalive 20s",
		"+40s keepalive-timer-expires: send-keepalive, start-timer keepalive 20s",
		"+1m0s hold-timer-expires: send-notification 4/0, stop-timer keepalive, stop-timer send-hold, "+
			"session-down hold-timer-expired 4/0, release-resources, drop-connection, start-timer idle-hold 5s")
	h.expectState(Idle)
	if h.m.ConnectRetryCounter() != 1 {
		t.Errorf("ConnectRetryCounter %d, want 1", h.m.ConnectRetryCounter())
	}
	// The automatic restart.
	expect(t, "idle hold", h.advance(5*time.Second),
		"+1m5s idle-hold-timer-expires: init-resources, start-timer connect-retry 2m0s, initiate-connection")
	h.expectState(Connect)
}

func TestScenarioPassiveEstablishment(t *testing.T) {
	h := newHarness(t, nil)
	expect(t, "manual-start-passive", h.step(ManualStartPassive), aInit, aStartCR)
	h.expectState(Active)
	// A passive peer never initiates: the ConnectRetryTimer only restarts.
	expect(t, "4 minutes", h.advance(4*time.Minute),
		"+2m0s connect-retry-timer-expires: start-timer connect-retry 2m0s",
		"+4m0s connect-retry-timer-expires: start-timer connect-retry 2m0s")
	h.expectState(Active)
	expect(t, "tcp-connection-confirmed", h.step(TCPConnectionConfirmed), aStopCR, aOpen, aStartLarge, aStartSH)
	h.expectState(OpenSent)
	h.openAndKeepalive(t)
	expect(t, "connection lost", h.step(TCPConnectionFails), aStopHold, aStopKA, aStopSH,
		"session-down connection-failed", aRelease, aDrop, aIdleHold)
	// The restart is passive again.
	expect(t, "idle hold", h.advance(5*time.Second),
		"+4m5s idle-hold-timer-expires: init-resources, start-timer connect-retry 2m0s")
	h.expectState(Active)
}

func TestScenarioDelayOpen(t *testing.T) {
	t.Run("peer opens first", func(t *testing.T) {
		h := newHarness(t, withDelayOpen(nil))
		h.step(ManualStart)
		expect(t, "tcp-connection-acked", h.step(TCPConnectionAcked), aStopCR, aStartDO)
		h.expectState(Connect)
		expect(t, "2s", h.advance(2*time.Second))
		s := Session{HoldTime: 90 * time.Second}
		expect(t, "the peer's OPEN", h.handle(Input{Event: BGPOpen, Session: &s}),
			aStopDO, aOpen, aKeepalive, aStartKA, aStartHold, aStartSH)
		h.expectState(OpenConfirm)
		expect(t, "keepalive", h.step(KeepAliveMsg), aStartHold, aUp)
		h.expectState(Established)
	})
	t.Run("delay runs out", func(t *testing.T) {
		h := newHarness(t, withDelayOpen(nil))
		h.step(ManualStartPassive)
		expect(t, "tcp-connection-confirmed", h.step(TCPConnectionConfirmed), aStopCR, aStartDO)
		h.expectState(Active)
		expect(t, "5s", h.advance(5*time.Second),
			"+5s delay-open-timer-expires: send-open, start-timer hold 4m0s, start-timer send-hold 8m0s")
		h.expectState(OpenSent)
		h.openAndKeepalive(t)
	})
	t.Run("connection lost while delaying", func(t *testing.T) {
		h := newHarness(t, withDelayOpen(nil))
		h.step(ManualStart)
		h.step(TCPConnectionAcked)
		expect(t, "tcp-connection-fails", h.step(TCPConnectionFails), aStartCR, aStopDO)
		h.expectState(Active)
		expect(t, "connect retry", h.advance(2*time.Minute),
			"+2m0s connect-retry-timer-expires: start-timer connect-retry 2m0s, initiate-connection")
		h.expectState(Connect)
	})
}

func TestScenarioCollision(t *testing.T) {
	// Both speakers connect at once. out is the connection we initiated,
	// in the one the peer initiated, each with its machine.
	tests := []struct {
		name    string
		localID netip.Addr
		peerID  netip.Addr
		keep    Direction
	}{
		// 192.0.2.1 < 192.0.2.2: the peer's connection survives.
		{"peer's identifier higher", netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), Incoming},
		// 128.0.0.1 > 127.0.0.1 as unsigned integers (not as signed ones).
		{"ours higher", netip.MustParseAddr("128.0.0.1"), netip.MustParseAddr("127.0.0.1"), Outgoing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := func(c *Config) { c.LocalID = tt.localID }
			out, in := newHarness(t, mod), newHarness(t, mod)
			out.step(ManualStart)
			out.step(TCPConnectionAcked)
			in.step(ManualStartPassive)
			in.step(TCPConnectionConfirmed)
			out.expectState(OpenSent)
			in.expectState(OpenSent)

			// The peer's OPEN on out, while in waits in OpenSent.
			peer := peerOpen(t, 65002, 90, tt.peerID, mpV4)
			s, err := out.m.Config().CheckOpen(peer)
			if err != nil {
				t.Fatal(err)
			}
			verdict := Resolve(Collision{LocalID: tt.localID, RemoteID: s.PeerID, LocalAS: 65001, RemoteAS: s.PeerAS,
				Existing: in.m.State(), ExistingDir: Incoming})
			winner, loser := out, in
			if tt.keep == Incoming {
				winner, loser = in, out
				if verdict != CloseNew {
					t.Fatalf("verdict %v, want close-new (out)", verdict)
				}
				expect(t, "out dumped", out.step(OpenCollisionDump), "send-notification 6/7", aStopHold, aStopSH,
					aRelease, aDrop, aIdleHold)
			} else {
				if verdict != CloseExisting {
					t.Fatalf("verdict %v, want close-existing (in)", verdict)
				}
				expect(t, "in dumped", in.step(OpenCollisionDump), "send-notification 6/7", aStopHold, aStopSH,
					aRelease, aDrop, aIdleHold)
				out.handle(Input{Event: BGPOpen, Session: &s})
			}
			loser.expectState(Idle)
			// The survivor completes; its OPEN meets no collision now.
			if winner == in {
				if v := Resolve(Collision{LocalID: tt.localID, RemoteID: s.PeerID, LocalAS: 65001, RemoteAS: 65002,
					Existing: out.m.State(), ExistingDir: Outgoing}); v != NoCollision {
					t.Fatalf("second OPEN: verdict %v, want no-collision", v)
				}
				in.handle(Input{Event: BGPOpen, Session: &s})
			}
			winner.expectState(OpenConfirm)
			expect(t, "keepalive", winner.step(KeepAliveMsg), aStartHold, aUp)
			winner.expectState(Established)
			// A third connection meets an Established one: it is closed.
			if v := Resolve(Collision{LocalID: tt.localID, RemoteID: s.PeerID, LocalAS: 65001, RemoteAS: 65002,
				Existing: Established, ExistingDir: tt.keep}); v != CloseNew {
				t.Errorf("against Established: verdict %v, want close-new", v)
			}
		})
	}
}

func TestScenarioFlappingPeer(t *testing.T) {
	h := newHarness(t, nil)
	h.step(ManualStart)
	// up, then down at once, seven times: the idle hold doubles to its cap.
	want := []string{"5s", "10s", "20s", "40s", "1m20s", "2m0s", "2m0s"}
	for i, hold := range want {
		h.step(TCPConnectionAcked)
		h.openAndKeepalive(t)
		got := h.step(TCPConnectionFails)
		expect(t, fmt.Sprintf("drop %d", i+1), got[len(got)-1:], "start-timer idle-hold "+hold)
		if h.m.Flaps() != i+1 {
			t.Fatalf("drop %d: Flaps %d", i+1, h.m.Flaps())
		}
		fired := h.advance(durationOf(hold))
		if len(fired) != 1 || h.m.State() != Connect {
			t.Fatalf("drop %d: after the idle hold: %q, state %v", i+1, fired, h.m.State())
		}
	}

	// A session that lasts 4 minutes is not stable: the hold stays at its cap.
	h.step(TCPConnectionAcked)
	h.openAndKeepalive(t)
	upFor(t, h, 4*time.Minute)
	got := h.step(TCPConnectionFails)
	expect(t, "after 4 minutes up", got[len(got)-1:], "start-timer idle-hold 2m0s")
	h.advance(2 * time.Minute)

	// One that lasts 5 minutes is: the StableTimer resets the backoff.
	h.step(TCPConnectionAcked)
	h.openAndKeepalive(t)
	if !h.m.Running(StableTimer) {
		t.Fatal("the StableTimer does not run after flaps")
	}
	fired := upFor(t, h, 5*time.Minute)
	if fired != 1 || h.m.Flaps() != 0 {
		t.Fatalf("after 5 minutes up: stable-timer fired %d times, Flaps %d", fired, h.m.Flaps())
	}
	got = h.step(TCPConnectionFails)
	expect(t, "after a stable session", got[len(got)-1:], "start-timer idle-hold 5s")

	t.Run("without damping", func(t *testing.T) {
		h := newHarness(t, func(c *Config) { c.DampPeerOscillations = false })
		h.step(ManualStart)
		for i := range 4 {
			got := h.step(TCPConnectionFails)
			expect(t, fmt.Sprintf("drop %d", i+1), got[len(got)-1:], aIdleHold)
			h.advance(5 * time.Second)
			h.expectState(Connect)
		}
	})
	t.Run("manual stop forgets the flaps", func(t *testing.T) {
		h := newHarness(t, nil)
		h.step(ManualStart)
		h.step(TCPConnectionFails)
		h.advance(5 * time.Second)
		h.step(TCPConnectionFails)
		expect(t, "manual-stop", h.step(ManualStop), aStopIH)
		h.step(ManualStart)
		got := h.step(TCPConnectionFails)
		expect(t, "first drop after the restart", got[len(got)-1:], aIdleHold)
	})
}

// upFor keeps an Established session alive for d with the peer's
// keepalives every 20s and returns how often the StableTimer fired.
func upFor(t *testing.T, h *harness, d time.Duration) int {
	t.Helper()
	stable := 0
	for end := h.elapsed() + d; h.elapsed() < end; {
		for _, f := range h.advance(20 * time.Second) {
			if containsEvent(f, StableTimerExpires) {
				stable++
			}
		}
		h.step(KeepAliveMsg)
		h.expectState(Established)
	}
	return stable
}

func containsEvent(fired string, e Event) bool { return strings.Contains(fired, " "+e.String()+":") }

func TestScenarioSendHoldTimer(t *testing.T) {
	// The peer keeps sending but stops reading: our keepalives never get
	// written, so nothing reports WriteProgress.
	t.Run("peer stops reading", func(t *testing.T) {
		h := newHarness(t, nil)
		h.step(ManualStart)
		h.step(TCPConnectionAcked) // t=0: the SendHoldTimer starts, 8 minutes
		s := Session{HoldTime: 90 * time.Second}
		h.handle(Input{Event: BGPOpen, Session: &s})
		h.step(KeepAliveMsg)
		var last string
		for h.m.State() == Established && h.elapsed() < 10*time.Minute {
			fired := h.advance(30 * time.Second)
			if len(fired) > 0 {
				last = fired[len(fired)-1]
			}
			if h.m.State() == Established {
				h.step(KeepAliveMsg)
			}
		}
		h.expectState(Idle)
		want := "+8m0s send-hold-timer-expires: send-notification 8/0, stop-timer hold, stop-timer keepalive, " +
			"session-down send-hold-timer-expired 8/0, release-resources, drop-connection, start-timer idle-hold 5s"
		if last != want {
			t.Errorf("last fired:\n got  %s\n want %s", last, want)
		}
	})
	t.Run("writes progress", func(t *testing.T) {
		h := newHarness(t, nil)
		h.step(ManualStart)
		h.step(TCPConnectionAcked)
		h.step(BGPOpen)
		h.step(KeepAliveMsg)
		for h.elapsed() < 30*time.Minute {
			for range h.advance(30 * time.Second) {
				expect(t, "write-progress", h.step(WriteProgress), aStartSH)
			}
			h.step(KeepAliveMsg)
		}
		h.expectState(Established)
	})
	t.Run("configured send hold time", func(t *testing.T) {
		h := newHarness(t, func(c *Config) { c.SendHoldTime = 20 * time.Second })
		h.step(ManualStart)
		expect(t, "tcp-connection-acked", h.step(TCPConnectionAcked), aStopCR, aOpen, aStartLarge,
			"start-timer send-hold 20s")
	})
	t.Run("hold time 600s: twice the hold time", func(t *testing.T) {
		h := newHarness(t, func(c *Config) { c.HoldTime = 600 * time.Second })
		h.step(ManualStart)
		expect(t, "tcp-connection-acked", h.step(TCPConnectionAcked), aStopCR, aOpen, aStartLarge,
			"start-timer send-hold 20m0s")
	})
}

// TestScenarioOpenErrors runs a bad OPEN through CheckOpen and the machine
// in OpenSent: the NOTIFICATION goes out with its code, subcode and data.
func TestScenarioOpenErrors(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Config)
		open   message.Open
		notify string
		// restart: the IdleHoldTimer is armed for an automatic restart.
		restart bool
	}{
		{"version 3", nil, message.Open{Version: 3, MyAS: 65002, HoldTime: 90, BGPID: peerID}, "2/1 data 0004", true},
		{"bad peer AS", nil, message.Open{Version: 4, MyAS: 65003, HoldTime: 90, BGPID: peerID}, "2/2", true},
		{"bad BGP identifier", nil, message.Open{Version: 4, MyAS: 65002, HoldTime: 90, BGPID: netip.IPv4Unspecified()},
			"2/3", true},
		{"unacceptable hold time", nil, message.Open{Version: 4, MyAS: 65002, HoldTime: 1, BGPID: peerID}, "2/6", true},
		{"unsupported capability", func(c *Config) { c.Required = []capability.Capability{mpV6} },
			message.Open{Version: 4, MyAS: 65002, HoldTime: 90, BGPID: peerID}, "2/7 data 010400020001", false},
		{"role mismatch", func(c *Config) {
			c.Capabilities = append(c.Capabilities, role(capability.RolePeer))
			c.StrictRole = true
		}, message.Open{Version: 4, MyAS: 65002, HoldTime: 90, BGPID: peerID}, "2/11", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.mod)
			h.step(ManualStart)
			h.step(TCPConnectionAcked)
			_, err := h.m.Config().CheckOpen(tt.open)
			ne, ok := wire.AsNotify(err)
			if !ok {
				t.Fatalf("CheckOpen: %v, want a NOTIFICATION", err)
			}
			want := []string{"send-notification " + tt.notify, aStopHold, aStopSH, aRelease, aDrop}
			if tt.restart {
				want = append(want, aIdleHold)
			}
			expect(t, "bgp-open-message-error",
				h.handle(Input{Event: BGPOpenMsgErr, Notification: message.FromError(ne)}), want...)
			h.expectState(Idle)
		})
	}
}
