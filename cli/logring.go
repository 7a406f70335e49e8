package cli

import (
	"log/slog"
	"strings"
	"sync"
)

// LogRing keeps the last lines of the daemon's log for `show log`. Its
// Handler is a slog text handler writing into it; the daemon installs it
// beside its own (slog has no tee: wrap both in a handler of your own, or
// make the ring the only one).
type LogRing struct {
	mu    sync.Mutex
	lines []string
	next  int
	full  bool
}

// NewLogRing returns a ring of size lines (1000 when size <= 0).
func NewLogRing(size int) *LogRing {
	if size <= 0 {
		size = 1000
	}
	return &LogRing{lines: make([]string, size)}
}

// Handler returns a slog.Handler that writes text lines into the ring.
func (r *LogRing) Handler(o *slog.HandlerOptions) slog.Handler {
	return slog.NewTextHandler(r, o)
}

// Write adds the lines of p (a slog text handler writes one per call).
func (r *LogRing) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		r.lines[r.next] = l
		r.next++
		if r.next == len(r.lines) {
			r.next, r.full = 0, true
		}
	}
	return len(p), nil
}

// Lines returns the last n lines, oldest first.
func (r *LogRing) Lines(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []string
	if r.full {
		all = append(append(all, r.lines[r.next:]...), r.lines[:r.next]...)
	} else {
		all = append(all, r.lines[:r.next]...)
	}
	if n > 0 && n < len(all) {
		all = all[len(all)-n:]
	}
	return all
}
