package peer

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// session is one BGP connection of the peer, from the OPEN exchange to its
// end. Reads happen on one goroutine (the loop in run.go); writes come from
// the loop, the keepalive timer and a replay goroutine, under wmu.
type session struct {
	cfg  *Config
	log  *slog.Logger
	conn net.Conn
	br   *bufio.Reader

	wmu    sync.Mutex
	bw     *bufio.Writer
	closed bool // a NOTIFICATION was sent: nothing more goes out
	// faultErr is the first NOTIFICATION sent for the peer's fault.
	faultErr *sentNotification

	local    []capability.Capability
	localRaw []byte // our OPEN as sent
	peerOpen message.Open
	openRaw  []byte // the peer's OPEN as received
	neg      capability.Negotiated
	hold     time.Duration // negotiated; 0: no keepalives, no hold timer
	maxLen   int

	stats stats

	// print, when set, shows every message received.
	print func(msg []byte, ctx *wire.EncodingContext)
	// events carries what the handler's goroutines report to the loop.
	events chan event
}

// recvCtx is the context received messages are read with: the negotiated
// one once the OPENs are exchanged.
func (s *session) recvCtx() *wire.EncodingContext {
	if s.neg.Recv != nil {
		return s.neg.Recv
	}
	return wire.NewContext(s.cfg.ASN4, false)
}

// sendCtx is the context of what we send.
func (s *session) sendCtx() *wire.EncodingContext {
	if s.neg.Send != nil {
		return s.neg.Send
	}
	return wire.NewContext(s.cfg.ASN4, false)
}

// stats counts what went through a session.
type stats struct {
	mu                  sync.Mutex
	sent, recv          int
	sentUpdates         int
	recvUpdates, recvKA int
	recvEOR             int
}

func (st *stats) addSent(updates int, msgs int) {
	st.mu.Lock()
	st.sent += msgs
	st.sentUpdates += updates
	st.mu.Unlock()
}

// peerNotification is a NOTIFICATION the other side sent: the session is over.
type peerNotification struct {
	n   message.Notification
	raw []byte
}

func (e *peerNotification) Error() string { return "received NOTIFICATION " + e.n.String() }

// sentNotification is a NOTIFICATION we sent because of the other side's
// fault (or its silence): the session is over and the run failed.
type sentNotification struct {
	n   message.Notification
	why error
}

func (e *sentNotification) Error() string {
	return fmt.Sprintf("sent NOTIFICATION %s: %v", e.n.String(), e.why)
}

func (e *sentNotification) Unwrap() error { return e.why }

func newSession(cfg *Config, conn net.Conn, log *slog.Logger) *session {
	return &session{
		cfg: cfg, conn: conn, log: log,
		br:     bufio.NewReaderSize(conn, 64*1024),
		bw:     bufio.NewWriterSize(conn, 64*1024),
		maxLen: wire.MaxMsgLen,
	}
}

// write sends one message (or any bytes) and flushes when asked.
func (s *session) write(b []byte, flush bool) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return errSessionClosed
	}
	if _, err := s.bw.Write(b); err != nil {
		return fmt.Errorf("sending: %w", err)
	}
	if flush {
		if err := s.bw.Flush(); err != nil {
			return fmt.Errorf("sending: %w", err)
		}
	}
	if s.cfg.Debug {
		s.log.Debug("sent", "bytes", len(b), "hex", hexString(b))
	}
	return nil
}

var errSessionClosed = errors.New("session closed")

func (s *session) flush() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return nil
	}
	return s.bw.Flush()
}

// notify sends a NOTIFICATION and marks the session closed for writing.
func (s *session) notify(n message.Notification) {
	buf := make([]byte, n.Len())
	n.WriteTo(buf, 0)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	_, _ = s.bw.Write(buf)
	_ = s.bw.Flush()
	s.log.Info("sent notification", "notification", n.String())
}

// fault sends the NOTIFICATION that e names and returns the error that ends
// the run.
func (s *session) fault(e *wire.NotifyError, why error) error {
	n := message.FromError(e)
	s.notify(n)
	err := &sentNotification{n: n, why: why}
	s.wmu.Lock()
	if s.faultErr == nil {
		s.faultErr = err
	}
	s.wmu.Unlock()
	return err
}

// fault returns the error of the first NOTIFICATION sent for the peer's
// fault, nil when there was none.
func (s *session) firstFault() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.faultErr == nil {
		return nil
	}
	return s.faultErr
}

// readMsg reads one whole message. A header the peer got wrong is answered
// with the Message Header Error it deserves (RFC 4271 §6.1).
func (s *session) readMsg() ([]byte, error) {
	var hdr [wire.HeaderLen]byte
	if _, err := io.ReadFull(s.br, hdr[:]); err != nil {
		return nil, err
	}
	h, err := wire.ParseHeader(hdr[:], s.maxLen)
	if err != nil {
		if ne, ok := wire.AsNotify(err); ok {
			return nil, s.fault(ne, fmt.Errorf("bad message header %s: %w", hexString(hdr[:]), err))
		}
		return nil, err
	}
	msg := make([]byte, h.Length)
	copy(msg, hdr[:])
	if _, err := io.ReadFull(s.br, msg[wire.HeaderLen:]); err != nil {
		return nil, fmt.Errorf("reading a %s of %d bytes: %w", h.Type, h.Length, err)
	}
	s.stats.mu.Lock()
	s.stats.recv++
	switch h.Type {
	case wire.MsgUpdate:
		s.stats.recvUpdates++
		if u, err := wire.ParseUpdateMessage(msg, s.recvCtx()); err == nil {
			if _, ok := u.EndOfRIB(); ok {
				s.stats.recvEOR++
			}
		}
	case wire.MsgKeepalive:
		s.stats.recvKA++
	}
	s.stats.mu.Unlock()
	if s.cfg.Debug {
		s.log.Debug("received", "type", h.Type.String(), "hex", hexString(msg))
	}
	if s.print != nil {
		s.print(msg, s.recvCtx())
	}
	return msg, nil
}

// checkMsg decodes a message received on an established session. A fault
// in it is answered with its NOTIFICATION; a NOTIFICATION from the peer
// ends the session as a *peerNotification.
func (s *session) checkMsg(msg []byte) (message.Message, error) {
	m, err := message.Parse(msg, s.maxLen)
	if err != nil {
		if ne, ok := wire.AsNotify(err); ok {
			return m, s.fault(ne, fmt.Errorf("malformed %s: %w", wire.MsgType(msg[18]), err))
		}
		return m, err
	}
	switch m.Type {
	case wire.MsgNotification:
		return m, &peerNotification{n: m.Notification, raw: msg}
	case wire.MsgOpen:
		// RFC 6608: an OPEN once established is an FSM error.
		return m, s.fault(wire.NewNotifyError(wire.NotifyFSM, wire.FSMUnexpectedEstablished, nil), errors.New("received an OPEN in Established state"))
	case wire.MsgUpdate:
		u, err := wire.ParseUpdate(m.Body, s.neg.Recv)
		if err != nil {
			if ne, ok := wire.AsNotify(err); ok {
				return m, s.fault(ne, fmt.Errorf("malformed UPDATE: %w", err))
			}
			return m, fmt.Errorf("malformed UPDATE: %w", err)
		}
		v := attr.CheckUpdate(&u)
		switch v.Action {
		case attr.ActionNone:
		case attr.ActionSessionReset:
			if s.cfg.Mode == ModeCheck {
				// check compares bytes: a malformed UPDATE may be what the
				// script expects, and a mismatch is reported as such.
				s.log.Warn("malformed update", "action", v.Action.String(), "reason", v.Reason)
				break
			}
			return m, s.fault(v.Notify, fmt.Errorf("malformed UPDATE (%s)", v.Reason))
		default:
			s.log.Warn("malformed update", "action", v.Action.String(), "reason", v.Reason)
		}
	}
	return m, nil
}

// handshake exchanges OPENs and KEEPALIVEs (RFC 4271 §8: OpenSent,
// OpenConfirm) until the session is established. ownOpen, when not nil, is
// sent as our OPEN instead of one built from the options.
func (s *session) handshake(ownOpen []byte, extraCaps []capability.Capability, deadline time.Time) error {
	_ = s.conn.SetReadDeadline(deadline)
	defer func() { _ = s.conn.SetReadDeadline(time.Time{}) }()
	sentOpen := false
	if ownOpen != nil || s.cfg.AS != 0 {
		if err := s.sendOpen(ownOpen, extraCaps, 0); err != nil {
			return err
		}
		sentOpen = true
	}
	msg, err := s.readMsg()
	if err != nil {
		return fmt.Errorf("waiting for the peer's OPEN: %w", timeoutText(err))
	}
	m, err := message.Parse(msg, wire.MaxMsgLen)
	if err != nil {
		if ne, ok := wire.AsNotify(err); ok {
			return s.fault(ne, fmt.Errorf("malformed %s: %w", wire.MsgType(msg[18]), err))
		}
		return err
	}
	switch m.Type {
	case wire.MsgOpen:
	case wire.MsgNotification:
		return &peerNotification{n: m.Notification, raw: msg}
	default:
		// RFC 6608: Receive Unexpected Message in OpenSent State.
		return s.fault(wire.NewNotifyError(wire.NotifyFSM, wire.FSMUnexpectedOpenSent, nil), fmt.Errorf("received %s before OPEN", m.Type))
	}
	s.peerOpen, s.openRaw = m.Open, msg
	if s.cfg.PeerAS != 0 && m.Open.AS() != s.cfg.PeerAS {
		var data [2]byte
		binary.BigEndian.PutUint16(data[:], m.Open.MyAS)
		return s.fault(wire.NewNotifyError(wire.NotifyOpen, wire.OpenBadPeerAS, data[:]),
			fmt.Errorf("the peer's AS is %d, want %d", m.Open.AS(), s.cfg.PeerAS))
	}
	var remote []capability.Capability
	it := m.Open.Capabilities()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		c, err := r.Parse()
		if err != nil {
			return s.fault(wire.NewNotifyError(wire.NotifyOpen, wire.OpenUnspecific, nil), fmt.Errorf("capability %d: %w", r.Code, err))
		}
		remote = append(remote, c)
	}
	if err := it.Err(); err != nil {
		if ne, ok := wire.AsNotify(err); ok {
			return s.fault(ne, err)
		}
		return err
	}
	if !sentOpen {
		if err := s.sendOpen(nil, extraCaps, m.Open.AS()); err != nil {
			return err
		}
	}
	s.neg = capability.Negotiate(s.local, remote)
	s.maxLen = s.neg.Recv.MaxLen()
	ours := time.Duration(s.ownHold()) * time.Second
	theirs := time.Duration(m.Open.HoldTime) * time.Second
	s.hold = min(ours, theirs)

	if s.cfg.Notify.Set && s.cfg.NotifyAt == NotifyAtOpen {
		s.notify(s.cfg.notification())
		return errNotifiedAtOpen
	}
	if err := s.write(keepalive[:], true); err != nil {
		return err
	}
	if s.hold > 0 {
		_ = s.conn.SetReadDeadline(minTime(deadline, time.Now().Add(s.hold)))
	}
	msg, err = s.readMsg()
	if err != nil {
		if s.hold > 0 && isTimeout(err) && time.Now().Before(deadline) {
			return s.fault(wire.NewNotifyError(wire.NotifyHoldTimer, 0, nil), errors.New("no KEEPALIVE within the hold time"))
		}
		return fmt.Errorf("waiting for the peer's KEEPALIVE: %w", timeoutText(err))
	}
	m, err = message.Parse(msg, s.maxLen)
	if err != nil {
		if ne, ok := wire.AsNotify(err); ok {
			return s.fault(ne, fmt.Errorf("malformed %s: %w", wire.MsgType(msg[18]), err))
		}
		return err
	}
	switch m.Type {
	case wire.MsgKeepalive:
	case wire.MsgNotification:
		return &peerNotification{n: m.Notification, raw: msg}
	default:
		// RFC 6608: Receive Unexpected Message in OpenConfirm State.
		return s.fault(wire.NewNotifyError(wire.NotifyFSM, wire.FSMUnexpectedOpenConfirm, nil), fmt.Errorf("received %s instead of KEEPALIVE", m.Type))
	}
	s.log.Info("established", "peer", s.conn.RemoteAddr().String(), "peer-as", s.peerOpen.AS(),
		"hold-time", int(s.hold/time.Second), "families", familyList(s.neg.Families))
	return nil
}

var errNotifiedAtOpen = errors.New("notification sent in answer to the OPEN")

var keepalive = func() (b [wire.HeaderLen]byte) {
	message.WriteKeepalive(b[:], 0)
	return b
}()

func (s *session) ownHold() uint16 { return s.cfg.Hold }

// sendOpen sends ownOpen, or an OPEN built from the options with peerAS as
// our AS when none was configured.
func (s *session) sendOpen(ownOpen []byte, extra []capability.Capability, peerAS uint32) error {
	if ownOpen != nil {
		// Sent as given, even broken (--open-hex is how a bad OPEN, or a
		// message before the OPEN, is sent); a valid OPEN also gives the
		// capabilities and hold time that the session then uses.
		m, err := message.Parse(ownOpen, wire.MaxMsgLen)
		switch {
		case err != nil:
			s.log.Info("sending an OPEN that does not parse", "error", err.Error())
		case m.Type != wire.MsgOpen:
			s.log.Info("sending another message in place of the OPEN", "type", m.Type.String())
		default:
			it := m.Open.Capabilities()
			for r, ok := it.Next(); ok; r, ok = it.Next() {
				if c, err := r.Parse(); err == nil {
					s.local = append(s.local, c)
				}
			}
			s.cfg.Hold = m.Open.HoldTime
		}
		s.localRaw = ownOpen
		return s.write(ownOpen, true)
	}
	as := s.cfg.AS
	if as == 0 {
		as = peerAS
	}
	s.local = buildCaps(s.cfg, as, extra)
	o := message.Open{Version: message.Version, HoldTime: s.cfg.Hold, BGPID: s.cfg.ID}
	if as > 0xFFFF {
		o.MyAS = message.ASTrans
	} else {
		o.MyAS = uint16(as)
	}
	buf := make([]byte, message.OpenLen(o, s.local))
	message.WriteOpen(buf, 0, o, s.local)
	s.localRaw = buf
	return s.write(buf, true)
}

// buildCaps returns the capabilities the options ask for.
func buildCaps(cfg *Config, as uint32, extra []capability.Capability) []capability.Capability {
	fams := cfg.Families
	if len(fams) == 0 {
		fams = []wire.Family{wire.IPv4Unicast}
	}
	var caps []capability.Capability
	for _, f := range fams {
		caps = append(caps, capability.Multiprotocol{Family: f})
	}
	if cfg.RouteRefresh {
		caps = append(caps, capability.RouteRefresh{})
	}
	if cfg.ASN4 {
		caps = append(caps, capability.ASN4{ASN: as})
	}
	if len(cfg.AddPath) > 0 {
		caps = append(caps, &capability.AddPath{Families: cfg.AddPath})
	}
	if cfg.ExtendedMessage {
		caps = append(caps, capability.ExtendedMessage{})
	}
	return append(caps, extra...)
}

func familyList(fs []wire.Family) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// timeoutText makes a deadline error readable.
func timeoutText(err error) error {
	if isTimeout(err) {
		return errors.New("timed out")
	}
	if errors.Is(err, io.EOF) {
		return errors.New("the peer closed the connection")
	}
	return err
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

const hexDigits = "0123456789ABCDEF"

func hexString(b []byte) string {
	out := make([]byte, 2*len(b))
	for i, x := range b {
		out[2*i], out[2*i+1] = hexDigits[x>>4], hexDigits[x&15]
	}
	return string(out)
}

// summary logs what went through the session.
func (s *session) summary() {
	st := &s.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	s.log.Info("session summary", "received", st.recv, "updates", st.recvUpdates-st.recvEOR,
		"eor", st.recvEOR, "keepalives", st.recvKA, "sent", st.sent, "sent-updates", st.sentUpdates)
}

// markClosed flushes what was written (the NOTIFICATION just sent) and
// lets nothing more out.
func (s *session) markClosed() {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.bw.Flush()
	s.closed = true
}

func (s *session) isClosed() bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.closed
}
