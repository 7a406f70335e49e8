//go:build linux

package reactor

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// setMD5 sets (key non-empty) or deletes (key empty) the TCP MD5 signature
// key for peer on the socket fd (RFC 2385, Linux TCP_MD5SIG). On an IPv6
// socket an IPv4 peer is given as its IPv4-mapped address, which Linux
// stores as an IPv4 key.
func setMD5(fd int, peer netip.Addr, key string) error {
	if len(key) > unix.TCP_MD5SIG_MAXKEYLEN {
		return fmt.Errorf("session: md5 key longer than %d bytes", unix.TCP_MD5SIG_MAXKEYLEN)
	}
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return fmt.Errorf("session: md5: socket domain: %w", err)
	}
	var sig unix.TCPMD5Sig
	sa := (*[unsafe.Sizeof(sig.Addr)]byte)(unsafe.Pointer(&sig.Addr))
	peer = peer.Unmap()
	switch {
	case domain == unix.AF_INET && peer.Is4():
		binary.NativeEndian.PutUint16(sa[0:2], unix.AF_INET)
		a := peer.As4()
		copy(sa[4:8], a[:]) // sockaddr_in: family, port, addr
	case domain == unix.AF_INET6:
		binary.NativeEndian.PutUint16(sa[0:2], unix.AF_INET6)
		a := peer.As16()     // an IPv4 peer becomes ::ffff:a.b.c.d
		copy(sa[8:24], a[:]) // sockaddr_in6: family, port, flowinfo, addr
	default:
		return fmt.Errorf("session: md5: peer %v on an IPv4 socket", peer)
	}
	sig.Keylen = uint16(len(key))
	copy(sig.Key[:], key)
	if err := unix.SetsockoptTCPMD5Sig(fd, unix.IPPROTO_TCP, unix.TCP_MD5SIG, &sig); err != nil {
		if key == "" && err == unix.ENOENT {
			return nil // no key to delete
		}
		return fmt.Errorf("session: md5 key for %v: %w", peer, err)
	}
	return nil
}

// setTTLSecurity applies GTSM (RFC 5082 §3) to the socket: outgoing
// packets carry TTL (hop limit) 255, incoming ones must have at least
// 256-hops. The IPv4 options are set on an IPv6 socket too, for IPv4-mapped
// peers.
func setTTLSecurity(fd int, hops int) error {
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return fmt.Errorf("session: gtsm: socket domain: %w", err)
	}
	minTTL := 256 - hops
	if domain == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, 255); err != nil {
			return fmt.Errorf("session: gtsm: IPV6_UNICAST_HOPS: %w", err)
		}
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MINHOPCOUNT, minTTL); err != nil {
			return fmt.Errorf("session: gtsm: IPV6_MINHOPCOUNT: %w", err)
		}
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL, 255); err != nil && domain == unix.AF_INET {
		return fmt.Errorf("session: gtsm: IP_TTL: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MINTTL, minTTL); err != nil && domain == unix.AF_INET {
		return fmt.Errorf("session: gtsm: IP_MINTTL: %w", err)
	}
	return nil
}

// setTTL255 makes the socket send with TTL (hop limit) 255. Listening
// sockets get it so that the SYN-ACK to a GTSM peer passes the peer's
// minimum TTL (RFC 5082 §3); a higher TTL harms no other peer.
func setTTL255(fd int) error {
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return fmt.Errorf("session: ttl: socket domain: %w", err)
	}
	if domain == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, 255); err != nil {
			return fmt.Errorf("session: IPV6_UNICAST_HOPS: %w", err)
		}
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL, 255); err != nil && domain == unix.AF_INET {
		return fmt.Errorf("session: IP_TTL: %w", err)
	}
	return nil
}

// control runs f on the socket of rc and returns the first error.
func control(rc syscall.RawConn, f func(fd int) error) error {
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// getTTLs returns the socket's unicast TTL and minimum TTL, for tests.
func getTTLs(fd int) (ttl, minTTL int, err error) {
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return 0, 0, err
	}
	if domain == unix.AF_INET6 {
		if ttl, err = unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS); err != nil {
			return 0, 0, err
		}
		minTTL, err = unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MINHOPCOUNT)
		return ttl, minTTL, err
	}
	if ttl, err = unix.GetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL); err != nil {
		return 0, 0, err
	}
	minTTL, err = unix.GetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MINTTL)
	return ttl, minTTL, err
}

// controlSocket prepares an outgoing socket before connect: address reuse
// for a fixed local port, the MD5 key and GTSM.
func (s *Session) controlSocket(_, _ string, rc syscall.RawConn) error {
	return control(rc, func(fd int) error {
		if s.cfg.Local.Port() != 0 {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
				return fmt.Errorf("session: SO_REUSEADDR: %w", err)
			}
		}
		if s.cfg.MD5Password != "" {
			if err := setMD5(fd, s.cfg.Peer.Addr(), s.cfg.MD5Password); err != nil {
				return err
			}
		}
		if s.cfg.TTLSecurity > 0 {
			return setTTLSecurity(fd, s.cfg.TTLSecurity)
		}
		return nil
	})
}

// secureAccepted applies GTSM to an accepted connection (the MD5 key was
// checked by the kernel against the listener's).
func (s *Session) secureAccepted(nc net.Conn) error {
	if s.cfg.TTLSecurity == 0 {
		return nil
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return fmt.Errorf("session: gtsm: %T has no socket", nc)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	return control(rc, func(fd int) error { return setTTLSecurity(fd, s.cfg.TTLSecurity) })
}
