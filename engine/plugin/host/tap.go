package host

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// writeTap is the session's stream as its rpc.Conn writes to it. During the
// stages it tells when the next answer frame has been written, so that the
// host's answer to a plugin's stage request goes out before the host's
// request of the next stage: a plugin that reads its input line by line (a
// shell script on stdio) then sees the stages strictly in order. After the
// stages it only passes writes through.
type writeTap struct {
	io.ReadWriteCloser
	armed atomic.Bool
	mu    sync.Mutex
	next  chan struct{} // closed at the next answer written
}

// arm returns a channel closed once the next answer frame is written.
func (t *writeTap) arm() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.next == nil {
		t.next = make(chan struct{})
	}
	t.armed.Store(true)
	return t.next
}

// disarm ends the watching, for good.
func (t *writeTap) disarm() { t.armed.Store(false) }

func (t *writeTap) Write(b []byte) (int, error) {
	n, err := t.ReadWriteCloser.Write(b)
	if t.armed.Load() && isAnswer(b) {
		t.mu.Lock()
		if t.next != nil {
			close(t.next)
			t.next = nil
		}
		t.mu.Unlock()
	}
	return n, err
}

// SetWriteDeadline passes the Conn's write deadlines on to the stream.
func (t *writeTap) SetWriteDeadline(d time.Time) error {
	if w, ok := t.ReadWriteCloser.(interface{ SetWriteDeadline(time.Time) error }); ok {
		return w.SetWriteDeadline(d)
	}
	return nil
}

// isAnswer reports whether a written frame is "#<id> ok…" or "#<id> error…".
func isAnswer(b []byte) bool {
	if len(b) < 4 || b[0] != '#' {
		return false
	}
	i := 1
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 1 || i >= len(b) || b[i] != ' ' {
		return false
	}
	v := b[i+1:]
	for _, w := range []string{"ok", "error"} {
		if len(v) > len(w) && string(v[:len(w)]) == w && (v[len(w)] == ' ' || v[len(w)] == '\n') {
			return true
		}
	}
	return false
}
