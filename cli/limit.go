package cli

import (
	"sync"
	"time"
)

// limiter counts failed logins per source address: each failure waits
// longer (delay, doubled per recent failure, at most 8 times delay), and an
// address with max failures within window is refused until the oldest
// leaves the window.
type limiter struct {
	delay  time.Duration
	max    int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	fails map[string][]time.Time
}

func newLimiter(delay time.Duration, limit int, window time.Duration) *limiter {
	if delay <= 0 {
		delay = time.Second
	}
	if limit <= 0 {
		limit = 10
	}
	if window <= 0 {
		window = 5 * time.Minute
	}
	return &limiter{delay: delay, max: limit, window: window, now: time.Now, fails: map[string][]time.Time{}}
}

// recent drops the failures older than the window; the lock is held.
func (l *limiter) recent(src string) []time.Time {
	cut := l.now().Add(-l.window)
	f := l.fails[src]
	i := 0
	for i < len(f) && f[i].Before(cut) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.fails, src)
	} else {
		l.fails[src] = f
	}
	return f
}

// allowed reports whether src may try to log in.
func (l *limiter) allowed(src string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(src)) < l.max
}

// fail records a failure of src and returns how long to wait before
// answering.
func (l *limiter) fail(src string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := append(l.recent(src), l.now())
	l.fails[src] = f
	if len(l.fails) > 10000 { // bound the memory an address scan can take
		for k := range l.fails {
			if k != src {
				delete(l.fails, k)
				break
			}
		}
	}
	d := l.delay << min(len(f)-1, 3)
	return d
}

// succeed forgets the failures of src.
func (l *limiter) succeed(src string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, src)
}
