package peer

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// ItemKind says what one line of a .msg script expects or does.
type ItemKind uint8

// The kinds of a .msg script line (KIND in [CONN]SEQ:KIND:DATA).
const (
	ItemRaw          ItemKind = iota + 1 // expect this exact message
	ItemAnnounce                         // expect an UPDATE announcing this prefix
	ItemWithdraw                         // expect an UPDATE withdrawing this prefix
	ItemSignal                           // action: send a signal to --signal-pid
	ItemNotification                     // action: send Cease / Administrative Shutdown with this text
	ItemSend                             // action (ze extension): send these bytes as they are
)

var itemKindNames = map[string]ItemKind{
	"raw": ItemRaw, "announce": ItemAnnounce, "withdraw": ItemWithdraw,
	"signal": ItemSignal, "notification": ItemNotification, "send": ItemSend,
}

// String returns the KIND word of the .msg format.
func (k ItemKind) String() string {
	for name, v := range itemKindNames {
		if v == k {
			return name
		}
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// IsAction reports a kind the peer performs rather than expects.
func (k ItemKind) IsAction() bool {
	return k == ItemSignal || k == ItemNotification || k == ItemSend
}

// Item is one expectation or action of a .msg script.
type Item struct {
	Line   int
	Kind   ItemKind
	Raw    []byte       // ItemRaw, ItemSend: the bytes
	Prefix netip.Prefix // ItemAnnounce, ItemWithdraw
	Text   string       // ItemSignal: the signal name; ItemNotification: the text
}

// Group is the set of lines of one connection that share a sequence
// number: its expectations may be met in any order.
type Group struct {
	Seq   int
	Items []*Item
}

// Conn is the script of one TCP connection (A, B, …).
type Conn struct {
	Name   byte // 'A', 'B', …
	Groups []*Group
	// Prefixes is set when the connection's expectations are announce and
	// withdraw lines, matched per prefix, rather than raw messages.
	Prefixes bool
}

// Script is a parsed .msg file: ExaBGP's functional test format, as
// described in docs/testing.md ("The test peer").
type Script struct {
	ASN              uint32 // option:asn:N (0: not given)
	InspectOpen      bool   // option:open:inspect-open-message
	SendUnknownCap   bool   // option:open:send-unknown-capability
	SendUnknownMsg   bool   // option:open:send-unknown-message
	SendDefaultRoute bool   // option:update:send-default-route
	SendNotification bool   // option:notification:send-notification
	BindIPv6         bool   // option:bind:ipv6
	TCPConnections   int    // option:tcp_connections:N (0: not given)
	Conns            []*Conn
}

// ScriptError is a syntax error in a .msg file.
type ScriptError struct {
	Line int
	Msg  string
}

func (e *ScriptError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func scriptErr(line int, format string, args ...any) error {
	return &ScriptError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// IsScript reports whether text looks like a .msg file: some line that is
// neither blank nor a comment starts with option: or [CONN]SEQ:KIND:.
func IsScript(text []byte) bool {
	for l := range strings.Lines(string(text)) {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if strings.HasPrefix(l, "option:") {
			return true
		}
		if _, _, rest, ok := splitLine(l); ok {
			kind, _, _ := strings.Cut(rest, ":")
			if _, known := itemKindNames[kind]; known {
				return true
			}
		}
	}
	return false
}

// splitLine cuts "[CONN]SEQ:KIND:DATA".
func splitLine(l string) (conn byte, seq int, rest string, ok bool) {
	conn = 'A'
	if l != "" && l[0] >= 'A' && l[0] <= 'Z' {
		conn, l = l[0], l[1:]
	}
	num, rest, found := strings.Cut(l, ":")
	if !found || num == "" || len(num) > 6 {
		return 0, 0, "", false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || num[0] == '+' || num[0] == '-' {
		return 0, 0, "", false
	}
	return conn, n, rest, true
}

// ParseScript reads a .msg file.
func ParseScript(text []byte) (*Script, error) {
	s := &Script{}
	conns := map[byte]*Conn{}
	lineNo := 0
	for l := range strings.Lines(string(text)) {
		lineNo++
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if opt, ok := strings.CutPrefix(l, "option:"); ok {
			if err := s.option(lineNo, opt); err != nil {
				return nil, err
			}
			continue
		}
		name, seq, rest, ok := splitLine(l)
		if !ok {
			return nil, scriptErr(lineNo, "want option:KEY:VALUE or [CONN]SEQ:KIND:DATA, got %q", clipText(l))
		}
		kindWord, data, found := strings.Cut(rest, ":")
		kind, known := itemKindNames[kindWord]
		if !found || !known {
			return nil, scriptErr(lineNo, "unknown kind %q (want raw, announce, withdraw, signal, notification, send)", clipText(kindWord))
		}
		it, err := parseItem(lineNo, kind, data)
		if err != nil {
			return nil, err
		}
		c := conns[name]
		if c == nil {
			c = &Conn{Name: name}
			conns[name] = c
		}
		g := c.group(seq)
		g.Items = append(g.Items, it)
	}
	names := make([]byte, 0, len(conns))
	for n := range conns {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, n := range names {
		if want := byte('A' + i); n != want {
			return nil, scriptErr(lineNo, "connection %c has lines but connection %c has none", n, want)
		}
		c := conns[n]
		slices.SortStableFunc(c.Groups, func(a, b *Group) int { return a.Seq - b.Seq })
		if err := c.check(); err != nil {
			return nil, err
		}
		s.Conns = append(s.Conns, c)
	}
	if len(s.Conns) == 0 {
		return nil, scriptErr(lineNo, "no message lines: nothing to expect or send")
	}
	if s.TCPConnections != 0 && s.TCPConnections != len(s.Conns) {
		return nil, scriptErr(lineNo, "option:tcp_connections:%d but the lines name %d connection(s)", s.TCPConnections, len(s.Conns))
	}
	return s, nil
}

func (c *Conn) group(seq int) *Group {
	for _, g := range c.Groups {
		if g.Seq == seq {
			return g
		}
	}
	g := &Group{Seq: seq}
	c.Groups = append(c.Groups, g)
	return g
}

// check decides the matching mode of c: raw messages, or prefixes, not both.
func (c *Conn) check() error {
	var raw, pfx *Item
	for _, g := range c.Groups {
		for _, it := range g.Items {
			switch it.Kind {
			case ItemRaw:
				raw = it
			case ItemAnnounce, ItemWithdraw:
				pfx = it
			}
		}
	}
	if raw != nil && pfx != nil {
		later := max(raw.Line, pfx.Line)
		return scriptErr(later, "connection %c mixes raw lines (line %d) with announce/withdraw lines (line %d)", c.Name, raw.Line, pfx.Line)
	}
	c.Prefixes = pfx != nil
	return nil
}

func parseItem(line int, kind ItemKind, data string) (*Item, error) {
	it := &Item{Line: line, Kind: kind}
	switch kind {
	case ItemRaw, ItemSend:
		b, err := decodeHex(data)
		if err != nil {
			return nil, scriptErr(line, "%s: %v", kind, err)
		}
		if kind == ItemRaw {
			if err := checkFrame(b); err != nil {
				return nil, scriptErr(line, "raw: %v", err)
			}
		} else if len(b) == 0 {
			return nil, scriptErr(line, "send: no bytes")
		}
		it.Raw = b
	case ItemAnnounce, ItemWithdraw:
		p, err := netip.ParsePrefix(strings.TrimSpace(data))
		if err != nil {
			return nil, scriptErr(line, "%s: %v", kind, err)
		}
		it.Prefix = p.Masked()
	case ItemSignal:
		if _, ok := signalByName(data); !ok {
			return nil, scriptErr(line, "signal: unknown signal %q (want SIGHUP, SIGUSR1, SIGUSR2, SIGTERM, SIGINT)", clipText(data))
		}
		it.Text = data
	case ItemNotification:
		if len(data) > 255 {
			return nil, scriptErr(line, "notification: the text has %d bytes, at most 255 fit (RFC 9003)", len(data))
		}
		it.Text = data
	}
	return it, nil
}

// checkFrame checks that b is exactly one message: marker, a length field
// equal to len(b), room for the header.
func checkFrame(b []byte) error {
	if len(b) < wire.HeaderLen {
		return fmt.Errorf("%d bytes, shorter than a message header (19)", len(b))
	}
	for _, x := range b[:wire.MarkerLen] {
		if x != 0xFF {
			return fmt.Errorf("the marker is not 16 bytes of FF")
		}
	}
	if n := int(binary.BigEndian.Uint16(b[16:18])); n != len(b) {
		return fmt.Errorf("the length field says %d but the message has %d bytes", n, len(b))
	}
	return nil
}

// decodeHex reads hex with optional ':' and blank separators, any case,
// with an optional 0x prefix.
func decodeHex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	clean := make([]byte, 0, len(s))
	for i := range len(s) {
		switch c := s[i]; c {
		case ':', ' ', '\t':
		default:
			clean = append(clean, c)
		}
	}
	if len(clean)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits (%d)", len(clean))
	}
	out := make([]byte, len(clean)/2)
	if _, err := hex.Decode(out, clean); err != nil {
		return nil, fmt.Errorf("not hex: %w", err)
	}
	return out, nil
}

func (s *Script) option(line int, opt string) error {
	key, val, _ := strings.Cut(opt, ":")
	switch key + ":" + val {
	case "open:inspect-open-message":
		s.InspectOpen = true
		return nil
	case "open:send-unknown-capability":
		s.SendUnknownCap = true
		return nil
	case "open:send-unknown-message":
		s.SendUnknownMsg = true
		return nil
	case "update:send-default-route":
		s.SendDefaultRoute = true
		return nil
	case "notification:send-notification":
		s.SendNotification = true
		return nil
	case "bind:ipv6":
		s.BindIPv6 = true
		return nil
	}
	switch key {
	case "asn":
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil || n == 0 {
			return scriptErr(line, "option:asn: want an AS number from 1 to 4294967295, got %q", clipText(val))
		}
		s.ASN = uint32(n)
		return nil
	case "tcp_connections":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 26 {
			return scriptErr(line, "option:tcp_connections: want 1 to 26, got %q", clipText(val))
		}
		s.TCPConnections = n
		return nil
	}
	return scriptErr(line, "unknown option %q", clipText(opt))
}

// Expected counts the expectations of the script (actions excluded).
func (c *Conn) Expected() int {
	n := 0
	for _, g := range c.Groups {
		for _, it := range g.Items {
			if !it.Kind.IsAction() {
				n++
			}
		}
	}
	return n
}

func clipText(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
