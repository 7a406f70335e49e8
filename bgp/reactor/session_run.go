package reactor

import (
	"context"
	"log/slog"
	"net"

	"github.com/zebgp/ze/bgp/fsm"
)

// sessionState is the mutable part of a Session, guarded by Session.mu.
type sessionState struct {
	stopped bool
}

func newSession(cfg SessionConfig, h Handler, opts SessionOptions) *Session {
	if cfg.Peer.Port() == 0 {
		cfg.Peer = netipAddrPort(cfg.Peer.Addr(), bgpPort)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Session{cfg: cfg, h: h, opts: opts, log: log}
}

func (s *Session) start() error { return nil }

func (s *Session) stop(ctx context.Context, code, subcode uint8, msg string) error {
	_ = ctx
	return nil
}

func (s *Session) reset(msg string) {}

func (s *Session) send(ctx context.Context, msg []byte) error { return ErrNotEstablished }

func (s *Session) accept(c net.Conn) bool {
	_ = c.Close()
	return false
}

func (s *Session) state() fsm.State { return fsm.Idle }

func (s *Session) negotiated() (Negotiated, bool) { return Negotiated{}, false }

func (s *Session) stats() SessionStats { return SessionStats{} }
