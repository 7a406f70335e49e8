package fsm

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// harness runs a machine the way a driver does: its timer actions go into
// a Timers on a FakeClock, and advance fires the timers that fall due, each
// at its deadline.
type harness struct {
	t      testing.TB
	m      *Machine
	clock  *FakeClock
	timers Timers
	t0     time.Time
}

func newHarness(t testing.TB, mod func(*Config)) *harness {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return &harness{t: t, m: newMachine(t, mod), clock: NewFakeClock(t0), t0: t0}
}

// handle feeds in now and returns the actions as strings.
func (h *harness) handle(in Input) []string {
	h.t.Helper()
	_, actions := h.m.Handle(in)
	h.timers.Apply(h.clock.Now(), actions)
	for tm := range numTimers {
		if h.m.Running(tm) != h.timers.Running(tm) {
			h.t.Fatalf("after %v: the machine says %v running=%v, its actions say %v",
				in.Event, tm, h.m.Running(tm), h.timers.Running(tm))
		}
	}
	return strs(actions)
}

func (h *harness) step(e Event) []string {
	h.t.Helper()
	return h.handle(Input{Event: e})
}

// advance moves the clock by d and returns what fired on the way, each as
// "+elapsed event: actions".
func (h *harness) advance(d time.Duration) []string {
	h.t.Helper()
	end := h.clock.Now().Add(d)
	var fired []string
	for {
		next, ok := h.timers.Next()
		if !ok || next.After(end) {
			break
		}
		h.clock.Advance(next.Sub(h.clock.Now()))
		e, _ := h.timers.Expire(h.clock.Now())
		actions := h.step(e)
		fired = append(fired, "+"+h.elapsed().String()+" "+e.String()+": "+strings.Join(actions, ", "))
	}
	h.clock.Advance(end.Sub(h.clock.Now()))
	return fired
}

func (h *harness) elapsed() time.Duration { return h.clock.Now().Sub(h.t0) }

// expect fails unless got equals want.
func expect(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\n got  %q\n want %q", what, got, want)
	}
}

// expectState fails unless the machine is in s.
func (h *harness) expectState(s State) {
	h.t.Helper()
	if got := h.m.State(); got != s {
		h.t.Fatalf("at +%v: state %v, want %v", h.elapsed(), got, s)
	}
}
