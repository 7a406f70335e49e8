package sdk

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// Handler serves one RPC: params is the request's JSON object (nil when it
// has none). The result is sent as JSON: a json.RawMessage or []byte as is
// (it must be a JSON object), anything else through encoding/json (a struct
// or a map), nil for a bare ok.
type Handler func(ctx context.Context, params json.RawMessage) (any, error)

// Registration is what a plugin declares in stage 1; its RPCs are the
// methods given to Handle.
type Registration struct {
	Name    string
	Version string
	YANG    string   // the text of the plugin's YANG module, which declares its RPCs
	Topics  []string // hub topic prefixes whose messages the plugin receives
}

// Info describes a plugin in the registry the engine shares in stage 4.
type Info = host.RegistryEntry

// Event is one hub message delivered to the plugin.
type Event struct {
	Topic     string
	Publisher string
	Seq       uint64
	// Data is the message's JSON (nil for a message that is not JSON, or
	// for an internal plugin, which gets Value: see JSON).
	Data json.RawMessage
	// Raw holds the bytes of a message that is not JSON, over the wire (in
	// process, Value holds them).
	Raw []byte
	// Value is the value as published, for an internal plugin; nil over
	// the wire.
	Value any

	msg    hub.Message
	direct bool
}

// JSON returns the message as JSON: Data, or for an internal plugin the
// hub's encoding of Value (made once per message, shared by all readers);
// nil for a message that is not JSON.
func (e *Event) JSON() ([]byte, error) {
	if !e.direct {
		return e.Data, nil
	}
	b, err := e.msg.Encoded()
	if err != nil || !json.Valid(b) {
		return nil, err
	}
	return b, nil
}

// Decode unmarshals the message's JSON into v.
func (e *Event) Decode(v any) error {
	b, err := e.JSON()
	if err != nil {
		return err
	}
	if b == nil {
		return fmt.Errorf("sdk: event on %s is not JSON", e.Topic)
	}
	return json.Unmarshal(b, v)
}

// Plugin is one plugin's end of the protocol. Set the callbacks and
// handlers before Register.
type Plugin struct {
	conn *rpc.Conn
	link *host.Link
	log  *slog.Logger

	mu          sync.Mutex
	handlers    map[string]Handler
	onConfigure func(context.Context, json.RawMessage) error
	onVerify    func(context.Context, ConfigChange) error
	onApply     func(context.Context, ConfigChange) error
	onEvent     func(context.Context, Event)
	onRegistry  func([]Info)
	onShutdown  func(reason string)
	caps        json.RawMessage
	config      json.RawMessage
	configErr   error
	registry    []Info

	configured   chan struct{}
	configOnce   sync.Once
	shared       chan struct{}
	sharedOnce   sync.Once
	shutdown     chan struct{}
	shutdownOnce sync.Once

	evMu sync.Mutex // one event at a time, in order
}

// New returns the plugin end of a Link: what ze gives a built-in plugin (see
// Builtin).
func New(l *host.Link) *Plugin {
	p := &Plugin{
		link:       l,
		log:        slog.Default(),
		handlers:   map[string]Handler{},
		configured: make(chan struct{}),
		shared:     make(chan struct{}),
		shutdown:   make(chan struct{}),
	}
	p.conn = rpc.NewConn(l.Conn, rpc.Options{Handler: p.dispatch, Reader: l.Reader, Logger: p.log})
	return p
}

// NewConn runs the protocol on a stream already connected to the engine.
func NewConn(rwc io.ReadWriteCloser) *Plugin { return New(&host.Link{Conn: rwc}) }

// SetLogger sets the logger of protocol faults (default slog.Default()).
func (p *Plugin) SetLogger(l *slog.Logger) { p.log = l }

// Handle serves method ("module:rpc-name", declared in the plugin's YANG).
func (p *Plugin) Handle(method string, h Handler) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.handlers[method] = h
}

// OnConfigure sets what takes the plugin's config subtree (RFC 7951 JSON,
// {} when it has none) in stage 2; an error refuses it, and the engine
// reports the plugin failed with that message.
func (p *Plugin) OnConfigure(fn func(ctx context.Context, config json.RawMessage) error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onConfigure = fn
}

// ConfigChange is a commit that changes the plugin's subtree, after ready:
// Config is the whole subtree as it would be (verify) or is to be (apply),
// RFC 7951 JSON, {} when it is gone.
type ConfigChange struct {
	Revision uint64
	Restore  bool // an apply that gives back the config of before a failed commit
	Config   json.RawMessage
}

// OnVerify sets what checks a commit that changes the plugin's subtree; an
// error refuses the commit, and its message reaches the user who committed.
// It must change nothing. Without it every commit is accepted.
func (p *Plugin) OnVerify(fn func(ctx context.Context, c ConfigChange) error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onVerify = fn
}

// OnApply sets what applies a commit that changes the plugin's subtree (a
// reconfiguration after ready); an error fails the commit, and the old
// config is applied again. Without it the OnConfigure function takes the
// new config.
func (p *Plugin) OnApply(fn func(ctx context.Context, c ConfigChange) error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onApply = fn
}

// OnEvent sets what takes the messages of the plugin's topics, one at a
// time, in the order the hub delivered them.
func (p *Plugin) OnEvent(fn func(ctx context.Context, ev Event)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onEvent = fn
}

// OnRegistry sets what takes the registry of all plugins in stage 4.
func (p *Plugin) OnRegistry(fn func([]Info)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onRegistry = fn
}

// OnShutdown sets what runs when the engine asks the plugin to stop; Serve
// returns after it.
func (p *Plugin) OnShutdown(fn func(reason string)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onShutdown = fn
}

// SetCapabilities sets what the plugin declares in stage 3 (any JSON).
func (p *Plugin) SetCapabilities(v any) error {
	b, err := marshalAny(v)
	if err != nil {
		return fmt.Errorf("sdk: capabilities: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.caps = b
	return nil
}

// Config returns the config received in stage 2, or applied since.
func (p *Plugin) Config() json.RawMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.config
}

// Registry returns the registry received in stage 4.
func (p *Plugin) Registry() []Info {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.registry)
}

// Register declares the plugin (stage 1). It returns once every plugin
// started with it has registered, or with the engine's refusal.
func (p *Plugin) Register(ctx context.Context, r Registration) error {
	p.mu.Lock()
	reg := host.Registration{Name: r.Name, Version: r.Version, YANG: r.YANG, Topics: r.Topics}
	for m := range p.handlers {
		reg.RPCs = append(reg.RPCs, m)
	}
	p.mu.Unlock()
	slices.Sort(reg.RPCs)
	params, err := json.Marshal(reg)
	if err != nil {
		return fmt.Errorf("sdk: register: %w", err)
	}
	if _, err := p.conn.Call(ctx, host.MethodDeclareRegistration, params); err != nil {
		return fmt.Errorf("sdk: register: %w", err)
	}
	return nil
}

// Ready finishes the stages: it waits for the config (stage 2), declares the
// capabilities (3), waits for the registry (4) and says ready (5). It returns
// once every plugin started with this one is ready.
func (p *Plugin) Ready(ctx context.Context) error {
	if err := p.wait(ctx, p.configured); err != nil {
		return fmt.Errorf("sdk: waiting for the config: %w", err)
	}
	p.mu.Lock()
	cerr := p.configErr
	caps := p.caps
	p.mu.Unlock()
	if cerr != nil {
		return fmt.Errorf("sdk: config refused: %w", cerr)
	}
	params, err := json.Marshal(host.CapabilitiesParams{Capabilities: caps})
	if err != nil {
		return err
	}
	if _, err := p.conn.Call(ctx, host.MethodDeclareCapabilities, params); err != nil {
		return fmt.Errorf("sdk: declare-capabilities: %w", err)
	}
	if err := p.wait(ctx, p.shared); err != nil {
		return fmt.Errorf("sdk: waiting for the registry: %w", err)
	}
	if p.link.Offer != nil {
		p.link.Offer(direct{p})
	}
	if _, err := p.conn.Call(ctx, host.MethodReady, nil); err != nil {
		return fmt.Errorf("sdk: ready: %w", err)
	}
	return nil
}

// wait waits for ch, ctx or the end of the connection.
func (p *Plugin) wait(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-p.conn.Done():
		return p.conn.Err()
	}
}

// Serve serves the engine's requests until it shuts the plugin down (nil),
// ctx ends (ctx's error) or the connection is lost; then it closes the
// connection.
func (p *Plugin) Serve(ctx context.Context) error {
	var err error
	select {
	case <-p.shutdown:
	case <-ctx.Done():
		err = ctx.Err()
	case <-p.conn.Done():
		err = fmt.Errorf("sdk: connection lost: %w", p.conn.Err())
	}
	_ = p.conn.Close()
	return err
}

// Run is Register, Ready and Serve.
func (p *Plugin) Run(ctx context.Context, r Registration) error {
	if err := p.Register(ctx, r); err != nil {
		_ = p.conn.Close()
		return err
	}
	if err := p.Ready(ctx); err != nil {
		_ = p.conn.Close()
		return err
	}
	return p.Serve(ctx)
}

// Close closes the connection.
func (p *Plugin) Close() error { return p.conn.Close() }

// Done is closed when the connection is closed.
func (p *Plugin) Done() <-chan struct{} { return p.conn.Done() }

// Call calls an RPC of the engine or of another plugin ("module:rpc-name");
// params is marshaled like a Handler's result (nil for none). An error
// answer is an *rpc.RemoteError.
func (p *Plugin) Call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	b, err := marshalAny(params)
	if err != nil {
		return nil, fmt.Errorf("sdk: %s params: %w", method, err)
	}
	return p.conn.Call(ctx, method, b)
}

// Publish publishes data on a hub topic, once the plugin is ready. Over the
// wire data is sent as JSON (a json.RawMessage or []byte as is); an internal
// plugin publishes the value itself, and the hub's internal subscribers get
// it without serialization (publish a pointer, and do not change it after).
func (p *Plugin) Publish(ctx context.Context, topic string, data any) error {
	if p.link.Publish != nil {
		return p.link.Publish(ctx, topic, data)
	}
	b, err := marshalAny(data)
	if err != nil {
		return fmt.Errorf("sdk: publish %s: %w", topic, err)
	}
	params, err := json.Marshal(host.PublishParams{Topic: topic, Data: b})
	if err != nil {
		return fmt.Errorf("sdk: publish %s: %w", topic, err)
	}
	_, err = p.conn.Call(ctx, host.MethodPublish, params)
	return err
}

// marshalAny encodes v as JSON: raw bytes as they are, nil as nothing.
func marshalAny(v any) ([]byte, error) {
	switch b := v.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return b, nil
	case []byte:
		return b, nil
	}
	return json.Marshal(v)
}

// dispatch serves the engine's requests: the callbacks of the stages, the
// events, the shutdown, and the plugin's RPCs.
func (p *Plugin) dispatch(ctx context.Context, method string, params []byte) (res []byte, err error) {
	defer p.recoverInto(&err, method)
	switch method {
	case host.MethodConfigure:
		return nil, p.configure(ctx, params)
	case host.MethodShareRegistry:
		var r host.RegistryParams
		if err := json.Unmarshal(params, &r); err != nil {
			return nil, fmt.Errorf("share-registry: %w", err)
		}
		p.mu.Lock()
		p.registry = r.Plugins
		fn := p.onRegistry
		p.mu.Unlock()
		if fn != nil {
			fn(r.Plugins)
		}
		p.sharedOnce.Do(func() { close(p.shared) })
		return nil, nil
	case host.MethodEvent:
		return nil, p.events(ctx, params)
	case host.MethodConfigVerify, host.MethodConfigApply:
		return nil, p.configChange(ctx, method, params)
	case host.MethodShutdown:
		var s host.ShutdownParams
		_ = json.Unmarshal(params, &s)
		p.mu.Lock()
		fn := p.onShutdown
		p.mu.Unlock()
		if fn != nil {
			fn(s.Reason)
		}
		p.shutdownOnce.Do(func() { close(p.shutdown) })
		return nil, nil
	}
	return p.serveRPC(ctx, method, params)
}

func (p *Plugin) configure(ctx context.Context, params []byte) error {
	var c host.ConfigureParams
	if err := json.Unmarshal(params, &c); err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	p.mu.Lock()
	fn := p.onConfigure
	p.mu.Unlock()
	var err error
	if fn != nil {
		err = fn(ctx, c.Config)
	}
	p.mu.Lock()
	p.config, p.configErr = c.Config, err
	p.mu.Unlock()
	p.configOnce.Do(func() { close(p.configured) })
	return err
}

// configChange serves config-verify and config-apply.
func (p *Plugin) configChange(ctx context.Context, method string, params []byte) error {
	var c host.ConfigChangeParams
	if err := json.Unmarshal(params, &c); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	ch := ConfigChange{Revision: c.Revision, Restore: c.Restore, Config: c.Config}
	p.mu.Lock()
	verify, apply, configure := p.onVerify, p.onApply, p.onConfigure
	p.mu.Unlock()
	if method == host.MethodConfigVerify {
		if verify == nil {
			return nil
		}
		return verify(ctx, ch)
	}
	var err error
	switch {
	case apply != nil:
		err = apply(ctx, ch)
	case configure != nil:
		err = configure(ctx, ch.Config)
	}
	if err == nil {
		p.mu.Lock()
		p.config = ch.Config
		p.mu.Unlock()
	}
	return err
}

// events decodes a batch and hands each event to OnEvent, in order.
func (p *Plugin) events(ctx context.Context, params []byte) error {
	var batch host.EventParams
	if err := json.Unmarshal(params, &batch); err != nil {
		return fmt.Errorf("event: %w", err)
	}
	p.mu.Lock()
	fn := p.onEvent
	p.mu.Unlock()
	if fn == nil {
		return nil
	}
	p.evMu.Lock()
	defer p.evMu.Unlock()
	for _, f := range batch.Events {
		ev := Event{Topic: f.Topic, Publisher: f.Publisher, Seq: f.Seq, Data: f.Data}
		if f.Hex != "" {
			ev.Raw, _ = hex.DecodeString(f.Hex)
		}
		fn(ctx, ev)
	}
	return nil
}

// serveRPC runs the handler of method and encodes its result.
func (p *Plugin) serveRPC(ctx context.Context, method string, params []byte) ([]byte, error) {
	p.mu.Lock()
	h := p.handlers[method]
	p.mu.Unlock()
	if h == nil {
		return nil, fmt.Errorf("unknown method %s", method)
	}
	res, err := h(ctx, params)
	if err != nil {
		return nil, err
	}
	b, err := marshalAny(res)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding the result: %w", method, err)
	}
	if len(b) > 0 && (b[0] != '{' || bytes.ContainsRune(b, '\n')) {
		var buf bytes.Buffer
		if json.Compact(&buf, b) != nil || buf.Len() == 0 || buf.Bytes()[0] != '{' {
			return nil, fmt.Errorf("%s: the result is not a JSON object", method)
		}
		b = buf.Bytes()
	}
	return b, nil
}

// direct is an internal plugin's fast path: the host calls it instead of
// framing events and RPCs.
type direct struct{ p *Plugin }

var _ host.Direct = direct{}

func (d direct) Events(ctx context.Context, batch []hub.Message) (err error) {
	defer d.p.recoverInto(&err, host.MethodEvent)
	d.p.mu.Lock()
	fn := d.p.onEvent
	d.p.mu.Unlock()
	if fn == nil {
		return nil
	}
	d.p.evMu.Lock()
	defer d.p.evMu.Unlock()
	for i := range batch {
		m := batch[i]
		fn(ctx, Event{Topic: m.Topic(), Publisher: m.Publisher(), Seq: m.Seq(), Value: m.Value(), msg: m, direct: true})
	}
	return nil
}

func (d direct) Call(ctx context.Context, method string, params []byte) (res []byte, err error) {
	defer d.p.recoverInto(&err, method)
	return d.p.serveRPC(ctx, method, params)
}

// recoverInto turns a panic of the plugin's code into an error: an
// internal plugin shares the engine's process.
func (p *Plugin) recoverInto(err *error, method string) {
	if r := recover(); r != nil {
		p.log.Error("plugin handler panicked", "method", method, "panic", r)
		*err = fmt.Errorf("%s: panic: %v", method, r)
	}
}

// errNoEngine: the environment does not say how to reach the engine.
var errNoEngine = errors.New("sdk: neither " + host.EnvAddr + " nor " + host.EnvTransport +
	"=stdio in the environment: plugins are started by ze (run me from ze)")

// ShipYANG records, from an init function, the YANG module that the plugin
// called name ships with ze, so that the configuration schema has it before
// the plugin runs (host.RegisterYANG).
func ShipYANG(name, yang string) { host.RegisterYANG(name, yang) }
