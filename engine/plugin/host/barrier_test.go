package host

import (
	"context"
	"errors"
	"testing"
	"time"
)

func isOpen(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestBarrier: a stage opens when every remaining member arrived at it; a
// member that leaves no longer counts, wherever it was.
func TestBarrier(t *testing.T) {
	b := newBarrier(3)
	s1, s2, s3 := b.seat(), b.seat(), b.seat()
	never := make(chan struct{})
	arrived := make(chan error, 3)
	go func() { arrived <- s1.arrive(context.Background(), StageRegistration, never, never) }()
	go func() { arrived <- s2.arrive(context.Background(), StageRegistration, never, never) }()
	time.Sleep(20 * time.Millisecond)
	if isOpen(b.open[StageRegistration]) {
		t.Fatal("stage 1 opened with one member missing")
	}
	s3.leave() // the third fails before registering
	for range 2 {
		if err := <-arrived; err != nil {
			t.Fatal(err)
		}
	}
	// Stage 2: s1 arrives, s2 leaves while s1 waits.
	go func() { arrived <- s1.arrive(context.Background(), StageConfigure, never, never) }()
	time.Sleep(20 * time.Millisecond)
	if isOpen(b.open[StageConfigure]) {
		t.Fatal("stage 2 opened early")
	}
	s2.leave()
	if err := <-arrived; err != nil {
		t.Fatal(err)
	}
	// Alone, s1 passes the rest without waiting.
	for s := StageCapabilities; s <= StageReady; s++ {
		if err := s1.arrive(context.Background(), s, never, never); err != nil {
			t.Fatal(err)
		}
	}
	s1.leave()
	s1.leave() // harmless
}

// TestBarrierAbort: a member whose plugin is lost stops waiting and leaves.
func TestBarrierAbort(t *testing.T) {
	b := newBarrier(2)
	s1, s2 := b.seat(), b.seat()
	lost := make(chan struct{})
	never := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s1.arrive(context.Background(), StageRegistration, lost, never) }()
	close(lost)
	if err := <-done; !errors.Is(err, errAborted) {
		t.Fatalf("got %v, want errAborted", err)
	}
	s1.leave()
	// s1 arrived then left: s2 alone opens stage 1.
	if err := s2.arrive(context.Background(), StageRegistration, never, never); err != nil {
		t.Fatal(err)
	}
	var nilSeat *seat
	if err := nilSeat.arrive(context.Background(), StageReady, never, never); err != nil {
		t.Fatal(err)
	}
	nilSeat.leave()
}
