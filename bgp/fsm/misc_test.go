package fsm

import (
	"net/netip"
	"testing"
	"time"
)

func TestAllocsEstablished(t *testing.T) {
	for _, rnd := range []struct {
		name string
		r    Rand
	}{{"fixed jitter", zeroRand{}}, {"math/rand/v2", nil}} {
		m := inEstablished(t, func(c *Config) { c.Rand = rnd.r })
		for _, e := range []Event{KeepAliveMsg, UpdateMsg, KeepaliveTimerExpires, UpdateSent, WriteProgress} {
			n := testing.AllocsPerRun(1000, func() {
				if s, _ := m.Step(e); s != Established {
					t.Fatalf("%v left Established", e)
				}
			})
			if n != 0 {
				t.Errorf("%s: Step(%v) in Established allocates %v times", rnd.name, e, n)
			}
		}
	}
}

func TestInvalidEvent(t *testing.T) {
	for _, setup := range []func(testing.TB, func(*Config)) *Machine{inIdle, inConnect, inOpenSent, inEstablished} {
		m := setup(t, nil)
		from := m.State()
		for _, e := range []Event{0, MaxEvent + 1, 255} {
			if s, actions := m.Step(e); s != from || len(actions) != 0 {
				t.Errorf("%v, event %d: got %v %v, want no change", from, e, s, strs(actions))
			}
		}
	}
}

func BenchmarkStepEstablished(b *testing.B) {
	for _, e := range []Event{KeepAliveMsg, UpdateMsg} {
		b.Run(e.String(), func(b *testing.B) {
			m := inEstablished(b, nil)
			b.ReportAllocs()
			for b.Loop() {
				m.Step(e)
			}
		})
	}
}

func TestJitter(t *testing.T) {
	c := testConfig()
	for _, tt := range []struct {
		r    float64
		want time.Duration
	}{{0, 120 * time.Second}, {0.5, 105 * time.Second}, {0.999999, 90*time.Second + 30*time.Microsecond}, {-1, 120 * time.Second}} {
		c.Rand = fixedRand(tt.r)
		if got := c.jitter(120 * time.Second); got != tt.want {
			t.Errorf("jitter with r=%v: got %v, want %v", tt.r, got, tt.want)
		}
	}
	// The real source stays within 75% and 100%.
	c.Rand = nil
	for range 1000 {
		if d := c.jitter(120 * time.Second); d <= 90*time.Second || d > 120*time.Second {
			t.Fatalf("jitter %v outside (90s, 120s]", d)
		}
	}
	// The machine draws a new value each time it starts a timer.
	m := newMachine(t, func(c *Config) { c.Rand = &stepRand{} })
	_, a1 := m.Step(ManualStart)
	d1 := a1[1].Duration
	_, a2 := m.Step(ConnectRetryTimerExpires)
	if d1 == a2[1].Duration || a2[1].Timer != ConnectRetryTimer {
		t.Errorf("the same jitter twice: %v then %v", a1, a2)
	}
}

type fixedRand float64

func (r fixedRand) Float64() float64 { return float64(r) }

// stepRand returns 0, 0.1, 0.2, …
type stepRand struct{ n int }

func (r *stepRand) Float64() float64 { r.n++; return float64(r.n%10) / 10 }

func TestTimers(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var tm Timers
	if _, ok := tm.Next(); ok {
		t.Fatal("zero Timers has a deadline")
	}
	tm.Apply(t0, []Action{
		{Kind: StartTimer, Timer: HoldTimer, Duration: 90 * time.Second},
		{Kind: StartTimer, Timer: KeepaliveTimer, Duration: 30 * time.Second},
		{Kind: StartTimer, Timer: SendHoldTimer, Duration: 30 * time.Second},
		{Kind: SendKeepalive},
		{Kind: StartTimer, Timer: ConnectRetryTimer, Duration: time.Second},
		{Kind: StopTimer, Timer: ConnectRetryTimer},
	})
	if next, ok := tm.Next(); !ok || !next.Equal(t0.Add(30*time.Second)) {
		t.Errorf("Next: got %v %v, want +30s", next, ok)
	}
	if e, ok := tm.Expire(t0.Add(29 * time.Second)); ok {
		t.Errorf("Expire before any deadline: %v", e)
	}
	// Two due at 30s: the lower Timer first.
	at := t0.Add(time.Minute)
	var got []Event
	for e, ok := tm.Expire(at); ok; e, ok = tm.Expire(at) {
		got = append(got, e)
	}
	if len(got) != 2 || got[0] != KeepaliveTimerExpires || got[1] != SendHoldTimerExpires {
		t.Errorf("expired: got %v, want keepalive then send-hold", got)
	}
	if d, ok := tm.Deadline(HoldTimer); !ok || !d.Equal(t0.Add(90*time.Second)) {
		t.Errorf("HoldTimer deadline %v %v", d, ok)
	}
	if tm.Running(ConnectRetryTimer) || tm.Running(KeepaliveTimer) || !tm.Running(HoldTimer) {
		t.Errorf("running: connect-retry %v keepalive %v hold %v", tm.Running(ConnectRetryTimer),
			tm.Running(KeepaliveTimer), tm.Running(HoldTimer))
	}
	// An earlier deadline (idle-hold at +60s) wins over a lower Timer
	// (hold at +90s).
	tm.Apply(at, []Action{{Kind: StartTimer, Timer: IdleHoldTimer, Duration: 0}})
	if e, ok := tm.Expire(t0.Add(time.Hour)); !ok || e != IdleHoldTimerExpires {
		t.Errorf("got %v, want idle-hold, due first", e)
	}
	if e, ok := tm.Expire(t0.Add(time.Hour)); !ok || e != HoldTimerExpires {
		t.Errorf("got %v, want hold", e)
	}

	c := NewFakeClock(t0)
	c.Advance(time.Minute)
	c.Advance(-time.Hour)
	if !c.Now().Equal(t0.Add(time.Minute)) {
		t.Errorf("FakeClock at %v", c.Now())
	}
	if SystemClock.Now(SystemClock{}).IsZero() {
		t.Error("SystemClock is zero")
	}
}

func TestKeep(t *testing.T) {
	a := netip.MustParseAddr
	tests := []struct {
		local, remote     string
		localAS, remoteAS uint32
		want              Direction
	}{
		{"10.0.0.2", "10.0.0.1", 1, 2, Outgoing},
		{"10.0.0.1", "10.0.0.2", 2, 1, Incoming},
		{"128.0.0.1", "127.255.255.255", 1, 2, Outgoing}, // unsigned, not signed
		{"255.255.255.255", "0.0.0.1", 1, 2, Outgoing},
		{"10.0.0.1", "10.0.0.1", 65002, 65001, Outgoing}, // RFC 6286 §2.3: larger AS
		{"10.0.0.1", "10.0.0.1", 65001, 4200000000, Incoming},
		{"10.0.0.1", "10.0.0.1", 65001, 65001, 0},
	}
	for _, tt := range tests {
		if got := Keep(a(tt.local), a(tt.remote), tt.localAS, tt.remoteAS); got != tt.want {
			t.Errorf("Keep(%s, %s, %d, %d): got %v, want %v", tt.local, tt.remote, tt.localAS, tt.remoteAS, got, tt.want)
		}
	}
}

func TestResolve(t *testing.T) {
	hi, lo := netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.1")
	tests := []struct {
		name string
		c    Collision
		want Verdict
	}{
		{"existing idle", Collision{LocalID: hi, RemoteID: lo, Existing: Idle, ExistingDir: Incoming}, NoCollision},
		{"existing connect", Collision{LocalID: hi, RemoteID: lo, Existing: Connect, ExistingDir: Outgoing}, NoCollision},
		{"existing active", Collision{LocalID: hi, RemoteID: lo, Existing: Active, ExistingDir: Incoming}, NoCollision},
		{"ours higher, existing outgoing", Collision{LocalID: hi, RemoteID: lo, Existing: OpenConfirm, ExistingDir: Outgoing},
			CloseNew},
		{"ours higher, existing incoming", Collision{LocalID: hi, RemoteID: lo, Existing: OpenConfirm, ExistingDir: Incoming},
			CloseExisting},
		{"ours lower, existing outgoing", Collision{LocalID: lo, RemoteID: hi, Existing: OpenConfirm, ExistingDir: Outgoing},
			CloseExisting},
		{"ours lower, existing incoming in open-sent", Collision{LocalID: lo, RemoteID: hi, Existing: OpenSent,
			ExistingDir: Incoming}, CloseNew},
		{"established", Collision{LocalID: lo, RemoteID: hi, Existing: Established, ExistingDir: Outgoing}, CloseNew},
		{"established with detection", Collision{LocalID: lo, RemoteID: hi, Existing: Established, ExistingDir: Outgoing,
			DetectEstablished: true}, CloseExisting},
		{"identical speakers", Collision{LocalID: lo, RemoteID: lo, LocalAS: 1, RemoteAS: 1, Existing: OpenConfirm,
			ExistingDir: Incoming}, CloseNew},
	}
	for _, tt := range tests {
		if got := Resolve(tt.c); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	for s := range numStates + 1 {
		if s.String() == "" {
			t.Errorf("state %d has no name", s)
		}
	}
	if OpenConfirm.String() != "open-confirm" || State(9).String() != "state-9" {
		t.Errorf("state names: %s %s", OpenConfirm, State(9))
	}
	names := map[string]Event{}
	for e := ManualStart; e <= MaxEvent; e++ {
		if prev, dup := names[e.String()]; dup || e.String() == "" {
			t.Errorf("event %d name %q (also %d)", e, e.String(), prev)
		}
		names[e.String()] = e
	}
	if Event(0).String() != "event-0" || TCPConnectionFails.Number() != 18 || SendHoldTimerExpires.Number() != 29 ||
		WriteProgress.Number() != 0 {
		t.Errorf("event numbers")
	}
	for tm := range numTimers {
		if tm.Expires().String() == "event-0" || tm.String() == "" {
			t.Errorf("timer %d", tm)
		}
	}
	if Timer(9).Expires() != 0 || Timer(9).String() != "timer-9" {
		t.Errorf("invalid timer")
	}
	for k := ActionKind(1); k < numActionKinds; k++ {
		if k.String() == "" || k.String()[:7] == "action-" {
			t.Errorf("action %d has no name", k)
		}
	}
	for r := range numReasons {
		if r.String() == "" {
			t.Errorf("reason %d has no name", r)
		}
	}
	if got := (Action{Kind: SessionDown, Reason: ReasonCollision}).String(); got != "session-down collision" {
		t.Errorf("got %q", got)
	}
	if FamilyStrict.String() != "strict" || FamilyIgnore.String() != "ignore" || Incoming.String() != "incoming" ||
		Direction(0).String() != "none" || CloseExisting.String() != "close-existing" {
		t.Errorf("names of policies, directions, verdicts")
	}
}
