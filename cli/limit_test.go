package cli

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	l := newLimiter(time.Second, 3, time.Minute)
	l.now = func() time.Time { return now }
	var delays []time.Duration
	for range 3 {
		if !l.allowed("192.0.2.1") {
			t.Fatal("refused before the limit")
		}
		delays = append(delays, l.fail("192.0.2.1"))
		now = now.Add(10 * time.Second)
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !equal(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	if l.allowed("192.0.2.1") {
		t.Fatal("allowed over the limit")
	}
	if !l.allowed("192.0.2.2") {
		t.Fatal("another address refused")
	}
	// the first failure leaves the window: one more try
	now = now.Add(31 * time.Second)
	if !l.allowed("192.0.2.1") {
		t.Fatal("still refused after the first failure aged out")
	}
	if d := l.fail("192.0.2.1"); d != 4*time.Second {
		t.Fatalf("delay %v, want 4s (3 recent failures)", d)
	}
	l.succeed("192.0.2.1")
	if !l.allowed("192.0.2.1") || len(l.fails) != 0 {
		t.Fatal("a success did not clear the failures")
	}
	for range 10 {
		l.fail("192.0.2.3")
	}
	if d := l.fail("192.0.2.3"); d != 8*time.Second {
		t.Fatalf("delay %v, want at most 8s", d)
	}
}

func equal(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
