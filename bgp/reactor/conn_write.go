package reactor

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/zebgp/ze/bgp/wire"
)

// maxChunk bounds one write of queued messages, so that a KEEPALIVE or a
// NOTIFICATION waits behind at most this many bytes.
const maxChunk = 64 << 10

// writer is a connection's writer goroutine and its two queues: control
// messages (OPEN, KEEPALIVE, NOTIFICATION), always written first, and the
// messages of Send, bounded by limit bytes. Queued messages are written in
// batches cut at message boundaries (at most maxChunk bytes per write),
// with the control queue checked between batches.
type writer struct {
	c     *conn
	limit int

	mu        sync.Mutex
	cond      sync.Cond
	ctrl      []byte
	data      []byte
	queued    int  // bytes of Send not yet written (data and in flight)
	msgs      int  // messages of Send not yet written
	open      bool // Established: Send is accepted
	closing   bool
	failed    bool
	maxLen    int
	ctrlOut   []byte        // the control batch in flight (writer goroutine only)
	space     chan struct{} // closed when queued bytes were written, if waiters
	waiters   int           // SendWait calls waiting for space
	done      chan struct{} // closed when the writer has closed the socket
	flushed   chan struct{} // closed when the last message is written (or failed)
	flush     time.Duration // the flush time of close
	flushOnce sync.Once
}

func newWriter(c *conn, limit int) *writer {
	w := &writer{c: c, limit: limit, maxLen: wire.MaxMsgLen, space: make(chan struct{}),
		done: make(chan struct{}), flushed: make(chan struct{})}
	w.cond.L = &w.mu
	return w
}

// control queues a control message (copied) ahead of the Send queue.
func (w *writer) control(msg []byte) {
	w.mu.Lock()
	if !w.closing && !w.failed {
		w.ctrl = append(w.ctrl, msg...)
		w.cond.Signal()
	}
	w.mu.Unlock()
}

// setOpen opens or closes the Send queue; closing it drops what is queued.
func (w *writer) setOpen(open bool, maxLen int) {
	w.mu.Lock()
	w.open, w.maxLen = open, maxLen
	if !open {
		w.dropData()
	}
	w.mu.Unlock()
}

// dropData discards the Send queue (w.mu held).
func (w *writer) dropData() {
	w.data, w.queued, w.msgs = w.data[:0], 0, 0
	w.signalSpace()
}

func (w *writer) signalSpace() {
	if w.waiters == 0 {
		return
	}
	close(w.space)
	w.space = make(chan struct{})
}

// enqueue copies msg into the Send queue. Without wait it fails with
// ErrQueueFull when msg does not fit; with wait it waits for room until
// ctx ends.
func (w *writer) enqueue(ctx context.Context, msg []byte, wait bool) error {
	w.mu.Lock()
	for {
		switch {
		case !w.open || w.closing || w.failed:
			w.mu.Unlock()
			return ErrNotEstablished
		case len(msg) > w.maxLen:
			w.mu.Unlock()
			return ErrBadMessage
		case w.queued == 0 || w.queued+len(msg) <= w.limit:
			w.data = append(w.data, msg...)
			w.queued += len(msg)
			w.msgs++
			w.cond.Signal()
			w.mu.Unlock()
			return nil
		case !wait:
			w.mu.Unlock()
			return ErrQueueFull
		}
		space := w.space
		w.waiters++
		w.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			w.mu.Lock()
			w.waiters--
			w.mu.Unlock()
			return ctx.Err()
		}
		w.mu.Lock()
		w.waiters--
	}
}

// depth returns the bytes and messages queued by Send.
func (w *writer) depth() (int, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.queued, w.msgs
}

// close stops the writer: the control queue (a final NOTIFICATION) is
// written within flush, the Send queue dropped, and the socket closed.
func (w *writer) close(flush time.Duration) {
	w.mu.Lock()
	if !w.closing {
		w.closing = true
		w.open = false
		w.flush = flush
		w.dropData()
		_ = w.c.nc.SetWriteDeadline(time.Now().Add(flush))
		w.cond.Signal()
	}
	w.mu.Unlock()
}

// maxLinger bounds the wait for the peer to close after our last message.
const maxLinger = time.Second

// run writes until close or a write error, then closes the socket. After
// a close it half-closes the connection and reads what the peer still
// sends until it closes too (at most the flush time, and maxLinger):
// closing a socket with unread data sends a reset, which may make the
// peer lose the NOTIFICATION just written.
func (w *writer) run() {
	defer close(w.done)
	defer func() { _ = w.c.nc.Close() }()
	defer w.markFlushed()
	defer w.linger()
	var data []byte // the batch in flight; its buffer swaps with the queue's
	for {
		w.mu.Lock()
		for len(w.ctrl) == 0 && len(w.data) == 0 && !w.closing && !w.failed {
			w.cond.Wait()
		}
		switch {
		case w.failed:
			w.mu.Unlock()
			return
		case len(w.ctrl) > 0:
			if !w.flushControl() { // unlocks
				return
			}
		case w.closing:
			w.mu.Unlock()
			return
		default:
			data, w.data = w.data, data[:0]
			w.mu.Unlock()
			if !w.writeData(data) {
				return
			}
		}
	}
}

// linger half-closes a connection the session closed and drains it until
// the peer closes or the time is up; Stop does not wait for it.
func (w *writer) linger() {
	w.mu.Lock()
	ok := w.closing && !w.failed
	d := min(w.flush, maxLinger)
	w.mu.Unlock()
	cw, isTCP := w.c.nc.(interface{ CloseWrite() error })
	if !ok || !isTCP {
		return
	}
	w.markFlushed() // what had to be written is written
	if cw.CloseWrite() != nil {
		return
	}
	_ = w.c.nc.SetReadDeadline(time.Now().Add(d))
	_, _ = io.Copy(io.Discard, w.c.nc)
}

// markFlushed closes flushed, once.
func (w *writer) markFlushed() { w.flushOnce.Do(func() { close(w.flushed) }) }

// flushControl writes the control queue; w.mu is held on entry and
// released on return.
func (w *writer) flushControl() bool {
	w.ctrlOut, w.ctrl = w.ctrl, w.ctrlOut[:0]
	w.mu.Unlock()
	return w.write(w.ctrlOut)
}

// writeData writes a batch of Send messages in chunks cut at message
// boundaries, writes control messages between chunks, stops when the
// writer closes, and gives the bytes back to the queue bound as they go.
func (w *writer) writeData(b []byte) bool {
	for p := 0; p < len(b); {
		end, msgs := p, 0
		for end < len(b) {
			_, l := msgAt(b, end)
			if end > p && end+l-p > maxChunk {
				break
			}
			end += l
			msgs++
		}
		if !w.write(b[p:end]) {
			return false
		}
		w.mu.Lock()
		w.queued, w.msgs = max(w.queued-(end-p), 0), max(w.msgs-msgs, 0)
		w.signalSpace()
		p = end
		if w.closing || w.failed {
			w.mu.Unlock()
			return true
		}
		if len(w.ctrl) > 0 {
			if !w.flushControl() {
				return false
			}
			continue
		}
		w.mu.Unlock()
	}
	return true
}

// write writes b, whole messages, and reports what went out to the
// session. It reports false when the connection failed.
func (w *writer) write(b []byte) bool {
	n, err := w.c.nc.Write(b)
	if n > 0 {
		w.c.s.wrote(w.c, b[:n])
	}
	if err != nil {
		w.mu.Lock()
		w.failed = true
		w.mu.Unlock()
		return false
	}
	return true
}
