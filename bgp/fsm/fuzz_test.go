package fsm

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// fireOp is the fuzz opcode that lets the earliest running timer expire,
// the way a driver's clock does, rather than feeding a raw expiry event.
const fireOp = byte(MaxEvent) + 1

// FuzzFSM feeds random event sequences to a machine under random options
// and checks the invariants after every step: no panic; Established is
// entered only from OpenConfirm on KeepAliveMsg, with SessionUp; every
// way from Established to Idle reports SessionDown, and only those do;
// timer durations are never negative and the machine's idea of its running
// timers matches its own StartTimer and StopTimer actions; Idle runs no
// timer but the IdleHoldTimer; the hold and keepalive timers run after the
// OPEN exactly when the hold time is not zero.
//
// The first byte picks the options; then each byte is an event (mod
// fireOp+1), BGPOpen taking the next byte as the peer's hold time in
// seconds (0: no Session), message errors and NOTIFICATIONs the next as a
// code.
func FuzzFSM(f *testing.F) {
	b := func(evs ...Event) []byte {
		out := []byte{0b11010}
		for _, e := range evs {
			out = append(out, byte(e))
			if e == BGPOpen || e == NotifMsg || e == UpdateMsgErr {
				out = append(out, 91)
			}
		}
		return out
	}
	f.Add(b(ManualStart, TCPConnectionAcked, BGPOpen, KeepAliveMsg, UpdateMsg, KeepaliveTimerExpires, NotifMsg))
	f.Add(b(ManualStartPassive, TCPConnectionConfirmed, BGPOpen, KeepAliveMsg, HoldTimerExpires, IdleHoldTimerExpires))
	f.Add(append([]byte{0b11011}, byte(ManualStart), byte(TCPConnectionAcked), byte(BGPOpen), 0, byte(KeepAliveMsg),
		fireOp, fireOp, fireOp, byte(UpdateSent), byte(WriteProgress), fireOp))
	f.Add(b(ManualStart, TCPConnectionFails, IdleHoldTimerExpires, TCPConnectionFails, AutomaticStartDamp,
		IdleHoldTimerExpires, TCPConnectionAcked, OpenCollisionDump, ManualStop))
	f.Add([]byte{0xFF, byte(ManualStart), fireOp, fireOp, fireOp, fireOp, fireOp, fireOp})
	f.Fuzz(fuzzFSM)
}

// maxFuzzLen bounds an input: longer ones find nothing new and make the
// fuzzer's minimization slow.
const maxFuzzLen = 512

func fuzzFSM(t *testing.T, data []byte) {
	if len(data) == 0 || len(data) > maxFuzzLen {
		return
	}
	opts := data[0]
	m, err := New(fuzzConfig(opts))
	if err != nil {
		t.Fatal(err)
	}
	var timers Timers
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i < len(data); i++ {
		op := data[i] % (fireOp + 1)
		var in Input
		if op == fireOp {
			next, ok := timers.Next()
			if !ok {
				continue
			}
			now = next
			in.Event, _ = timers.Expire(now)
		} else {
			in.Event = Event(op)
			if in.Event == 0 {
				continue
			}
			// A raw expiry stands for the timer firing.
			for tm := range numTimers {
				if tm.Expires() == in.Event {
					timers.Apply(now, []Action{{Kind: StopTimer, Timer: tm}})
				}
			}
		}
		var arg byte
		if i+1 < len(data) {
			arg = data[i+1]
		}
		switch in.Event {
		case BGPOpen, BGPOpenDelayOpen:
			if arg != 0 {
				in.Session = &Session{HoldTime: time.Duration(arg-1) * time.Second}
			}
			i++
		case NotifMsg, NotifMsgVerErr, BGPHeaderErr, BGPOpenMsgErr, UpdateMsgErr, ManualStop, AutomaticStop:
			in.Notification = message.Notification{Code: 0, Subcode: arg}
			if arg&0x80 != 0 {
				in.Notification.Code = wire.NotifyCode(1 + 0x7&arg)
			}
			i++
		}
		from := m.State()
		to, actions := m.Handle(in)
		checkStep(t, m, &timers, now, from, in, to, actions)
	}
}

// fuzzConfig sets options from the bits of b.
func fuzzConfig(b byte) Config {
	c := testConfig()
	c.DelayOpen = b&1 != 0
	c.SendNotificationWithoutOpen = b&2 != 0
	c.CollisionDetectEstablished = b&4 != 0
	c.DampPeerOscillations = b&8 != 0
	c.AllowAutomaticStart = b&16 != 0
	if b&32 != 0 {
		c.HoldTime = 0
	}
	if b&64 != 0 {
		c.IdleHoldTime = 0
	}
	if b&128 != 0 {
		c.Rand = fixedRand(0.999)
	}
	return c
}

func checkStep(t *testing.T, m *Machine, timers *Timers, now time.Time, from State, in Input, to State, actions []Action) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%v --%v--> %v %v: "+format, append([]any{from, in.Event, to, strs(actions)}, args...)...)
	}
	if to >= numStates || to != m.State() {
		fail("bad state")
	}
	ups, downs := 0, 0
	for _, a := range actions {
		switch a.Kind {
		case SessionUp:
			ups++
		case SessionDown:
			downs++
			if a.Reason == ReasonNone || a.Reason >= numReasons {
				fail("session-down without a reason")
			}
		case StartTimer:
			if a.Duration < 0 || a.Timer >= numTimers {
				fail("start-timer %v %v", a.Timer, a.Duration)
			}
		case StopTimer:
			if !timers.Running(a.Timer) {
				fail("stop-timer %v, which does not run", a.Timer)
			}
		case SendNotification:
			if a.Notification.Code == 0 {
				fail("NOTIFICATION with code 0")
			}
		}
		if a.Kind == 0 || a.Kind >= numActionKinds {
			fail("action kind %d", a.Kind)
		}
	}
	timers.Apply(now, actions)
	for tm := range numTimers {
		if m.Running(tm) != timers.Running(tm) {
			fail("%v running: machine %v, actions %v", tm, m.Running(tm), timers.Running(tm))
		}
	}

	entered := to == Established && from != Established
	if entered && (from != OpenConfirm || in.Event != KeepAliveMsg) {
		fail("Established reached other than from OpenConfirm on KeepAliveMsg")
	}
	if (ups == 1) != entered || ups > 1 {
		fail("%d session-up actions", ups)
	}
	left := from == Established && to == Idle
	if (downs == 1) != left || downs > 1 {
		fail("%d session-down actions", downs)
	}
	if from == Established && to != Established && to != Idle {
		fail("Established left for a state other than Idle")
	}
	if to == Idle && from != Idle {
		if !hasKind(actions, ReleaseResources) || !hasKind(actions, DropConnection) {
			fail("dropped to Idle without releasing and dropping")
		}
	}
	if to == Idle && m.running&^(1<<IdleHoldTimer) != 0 {
		fail("Idle with timers running: %b", m.running)
	}
	if m.ConnectRetryCounter() < 0 {
		fail("ConnectRetryCounter %d", m.ConnectRetryCounter())
	}
	switch to {
	case Idle, Connect, Active:
		if m.HoldTime() != 0 {
			fail("hold time %v before OpenSent", m.HoldTime())
		}
	case OpenConfirm, Established:
		up := m.HoldTime() > 0
		if m.Running(HoldTimer) != up || m.Running(KeepaliveTimer) != up {
			fail("hold %v: HoldTimer %v, KeepaliveTimer %v", m.HoldTime(), m.Running(HoldTimer), m.Running(KeepaliveTimer))
		}
	}
}

func hasKind(actions []Action, k ActionKind) bool {
	for _, a := range actions {
		if a.Kind == k {
			return true
		}
	}
	return false
}

// openSeeds returns the bodies of the OPENs in testdata/opens.txt.
func openSeeds(f *testing.F) [][]byte {
	data, err := os.ReadFile("testdata/opens.txt")
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		b, err := hex.DecodeString(line)
		if err != nil || len(b) <= wire.HeaderLen || wire.MsgType(b[18]) != wire.MsgOpen {
			f.Fatalf("bad seed %q: %v", line, err)
		}
		out = append(out, b[wire.HeaderLen:])
	}
	return out
}

// FuzzCheckOpen: an OPEN that ParseOpen accepts never makes CheckOpen
// panic; it yields an OPEN Message Error or a Session whose hold time is
// the smaller of both and not 1 or 2 seconds, whose AS is the expected one
// and not 0, and which takes a machine in OpenSent to OpenConfirm with the
// timers that hold time calls for.
func FuzzCheckOpen(f *testing.F) {
	for _, s := range openSeeds(f) {
		f.Add(s, byte(0))
		f.Add(s, byte(0xFF))
	}
	f.Fuzz(func(t *testing.T, body []byte, opts byte) {
		o, err := message.ParseOpen(body)
		if err != nil {
			return
		}
		cfg := testConfig()
		cfg.PeerAS = 0 // the seeds come from several ASes
		if opts&1 != 0 {
			cfg.PeerAS = 65533
		}
		if opts&2 != 0 {
			cfg.Required = []capability.Capability{capability.Multiprotocol{Family: wire.IPv6Unicast}}
		}
		if opts&4 != 0 {
			cfg.Capabilities = append(cfg.Capabilities, capability.Role{Role: capability.RoleRS})
			cfg.StrictRole = opts&8 != 0
		}
		if opts&16 != 0 {
			cfg.HoldTime = 0
		}
		s, err := cfg.CheckOpen(o)
		if err != nil {
			ne, ok := wire.AsNotify(err)
			if !ok || ne.Code != wire.NotifyOpen {
				t.Fatalf("CheckOpen: %v, want an OPEN Message Error", err)
			}
			return
		}
		peerHold := time.Duration(o.HoldTime) * time.Second
		if s.HoldTime != min(cfg.HoldTime, peerHold) || (s.HoldTime > 0 && s.HoldTime < 3*time.Second) ||
			s.Keepalive != s.HoldTime/3 {
			t.Fatalf("hold %v keepalive %v from ours %v and the peer's %v", s.HoldTime, s.Keepalive, cfg.HoldTime, peerHold)
		}
		if s.PeerAS == 0 || (cfg.PeerAS != 0 && s.PeerAS != cfg.PeerAS) || s.PeerID != o.BGPID ||
			s.Negotiated.Recv == nil || s.Negotiated.Send == nil {
			t.Fatalf("session %+v", s)
		}
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		m.Step(ManualStart)
		m.Step(TCPConnectionAcked)
		state, _ := m.Handle(Input{Event: BGPOpen, Session: &s})
		if state != OpenConfirm || m.HoldTime() != s.HoldTime || m.Running(HoldTimer) != (s.HoldTime > 0) {
			t.Fatalf("after the OPEN: %v, hold %v, HoldTimer %v", state, m.HoldTime(), m.Running(HoldTimer))
		}
	})
}
