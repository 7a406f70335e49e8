package peer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/zebgp/ze/bgp/view"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// checkHandler matches what arrives against a .msg script.
type checkHandler struct {
	cfg    *Config
	out    *printer
	log    *slog.Logger
	script *Script
	ctx    *wire.EncodingContext

	conn    int     // index of the current connection
	group   int     // index of the current group in it
	left    []*Item // expectations of the current group not met yet
	matched int     // expectations met on this connection
	total   int     // expectations met on every connection
	done    bool
}

func newCheck(cfg *Config, out *printer, log *slog.Logger) (*checkHandler, error) {
	text, err := os.ReadFile(cfg.File)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	s, err := ParseScript(text)
	if err != nil {
		return nil, fmt.Errorf("check: %s: %w", cfg.File, err)
	}
	if s.ASN != 0 && cfg.AS == 0 {
		cfg.AS = s.ASN
	}
	return &checkHandler{cfg: cfg, out: out, log: log, script: s}, nil
}

// unknownCapability is what option:open:send-unknown-capability adds to
// our OPEN: a code from the private-use range (RFC 5492 §4) with a value.
var unknownCapability = &capability.Unknown{Type: 0xEE, Value: []byte{0x00, 0x01}}

func (h *checkHandler) setup(i int) ([]byte, []capability.Capability) {
	h.conn = i
	if h.script.SendUnknownCap {
		return nil, []capability.Capability{unknownCapability}
	}
	return nil, nil
}

func (h *checkHandler) hasGoal() bool { return true }
func (h *checkHandler) reached() bool { return h.done }

func (h *checkHandler) established(s *session) error {
	if h.conn >= len(h.script.Conns) {
		return fmt.Errorf("check: the peer opened connection %c but %s names %d connection(s)", 'A'+h.conn, h.cfg.File, len(h.script.Conns))
	}
	h.ctx = s.neg.Recv
	h.group, h.left, h.matched = -1, nil, 0
	if err := h.advance(s); err != nil {
		return err
	}
	if h.script.InspectOpen {
		if err := h.match(s, s.openRaw); err != nil {
			return err
		}
	}
	if h.script.SendDefaultRoute {
		if err := s.write(defaultRoute(s), true); err != nil {
			return err
		}
		s.stats.addSent(1, 1)
	}
	if h.script.SendUnknownMsg {
		var b [wire.HeaderLen]byte
		wire.WriteHeader(b[:], 0, wire.HeaderLen, wire.MsgType(255))
		if err := s.write(b[:], true); err != nil {
			return err
		}
	}
	return nil
}

func (h *checkHandler) cur() *Conn { return h.script.Conns[h.conn] }

// advance enters the next group once the current one is met, running its
// actions; at the end of the connection it returns errNextConn or errGoal.
func (h *checkHandler) advance(s *session) error {
	for len(h.left) == 0 {
		h.group++
		c := h.cur()
		if h.group == len(c.Groups) {
			h.log.Info("check: connection done", "connection", string(c.Name), "matched", h.matched)
			if h.conn+1 < len(h.script.Conns) {
				return errNextConn
			}
			h.done = true
			h.out.line("check: %d message(s) matched on %d connection(s)", h.total, len(h.script.Conns))
			return errGoal
		}
		for _, it := range c.Groups[h.group].Items {
			if !it.Kind.IsAction() {
				h.left = append(h.left, it)
				continue
			}
			if err := h.act(s, it); err != nil {
				return err
			}
			if s.isClosed() {
				h.group = len(c.Groups) - 1
				h.left = nil
			}
		}
	}
	return nil
}

func (h *checkHandler) act(s *session, it *Item) error {
	switch it.Kind {
	case ItemSignal:
		if h.cfg.SignalPID == 0 {
			return fmt.Errorf("check: line %d: signal %s needs --signal-pid", it.Line, it.Text)
		}
		h.log.Info("check: sending signal", "line", it.Line, "signal", it.Text, "pid", h.cfg.SignalPID)
		return sendSignal(h.cfg.SignalPID, it.Text)
	case ItemNotification:
		s.notify(message.NewShutdown(wire.CeaseAdminShutdown, it.Text))
		return nil
	case ItemSend:
		if err := s.write(it.Raw, true); err != nil {
			return err
		}
		upd := 0
		if len(it.Raw) >= wire.HeaderLen && it.Raw[18] == byte(wire.MsgUpdate) {
			upd = 1
		}
		s.stats.addSent(upd, 1)
	}
	return nil
}

func (h *checkHandler) received(s *session, msg []byte, m message.Message) error {
	if h.done || m.Type == wire.MsgKeepalive {
		return nil
	}
	return h.match(s, msg)
}

// match takes one received message off the current group.
func (h *checkHandler) match(s *session, msg []byte) error {
	if !h.cur().Prefixes {
		i := slices.IndexFunc(h.left, func(it *Item) bool { return bytes.Equal(it.Raw, msg) })
		if i < 0 {
			return h.mismatch(msg, "")
		}
		h.take(i)
		return h.advance(s)
	}
	if len(msg) < wire.HeaderLen || msg[18] != byte(wire.MsgUpdate) {
		return h.mismatch(msg, "")
	}
	events, err := prefixEvents(msg, h.ctx)
	if err != nil {
		return h.mismatch(msg, err.Error())
	}
	for _, ev := range events {
		if h.done || h.group >= len(h.cur().Groups) {
			return h.mismatch(msg, "it also "+ev.String()+", after every expected message arrived")
		}
		i := slices.IndexFunc(h.left, func(it *Item) bool { return it.Kind == ev.kind && it.Prefix == ev.prefix })
		if i < 0 {
			return h.mismatch(msg, "unexpected: "+ev.String())
		}
		h.take(i)
		if err := h.advance(s); err != nil {
			return err
		}
	}
	return nil
}

func (h *checkHandler) take(i int) {
	h.left = slices.Delete(h.left, i, i+1)
	h.matched++
	h.total++
}

// CheckError is the failure of check: what arrived next to what was
// expected.
type CheckError struct{ Text string }

func (e *CheckError) Error() string { return e.Text }

func (h *checkHandler) mismatch(msg []byte, detail string) error {
	var b strings.Builder
	c := h.cur()
	fmt.Fprintf(&b, "check: connection %c: unexpected message after %d matched\n", c.Name, h.matched)
	if detail != "" {
		fmt.Fprintf(&b, "  %s\n", detail)
	}
	b.WriteString("  received:\n")
	h.show(&b, "    ", msg)
	h.expected(&b)
	return &CheckError{Text: strings.TrimRight(b.String(), "\n")}
}

// expected describes the current group.
func (h *checkHandler) expected(b *strings.Builder) {
	c := h.cur()
	if h.group < 0 || h.group >= len(c.Groups) {
		return
	}
	g := c.Groups[h.group]
	if len(h.left) > 1 {
		fmt.Fprintf(b, "  expected one of (group %d, any order):\n", g.Seq)
	} else {
		fmt.Fprintf(b, "  expected (group %d):\n", g.Seq)
	}
	for _, it := range h.left {
		if it.Kind == ItemRaw {
			fmt.Fprintf(b, "    line %d:\n", it.Line)
			h.show(b, "      ", it.Raw)
			continue
		}
		fmt.Fprintf(b, "    line %d: %s %s\n", it.Line, it.Kind, it.Prefix)
	}
}

// show writes a message in hex and as JSON.
func (h *checkHandler) show(b *strings.Builder, indent string, msg []byte) {
	w := view.W{}
	_ = view.AppendMessageJSON(&w, msg, h.ctx)
	fmt.Fprintf(b, "%s%s\n%s%s\n", indent, hexString(msg), indent, w.B)
}

func (h *checkHandler) progress() string {
	if h.conn >= len(h.script.Conns) || h.group < 0 {
		return fmt.Sprintf("check: %d message(s) matched before connection %c", h.total, 'A'+h.conn)
	}
	var b strings.Builder
	c := h.cur()
	fmt.Fprintf(&b, "check: connection %c: %d of %d expected message(s) matched\n", c.Name, h.matched, c.Expected())
	h.expected(&b)
	return strings.TrimRight(b.String(), "\n")
}

// prefixEvent is one prefix announced or withdrawn by an UPDATE.
type prefixEvent struct {
	kind   ItemKind
	prefix netip.Prefix
	family wire.Family
	raw    []byte // NLRI of a family without prefixes
}

func (e prefixEvent) String() string {
	if e.prefix.IsValid() {
		return e.kind.String() + " " + e.prefix.String()
	}
	return fmt.Sprintf("%s %s %s", e.kind, e.family, hexString(e.raw))
}

// prefixEvents lists what an UPDATE announces and withdraws, prefix by
// prefix (path identifiers are dropped).
func prefixEvents(msg []byte, ctx *wire.EncodingContext) ([]prefixEvent, error) {
	u, err := wire.ParseUpdateMessage(msg, ctx)
	if err != nil {
		return nil, err
	}
	var out []prefixEvent
	add := func(kind ItemKind, it wire.NLRIIter) error {
		f := it.Family()
		for n, ok := it.Next(); ok; n, ok = it.Next() {
			ev := prefixEvent{kind: kind, family: f}
			if (f.AFI == wire.AFIIPv4 || f.AFI == wire.AFIIPv6) && (f.SAFI == wire.SAFIUnicast || f.SAFI == wire.SAFIMulticast) {
				p, err := wire.PrefixFromNLRI(n.Bytes, f.AFI == wire.AFIIPv6)
				if err != nil {
					return err
				}
				ev.prefix = p
			} else {
				ev.raw = n.Bytes
			}
			out = append(out, ev)
		}
		return it.Err()
	}
	if err := add(ItemWithdraw, u.WithdrawnIter()); err != nil {
		return nil, err
	}
	if mu, ok, err := u.MPUnreach(); err != nil {
		return nil, err
	} else if ok {
		if err := add(ItemWithdraw, mu.Iter(ctx)); err != nil {
			return nil, err
		}
	}
	if mr, ok, err := u.MPReach(); err != nil {
		return nil, err
	} else if ok {
		if err := add(ItemAnnounce, mr.Iter(ctx)); err != nil {
			return nil, err
		}
	}
	if err := add(ItemAnnounce, u.NLRIIter()); err != nil {
		return nil, err
	}
	return out, nil
}

// defaultRoute builds the UPDATE of option:update:send-default-route:
// 0.0.0.0/0, ORIGIN IGP, our AS in the path on an eBGP session, the local
// address as next hop, LOCAL_PREF 100 on an iBGP one.
func defaultRoute(s *session) []byte {
	ibgp := s.cfg.AS == 0 || s.cfg.AS == s.peerOpen.AS()
	nh := s.cfg.ID.As4()
	if a, ok := s.conn.LocalAddr().(*net.TCPAddr); ok {
		if ip := a.AddrPort().Addr().Unmap(); ip.Is4() {
			nh = ip.As4()
		}
	}
	b := make([]byte, wire.HeaderLen, 64)
	b = append(b, 0, 0, 0, 0) // no withdrawn routes, attribute length backfilled
	attrStart := len(b)
	b = append(b, 0x40, 0x01, 0x01, 0x00) // ORIGIN IGP
	switch {
	case ibgp:
		b = append(b, 0x40, 0x02, 0x00)
	case s.sendCtx().ASN4:
		b = append(b, 0x40, 0x02, 0x06, 0x02, 0x01)
		b = binary.BigEndian.AppendUint32(b, s.cfg.AS)
	default:
		as := uint16(message.ASTrans)
		if s.cfg.AS <= 0xFFFF {
			as = uint16(s.cfg.AS)
		}
		b = append(b, 0x40, 0x02, 0x04, 0x02, 0x01)
		b = binary.BigEndian.AppendUint16(b, as)
	}
	b = append(b, 0x40, 0x03, 0x04)
	b = append(b, nh[:]...)
	if ibgp {
		b = append(b, 0x40, 0x05, 0x04, 0, 0, 0, 100)
	}
	binary.BigEndian.PutUint16(b[attrStart-2:], uint16(len(b)-attrStart))
	b = append(b, 0x00) // 0.0.0.0/0
	wire.WriteHeader(b, 0, len(b), wire.MsgUpdate)
	return b
}
