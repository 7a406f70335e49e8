//go:build !linux

package reactor

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
)

// errNoSockopt: TCP MD5 and GTSM are implemented for Linux only.
var errNoSockopt = errors.New("session: tcp md5 and gtsm need linux")

func setMD5(_ int, _ netip.Addr, key string) error {
	if key == "" {
		return nil
	}
	return errNoSockopt
}

func setTTLSecurity(int, int) error { return errNoSockopt }

func setTTL255(int) error { return nil }

func control(rc syscall.RawConn, f func(fd int) error) error {
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

func getTTLs(int) (int, int, error) { return 0, 0, errNoSockopt }

func (s *Session) controlSocket(_, _ string, rc syscall.RawConn) error {
	if s.cfg.MD5Password != "" || s.cfg.TTLSecurity > 0 {
		return errNoSockopt
	}
	return nil
}

func (s *Session) secureAccepted(net.Conn) error {
	if s.cfg.TTLSecurity > 0 {
		return errNoSockopt
	}
	return nil
}
