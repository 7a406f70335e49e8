package reactor

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/message"
)

// sessionState is the mutable part of a Session, guarded by Session.mu.
type sessionState struct {
	started, stopped bool
	main, second     *track
	// armed is the deadline the loop's OS timer waits for (zero: none).
	armed time.Time
}

// counters are a session's statistics, readable without Session.mu.
type counters struct {
	in, out            [6]atomic.Uint64 // per wire.MsgType, 0 for others
	inBytes, outBytes  atomic.Uint64
	state              atomic.Uint32
	flaps, retries     atomic.Int64
	established        atomic.Uint64
	mu                 sync.Mutex
	lastErr, lastNotif string
	establishedSince   time.Time
	neg                *Negotiated
	writer             *writer // the Established connection's, for Send
}

func newSession(cfg SessionConfig, h Handler, opts SessionOptions) *Session {
	if cfg.Peer.Port() == 0 {
		cfg.Peer = netip.AddrPortFrom(cfg.Peer.Addr(), bgpPort)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = fsm.SystemClock{}
	}
	if opts.FlushTimeout <= 0 {
		opts.FlushTimeout = 2 * time.Second
	}
	// One peer key per line: the name (the address when there is none),
	// then the address.
	name := cfg.Name
	if name == "" {
		name = cfg.Peer.Addr().String()
	}
	return &Session{
		cfg: cfg, h: h, opts: opts,
		log:  log.With("peer", name, "address", cfg.Peer.Addr().String()),
		kick: make(chan struct{}, 1), resetC: make(chan string, 1), quit: make(chan struct{}),
	}
}

func (s *Session) queueLimit() int {
	if s.opts.QueueLimit > 0 {
		return s.opts.QueueLimit
	}
	return DefaultQueueLimit
}

func (s *Session) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.st.stopped:
		return ErrStopped
	case s.st.started:
		return nil
	}
	fc, err := s.cfg.FSMConfig()
	if err == nil {
		fc.Rand = s.opts.Rand
		var m *fsm.Machine
		if m, err = fsm.New(fc); err == nil {
			s.st.main = &track{m: m}
		}
	}
	if err != nil {
		s.setLastError(err.Error())
		return err
	}
	s.st.started = true
	ev := fsm.ManualStart
	if s.cfg.Passive {
		ev = fsm.ManualStartPassive
	}
	s.step(s.st.main, fsm.Input{Event: ev}, nil)
	go s.loop()
	return nil
}

// loop runs the timers of the session's machines on one OS timer, and the
// work that writers and Reset leave for it.
func (s *Session) loop() {
	tm := time.NewTimer(time.Hour)
	defer tm.Stop()
	for {
		s.mu.Lock()
		if s.st.stopped {
			s.mu.Unlock()
			return
		}
		now := s.opts.Clock.Now()
		s.progress()
		s.expire(now)
		next, ok := s.next()
		s.st.armed = next
		s.mu.Unlock()
		d := time.Hour
		if ok {
			d = max(next.Sub(now), 0)
		}
		tm.Reset(d)
		select {
		case <-tm.C:
		case <-s.kick:
		case text := <-s.resetC:
			s.doReset(text)
		case <-s.quit:
			return
		}
	}
}

// wake makes the loop look at the timers and the writers' progress.
func (s *Session) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *Session) tracks() [2]*track { return [2]*track{s.st.main, s.st.second} }

func (s *Session) live(t *track) bool { return t != nil && (t == s.st.main || t == s.st.second) }

// progress feeds the writers' progress to the machines (s.mu held).
func (s *Session) progress() {
	for _, t := range s.tracks() {
		if !s.live(t) || t.c == nil {
			continue
		}
		c := t.c
		p := c.progress.Swap(0)
		if p == 0 {
			continue
		}
		s.step(t, fsm.Input{Event: fsm.WriteProgress}, nil)
		if p&progressUpdate != 0 && s.live(t) && t.c == c && t.m.State() == fsm.Established {
			s.step(t, fsm.Input{Event: fsm.UpdateSent}, nil)
		}
	}
}

// expire feeds the timers due at now to their machines (s.mu held). A
// HoldTimer due while the connection's reader waits in SessionUpdate is
// restarted instead: the peer's messages wait unread because we do not
// read (back-pressure from the handler), not because the peer is silent.
func (s *Session) expire(now time.Time) {
	for _, t := range s.tracks() {
		if s.live(t) && t.c != nil && t.c.delivering.Load() {
			if d, ok := t.timers.Deadline(fsm.HoldTimer); ok && !d.After(now) {
				restart := [1]fsm.Action{{Kind: fsm.StartTimer, Timer: fsm.HoldTimer, Duration: t.m.HoldTime()}}
				t.timers.Apply(now, restart[:])
				s.log.Warn("hold timer restarted: reading waits for the update handler")
			}
		}
		for s.live(t) {
			ev, ok := t.timers.Expire(now)
			if !ok {
				break
			}
			s.step(t, fsm.Input{Event: ev}, nil)
		}
	}
}

// next returns the earliest timer deadline (s.mu held).
func (s *Session) next() (time.Time, bool) {
	var next time.Time
	found := false
	for _, t := range s.tracks() {
		if t == nil {
			continue
		}
		if d, ok := t.timers.Next(); ok && (!found || d.Before(next)) {
			next, found = d, true
		}
	}
	return next, found
}

// step feeds one event to t's machine and executes the actions (s.mu
// held). msg is the message the event is about, for DeliverUpdate.
func (s *Session) step(t *track, in fsm.Input, msg []byte) {
	from := t.m.State()
	to, acts := t.m.Handle(in)
	if s.cfg.Keepalive > 0 {
		s.keepalive(t, acts)
	}
	t.timers.Apply(s.opts.Clock.Now(), acts)
	if d, ok := t.timers.Next(); ok && (s.st.armed.IsZero() || d.Before(s.st.armed)) {
		s.st.armed = d
		s.wake()
	}
	for i := range acts {
		switch acts[i].Kind {
		case fsm.SessionUp:
			s.up(t)
		case fsm.SessionDown:
			s.downCounters()
		}
	}
	if t == s.st.main {
		s.ctr.flaps.Store(int64(t.m.Flaps()))
		s.ctr.retries.Store(int64(t.m.ConnectRetryCounter()))
		if to != from {
			s.report(t, from, to, s.downReason(t, from, to, in, acts))
		}
	}
	for i := range acts {
		a := &acts[i]
		switch a.Kind {
		case fsm.InitiateConnection:
			s.dial(t)
		case fsm.SendOpen:
			s.sendOpen(t)
		case fsm.SendKeepalive:
			if t.c != nil {
				t.c.w.control(keepaliveMsg)
			}
		case fsm.SendNotification:
			if t.c != nil {
				b := make([]byte, a.Notification.Len())
				a.Notification.WriteTo(b, 0)
				t.c.w.control(b)
			}
			s.setLastNotification("sent " + a.Notification.String())
			s.h.SessionNotification(s, true, a.Notification)
		case fsm.DeliverUpdate:
			// The reader delivers it once s.mu is released (receive).
			if msg != nil && in.Event == fsm.UpdateMsg && t.c != nil {
				t.c.deliver = true
			}
		case fsm.SessionUp:
			if neg, ok := s.negotiated(); ok {
				s.h.SessionEstablished(s, neg)
			}
		case fsm.DropConnection:
			s.drop(t)
		}
	}
	s.settle(t)
}

// keepalive shortens the KeepaliveTimer the machine starts (a third of the
// hold time, jittered) to the configured interval, with the same jitter,
// when that is shorter.
func (s *Session) keepalive(t *track, acts []fsm.Action) {
	third := t.m.HoldTime() / 3
	if third <= 0 || s.cfg.Keepalive >= third {
		return
	}
	for i := range acts {
		if a := &acts[i]; a.Kind == fsm.StartTimer && a.Timer == fsm.KeepaliveTimer {
			a.Duration = time.Duration(float64(s.cfg.Keepalive) * float64(a.Duration) / float64(third))
		}
	}
}

// report tells the handler about a state change of the main machine.
func (s *Session) report(t *track, from, to fsm.State, reason error) {
	s.ctr.state.Store(uint32(to))
	if reason != nil {
		s.setLastError(reason.Error())
		s.log.Info("session state", "from", from.String(), "to", to.String(), "reason", reason.Error())
	} else {
		s.log.Info("session state", "from", from.String(), "to", to.String())
	}
	_ = t
	s.h.SessionState(s, from, to, reason)
}

// downReason returns the DownError of a transition that lost the
// connection, nil for others; acts are the step's actions.
func (s *Session) downReason(t *track, from, to fsm.State, in fsm.Input, acts []fsm.Action) error {
	if from == fsm.Idle || to != fsm.Idle && (to != fsm.Active || from < fsm.OpenSent) {
		return nil
	}
	e := &DownError{Reason: eventReason(in.Event), Err: t.ioErr}
	for i := range acts {
		switch a := &acts[i]; a.Kind {
		case fsm.SessionDown:
			if a.Reason != fsm.ReasonNone {
				e.Reason = a.Reason
			}
		case fsm.SendNotification:
			e.Notification, e.Sent = cloneNotification(a.Notification), true
		}
	}
	if e.Notification == nil && (in.Event == fsm.NotifMsg || in.Event == fsm.NotifMsgVerErr) {
		e.Notification = cloneNotification(in.Notification)
	}
	t.ioErr = nil
	return e
}

// eventReason is the reason a connection went away on event ev.
func eventReason(ev fsm.Event) fsm.Reason {
	switch ev {
	case fsm.ManualStop:
		return fsm.ReasonManualStop
	case fsm.AutomaticStop:
		return fsm.ReasonAutomaticStop
	case fsm.HoldTimerExpires:
		return fsm.ReasonHoldTimerExpired
	case fsm.SendHoldTimerExpires:
		return fsm.ReasonSendHoldTimerExpired
	case fsm.TCPConnectionFails:
		return fsm.ReasonConnectionFailed
	case fsm.NotifMsg, fsm.NotifMsgVerErr:
		return fsm.ReasonNotificationReceived
	case fsm.BGPHeaderErr, fsm.BGPOpenMsgErr, fsm.UpdateMsgErr:
		return fsm.ReasonMessageError
	case fsm.OpenCollisionDump:
		return fsm.ReasonCollision
	}
	return fsm.ReasonFSMError
}

// settle handles what a step left: a second machine back in Idle is
// discarded; a main machine back in Idle gives way to a second one that
// has a connection; a promoted machine's restart is made active.
func (s *Session) settle(t *track) {
	switch {
	case t == s.st.second && t.m.State() == fsm.Idle:
		s.st.second = nil
		s.discard(t)
	case t == s.st.main && t.m.State() == fsm.Idle && s.st.second != nil &&
		s.st.second.m.State() != fsm.Idle && !s.st.stopped:
		s.promote()
	case t == s.st.main && t.fixActive && t.m.State() == fsm.Idle && t.m.Running(fsm.IdleHoldTimer):
		t.fixActive = false
		s.step(t, fsm.Input{Event: fsm.AutomaticStartDamp}, nil)
	}
}

// discard stops a machine that is no longer the session's for good.
func (s *Session) discard(t *track) {
	_, acts := t.m.Handle(fsm.Input{Event: fsm.ManualStop})
	t.timers.Apply(s.opts.Clock.Now(), acts)
	s.drop(t)
}

// promote makes the second machine the main one; the old main one, in
// Idle, Connect or Active without a connection, is discarded.
func (s *Session) promote() {
	old, sec := s.st.main, s.st.second
	from := old.m.State()
	s.st.main, s.st.second = sec, nil
	sec.fixActive = !s.cfg.Passive
	s.discard(old)
	s.ctr.flaps.Store(int64(sec.m.Flaps()))
	if to := sec.m.State(); to != from {
		s.report(sec, from, to, nil)
	}
}

// drop closes t's connection after its queued NOTIFICATION, and abandons
// a dial in flight.
func (s *Session) drop(t *track) {
	t.dialGen++
	if t.dialCancel != nil {
		t.dialCancel()
		t.dialCancel = nil
	}
	if c := t.c; c != nil {
		t.c = nil
		c.dead = true
		c.w.close(s.opts.FlushTimeout)
	}
	t.open = nil
}

// sendOpen queues our OPEN on t's connection.
func (s *Session) sendOpen(t *track) {
	if t.c == nil {
		return
	}
	cfg := t.m.Config()
	o := cfg.OpenMessage()
	b := make([]byte, message.OpenLen(o, cfg.Capabilities))
	message.WriteOpen(b, 0, o, cfg.Capabilities)
	t.c.w.control(b)
}

// up records the session Established on t's connection, before the
// state change is reported.
func (s *Session) up(t *track) {
	c, o := t.c, t.open
	if c == nil || o == nil {
		return
	}
	neg := &Negotiated{
		Send: o.Negotiated.Send, Recv: o.Negotiated.Recv, SendID: o.SendID, RecvID: o.RecvID,
		HoldTime: o.HoldTime, Keepalive: keepaliveOf(s.cfg.Keepalive, o.Keepalive), PeerRouterID: o.PeerID, PeerAS: o.PeerAS,
		Internal: o.Internal, Families: o.Negotiated.Families, Capabilities: o.Negotiated,
		Local: c.local, Remote: c.remote, Direction: c.dir,
	}
	maxLen := o.Negotiated.Send.MaxLen()
	c.maxLen.Store(int32(o.Negotiated.Recv.MaxLen()))
	c.w.setOpen(true, maxLen)
	s.ctr.established.Add(1)
	s.ctr.mu.Lock()
	s.ctr.neg, s.ctr.writer, s.ctr.establishedSince = neg, c.w, s.opts.Clock.Now()
	s.ctr.mu.Unlock()
}

// keepaliveOf is the keepalive interval used: the configured one when it
// is shorter than the FSM's third of the hold time.
func keepaliveOf(configured, third time.Duration) time.Duration {
	if configured > 0 && configured < third {
		return configured
	}
	return third
}

// downCounters forgets the Established session.
func (s *Session) downCounters() {
	s.ctr.mu.Lock()
	w := s.ctr.writer
	s.ctr.neg, s.ctr.writer, s.ctr.establishedSince = nil, nil, time.Time{}
	s.ctr.mu.Unlock()
	if w != nil {
		w.setOpen(false, wire.MaxMsgLen)
	}
}

func (s *Session) setLastError(e string) {
	s.ctr.mu.Lock()
	s.ctr.lastErr = e
	s.ctr.mu.Unlock()
}

func (s *Session) setLastNotification(n string) {
	s.ctr.mu.Lock()
	s.ctr.lastNotif = n
	s.ctr.mu.Unlock()
}

func (s *Session) stop(ctx context.Context, code, subcode uint8, text string) error {
	s.mu.Lock()
	if s.st.stopped {
		s.mu.Unlock()
		return nil
	}
	if code == 0 {
		code, subcode = uint8(wire.NotifyCease), wire.CeaseAdminShutdown
	}
	n := message.Notification{Code: wire.NotifyCode(code), Subcode: subcode}
	if n.Code == wire.NotifyCease && (subcode == wire.CeaseAdminShutdown || subcode == wire.CeaseAdminReset) {
		n = message.NewShutdown(subcode, text)
	}
	var conns []*conn
	for _, t := range s.tracks() {
		if t != nil && t.c != nil {
			conns = append(conns, t.c)
		}
	}
	s.st.stopped = true // no promotion from here on
	for _, t := range s.tracks() {
		if s.live(t) {
			s.step(t, fsm.Input{Event: fsm.ManualStop, Notification: n}, nil)
			s.drop(t)
		}
	}
	if !s.st.started {
		s.ctr.state.Store(uint32(fsm.Idle))
	}
	close(s.quit)
	s.mu.Unlock()
	for _, c := range conns {
		select {
		case <-c.w.flushed:
		case <-ctx.Done():
			_ = c.nc.Close()
			return ctx.Err()
		}
	}
	return nil
}

func (s *Session) reset(text string) {
	select {
	case s.resetC <- text:
	default: // a reset is pending already
	}
}

// doReset drops the session with Cease / Administrative Reset; it restarts
// after the idle hold.
func (s *Session) doReset(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.stopped || !s.st.started {
		return
	}
	n := message.NewShutdown(wire.CeaseAdminReset, text)
	for _, t := range s.tracks() {
		if s.live(t) && t.m.State() != fsm.Idle {
			s.step(t, fsm.Input{Event: fsm.AutomaticStop, Notification: n}, nil)
		}
	}
}

func (s *Session) send(ctx context.Context, msg []byte, wait bool) error {
	if len(msg) < wire.HeaderLen {
		return ErrBadMessage
	}
	if _, l := msgAt(msg, 0); l != len(msg) {
		return ErrBadMessage
	}
	s.ctr.mu.Lock()
	w := s.ctr.writer
	s.ctr.mu.Unlock()
	if w == nil {
		return ErrNotEstablished
	}
	return w.enqueue(ctx, msg, wait)
}

func (s *Session) state() fsm.State { return fsm.State(s.ctr.state.Load()) }

func (s *Session) negotiated() (Negotiated, bool) {
	s.ctr.mu.Lock()
	defer s.ctr.mu.Unlock()
	if s.ctr.neg == nil {
		return Negotiated{}, false
	}
	return *s.ctr.neg, true
}

func (s *Session) stats() SessionStats {
	st := SessionStats{State: s.state(), Established: s.ctr.established.Load(),
		Flaps: int(s.ctr.flaps.Load()), ConnectRetryCounter: int(s.ctr.retries.Load())}
	st.In = countsOf(&s.ctr.in, s.ctr.inBytes.Load())
	st.Out = countsOf(&s.ctr.out, s.ctr.outBytes.Load())
	s.ctr.mu.Lock()
	st.LastError, st.LastNotification, st.EstablishedSince = s.ctr.lastErr, s.ctr.lastNotif, s.ctr.establishedSince
	w := s.ctr.writer
	s.ctr.mu.Unlock()
	if w != nil {
		st.QueueBytes, st.QueueMessages = w.depth()
	}
	return st
}

func countsOf(c *[6]atomic.Uint64, bytes uint64) MessageCounts {
	m := MessageCounts{
		Open: c[wire.MsgOpen].Load(), Update: c[wire.MsgUpdate].Load(),
		Notification: c[wire.MsgNotification].Load(), Keepalive: c[wire.MsgKeepalive].Load(),
		RouteRefresh: c[wire.MsgRouteRefresh].Load(), Bytes: bytes,
	}
	m.Total = m.Open + m.Update + m.Notification + m.Keepalive + m.RouteRefresh + c[0].Load()
	return m
}

// wrote counts the messages a writer wrote and leaves the progress for the
// loop (writer goroutine; s.mu not held).
func (s *Session) wrote(c *conn, b []byte) {
	var p uint32 = progressWrite
	s.ctr.outBytes.Add(uint64(len(b)))
	for off := 0; off+wire.HeaderLen <= len(b); {
		t, l := msgAt(b, off)
		if t > wire.MsgRouteRefresh {
			t = 0
		}
		s.ctr.out[t].Add(1)
		if t == wire.MsgUpdate {
			p |= progressUpdate
		}
		if l < wire.HeaderLen {
			break
		}
		off += l
	}
	c.progress.Or(p)
	s.wake()
}

// dialer returns the net.Dialer of outgoing connections: bound to the
// local address, with the MD5 key and GTSM set before the SYN.
func (s *Session) dialer() *net.Dialer {
	d := &net.Dialer{Timeout: s.cfg.ConnectRetry}
	if d.Timeout <= 0 {
		d.Timeout = fsm.DefaultConnectRetryTime
	}
	if s.cfg.Local.Addr().IsValid() {
		d.LocalAddr = net.TCPAddrFromAddrPort(s.cfg.Local)
	}
	d.Control = s.controlSocket
	return d
}

// accepted returns whether a connection from remote to local is this
// session's.
func (s *Session) accepts(local, remote netip.AddrPort) bool {
	if remote.Addr() != s.cfg.Peer.Addr().Unmap() {
		return false
	}
	if l := s.cfg.Local.Addr(); l.IsValid() && l.Unmap() != local.Addr() {
		return false
	}
	return true
}

func (s *Session) accept(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := s.st.started && !s.st.stopped && s.accepts(addrPortOf(nc.LocalAddr()), addrPortOf(nc.RemoteAddr()))
	if ok {
		if err := s.secureAccepted(nc); err != nil {
			s.log.Warn("incoming connection refused", "error", err.Error())
			ok = false
		}
	}
	var t *track
	if ok {
		main := s.st.main
		switch {
		case main.m.State() == fsm.Idle:
			ok = false
		case main.c == nil: // Connect (a dial in flight) or Active
			main.dialGen++
			if main.dialCancel != nil {
				main.dialCancel()
				main.dialCancel = nil
			}
			t = main
		case s.st.second == nil:
			m, err := fsm.New(*main.m.Config())
			if err != nil {
				ok = false
				break
			}
			t = &track{m: m}
			s.st.second = t
			s.step(t, fsm.Input{Event: fsm.ManualStartPassive}, nil)
		default:
			ok = false
		}
	}
	if !ok {
		_ = nc.Close()
		return false
	}
	t.c = newConn(s, t, nc, fsm.Incoming)
	t.c.run()
	s.step(t, fsm.Input{Event: fsm.TCPConnectionConfirmed}, nil)
	return true
}

// dial connects to the peer for t in a goroutine; the result comes back
// through dialed.
func (s *Session) dial(t *track) {
	t.dialGen++
	gen := t.dialGen
	ctx, cancel := context.WithCancel(context.Background())
	t.dialCancel = cancel
	d := s.dialer()
	addr := s.cfg.Peer.String()
	go func() {
		nc, err := d.DialContext(ctx, "tcp", addr)
		cancel()
		s.dialed(t, gen, nc, err)
	}()
}

func (s *Session) dialed(t *track, gen uint64, nc net.Conn, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.stopped || !s.live(t) || t.dialGen != gen || t.c != nil {
		if nc != nil {
			_ = nc.Close()
		}
		return
	}
	t.dialCancel = nil
	if err != nil {
		t.ioErr = err
		s.log.Debug("connect failed", "error", err.Error())
		s.step(t, fsm.Input{Event: fsm.TCPConnectionFails}, nil)
		return
	}
	t.c = newConn(s, t, nc, fsm.Outgoing)
	t.c.run()
	s.step(t, fsm.Input{Event: fsm.TCPConnectionAcked}, nil)
}
