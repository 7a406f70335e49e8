package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Handler serves one request from the other side: params is the request's
// JSON object (nil when it has none) and is only valid during the call. It
// returns the result object (nil for a bare "ok") or an error, sent back as
// {"error": err.Error()}.
type Handler func(ctx context.Context, method string, params []byte) ([]byte, error)

// Options configure a Conn. The zero value is usable.
type Options struct {
	// Handler serves the other side's requests; with none, every request is
	// answered with an error.
	Handler Handler
	// MaxLine is the longest line accepted (default DefaultMaxLine).
	MaxLine int
	// Reader continues the stream of a handshake that read frames before
	// the Conn existed, so bytes it buffered are not lost. It must read the
	// same connection. MaxLine is then the Reader's.
	Reader *Reader
	// MaxInFlight bounds the requests served at once (default 256); a
	// request beyond it is answered with a "busy" error.
	MaxInFlight int
	// WriteTimeout bounds one write when the connection supports write
	// deadlines (default 30s, negative for none). A write that times out
	// breaks the connection.
	WriteTimeout time.Duration
	// Logger receives malformed lines and late answers (default
	// slog.Default()).
	Logger *slog.Logger
}

// Errors of a Conn.
var (
	ErrClosed = errors.New("rpc: connection closed")
)

// RemoteError is an "error" answer from the other side.
type RemoteError struct {
	Method  string
	Message string
}

// Error returns "rpc: module:rpc-name: message".
func (e *RemoteError) Error() string {
	return fmt.Sprintf("rpc: %s: %s", e.Method, e.Message)
}

// Conn multiplexes concurrent calls in both directions over one stream,
// once the handshake is done: each Call gets a fresh id and waits for the
// answer with that id, whatever order answers arrive in.
type Conn struct {
	rwc     io.ReadWriteCloser
	r       *Reader
	handler Handler
	log     *slog.Logger
	wto     time.Duration
	sem     chan struct{}

	nextID atomic.Uint64

	mu      sync.Mutex
	pending map[uint64]*call
	closed  bool
	err     error

	wmu  sync.Mutex
	wbuf []byte

	ctx    context.Context // canceled at close; handlers run under it
	cancel context.CancelFunc
	done   chan struct{}
	served sync.WaitGroup
}

type call struct {
	method string
	ch     chan result // cap 1
}

type result struct {
	json []byte
	err  error
}

var callPool = sync.Pool{New: func() any { return &call{ch: make(chan result, 1)} }}

// NewConn starts serving rwc: it reads frames until the stream ends or
// Close is called.
func NewConn(rwc io.ReadWriteCloser, opt Options) *Conn {
	r := opt.Reader
	if r == nil {
		r = NewReader(rwc, opt.MaxLine)
	}
	if opt.MaxInFlight <= 0 {
		opt.MaxInFlight = 256
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = 30 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Conn{
		rwc:     rwc,
		r:       r,
		handler: opt.Handler,
		log:     opt.Logger,
		wto:     opt.WriteTimeout,
		sem:     make(chan struct{}, opt.MaxInFlight),
		pending: make(map[uint64]*call),
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),
	}
	go c.readLoop()
	return c
}

// Done returns a channel closed when the connection is closed.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns nil while the connection is open, then why it closed.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close closes the stream, fails every pending call with ErrClosed, and
// waits for running handlers to return.
func (c *Conn) Close() error {
	c.shut(ErrClosed)
	c.served.Wait()
	return nil
}

// Call sends a request and waits for its answer. params is the request's
// JSON object (nil or empty for none). It returns the result object (nil
// for a bare "ok"; the caller owns it), a *RemoteError for an "error"
// answer, ctx's error if ctx ends first, or an error wrapping ErrClosed if
// the connection closes first.
func (c *Conn) Call(ctx context.Context, method string, params []byte) ([]byte, error) {
	if err := CheckMethod(method); err != nil {
		return nil, err
	}
	if err := checkObject(params); err != nil {
		return nil, fmt.Errorf("rpc: %s params: %w", method, err)
	}
	id := c.nextID.Add(1)
	cl := callPool.Get().(*call)
	cl.method = method
	c.mu.Lock()
	if c.closed {
		err := c.err
		c.mu.Unlock()
		callPool.Put(cl)
		return nil, err
	}
	c.pending[id] = cl
	c.mu.Unlock()

	if err := c.write(func(b []byte) []byte { return AppendRequest(b, id, method, params) }); err != nil {
		c.forget(id, cl)
		return nil, err
	}
	select {
	case res := <-cl.ch:
		callPool.Put(cl)
		return res.json, res.err
	case <-ctx.Done():
		c.forget(id, cl)
		return nil, ctx.Err()
	}
}

// forget removes a call that will not wait for its answer and recycles it
// once no answer can still be sent to it.
func (c *Conn) forget(id uint64, cl *call) {
	c.mu.Lock()
	_, mine := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if !mine {
		<-cl.ch // the answer (or the close) got there first
	}
	callPool.Put(cl)
}

// write appends one frame to the write buffer and writes it whole.
func (c *Conn) write(appendFrame func([]byte) []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = appendFrame(c.wbuf[:0])
	if c.wto > 0 {
		if d, ok := c.rwc.(interface{ SetWriteDeadline(time.Time) error }); ok {
			_ = d.SetWriteDeadline(time.Now().Add(c.wto))
		}
	}
	_, err := c.rwc.Write(c.wbuf)
	if cap(c.wbuf) > 64<<10 {
		c.wbuf = nil // do not keep a large params buffer for ever
	}
	if err != nil {
		err = fmt.Errorf("%w: writing: %w", ErrClosed, err)
		c.shut(err)
		return err
	}
	return nil
}

// shut closes the connection once, with err as the reason.
func (c *Conn) shut(err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.err = err
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	c.cancel()
	_ = c.rwc.Close()
	for _, cl := range pending {
		cl.ch <- result{err: err}
	}
	close(c.done)
}

func (c *Conn) readLoop() {
	for {
		f, err := c.r.ReadFrame()
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				c.malformed(se)
				continue
			}
			if errors.Is(err, io.EOF) {
				err = ErrClosed
			} else {
				err = fmt.Errorf("%w: reading: %w", ErrClosed, err)
			}
			c.shut(err)
			return
		}
		switch f.Kind {
		case KindOK, KindError:
			c.answer(f)
		case KindRequest:
			c.serve(f)
		}
	}
}

// answer hands an answer to the call waiting for it.
func (c *Conn) answer(f Frame) {
	c.mu.Lock()
	cl := c.pending[f.ID]
	delete(c.pending, f.ID)
	c.mu.Unlock()
	if cl == nil {
		c.log.Debug("answer to no pending call", "id", f.ID, "verb", string(f.Verb))
		return
	}
	if f.Kind == KindOK {
		var js []byte
		if f.JSON != nil {
			js = bytes.Clone(f.JSON)
		}
		cl.ch <- result{json: js}
		return
	}
	var body struct {
		Error string `json:"error"`
	}
	msg := "no error message"
	if json.Unmarshal(f.JSON, &body) == nil && body.Error != "" {
		msg = body.Error
	}
	cl.ch <- result{err: &RemoteError{Method: cl.method, Message: msg}}
}

// serve runs the handler for a request in its own goroutine, at most
// MaxInFlight at once; past that, requests are answered with an error.
func (c *Conn) serve(f Frame) {
	id := f.ID
	method := string(f.Verb)
	var params []byte
	if f.JSON != nil {
		params = bytes.Clone(f.JSON)
	}
	select {
	case c.sem <- struct{}{}:
	default:
		// Refuse rather than stop reading: a handler may be waiting for an
		// answer that only this loop can read.
		n := cap(c.sem)
		_ = c.write(func(b []byte) []byte {
			return AppendError(b, id, fmt.Sprintf("busy: %d requests in flight", n))
		})
		return
	}
	c.served.Add(1)
	go func() {
		defer func() {
			<-c.sem
			c.served.Done()
		}()
		c.reply(id, method, params)
	}()
}

func (c *Conn) reply(id uint64, method string, params []byte) {
	if c.handler == nil {
		_ = c.write(func(b []byte) []byte { return AppendError(b, id, "no handler for "+method) })
		return
	}
	res, err := c.handler(c.ctx, method, params)
	if err == nil {
		if cerr := checkObject(res); cerr != nil {
			c.log.Error("handler returned a bad result", "method", method, "error", cerr)
			err = fmt.Errorf("internal error: bad result: %w", cerr)
		}
	}
	if err != nil {
		_ = c.write(func(b []byte) []byte { return AppendError(b, id, err.Error()) })
		return
	}
	_ = c.write(func(b []byte) []byte { return AppendOK(b, id, res) })
}

// malformed deals with a line that is not a frame: a request whose id was
// read is answered with the error, a broken answer fails its call, and
// anything else is logged and skipped.
func (c *Conn) malformed(se *SyntaxError) {
	c.log.Warn("malformed plugin protocol line", "line", se.Line, "error", se.Msg)
	if !se.HasID {
		return
	}
	switch se.Kind {
	case KindOK, KindError:
		c.mu.Lock()
		cl := c.pending[se.ID]
		delete(c.pending, se.ID)
		c.mu.Unlock()
		if cl != nil {
			cl.ch <- result{err: se}
		}
	default:
		_ = c.write(func(b []byte) []byte { return AppendError(b, se.ID, se.Error()) })
	}
}

// checkObject accepts empty, or a one-line JSON object.
func checkObject(js []byte) error {
	switch {
	case len(js) == 0:
		return nil
	case js[0] != '{' || js[len(js)-1] != '}':
		return errors.New("not a JSON object")
	case bytes.IndexByte(js, '\n') >= 0:
		return errors.New("JSON object spans lines")
	case !validJSON(js):
		return errors.New("invalid JSON")
	}
	return nil
}
