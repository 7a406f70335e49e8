package host

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// echoYANG declares the RPCs the test plugins serve.
const echoYANG = `module ze-test-echo {
  yang-version 1.1;
  namespace "urn:ze:test:echo";
  prefix te;
  rpc echo;
  rpc fail;
  rpc ask;
}`

// otherYANG is a second module, for a second plugin with RPCs.
const otherYANG = `module ze-test-other {
  yang-version 1.1;
  namespace "urn:ze:test:other";
  prefix to;
  rpc hello;
}`

// got is one request the engine sent a fake plugin.
type got struct {
	method string
	params []byte
}

// fake is a plugin written against the raw protocol, so that tests control
// every step: it records what the engine asks and answers with answer.
type fake struct {
	name string
	conn *rpc.Conn
	got  chan got
	seq  *recorder

	mu     sync.Mutex
	answer func(method string, params []byte) ([]byte, error)
	all    []got

	shutOnce sync.Once
	shut     chan struct{} // closed at the first shutdown request
}

// first returns the params of the first request of method, or nil.
func (f *fake) first(method string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.all {
		if g.method == method {
			return g.params
		}
	}
	return nil
}

func newFake(name string, rwc io.ReadWriteCloser, r *rpc.Reader, seq *recorder) *fake {
	f := &fake{name: name, got: make(chan got, 4096), seq: seq, shut: make(chan struct{})}
	f.conn = rpc.NewConn(rwc, rpc.Options{Handler: f.handle, Reader: r})
	return f
}

func (f *fake) setAnswer(fn func(method string, params []byte) ([]byte, error)) {
	f.mu.Lock()
	f.answer = fn
	f.mu.Unlock()
}

func (f *fake) handle(_ context.Context, method string, params []byte) ([]byte, error) {
	f.seq.add(f.name, method, "received")
	if method == MethodShutdown {
		f.shutOnce.Do(func() { close(f.shut) })
	}
	g := got{method: method, params: append([]byte(nil), params...)}
	f.got <- g
	f.mu.Lock()
	if method != MethodEvent {
		f.all = append(f.all, g)
	}
	fn := f.answer
	f.mu.Unlock()
	var res []byte
	var err error
	if fn != nil {
		res, err = fn(method, params)
	} else if method == "ze-test-echo:echo" {
		res = params
	}
	f.seq.add(f.name, method, "answered")
	return res, err
}

// call sends a request and records when it was sent and answered.
func (f *fake) call(ctx context.Context, method string, v any) ([]byte, error) {
	var params []byte
	if v != nil {
		var err error
		if params, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	f.seq.add(f.name, method, "sent")
	res, err := f.conn.Call(ctx, method, params)
	f.seq.add(f.name, method, "returned")
	return res, err
}

// wait returns the next request of method, skipping others.
func (f *fake) wait(ctx context.Context, method string) (got, error) {
	for {
		select {
		case g := <-f.got:
			if g.method == method {
				return g, nil
			}
		case <-ctx.Done():
			return got{}, fmt.Errorf("%s: waiting for %s: %w", f.name, method, ctx.Err())
		case <-f.conn.Done():
			return got{}, fmt.Errorf("%s: waiting for %s: %w", f.name, method, f.conn.Err())
		}
	}
}

// stages goes through the five stages; pause runs before each step.
func (f *fake) stages(ctx context.Context, reg Registration, pause func()) error {
	if pause == nil {
		pause = func() {}
	}
	pause()
	if _, err := f.call(ctx, MethodDeclareRegistration, reg); err != nil {
		return err
	}
	if _, err := f.wait(ctx, MethodConfigure); err != nil {
		return err
	}
	pause()
	if _, err := f.call(ctx, MethodDeclareCapabilities, map[string]any{"capabilities": map[string]string{"from": f.name}}); err != nil {
		return err
	}
	if _, err := f.wait(ctx, MethodShareRegistry); err != nil {
		return err
	}
	pause()
	_, err := f.call(ctx, MethodReady, nil)
	return err
}

// recorder numbers what fake plugins see, across plugins.
type recorder struct {
	mu  sync.Mutex
	evs []string
}

func (r *recorder) add(name, method, what string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.evs = append(r.evs, name+" "+method+" "+what)
	r.mu.Unlock()
}

// index returns the positions of an event, for each plugin in names.
func (r *recorder) index(names []string, method, what string) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for _, n := range names {
		want := n + " " + method + " " + what
		pos := -1
		for i, e := range r.evs {
			if e == want {
				pos = i
				break
			}
		}
		out = append(out, pos)
	}
	return out
}

// internals maps a test plugin name to its body; registerInternal makes the
// name a built-in plugin once, whose body is looked up at every start.
var internals sync.Map

func registerInternal(name string, body func(ctx context.Context, l *Link) error) {
	if _, loaded := internals.Swap(name, body); !loaded {
		Register(name, func(ctx context.Context, l *Link) error {
			b, _ := internals.Load(name)
			return b.(func(context.Context, *Link) error)(ctx, l)
		})
	}
}

// newTestHost returns a host on a fresh hub, closed at the end of the test.
func newTestHost(t testing.TB, cfg Config) (*Host, *hub.Hub) {
	t.Helper()
	if cfg.Hub == nil {
		h, err := hub.New(hub.Config{Policies: []hub.TopicPolicy{{Prefix: "plugin", Policy: hub.DropOldest}}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = h.Close() })
		cfg.Hub = h
	}
	if cfg.Logger == nil && os.Getenv("ZE_TEST_LOG") == "" {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.StopTimeout == 0 {
		cfg.StopTimeout = time.Second
	}
	ph, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ph.Close() })
	return ph, cfg.Hub
}

// stateLog collects the plugin/state events of one plugin.
type stateLog struct {
	sub *hub.Subscription
}

func watchStates(t testing.TB, h *hub.Hub, name string) *stateLog {
	t.Helper()
	sub, err := h.Subscribe(hub.SubscribeConfig{Name: "test", Prefixes: []string{TopicState + "/" + name}, QueueLen: 1024})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return &stateLog{sub: sub}
}

// next returns the next event, failing after a few seconds.
func (l *stateLog) next(t testing.TB) *StateEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := l.sub.Receive(ctx)
	if err != nil {
		t.Fatalf("waiting for a state event: %v", err)
	}
	return m.Value().(*StateEvent)
}

// expect reads events until state, returning the states seen on the way.
func (l *stateLog) until(t testing.TB, s State) ([]State, *StateEvent) {
	t.Helper()
	var seen []State
	for {
		ev := l.next(t)
		seen = append(seen, ev.State)
		if ev.State == s {
			return seen, ev
		}
	}
}

// fakeClock jumps: After records the wait, moves the time on and fires at
// once.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
	extra time.Duration // added to every jump
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d + c.extra)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) recorded() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// The test binary doubles as a plugin process: TestMain runs the behavior
// named in ZE_HOST_TEST_PLUGIN instead of the tests.
const envBehavior = "ZE_HOST_TEST_PLUGIN"

func TestMain(m *testing.M) {
	if b := os.Getenv(envBehavior); b != "" {
		os.Exit(pluginMain(b))
	}
	os.Exit(m.Run())
}

// selfArgs makes the re-executed test binary run no test.
func selfArgs(string) []string { return []string{"-test.run=^$"} }

// pluginMain is a plugin process of the tests:
//
//	ready         go through the stages, serve echo, exit on shutdown
//	stdio         the same on standard input and output
//	silent        never connect
//	stubborn      ready, then ignore shutdown and SIGTERM
//	wrong-token   authenticate with a token that is not the one given
func pluginMain(behavior string) int {
	ctx := context.Background()
	var rwc io.ReadWriteCloser
	var r *rpc.Reader
	switch behavior {
	case "silent":
		time.Sleep(time.Hour)
		return 0
	case "stdio":
		rwc = stdStreams{}
	default:
		token := os.Getenv(EnvToken)
		if behavior == "wrong-token" {
			token = "0123"
		}
		c, rr, err := dialTest(os.Getenv(EnvAddr), []byte(os.Getenv(EnvCA)), token, os.Getenv(EnvName))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		rwc, r = c, rr
	}
	if behavior == "stubborn" {
		ignoreTerm()
	}
	f := newFake(os.Getenv(EnvName), rwc, r, nil)
	shut := make(chan struct{})
	var once sync.Once
	f.setAnswer(func(method string, params []byte) ([]byte, error) {
		switch method {
		case MethodShutdown:
			if behavior != "stubborn" {
				once.Do(func() { close(shut) })
			}
		case "ze-test-echo:echo":
			return params, nil
		}
		return nil, nil
	})
	reg := Registration{Name: os.Getenv(EnvName), YANG: echoYANG, RPCs: []string{"ze-test-echo:echo"}, Topics: []string{"test/events"}}
	if err := f.stages(ctx, reg, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 4
	}
	select {
	case <-shut:
		return 0
	case <-f.conn.Done():
		return 5
	}
}

// dialTest is the plugin side of the TLS connection, as the SDK does it.
func dialTest(addr string, caPEM []byte, token, name string) (*tls.Conn, *rpc.Reader, error) {
	conf, err := ClientConfig(caPEM)
	if err != nil {
		return nil, nil, err
	}
	c, err := tls.Dial("tcp", addr, conf)
	if err != nil {
		return nil, nil, err
	}
	params, _ := json.Marshal(AuthenticateParams{Token: token, Name: name})
	if _, err := c.Write(rpc.AppendRequest(nil, 0, MethodAuthenticate, params)); err != nil {
		return nil, nil, err
	}
	r := rpc.NewReader(c, 0)
	f, err := r.ReadFrame()
	if err != nil {
		return nil, nil, err
	}
	if f.Kind != rpc.KindOK {
		_ = c.Close()
		return nil, nil, errors.New("refused: " + string(f.JSON))
	}
	return c, r, nil
}

type stdStreams struct{}

func (stdStreams) Read(b []byte) (int, error)  { return os.Stdin.Read(b) }
func (stdStreams) Write(b []byte) (int, error) { return os.Stdout.Write(b) }
func (stdStreams) Close() error                { return os.Stdout.Close() }

var uniq atomic.Int64

// uniqueName returns a plugin name no other test uses.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, uniq.Add(1))
}
