//go:build !linux

package peer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

func listen(cfg *Config) (net.Listener, error) {
	if cfg.MD5 != "" {
		return nil, errors.New("--md5 is only supported on Linux")
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	return ln, nil
}

func dial(ctx context.Context, cfg *Config, addr string, deadline time.Time) (net.Conn, error) {
	if cfg.MD5 != "" {
		return nil, errors.New("--md5 is only supported on Linux")
	}
	d := net.Dialer{Deadline: deadline}
	if cfg.Local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(cfg.Local)}
	}
	return d.DialContext(ctx, "tcp", addr)
}
