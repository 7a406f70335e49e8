package reactor

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// addrConn is a net.Pipe end with TCP addresses, so that a Session takes it.
type addrConn struct {
	net.Conn
	local, remote net.Addr
}

func (c addrConn) LocalAddr() net.Addr  { return c.local }
func (c addrConn) RemoteAddr() net.Addr { return c.remote }

// notifyHandler records the NOTIFICATIONs a session sends.
type notifyHandler struct {
	countHandler
	sent chan message.Notification
}

func (h *notifyHandler) SessionNotification(_ *Session, sent bool, n message.Notification) {
	if sent {
		select {
		case h.sent <- n:
		default:
		}
	}
}

// FuzzSessionStream feeds arbitrary bytes to an Established session, as
// its peer would send them: the session never panics, and when it ends the
// session for them it sends a NOTIFICATION with a known code.
func FuzzSessionStream(f *testing.F) {
	f.Add(stUpdateMsg(1))
	f.Add(append(stUpdateMsg(1), keepaliveMsg...))
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 21, 3, 6, 2})
	f.Add(stOpenMsg(4, 65002, 90, "2.2.2.2"))
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 23, 5, 0, 1, 0, 1})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 2})
	f.Add([]byte{0, 1, 2, 3})
	local, remote := stIP("127.0.50.1"), stIP("127.0.50.2")
	cfg := stBaseConfig(local, remote, 65001, 65002, "1.1.1.1")
	cfg.Passive = true
	open := stOpenMsg(4, 65002, 90, "2.2.2.2", capability.ASN4{ASN: 65002}, capability.Multiprotocol{Family: wire.IPv4Unicast})
	f.Fuzz(func(t *testing.T, data []byte) {
		h := &notifyHandler{countHandler: countHandler{got: make(chan struct{}, 1), up: make(chan struct{}, 1)},
			sent: make(chan message.Notification, 1)}
		s := NewSession(cfg, h, SessionOptions{Logger: slog.New(slog.DiscardHandler), FlushTimeout: 100 * time.Millisecond})
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = s.Stop(context.Background(), 0, 0, "") }()
		a, b := net.Pipe()
		defer func() { _ = b.Close() }()
		if !s.Accept(addrConn{a, net.TCPAddrFromAddrPort(netip.AddrPortFrom(local, 179)),
			net.TCPAddrFromAddrPort(netip.AddrPortFrom(remote, 40000))}) {
			t.Fatal("pipe not accepted")
		}
		raw := &stRawPeer{t: t, c: b}
		raw.readType(wire.MsgOpen)
		raw.write(open)
		raw.readType(wire.MsgKeepalive)
		raw.write(keepaliveMsg)
		<-h.up
		drained := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, b); close(drained) }()
		_ = b.SetWriteDeadline(time.Now().Add(2 * time.Second))
		_, _ = b.Write(data)
		select {
		case n := <-h.sent:
			if n.Code < wire.NotifyHeader || n.Code > wire.NotifySendHoldTimer {
				t.Errorf("sent notification with code %d", n.Code)
			}
			<-drained // the session closes the connection after it
		case <-time.After(50 * time.Millisecond):
			if st := s.State(); st != fsm.Established && st != fsm.Idle && st != fsm.Active {
				t.Errorf("state %v after the input", st)
			}
		}
	})
}
