package reactor

import (
	"net"
	"net/netip"
)

func listen(addr netip.AddrPort, lookup func(remote netip.Addr) *Session, opts ListenOptions) (*Listener, error) {
	ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(addr))
	if err != nil {
		return nil, err
	}
	return &Listener{ln: ln, lookup: lookup, log: opts.Logger}, nil
}

func (l *Listener) setMD5(peer netip.Addr, key string) error { return nil }

func netipAddrPort(a netip.Addr, port uint16) netip.AddrPort { return netip.AddrPortFrom(a, port) }
