package reactor

import (
	"encoding/binary"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/bgp/wire/message"
)

// current returns c's track when c is still its connection (s.mu held).
func (s *Session) current(c *conn) *track {
	if c.dead || !s.live(c.t) || c.t.c != c {
		return nil
	}
	return c.t
}

// headerError ends c with the Message Header Error of err (reader).
func (s *Session) headerError(c *conn, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.current(c)
	if t == nil {
		return
	}
	s.log.Warn("bad message header", "error", err.Error(), "remote", c.remote.String())
	s.step(t, fsm.Input{Event: fsm.BGPHeaderErr, Notification: notifyOf(err, wire.NotifyHeader)}, nil)
}

// connFailed reports c closed or broken (reader).
func (s *Session) connFailed(c *conn, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.current(c)
	if t == nil {
		return
	}
	t.ioErr = err
	s.drop(t)
	s.step(t, fsm.Input{Event: fsm.TCPConnectionFails}, nil)
}

// notifyOf returns the NOTIFICATION of a *wire.NotifyError, or code/0.
func notifyOf(err error, code wire.NotifyCode) message.Notification {
	if ne, ok := wire.AsNotify(err); ok {
		return message.FromError(ne)
	}
	return message.Notification{Code: code}
}

// receive handles one whole message read on c and reports whether c is
// still to be read (reader; msg is valid only during the call). An UPDATE
// the machine delivers goes to the handler after s.mu is released: a
// handler that waits (a hub subscriber that takes nothing) holds back the
// reading of this connection, not the session's timers and keepalives.
func (s *Session) receive(c *conn, typ wire.MsgType, msg []byte) bool {
	s.mu.Lock()
	ok := s.receiveLocked(c, typ, msg)
	deliver := c.deliver
	if deliver {
		c.deliver = false
		c.delivering.Store(true)
	}
	s.mu.Unlock()
	if deliver {
		s.h.SessionUpdate(s, msg, &c.verdict)
		c.delivering.Store(false)
	}
	return ok
}

// receiveLocked is receive under s.mu.
func (s *Session) receiveLocked(c *conn, typ wire.MsgType, msg []byte) bool {
	t := s.current(c)
	if t == nil {
		return false
	}
	s.ctr.in[typ].Add(1)
	s.ctr.inBytes.Add(uint64(len(msg)))
	body := msg[wire.HeaderLen:]
	switch typ {
	case wire.MsgUpdate:
		s.update(t, c, msg)
	case wire.MsgKeepalive:
		s.step(t, fsm.Input{Event: fsm.KeepAliveMsg}, nil)
	case wire.MsgOpen:
		s.open(t, body)
	case wire.MsgNotification:
		n, err := message.ParseNotification(body)
		if err != nil { // cannot happen past ParseHeader: a body of 2 octets at least
			n = message.Notification{Code: wire.NotifyHeader, Subcode: wire.HeaderBadLength}
		}
		ev := fsm.NotifMsg
		if n.Code == wire.NotifyOpen && n.Subcode == wire.OpenUnsupportedVersion {
			ev = fsm.NotifMsgVerErr
		}
		s.log.Warn("notification received", "notification", n.String())
		s.setLastNotification("received " + n.String())
		s.h.SessionNotification(s, false, n)
		s.step(t, fsm.Input{Event: ev, Notification: n}, nil)
	case wire.MsgRouteRefresh:
		s.routeRefresh(t, msg)
	}
	return s.current(c) != nil
}

// update checks an UPDATE's framing, the errors that RFC 7606 answers
// with a session reset (attr.CheckUpdate) and the families (RFC 4760 §7),
// then feeds it to the machine, which delivers it in Established. The
// other RFC 7606 actions (treat-as-withdraw, attribute discard) are the
// handler's: it gets those UPDATEs with the verdict (c.verdict), so that
// the check runs once.
func (s *Session) update(t *track, c *conn, msg []byte) {
	if t.open != nil {
		u, err := wire.ParseUpdateMessage(msg, c.recv)
		if err != nil {
			s.log.Warn("malformed update", "error", err.Error())
			s.step(t, fsm.Input{Event: fsm.UpdateMsgErr, Notification: notifyOf(err, wire.NotifyUpdate)}, nil)
			return
		}
		c.verdict = attr.CheckUpdate(&u)
		if v := &c.verdict; v.Action == attr.ActionSessionReset {
			s.log.Warn("malformed update", "error", v.Reason)
			s.step(t, fsm.Input{Event: fsm.UpdateMsgErr, Notification: message.FromError(v.Notify)}, nil)
			return
		}
		for _, code := range [2]wire.AttrCode{wire.AttrMPReach, wire.AttrMPUnreach} {
			a, ok := u.Attr(code)
			if !ok || len(a.Value) < 3 {
				continue
			}
			f := wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(a.Value)), SAFI: wire.SAFI(a.Value[2])}
			if _, ne := t.open.CheckFamily(f, a.Raw); ne != nil {
				s.log.Warn("update for a family not negotiated", "family", f.String())
				s.step(t, fsm.Input{Event: fsm.UpdateMsgErr, Notification: message.FromError(ne)}, nil)
				return
			}
		}
	}
	s.step(t, fsm.Input{Event: fsm.UpdateMsg}, msg)
}

// open checks a received OPEN, resolves a collision with the other
// connection, and feeds the result to the machine.
func (s *Session) open(t *track, body []byte) {
	o, err := message.ParseOpen(body)
	var sess fsm.Session
	if err == nil {
		sess, err = t.m.Config().CheckOpen(o)
	}
	if err != nil {
		s.log.Warn("open refused", "error", err.Error())
		s.step(t, fsm.Input{Event: fsm.BGPOpenMsgErr, Notification: notifyOf(err, wire.NotifyOpen)}, nil)
		return
	}
	other := s.st.main
	if t == s.st.main {
		other = s.st.second
	}
	if other != nil && other.m.State() != fsm.Idle && t.m.State() < fsm.OpenConfirm {
		v := fsm.Resolve(fsm.Collision{
			LocalID: s.cfg.RouterID, RemoteID: sess.PeerID, LocalAS: s.cfg.LocalAS, RemoteAS: sess.PeerAS,
			Existing: other.m.State(), ExistingDir: other.dir(),
		})
		switch v {
		case fsm.CloseNew:
			s.log.Info("connection collision", "closed", t.dir().String())
			s.step(t, fsm.Input{Event: fsm.OpenCollisionDump}, nil)
			return
		case fsm.CloseExisting:
			s.log.Info("connection collision", "closed", other.dir().String())
			s.step(other, fsm.Input{Event: fsm.OpenCollisionDump}, nil)
		}
	}
	if t == s.st.second && s.st.main.c == nil {
		s.promote() // the main machine has no connection left
	}
	if !s.live(t) || t.c == nil {
		return
	}
	t.open = &sess
	t.c.recv = sess.Negotiated.Recv
	s.step(t, fsm.Input{Event: fsm.BGPOpen, Session: &sess}, nil)
}

// routeRefresh delivers a ROUTE-REFRESH in Established; a malformed one
// gets ROUTE-REFRESH Message Error (RFC 7313 §5).
func (s *Session) routeRefresh(t *track, msg []byte) {
	if t.m.State() != fsm.Established {
		s.log.Warn("route-refresh outside established ignored", "state", t.m.State().String())
		return
	}
	if _, err := message.ParseRouteRefresh(msg[wire.HeaderLen:]); err != nil {
		s.log.Warn("malformed route-refresh", "error", err.Error())
		s.step(t, fsm.Input{Event: fsm.UpdateMsgErr, Notification: notifyOf(err, wire.NotifyRouteRefresh)}, nil)
		return
	}
	s.h.SessionRouteRefresh(s, msg)
}
