package peer

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// listen opens the listening socket, with the TCP MD5 key of --md5 for any
// peer address (RFC 2385; TCP_MD5SIG_EXT with a zero-length prefix).
func listen(cfg *Config) (net.Listener, error) {
	lc := net.ListenConfig{}
	if cfg.MD5 != "" {
		ap, err := netip.ParseAddrPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("--listen: %w", err)
		}
		lc.Control = func(_, _ string, c syscall.RawConn) error {
			return setMD5(c, netip.IPv6Unspecified(), ap.Addr().Is4(), 0, cfg.MD5)
		}
	}
	ln, err := lc.Listen(context.Background(), "tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	return ln, nil
}

// dial connects to addr, with the TCP MD5 key of --md5 for that address.
func dial(ctx context.Context, cfg *Config, addr string, deadline time.Time) (net.Conn, error) {
	d := net.Dialer{Deadline: deadline}
	if cfg.Local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(cfg.Local)}
	}
	if cfg.MD5 != "" {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return nil, fmt.Errorf("--connect: %w", err)
		}
		d.Control = func(_, _ string, c syscall.RawConn) error {
			a := ap.Addr().Unmap()
			return setMD5(c, a, a.Is4(), a.BitLen(), cfg.MD5)
		}
	}
	return d.DialContext(ctx, "tcp", addr)
}

// setMD5 installs key for peers in addr/bits on the socket.
func setMD5(c syscall.RawConn, addr netip.Addr, v4 bool, bits int, key string) error {
	sig := unix.TCPMD5Sig{Keylen: uint16(len(key)), Flags: unix.TCP_MD5SIG_FLAG_PREFIX, Prefixlen: uint8(bits)}
	copy(sig.Key[:], key)
	raw := (*[unsafe.Sizeof(sig.Addr)]byte)(unsafe.Pointer(&sig.Addr))
	if v4 {
		// struct sockaddr_in: family, port, address.
		binary.NativeEndian.PutUint16(raw[0:2], unix.AF_INET)
		a := addr.Unmap()
		if a.Is4() {
			b := a.As4()
			copy(raw[4:8], b[:])
		}
	} else {
		// struct sockaddr_in6: family, port, flowinfo, address.
		binary.NativeEndian.PutUint16(raw[0:2], unix.AF_INET6)
		b := addr.As16()
		copy(raw[8:24], b[:])
	}
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptTCPMD5Sig(int(fd), unix.IPPROTO_TCP, unix.TCP_MD5SIG_EXT, &sig)
	})
	if err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("--md5: setting TCP_MD5SIG: %w", serr)
	}
	return nil
}
