package reactor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"syscall"
)

func listen(addr netip.AddrPort, lookup func(remote netip.Addr) *Session, opts ListenOptions) (*Listener, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return control(rc, func(fd int) error {
			if err := setMD5(fd, md5Placeholder(addr.Addr()), "ze"); err != nil {
				return err
			}
			if err := setTTL255(fd); err != nil {
				return err
			}
			for peer, key := range opts.MD5 {
				if key == "" {
					continue
				}
				if err := setMD5(fd, peer, key); err != nil {
					return err
				}
			}
			return nil
		})
	}}
	network := "tcp4"
	if addr.Addr().Is6() {
		network = "tcp6"
		if addr.Addr().IsUnspecified() {
			network = "tcp" // dual stack: IPv4 peers arrive IPv4-mapped
		}
	}
	ln, err := lc.Listen(context.Background(), network, addr.String())
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	l := &Listener{ln: ln.(*net.TCPListener), lookup: lookup, log: log.With("listen", addr.String())}
	go l.serve()
	return l, nil
}

// serve accepts until Close.
func (l *Listener) serve() {
	for {
		nc, err := l.ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			l.log.Warn("accept failed", "error", err.Error())
			continue
		}
		remote := addrPortOf(nc.RemoteAddr())
		s := l.lookup(remote.Addr())
		if s == nil {
			l.log.Info("connection from an unknown peer refused", "remote", remote.String())
			_ = nc.Close()
			continue
		}
		if !s.Accept(nc) {
			l.log.Info("connection refused by the session", "remote", remote.String(), "state", s.State().String())
		}
	}
}

func (l *Listener) setMD5(peer netip.Addr, key string) error {
	rc, err := l.ln.SyscallConn()
	if err != nil {
		return err
	}
	return control(rc, func(fd int) error { return setMD5(fd, peer, key) })
}

// md5Placeholder is the address of a key every listening socket gets
// before listen(2): Linux refuses the first TCP_MD5SIG key on a socket
// that already listens (ENOPROTOOPT) but accepts more once it has one, so
// SetMD5 works later. No peer has the address: the IPv4 broadcast address,
// or an IPv6 discard-only address (RFC 6666).
func md5Placeholder(listen netip.Addr) netip.Addr {
	if listen.Is4() {
		return netip.AddrFrom4([4]byte{255, 255, 255, 255})
	}
	return netip.MustParseAddr("100::1")
}
