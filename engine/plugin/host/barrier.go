package host

import (
	"context"
	"sync"
)

// barrier holds the plugins started together at each stage until every one
// of them has finished it, or dropped out: no plugin starts stage N+1 before
// all have finished stage N. A plugin that fails leaves, and the others go on
// without it.
type barrier struct {
	mu      sync.Mutex
	members int
	arrived [numStages + 1]int
	open    [numStages + 1]chan struct{}
}

func newBarrier(members int) *barrier {
	b := &barrier{members: members}
	for i := range b.open {
		b.open[i] = make(chan struct{})
	}
	return b
}

// seat is one member's place at a barrier. A nil seat never waits: a plugin
// restarted alone goes through the stages without a barrier.
type seat struct {
	b    *barrier
	at   Stage // the last stage it arrived at
	gone bool
}

func (b *barrier) seat() *seat {
	if b == nil {
		return nil
	}
	return &seat{b: b}
}

func (b *barrier) isOpen(s Stage) bool {
	select {
	case <-b.open[s]:
		return true
	default:
		return false
	}
}

// release opens, in order, every stage that all remaining members reached.
// mu is held.
func (b *barrier) release() {
	for s := StageRegistration; s <= StageReady; s++ {
		if b.isOpen(s) {
			continue
		}
		if b.arrived[s] < b.members {
			return
		}
		close(b.open[s])
	}
}

// arrive marks stage s finished for this member and waits until it is
// finished for all, lost or stop is closed, or ctx ends.
func (st *seat) arrive(ctx context.Context, s Stage, lost, stop <-chan struct{}) error {
	if st == nil {
		return nil
	}
	b := st.b
	b.mu.Lock()
	st.at = s
	b.arrived[s]++
	b.release()
	b.mu.Unlock()
	select {
	case <-b.open[s]:
		return nil
	case <-lost:
		return errAborted
	case <-stop:
		return errAborted
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave takes the member out: the stages it has not seen opened no longer
// wait for it. Leaving twice, or after the last stage, does nothing harmful.
func (st *seat) leave() {
	if st == nil {
		return
	}
	b := st.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if st.gone {
		return
	}
	st.gone = true
	if st.at > 0 && !b.isOpen(st.at) {
		b.arrived[st.at]--
	}
	b.members--
	b.release()
}
