package fsm

import (
	"sync"
	"time"
)

// Timers keeps the deadlines of one machine's timers, so that a driver
// runs them all on one clock with one OS timer, and tests on a FakeClock:
//
//	timers.Apply(clock.Now(), actions)
//	…
//	for ev, ok := timers.Expire(clock.Now()); ok; ev, ok = timers.Expire(clock.Now()) {
//		_, actions := m.Step(ev)
//		timers.Apply(clock.Now(), actions)
//		…
//	}
//
// The zero value has no timer running.
type Timers struct {
	deadline [numTimers]time.Time
	running  uint8
}

// Apply executes the StartTimer and StopTimer actions among actions at
// time now and ignores the others.
func (t *Timers) Apply(now time.Time, actions []Action) {
	for _, a := range actions {
		if a.Timer >= numTimers {
			continue
		}
		switch a.Kind {
		case StartTimer:
			t.deadline[a.Timer] = now.Add(max(a.Duration, 0))
			t.running |= 1 << a.Timer
		case StopTimer:
			t.running &^= 1 << a.Timer
		}
	}
}

// Running reports whether timer tm runs.
func (t *Timers) Running(tm Timer) bool { return tm < numTimers && t.running&(1<<tm) != 0 }

// Deadline returns when timer tm expires, and false if it does not run.
func (t *Timers) Deadline(tm Timer) (time.Time, bool) {
	if !t.Running(tm) {
		return time.Time{}, false
	}
	return t.deadline[tm], true
}

// Next returns the earliest deadline, and false when no timer runs: what
// the driver's OS timer waits for.
func (t *Timers) Next() (time.Time, bool) {
	var next time.Time
	found := false
	for tm := range numTimers {
		if t.Running(tm) && (!found || t.deadline[tm].Before(next)) {
			next, found = t.deadline[tm], true
		}
	}
	return next, found
}

// Expire stops the timer with the earliest deadline at or before now (the
// lower Timer on a tie) and returns its expiry event; false when none is
// due. Feed the event to the machine and Apply its actions before calling
// Expire again: they may stop a timer that was also due.
func (t *Timers) Expire(now time.Time) (Event, bool) {
	best, found := Timer(0), false
	for tm := range numTimers {
		if t.Running(tm) && !t.deadline[tm].After(now) && (!found || t.deadline[tm].Before(t.deadline[best])) {
			best, found = tm, true
		}
	}
	if !found {
		return 0, false
	}
	t.running &^= 1 << best
	return best.Expires(), true
}

// Clock tells the time; the driver uses the system's, tests a FakeClock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the system's clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// FakeClock is a clock that moves only when told. The zero value stands at
// the zero time. It is safe for concurrent use.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a FakeClock at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t} }

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (not backward: a negative d is 0).
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(max(d, 0))
}
