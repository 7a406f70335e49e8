package peer

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire/capability"
)

// streamConn is a net.Conn whose reads repeat one message forever and
// whose writes are dropped.
type streamConn struct {
	net.Conn
	msg []byte
	off int
}

func (c *streamConn) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], c.msg[c.off:])
		n += k
		c.off = (c.off + k) % len(c.msg)
	}
	return n, nil
}

func (c *streamConn) Write(p []byte) (int, error)     { return len(p), nil }
func (c *streamConn) SetReadDeadline(time.Time) error { return nil }

func benchSession(b *testing.B, msg []byte) *session {
	b.Helper()
	cfg := &Config{Mode: ModeSink, ASN4: true}
	s := newSession(cfg, &streamConn{msg: msg}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	caps := []capability.Capability{capability.ASN4{ASN: 65001}}
	s.neg = capability.Negotiate(caps, caps)
	return s
}

// BenchmarkSinkReceive is the sink's path for one UPDATE: read, header and
// RFC 7606 checks, counting.
func BenchmarkSinkReceive(b *testing.B) {
	msg, err := decodeHex(upd1)
	if err != nil {
		b.Fatal(err)
	}
	s := benchSession(b, msg)
	h := &sinkHandler{cfg: s.cfg}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		m, err := s.readMsg()
		if err != nil {
			b.Fatal(err)
		}
		pm, err := s.checkMsg(m)
		if err != nil {
			b.Fatal(err)
		}
		if err := h.received(s, m, pm); err != nil {
			b.Fatal(err)
		}
	}
	if h.updates == 0 {
		b.Fatal("nothing counted")
	}
}

// BenchmarkReplaySend is the replay path for one message.
func BenchmarkReplaySend(b *testing.B) {
	msg, err := decodeHex(upd1)
	if err != nil {
		b.Fatal(err)
	}
	s := benchSession(b, msg)
	h := &replayHandler{cfg: s.cfg}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := h.sendOne(s, msg); err != nil {
			b.Fatal(err)
		}
	}
}
