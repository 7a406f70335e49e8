package peer

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
)

// onceConn is a net.Conn that reads b once, then io.EOF; writes are kept.
type onceConn struct {
	net.Conn
	b       []byte
	written []byte
}

func (c *onceConn) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.b)
	c.b = c.b[n:]
	return n, nil
}

func (c *onceConn) Write(p []byte) (int, error) {
	c.written = append(c.written, p...)
	return len(p), nil
}

func (c *onceConn) SetReadDeadline(time.Time) error { return nil }

// FuzzReceive feeds any bytes to an established session, as the sink and
// check modes read them: no input may panic, and a fault found in the
// input must end in a NOTIFICATION on the wire.
func FuzzReceive(f *testing.F) {
	for _, p := range corpusScripts(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		s, err := ParseScript(b)
		if err != nil {
			continue
		}
		var stream []byte
		for _, c := range s.Conns {
			for _, g := range c.Groups {
				for _, it := range g.Items {
					stream = append(stream, it.Raw...)
				}
			}
		}
		f.Add(stream, false)
	}
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x13\x09"), true)
	f.Fuzz(func(t *testing.T, b []byte, addPath bool) {
		cfg := &Config{Mode: ModeSink, ASN4: true}
		conn := &onceConn{b: b}
		s := newSession(cfg, conn, slog.New(slog.NewTextHandler(io.Discard, nil)))
		caps := []capability.Capability{capability.ASN4{ASN: 65001}}
		if addPath {
			ap := &capability.AddPath{Families: []capability.AddPathFamily{{Family: wire.IPv4Unicast, Mode: capability.AddPathBoth}}}
			caps = append(caps, ap)
		}
		s.neg = capability.Negotiate(caps, caps)
		out := &printer{w: io.Discard}
		s.print = out.message
		h := &sinkHandler{cfg: cfg}
		chk := &checkHandler{cfg: cfg, out: out, log: s.log, ctx: s.neg.Recv,
			script: &Script{Conns: []*Conn{{Name: 'A', Groups: []*Group{{Seq: 1, Items: []*Item{{Kind: ItemAnnounce}}}}, Prefixes: true}}}}
		for {
			msg, err := s.readMsg()
			if err != nil {
				var sn *sentNotification
				if errors.As(err, &sn) && len(conn.written) == 0 {
					t.Fatal("a fault without a NOTIFICATION sent")
				}
				return
			}
			m, err := s.checkMsg(msg)
			if err != nil {
				var sn *sentNotification
				if errors.As(err, &sn) && len(conn.written) == 0 {
					t.Fatal("a fault without a NOTIFICATION sent")
				}
				return
			}
			if err := h.received(s, msg, m); err != nil {
				return
			}
			_ = chk.match(s, msg)
			_, _ = prefixEvents(msg, s.neg.Recv)
		}
	})
}
