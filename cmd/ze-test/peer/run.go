// Package peer is ze-test peer: a scriptable BGP speaker for functional
// tests (sink, echo, replay, check), independent of ze's own session code so
// that it can serve as a yardstick. docs/testing.md, "The test peer",
// describes its command line and the .msg format of check.
package peer

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zebgp/ze/bgp/view"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// Main runs ze-test peer with the arguments after "peer" and returns the
// exit code: 0 when the mode's goal was reached, 1 on any failure, 2 when
// FILE does not exist.
func Main(args []string, stdout, stderr io.Writer) int {
	cfg, err := ParseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "ze-test peer: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "ze-test peer: %v\n", err)
		if errors.Is(err, fs.ErrNotExist) {
			return 2
		}
		return 1
	}
	return 0
}

// Sentinel results of a handler.
var (
	errGoal     = errors.New("goal reached")
	errNextConn = errors.New("connection done, next one")
)

// handler is what a mode does with a session.
type handler interface {
	// setup returns the OPEN to send on connection i (nil: build one from
	// the options) and extra capabilities for a built one.
	setup(i int) (ownOpen []byte, extra []capability.Capability)
	// established runs once the session is up.
	established(s *session) error
	// received sees every message after establishment (KEEPALIVEs too);
	// it returns errGoal, errNextConn, nil or a failure.
	received(s *session, msg []byte, m message.Message) error
	// hasGoal says whether the mode waits for something (and so fails on
	// timeout); reached whether that goal was met.
	hasGoal() bool
	reached() bool
	// progress describes what was seen, for a failure message.
	progress() string
}

// event is what a goroutine of a handler reports to the session loop.
type event struct {
	err    error
	finish bool // end the run successfully
	next   bool // close this connection and go on with the next
}

// Run runs the peer until its goal is reached, it fails, or ctx ends.
func Run(ctx context.Context, cfg *Config, stdout, stderr io.Writer) error {
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})).With("component", "ze-test-peer")
	out := &printer{w: stdout, text: cfg.Text}
	h, err := newHandler(cfg, out, log)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(cfg.Timeout)
	r := &runner{cfg: cfg, log: log, out: out, h: h, deadline: deadline}
	if cfg.Listen != "" {
		ln, err := listen(cfg)
		if err != nil {
			return err
		}
		defer func() { _ = ln.Close() }()
		r.ln = ln
		port := ln.Addr().(*net.TCPAddr).Port
		log.Info("listening", "address", ln.Addr().String())
		if cfg.PortFile != "" {
			if err := writePortFile(cfg.PortFile, port); err != nil {
				return err
			}
		}
	}
	return r.run(ctx)
}

type runner struct {
	cfg      *Config
	log      *slog.Logger
	out      *printer
	h        handler
	ln       net.Listener
	deadline time.Time
}

func (r *runner) run(ctx context.Context) error {
	for i := 0; ; i++ {
		conn, err := r.connect(ctx)
		if err != nil {
			return err
		}
		err = r.session(ctx, conn, i)
		_ = conn.Close()
		if errors.Is(err, errNextConn) {
			continue
		}
		return err
	}
}

// session runs one connection from OPEN to its end.
func (r *runner) session(ctx context.Context, conn net.Conn, i int) error {
	s := newSession(r.cfg, conn, r.log)
	if r.h != nil && !r.cfg.Quiet && r.cfg.Mode != ModeCheck {
		s.print = r.out.message
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	ownOpen, extra := r.h.setup(i)
	if ownOpen == nil && r.cfg.OpenHex != nil {
		ownOpen = r.cfg.OpenHex
	}
	err := s.handshake(ownOpen, extra, r.deadline)
	stop()
	if ctx.Err() != nil {
		s.notify(message.Notification{Code: wire.NotifyCease, Subcode: wire.CeaseAdminShutdown})
		return fmt.Errorf("stopped before the session was established: %s", r.h.progress())
	}
	switch {
	case errors.Is(err, errNotifiedAtOpen):
		return nil
	case err != nil:
		return r.notificationResult(err)
	}
	if r.cfg.Notify.Set && r.cfg.NotifyAt == NotifyAtEstablished {
		s.notify(r.cfg.notification())
		return nil
	}
	err = r.loop(ctx, s)
	var pn *peerNotification
	if err != nil && !errors.As(err, &pn) && !errors.Is(err, errNextConn) {
		// Our failure (a check mismatch, a timeout): the other side gets
		// a Cease rather than a bare close. A no-op when one was sent.
		s.notify(message.Notification{Code: wire.NotifyCease, Subcode: wire.CeaseAdminShutdown})
	}
	s.summary()
	return err
}

// notificationResult turns the end of a session by a peer's NOTIFICATION
// into the run's result: success when --expect-notification names it.
func (r *runner) notificationResult(err error) error {
	var pn *peerNotification
	if !errors.As(err, &pn) {
		return err
	}
	want := r.cfg.ExpectNotify
	if want.Set {
		if pn.n.Code == want.Code && pn.n.Subcode == want.Subcode {
			r.log.Info("expected notification received", "notification", pn.n.String())
			return nil
		}
		return fmt.Errorf("received NOTIFICATION %s (%d/%d), want %s", pn.n.String(), pn.n.Code, pn.n.Subcode, want)
	}
	if r.h.reached() && pn.n.Code == wire.NotifyCease {
		r.log.Info("peer closed the session", "notification", pn.n.String())
		return nil
	}
	return fmt.Errorf("received NOTIFICATION %s (%d/%d): %s", pn.n.String(), pn.n.Code, pn.n.Subcode, r.h.progress())
}

// finish ends a session whose goal was reached: the --notify NOTIFICATION
// when it is due at the end, else Cease / Administrative Shutdown.
func (r *runner) finish(s *session) error {
	n := message.Notification{Code: wire.NotifyCease, Subcode: wire.CeaseAdminShutdown}
	if r.cfg.Notify.Set && r.cfg.NotifyAt == NotifyAtEnd {
		n = r.cfg.notification()
	}
	s.notify(n)
	return nil
}

func (r *runner) loop(ctx context.Context, s *session) error {
	// One channel for messages and the read error, so that every message
	// that arrived before the connection closed is seen first.
	msgs := make(chan readResult, 64)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(quit)
		_ = s.conn.Close()
		wg.Wait()
	}()
	wg.Go(func() {
		for {
			m, err := s.readMsg()
			select {
			case msgs <- readResult{m, err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	})
	var holdC <-chan time.Time
	var hold *time.Timer
	if s.hold > 0 {
		hold = time.NewTimer(s.hold)
		defer hold.Stop()
		holdC = hold.C
		wg.Go(func() { s.keepalives(quit) })
	}
	var deadlineC <-chan time.Time
	if r.h.hasGoal() || r.cfg.ExpectNotify.Set || r.cfg.TimeoutSet {
		t := time.NewTimer(time.Until(r.deadline))
		defer t.Stop()
		deadlineC = t.C
	}
	s.events = make(chan event, 4)
	if err := r.h.established(s); err != nil {
		return r.result(s, err)
	}
	for {
		select {
		case rr := <-msgs:
			if hold != nil {
				hold.Reset(s.hold)
			}
			if end, err := r.handle(s, rr); end {
				return err
			}
		case ev := <-s.events:
			switch {
			case ev.err != nil:
				return ev.err
			case ev.next:
				return errNextConn
			case ev.finish:
				return r.finish(s)
			}
		case <-holdC:
			return s.fault(wire.NewNotifyError(wire.NotifyHoldTimer, 0, nil),
				fmt.Errorf("hold timer expired: nothing received for %s; %s", s.hold, r.h.progress()))
		case <-deadlineC:
			if r.h.reached() && !r.cfg.ExpectNotify.Set {
				if !r.cfg.TimeoutSet {
					deadlineC = nil
					continue
				}
				return r.finish(s)
			}
			s.notify(message.Notification{Code: wire.NotifyCease, Subcode: wire.CeaseAdminShutdown})
			return fmt.Errorf("timeout after %s: %s", r.cfg.Timeout, r.h.progress())
		case <-ctx.Done():
			// What arrived before the stop is judged first.
			for drained := false; !drained; {
				select {
				case rr := <-msgs:
					if end, err := r.handle(s, rr); end {
						return err
					}
				default:
					drained = true
				}
			}
			if err := s.firstFault(); err != nil {
				return err
			}
			s.notify(message.Notification{Code: wire.NotifyCease, Subcode: wire.CeaseAdminShutdown})
			if r.h.reached() && !r.cfg.ExpectNotify.Set {
				return nil
			}
			return fmt.Errorf("stopped: %s", r.h.progress())
		}
	}
}

// handle judges one message (or the read error); end says the session is
// over, with err as its result.
func (r *runner) handle(s *session, rr readResult) (end bool, err error) {
	if rr.err != nil {
		return true, r.readError(rr.err)
	}
	m, err := s.checkMsg(rr.msg)
	var pn *peerNotification
	if err != nil && !errors.As(err, &pn) {
		return true, err
	}
	if herr := r.h.received(s, rr.msg, m); herr != nil {
		return true, r.result(s, herr)
	}
	if pn != nil {
		r.settle()
		return true, r.notificationResult(pn)
	}
	return false, nil
}

type readResult struct {
	msg []byte
	err error
}

// readError is the result of a connection that ended while reading.
func (r *runner) readError(err error) error {
	var sn *sentNotification
	if errors.As(err, &sn) {
		return err
	}
	r.settle()
	if r.h.reached() && !r.cfg.ExpectNotify.Set {
		r.log.Info("peer closed the connection")
		return r.closedResult()
	}
	return fmt.Errorf("%w: %s", timeoutText(err), r.h.progress())
}

// settle waits for a handler's sending goroutine, so that its progress is
// final before the end of the session is judged.
func (r *runner) settle() {
	if st, ok := r.h.(interface{ settle() }); ok {
		st.settle()
	}
}

// closedResult is the result of a connection the peer closed after the
// goal was reached: for a multi-connection replay, the next connection.
func (r *runner) closedResult() error {
	if n, ok := r.h.(interface{ moreConns() bool }); ok && n.moreConns() {
		return errNextConn
	}
	return nil
}

func (r *runner) result(s *session, err error) error {
	switch {
	case errors.Is(err, errGoal):
		return r.finish(s)
	case errors.Is(err, errNextConn):
		return errNextConn
	}
	return err
}

func (s *session) keepalives(quit <-chan struct{}) {
	t := time.NewTicker(s.hold / 3)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
			if err := s.write(keepalive[:], true); err != nil {
				return
			}
		}
	}
}

// connect accepts the next connection or dials one, retrying a refused
// dial until the deadline.
func (r *runner) connect(ctx context.Context) (net.Conn, error) {
	if r.ln != nil {
		type res struct {
			c   net.Conn
			err error
		}
		ch := make(chan res, 1)
		go func() {
			c, err := r.ln.Accept()
			ch <- res{c, err}
		}()
		t := time.NewTimer(time.Until(r.deadline))
		defer t.Stop()
		select {
		case x := <-ch:
			if x.err != nil {
				return nil, fmt.Errorf("accepting: %w", x.err)
			}
			r.log.Info("accepted", "peer", x.c.RemoteAddr().String())
			return x.c, nil
		case <-t.C:
			_ = r.ln.Close()
			return nil, fmt.Errorf("timeout after %s: no connection on %s; %s", r.cfg.Timeout, r.ln.Addr(), r.h.progress())
		case <-ctx.Done():
			_ = r.ln.Close()
			return nil, fmt.Errorf("stopped while waiting for a connection: %s", r.h.progress())
		}
	}
	addr, err := r.connectAddr(ctx)
	if err != nil {
		return nil, err
	}
	for {
		c, err := dial(ctx, r.cfg, addr, r.deadline)
		if err == nil {
			r.log.Info("connected", "peer", addr)
			return c, nil
		}
		if time.Now().After(r.deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("connecting to %s: %w", addr, err)
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
		}
	}
}

// connectAddr is --connect, with the port read from --port-file when
// --connect has none (waiting for the listening peer to write it).
func (r *runner) connectAddr(ctx context.Context) (string, error) {
	if r.cfg.PortFile == "" {
		return r.cfg.Connect, nil
	}
	if _, _, err := net.SplitHostPort(r.cfg.Connect); err == nil {
		return r.cfg.Connect, nil
	}
	for {
		b, err := os.ReadFile(r.cfg.PortFile)
		if err == nil {
			p, perr := strconv.Atoi(strings.TrimSpace(string(b)))
			if perr == nil && p > 0 && p < 65536 {
				return net.JoinHostPort(r.cfg.Connect, strconv.Itoa(p)), nil
			}
		}
		if time.Now().After(r.deadline) {
			return "", fmt.Errorf("--port-file %s: no port written within %s", r.cfg.PortFile, r.cfg.Timeout)
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return "", fmt.Errorf("stopped while waiting for --port-file %s", r.cfg.PortFile)
		}
	}
}

// writePortFile writes the port atomically, so that a reader never sees
// half of it.
func writePortFile(path string, port int) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
		return fmt.Errorf("--port-file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("--port-file: %w", err)
	}
	return nil
}

// printer writes received messages to stdout, one JSON line each (or the
// indented text form).
type printer struct {
	mu   sync.Mutex
	w    io.Writer
	text bool
	buf  []byte
}

func (p *printer) message(msg []byte, ctx *wire.EncodingContext) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := view.W{B: p.buf[:0]}
	_ = view.AppendMessageJSON(&w, msg, ctx)
	p.buf = w.B
	b := w.B
	if p.text {
		b = view.JSONToText(b)
	}
	if len(b) == 0 || b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	_, _ = p.w.Write(b)
}

// line writes one line of text.
func (p *printer) line(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}
