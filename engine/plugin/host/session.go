package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// session is one run of a plugin: its transport, its connection, the stages,
// then serving until the connection or the process is lost or the plugin is
// stopped.
type session struct {
	p   *plug
	h   *Host
	log *slog.Logger

	ctx    context.Context // ends at teardown
	cancel context.CancelFunc

	started time.Time
	tap     *writeTap
	conn    *rpc.Conn
	proc    *process     // fork and path modes
	main    *internalRun // internal mode
	closers []io.Closer  // pipes to close at teardown
	unwait  func()       // withdraws the TLS token

	stageCh chan stageReq // stage requests, from the handler to the stage loop
	ready   atomic.Bool
	sent    json.RawMessage // the config of the configure stage

	dmu    sync.Mutex
	direct Direct

	pub         *hub.Publisher
	sub         *hub.Subscription
	deliverDone chan struct{}

	lostOnce sync.Once
	lost     chan struct{} // closed when the plugin is gone
	lostWhy  string
}

// stageReq is a stage method the plugin sent, waiting for its answer.
type stageReq struct {
	method string
	params []byte
	reply  chan error // buffered
}

func newSession(p *plug) *session {
	ctx, cancel := context.WithCancel(p.h.ctx)
	return &session{p: p, h: p.h, log: p.logger(), ctx: ctx, cancel: cancel, started: time.Now(),
		stageCh: make(chan stageReq), lost: make(chan struct{})}
}

// run is the whole session; it returns why it ended.
func (s *session) run(st *seat) error {
	defer st.leave()
	defer s.teardown()
	if err := s.launch(); err != nil {
		return err
	}
	go s.watch()
	if err := s.stages(st); err != nil {
		var fe *fatalError
		switch {
		case errors.Is(err, errStopped):
			s.shutdown()
		case errors.As(err, &fe):
			s.linger()
		}
		return err
	}
	s.p.settleFirst(nil)
	select {
	case <-s.lost:
		return errors.New(s.lostReason())
	case <-s.p.stop:
		s.shutdown()
		return errStopped
	}
}

// startConn runs the protocol on rwc (r: the reader that already read from
// it, or nil).
func (s *session) startConn(rwc io.ReadWriteCloser, r *rpc.Reader) {
	s.tap = &writeTap{ReadWriteCloser: rwc}
	s.conn = rpc.NewConn(s.tap, rpc.Options{Handler: s.handle, Reader: r, Logger: s.log})
}

// answer sends the answer to a stage request and waits until it is written
// (or the plugin is gone), so that nothing the host sends next overtakes it.
func (s *session) answer(req stageReq, err error) {
	written := s.tap.arm()
	req.reply <- err
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case <-written:
	case <-s.lost:
	case <-t.C:
	}
}

// lose records why the plugin is gone, once.
func (s *session) lose(why string) {
	s.lostOnce.Do(func() {
		s.lostWhy = why
		close(s.lost)
	})
}

func (s *session) lostReason() string {
	<-s.lost
	return s.lostWhy
}

// ended is closed when the plugin's own body ends: its process exits or its
// Main returns.
func (s *session) ended() <-chan struct{} {
	switch {
	case s.proc != nil:
		return s.proc.exited
	case s.main != nil:
		return s.main.done
	}
	return nil
}

func (s *session) endReason() string {
	switch {
	case s.proc != nil:
		return s.proc.reason()
	case s.main != nil:
		return s.main.reason()
	}
	return "ended"
}

// watch turns the end of the connection or of the plugin's body into lost,
// preferring the body's reason (an exit status says more than a closed
// socket) when both end together.
func (s *session) watch() {
	select {
	case <-s.conn.Done():
		t := time.NewTimer(500 * time.Millisecond)
		defer t.Stop()
		select {
		case <-s.ended():
			s.lose(s.endReason())
		case <-t.C:
			s.lose("connection lost: " + errText(s.conn.Err()))
		}
	case <-s.ended():
		s.lose(s.endReason())
	case <-s.ctx.Done():
	}
}

func errText(err error) string {
	if err == nil {
		return "closed"
	}
	return err.Error()
}

// stepCtx is a context for one step of the stages: it ends after d, when the
// plugin is lost or stopped, or at teardown.
func (s *session) stepCtx(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(s.ctx, d)
	go func() {
		select {
		case <-s.p.stop:
			cancel()
		case <-s.lost:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// await waits for the plugin to send the stage method want.
func (s *session) await(want string, deadline time.Time) (stageReq, error) {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case req := <-s.stageCh:
		if req.method != want {
			err := fatalf("protocol: got %s, want %s", req.method, want)
			req.reply <- err
			return stageReq{}, err
		}
		return req, nil
	case <-t.C:
		if want == MethodDeclareRegistration {
			return stageReq{}, fmt.Errorf("registration timeout: no %s within %s", want, s.p.spec.StartupTimeout)
		}
		return stageReq{}, fmt.Errorf("startup timeout: no %s within %s", want, s.p.spec.StartupTimeout)
	case <-s.lost:
		return stageReq{}, errors.New(s.lostReason())
	case <-s.p.stop:
		return stageReq{}, errStopped
	}
}

// callStep makes an engine → plugin stage call.
func (s *session) callStep(method string, params []byte) error {
	to := s.p.spec.StartupTimeout
	ctx, cancel := s.stepCtx(to)
	defer cancel()
	_, err := s.conn.Call(ctx, method, params)
	if err == nil {
		return nil
	}
	var re *rpc.RemoteError
	switch {
	case errors.As(err, &re):
		return fatalf("%s: the plugin answered: %s", method, re.Message)
	case s.p.stopping():
		return errStopped
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("startup timeout: %s not answered within %s", method, to)
	}
	select {
	case <-s.lost:
		return errors.New(s.lostReason())
	case <-time.After(time.Second):
		return fmt.Errorf("%s: %w", method, err)
	}
}

// arrive waits at the barrier after stage sg.
func (s *session) arrive(st *seat, sg Stage) error {
	err := st.arrive(s.ctx, sg, s.lost, s.p.stop)
	switch {
	case err == nil:
		return nil
	case s.p.stopping():
		return errStopped
	case errors.Is(err, errAborted):
		return errors.New(s.lostReason())
	}
	return err
}

// stages takes the plugin through the five stages, waiting at the barrier
// after each. An answer to a plugin's stage request is sent once the stage
// is finished for all.
func (s *session) stages(st *seat) error {
	to := s.p.spec.StartupTimeout

	// 1. declare-registration (plugin → engine)
	req, err := s.await(MethodDeclareRegistration, s.started.Add(to))
	if err != nil {
		return err
	}
	reg, err := s.h.checkRegistration(s.p, req.params)
	if err == nil {
		err = s.h.joinSchema(s.ctx, reg) // its module in the schema (Config.OnModules)
	}
	if err == nil {
		err = s.h.reserve(s.p, reg)
	}
	if err != nil {
		req.reply <- err
		return &fatalError{err}
	}
	s.p.mu.Lock()
	s.p.reg, s.p.name = reg, reg.Name
	s.p.mu.Unlock()
	s.p.own(reg)
	if err := s.arrive(st, StageRegistration); err != nil {
		req.reply <- err
		return err
	}
	s.p.setState(StateRegistered, "", 0)
	s.answer(req, nil)

	// 2. configure (engine → plugin)
	s.p.applyMu.Lock()
	cfg, err := s.h.configFor(s.ctx, s.p, reg)
	s.sent = cfg
	s.p.applyMu.Unlock()
	if err != nil {
		return &fatalError{fmt.Errorf("configure: %w", err)}
	}
	params, err := json.Marshal(ConfigureParams{Config: cfg})
	if err != nil {
		return &fatalError{fmt.Errorf("configure: %w", err)}
	}
	if err := s.callStep(MethodConfigure, params); err != nil {
		return err
	}
	if err := s.arrive(st, StageConfigure); err != nil {
		return err
	}

	// 3. declare-capabilities (plugin → engine)
	req, err = s.await(MethodDeclareCapabilities, time.Now().Add(to))
	if err != nil {
		return err
	}
	var caps CapabilitiesParams
	if err := decodeStrict(req.params, &caps); err != nil {
		err = fatalf("declare-capabilities: %w", err)
		req.reply <- err
		return err
	}
	s.p.mu.Lock()
	s.p.caps = caps.Capabilities
	s.p.mu.Unlock()
	if err := s.arrive(st, StageCapabilities); err != nil {
		req.reply <- err
		return err
	}
	s.answer(req, nil)

	// 4. share-registry (engine → plugin)
	params, err = json.Marshal(RegistryParams{Plugins: s.h.Registry()})
	if err != nil {
		return err
	}
	if err := s.callStep(MethodShareRegistry, params); err != nil {
		return err
	}
	if err := s.arrive(st, StageRegistry); err != nil {
		return err
	}

	// 5. ready (plugin → engine)
	req, err = s.await(MethodReady, time.Now().Add(to))
	if err != nil {
		return err
	}
	if err := s.arrive(st, StageReady); err != nil {
		req.reply <- err
		return err
	}
	// The answer first: no event may overtake it.
	s.answer(req, nil)
	s.tap.disarm()
	return s.activate(reg)
}

// configFor returns the plugin's config subtree, {} when it has none.
func (h *Host) configFor(ctx context.Context, p *plug, reg *Registration) (json.RawMessage, error) {
	p.mu.Lock()
	applied := p.config
	p.mu.Unlock()
	if applied != nil {
		return applied, nil
	}
	cfg := p.spec.Config
	if doc := h.document(); doc != nil {
		cfg = Subtree(doc, reg.Module)
	}
	if h.cfg.Configure != nil {
		var err error
		if cfg, err = h.cfg.Configure(ctx, p.spec, reg); err != nil {
			return nil, err
		}
	}
	if len(cfg) > 0 && !json.Valid(cfg) {
		return nil, errors.New("the config subtree is not valid JSON")
	}
	cfg = h.complete(ctx, p, reg, cfg) // the defaults of its module (Config.Complete)
	if len(cfg) == 0 {
		return json.RawMessage("{}"), nil
	}
	if !json.Valid(cfg) {
		return nil, errors.New("the config subtree is not valid JSON")
	}
	return cfg, nil
}

// activate puts a ready plugin to work: its publisher, its subscription and
// the delivery of events, the routing of its RPCs.
func (s *session) activate(reg *Registration) error {
	s.pub = s.h.hub.NewPublisher("plugin/" + reg.Name)
	d := s.directOf()
	if len(reg.Topics) > 0 {
		sub, err := s.h.hub.Subscribe(hub.SubscribeConfig{Name: "plugin/" + reg.Name, Prefixes: reg.Topics, External: d == nil})
		if err != nil {
			return fmt.Errorf("subscribing: %w", err)
		}
		s.sub = sub
		s.deliverDone = make(chan struct{})
		go s.deliver(d)
	}
	s.ready.Store(true)
	s.p.mu.Lock()
	s.p.sess = s
	s.p.mu.Unlock()
	s.p.setState(StateReady, "", 0)
	go s.catchUp()
	return nil
}

// handle serves the plugin's requests.
func (s *session) handle(ctx context.Context, method string, params []byte) ([]byte, error) {
	switch method {
	case MethodDeclareRegistration, MethodDeclareCapabilities, MethodReady:
		if s.ready.Load() {
			return nil, fmt.Errorf("%s: the plugin is ready already", method)
		}
		req := stageReq{method: method, params: params, reply: make(chan error, 1)}
		select {
		case s.stageCh <- req:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.ctx.Done():
			return nil, errors.New("the plugin's run is over")
		}
		select {
		case err := <-req.reply:
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.ctx.Done():
			return nil, errors.New("the plugin's run is over")
		}
	case MethodPublish:
		if !s.ready.Load() {
			return nil, errors.New("publish: not before ready")
		}
		return nil, s.publish(ctx, params)
	case MethodRegistry:
		return json.Marshal(RegistryParams{Plugins: s.h.Registry()})
	case MethodAuthenticate:
		return nil, errors.New("authenticated already")
	}
	if strings.HasPrefix(method, ModuleEngine+":") || strings.HasPrefix(method, ModuleCallback+":") {
		return nil, fmt.Errorf("unknown method %s", method)
	}
	if !s.ready.Load() {
		return nil, fmt.Errorf("%s: calls are accepted once the plugin is ready", method)
	}
	return s.h.relay(ctx, method, params)
}

// offer is Link.Offer: an internal plugin's direct entry points.
func (s *session) offer(d Direct) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if !s.ready.Load() {
		s.direct = d
	}
}

func (s *session) directOf() Direct {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	return s.direct
}

// shutdown stops the plugin gracefully: the shutdown call, a wait, SIGTERM,
// a wait, SIGKILL. An internal plugin has its context canceled instead of
// signals.
func (s *session) shutdown() {
	to := s.h.cfg.StopTimeout
	s.p.mu.Lock()
	reason := s.p.stopReason
	s.p.mu.Unlock()
	if s.conn != nil {
		params, _ := json.Marshal(ShutdownParams{Reason: reason})
		ctx, cancel := context.WithTimeout(s.ctx, to)
		_, err := s.conn.Call(ctx, MethodShutdown, params)
		cancel()
		if err != nil {
			s.log.Debug("shutdown call", "error", err)
		}
	}
	if s.waitEnded(to) {
		return
	}
	switch {
	case s.proc != nil:
		s.log.Info("plugin did not exit after shutdown: SIGTERM")
		s.proc.terminate()
		if s.waitEnded(to) {
			return
		}
		s.log.Warn("plugin did not exit after SIGTERM: SIGKILL")
		s.proc.kill()
	case s.main != nil:
		s.main.cancel()
		if s.conn != nil {
			_ = s.conn.Close()
		}
	}
}

// linger leaves a refused plugin a moment to read why before the
// connection closes: the answer is written once its handler returns.
func (s *session) linger() {
	t := time.NewTimer(250 * time.Millisecond)
	defer t.Stop()
	select {
	case <-s.lost:
	case <-t.C:
	}
}

// waitEnded waits up to d for the plugin's body to end (for an internal
// plugin, for its connection to close too).
func (s *session) waitEnded(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.ended():
		return true
	case <-t.C:
		return false
	}
}

// teardown releases everything the session holds; the process, if still
// running, is killed.
func (s *session) teardown() {
	s.ready.Store(false)
	s.p.mu.Lock()
	if s.p.sess == s {
		s.p.sess = nil
	}
	s.p.mu.Unlock()
	s.cancel()
	if s.sub != nil {
		_ = s.sub.Close()
		<-s.deliverDone
	}
	if s.unwait != nil {
		s.unwait()
	}
	if s.conn != nil {
		_ = s.conn.Close()
	}
	if s.proc != nil {
		s.proc.kill()
		<-s.proc.exited
	}
	if s.main != nil {
		s.main.cancel()
		if !s.waitEnded(s.h.cfg.StopTimeout) {
			s.log.Error("internal plugin did not return after its context ended")
		}
	}
	for _, c := range s.closers {
		_ = c.Close()
	}
}
