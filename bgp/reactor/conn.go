package reactor

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/bgp/wire/message"
)

// track is one FSM machine of a session and its connection: the main one,
// which lives as long as the session, or a second one for an incoming
// connection that collides with the main one (RFC 4271 §6.8). All fields
// are guarded by Session.mu.
type track struct {
	m      *fsm.Machine
	timers fsm.Timers
	c      *conn // nil when the machine has no connection
	// dialGen tells the result of the current dial from abandoned ones.
	dialGen    uint64
	dialCancel func()
	// open is the peer's OPEN as CheckOpen accepted it.
	open *fsm.Session
	// fixActive: this machine was started passive for an incoming
	// connection and promoted to main; its automatic restart must dial.
	fixActive bool
	// ioErr is the last connection error, for the down reason.
	ioErr error
}

// dir returns the direction of the track's connection (Outgoing while a
// dial is in flight).
func (t *track) dir() fsm.Direction {
	if t.c != nil {
		return t.c.dir
	}
	return fsm.Outgoing
}

// Write progress flags a writer leaves for the session loop.
const (
	progressWrite  = 1
	progressUpdate = 2
)

// conn is one TCP connection: a reader goroutine and a writer goroutine.
type conn struct {
	s      *Session
	t      *track // guarded by s.mu; fixed at creation
	nc     net.Conn
	dir    fsm.Direction
	local  netip.AddrPort
	remote netip.AddrPort
	w      *writer
	// maxLen is the largest message accepted: 4096, or 65535 once
	// extended message is negotiated.
	maxLen atomic.Int32
	// progress is set by the writer (progressWrite|progressUpdate) and
	// consumed by the session loop as WriteProgress and UpdateSent.
	progress atomic.Uint32
	// recv decodes the peer's UPDATEs once the OPEN is accepted (s.mu).
	recv *wire.EncodingContext
	dead bool // s.mu: dropped, nothing more is read

	// verdict is the RFC 7606 verdict of the UPDATE the reader handles
	// (reader only: set under s.mu, read by the handler after).
	verdict attr.Verdict
	// deliver is set (s.mu) when the step of the UPDATE just read asks
	// to deliver it; the reader then calls SessionUpdate without s.mu.
	deliver bool
	// delivering is set while the reader is in SessionUpdate: the peer's
	// messages wait unread (back-pressure), so the loop restarts the
	// HoldTimer rather than let it expire on a peer that is not at fault.
	delivering atomic.Bool
}

func newConn(s *Session, t *track, nc net.Conn, dir fsm.Direction) *conn {
	c := &conn{s: s, t: t, nc: nc, dir: dir, local: addrPortOf(nc.LocalAddr()), remote: addrPortOf(nc.RemoteAddr())}
	c.maxLen.Store(wire.MaxMsgLen)
	c.w = newWriter(c, s.queueLimit())
	return c
}

// run starts the connection's reader and writer.
func (c *conn) run() {
	go c.w.run()
	go c.read()
}

func addrPortOf(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
		ap := ta.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

// read is the connection's reader: it reads into a pooled buffer (4096
// bytes, 65535 once extended message is negotiated), cuts whole messages
// and hands each to the session while it still owns the buffer. A header
// error ends the connection with the NOTIFICATION RFC 4271 §6.1 names.
func (c *conn) read() {
	bp := wire.GetBuf(wire.MaxMsgLen)
	defer func() { wire.PutBuf(bp) }()
	buf := *bp
	n := 0
	for {
		off := 0
		for n-off >= wire.HeaderLen {
			h, err := wire.ParseHeader(buf[off:n], int(c.maxLen.Load()))
			if err != nil {
				c.s.headerError(c, err)
				return
			}
			l := int(h.Length)
			if n-off < l {
				break
			}
			if !c.s.receive(c, h.Type, buf[off:off+l]) {
				return
			}
			off += l
		}
		if off > 0 {
			n = copy(buf, buf[off:n])
		}
		if m := int(c.maxLen.Load()); m > len(buf) {
			nb := wire.GetBuf(m)
			copy(*nb, buf[:n])
			wire.PutBuf(bp)
			bp, buf = nb, *nb
		}
		k, err := c.nc.Read(buf[n:])
		n += k
		if err != nil && k == 0 {
			c.s.connFailed(c, err)
			return
		}
	}
}

// keepaliveMsg is a KEEPALIVE (RFC 4271 §4.4).
var keepaliveMsg = func() []byte {
	b := make([]byte, message.KeepaliveLen)
	message.WriteKeepalive(b, 0)
	return b
}()

// msgType returns the type of the message at b[p:] and its length.
func msgAt(b []byte, p int) (wire.MsgType, int) {
	return wire.MsgType(b[p+18]), int(binary.BigEndian.Uint16(b[p+16 : p+18]))
}

// cloneNotification copies n's data out of a pooled buffer.
func cloneNotification(n message.Notification) *message.Notification {
	n.Data = bytes.Clone(n.Data)
	return &n
}
