package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// pair returns two Conns talking over net.Pipe.
func pair(t *testing.T, a, b Handler) (*Conn, *Conn) {
	t.Helper()
	ca, cb := net.Pipe()
	x := NewConn(ca, Options{Handler: a, Logger: quiet})
	y := NewConn(cb, Options{Handler: b, Logger: quiet})
	t.Cleanup(func() { x.Close(); y.Close() })
	return x, y
}

// peer is the raw other end of a Conn, to write and read exact lines.
type peer struct {
	t    *testing.T
	conn net.Conn
	r    *Reader
}

func rawPair(t *testing.T, h Handler) (*Conn, *peer) {
	t.Helper()
	ca, cb := net.Pipe()
	c := NewConn(ca, Options{Handler: h, Logger: quiet})
	t.Cleanup(func() { c.Close(); cb.Close() })
	return c, &peer{t: t, conn: cb, r: NewReader(cb, 1024)}
}

func (p *peer) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.conn, line+"\n"); err != nil {
		p.t.Fatal(err)
	}
}

func (p *peer) expect() Frame {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	f, err := p.r.ReadFrame()
	if err != nil {
		p.t.Fatal(err)
	}
	return f
}

func echo(_ context.Context, method string, params []byte) ([]byte, error) {
	switch method {
	case "test:echo":
		return params, nil
	case "test:fail":
		return nil, errors.New(`it "failed"`)
	case "test:empty":
		return nil, nil
	}
	return nil, fmt.Errorf("unknown method %s", method)
}

func TestCallBothWays(t *testing.T) {
	engine, plugin := pair(t, echo, echo)
	ctx := context.Background()
	tests := []struct {
		name    string
		from    *Conn
		method  string
		params  string
		want    string
		wantErr string
	}{
		{"engine to plugin", engine, "test:echo", `{"a":1}`, `{"a":1}`, ""},
		{"plugin to engine", plugin, "test:echo", `{"b":[true,null]}`, `{"b":[true,null]}`, ""},
		{"no params", engine, "test:empty", "", "", ""},
		{"remote error", plugin, "test:fail", "", "", `rpc: test:fail: it "failed"`},
		{"unknown method", engine, "test:nope", `{}`, "", "rpc: test:nope: unknown method test:nope"},
		{"bad method", engine, "nope", "", "", `rpc: unknown verb "nope": want ok, error or module:rpc-name`},
		{"params not an object", engine, "test:echo", `[1]`, "", "rpc: test:echo params: not a JSON object"},
		{"params on two lines", engine, "test:echo", "{\n}", "", "rpc: test:echo params: JSON object spans lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.from.Call(ctx, tt.method, []byte(tt.params))
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if string(got) != tt.want || gotErr != tt.wantErr {
				t.Errorf("got %s, %q; want %s, %q", got, gotErr, tt.want, tt.wantErr)
			}
		})
	}
	var re *RemoteError
	if _, err := plugin.Call(ctx, "test:fail", nil); !errors.As(err, &re) || re.Message != `it "failed"` {
		t.Errorf("error %v, want a *RemoteError with the message", err)
	}
}

// TestConcurrentCalls: many goroutines share one connection; the handler
// answers in a scrambled order and every caller gets its own answer.
func TestConcurrentCalls(t *testing.T) {
	const callers, each = 8, 50
	var mu sync.Mutex
	held := 0
	release := make(chan struct{})
	slow := func(ctx context.Context, method string, params []byte) ([]byte, error) {
		// Hold every fourth request until a later one arrives, so answers
		// overtake each other.
		mu.Lock()
		held++
		hold := held%4 == 0
		mu.Unlock()
		if hold {
			select {
			case <-release:
			case <-time.After(5 * time.Millisecond):
			}
		} else {
			select {
			case release <- struct{}{}:
			default:
			}
		}
		return params, nil
	}
	engine, _ := pair(t, nil, slow)
	var wg sync.WaitGroup
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				want := `{"caller":` + strconv.Itoa(g) + `,"i":` + strconv.Itoa(i) + `}`
				got, err := engine.Call(context.Background(), "test:echo", []byte(want))
				if err != nil || string(got) != want {
					t.Errorf("caller %d call %d: got %s, %v; want %s", g, i, got, err, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestAnswersOutOfOrder(t *testing.T) {
	c, p := rawPair(t, nil)
	type res struct {
		b   []byte
		err error
	}
	results := make([]chan res, 3)
	ids := make([]uint64, 3)
	for i := range results {
		results[i] = make(chan res, 1)
		go func() {
			b, err := c.Call(context.Background(), "test:n", []byte(`{"n":`+strconv.Itoa(i)+`}`))
			results[i] <- res{b, err}
		}()
		f := p.expect()
		if f.Kind != KindRequest || string(f.Verb) != "test:n" {
			t.Fatalf("peer got %s %s, want a test:n request", f.Kind, f.Verb)
		}
		ids[i] = f.ID
	}
	p.send(fmt.Sprintf(`#%d ok {"answer":2}`, ids[2]))
	p.send(fmt.Sprintf(`#%d error {"error":"one"}`, ids[1]))
	p.send("#999 ok") // nobody waits for it: ignored
	p.send(fmt.Sprintf(`#%d ok`, ids[0]))
	want := []string{"<nil> <nil>", `<nil> rpc: test:n: one`, `{"answer":2} <nil>`}
	for i, ch := range results {
		r := <-ch
		b := "<nil>"
		if r.b != nil {
			b = string(r.b)
		}
		if got := fmt.Sprintf("%s %v", b, r.err); got != want[i] {
			t.Errorf("call %d: %s, want %s", i, got, want[i])
		}
	}
}

func TestCallTimeoutAndLateAnswer(t *testing.T) {
	c, p := rawPair(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, "test:slow", nil)
		done <- err
	}()
	f := p.expect()
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Call = %v, want deadline exceeded", err)
	}
	p.send(fmt.Sprintf("#%d ok {\"late\":true}", f.ID)) // dropped
	// The connection still works, and the next call gets its own answer.
	go func() {
		b, err := c.Call(context.Background(), "test:next", nil)
		if err == nil && string(b) != `{"next":true}` {
			err = fmt.Errorf("got %s", b)
		}
		done <- err
	}()
	g := p.expect()
	if g.ID == f.ID {
		t.Fatalf("id %d reused", g.ID)
	}
	p.send(fmt.Sprintf("#%d ok {\"next\":true}", g.ID))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	n := len(c.pending)
	c.mu.Unlock()
	if n != 0 {
		t.Errorf("%d calls still pending, want 0", n)
	}
}

// TestCloseFailsPending: when the connection goes, every waiting call
// fails at once.
func TestCloseFailsPending(t *testing.T) {
	for _, side := range []string{"local close", "peer hangs up"} {
		t.Run(side, func(t *testing.T) {
			c, p := rawPair(t, nil)
			const n = 5
			errs := make(chan error, n)
			for range n {
				go func() {
					_, err := c.Call(context.Background(), "test:wait", nil)
					errs <- err
				}()
				p.expect()
			}
			if side == "local close" {
				c.Close()
			} else {
				p.conn.Close()
			}
			for range n {
				select {
				case err := <-errs:
					if !errors.Is(err, ErrClosed) {
						t.Errorf("pending call failed with %v, want ErrClosed", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("a pending call still waits after close")
				}
			}
			<-c.Done()
			if _, err := c.Call(context.Background(), "test:after", nil); !errors.Is(err, ErrClosed) {
				t.Errorf("Call after close = %v, want ErrClosed", err)
			}
		})
	}
}

// TestMalformedLines: a broken request with an id is answered with the
// parse error, a broken answer fails its call, and the stream goes on.
func TestMalformedLines(t *testing.T) {
	c, p := rawPair(t, echo)
	p.send("garbage")
	p.send(`#5 test:echo [1]`)
	f := p.expect()
	if f.ID != 5 || f.Kind != KindError || string(f.JSON) != `{"error":"rpc: line 2: JSON is not an object"}` {
		t.Errorf("answer to a broken request: %s", f.AppendTo(nil))
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Call(context.Background(), "test:x", nil)
		done <- err
	}()
	req := p.expect()
	p.send(fmt.Sprintf("#%d ok {broken", req.ID))
	var se *SyntaxError
	if err := <-done; !errors.As(err, &se) || se.Msg != "invalid JSON" {
		t.Errorf("call with a broken answer: %v, want the syntax error", err)
	}
	p.send(`#6 test:echo {"still":"alive"}`)
	if f := p.expect(); f.ID != 6 || f.Kind != KindOK || string(f.JSON) != `{"still":"alive"}` {
		t.Errorf("after malformed lines: %s", f.AppendTo(nil))
	}
}

func TestBusy(t *testing.T) {
	block := make(chan struct{})
	h := func(ctx context.Context, _ string, _ []byte) ([]byte, error) {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil, nil
	}
	ca, cb := net.Pipe()
	c := NewConn(ca, Options{Handler: h, MaxInFlight: 1, Logger: quiet})
	defer c.Close()
	p := &peer{t: t, conn: cb, r: NewReader(cb, 1024)}
	p.send("#1 test:block")
	p.send("#2 test:block")
	f := p.expect()
	if f.ID != 2 || string(f.JSON) != `{"error":"busy: 1 requests in flight"}` {
		t.Errorf("second request: %s, want busy", f.AppendTo(nil))
	}
	close(block)
	if f := p.expect(); f.ID != 1 || f.Kind != KindOK {
		t.Errorf("first request: %s, want ok", f.AppendTo(nil))
	}
}

func TestHandshakeReaderHandOver(t *testing.T) {
	ca, cb := net.Pipe()
	defer cb.Close()
	// The peer sends the end of the handshake and a request in one write.
	go func() {
		_, _ = io.WriteString(cb, "#1 ze-plugin-engine:ready\n#2 test:echo {\"x\":1}\n")
		r := NewReader(cb, 1024)
		f, _ := r.ReadFrame()
		_, _ = cb.Write(f.AppendTo(nil))
	}()
	r := NewReader(ca, 1024)
	f, err := r.ReadFrame()
	if err != nil || string(f.Verb) != "ze-plugin-engine:ready" {
		t.Fatalf("handshake read %s, %v", f.Verb, err)
	}
	if r.Buffered() == 0 {
		t.Fatal("test needs the request buffered by the handshake reader")
	}
	var got sync.WaitGroup
	got.Add(1)
	var params string
	c := NewConn(ca, Options{Reader: r, Logger: quiet, Handler: func(_ context.Context, m string, p []byte) ([]byte, error) {
		params = m + " " + string(p)
		got.Done()
		return nil, nil
	}})
	defer c.Close()
	got.Wait()
	if params != `test:echo {"x":1}` {
		t.Errorf("request after hand-over: %q", params)
	}
}
