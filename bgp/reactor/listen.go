package reactor

import (
	"log/slog"
	"net"
	"net/netip"
)

// ListenOptions configure a Listener.
type ListenOptions struct {
	// Logger gets the listener's logs; nil is slog.Default().
	Logger *slog.Logger
	// MD5 are the TCP MD5 keys (RFC 2385) per peer address, set on the
	// listening socket before it accepts; SetMD5 changes them later.
	MD5 map[netip.Addr]string
}

// Listener accepts BGP connections on one address and hands each to the
// Session that lookup returns for the remote address; connections from
// unknown addresses are closed at once.
type Listener struct {
	ln     *net.TCPListener
	lookup func(remote netip.Addr) *Session
	log    *slog.Logger
}

// Listen listens on addr (port 0 picks one; see Addr) and serves until
// Close. lookup is called from the accept goroutine.
func Listen(addr netip.AddrPort, lookup func(remote netip.Addr) *Session, opts ListenOptions) (*Listener, error) {
	return listen(addr, lookup, opts)
}

// Addr returns the address the listener is bound to.
func (l *Listener) Addr() netip.AddrPort {
	return l.ln.Addr().(*net.TCPAddr).AddrPort()
}

// SetMD5 sets (or with an empty key, removes) the TCP MD5 key for
// connections from peer on the listening socket (RFC 2385).
func (l *Listener) SetMD5(peer netip.Addr, key string) error { return l.setMD5(peer, key) }

// Close stops accepting; sessions keep their connections.
func (l *Listener) Close() error { return l.ln.Close() }
