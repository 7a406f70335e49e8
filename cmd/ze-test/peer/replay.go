package peer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/zebgp/ze/bgp/mrt"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// InputKind is the format of a replay file.
type InputKind uint8

// The formats replay reads.
const (
	InputHex    InputKind = iota + 1 // one message (or any bytes) per line, in hex
	InputMRT                         // an MRT file: its BGP4MP UPDATEs
	InputScript                      // a .msg file: its raw and send lines
)

func (k InputKind) String() string {
	switch k {
	case InputHex:
		return "hex"
	case InputMRT:
		return "mrt"
	case InputScript:
		return "msg"
	}
	return "unknown"
}

// Input is a loaded replay file.
type Input struct {
	Kind   InputKind
	Path   string
	Hex    [][]byte // InputHex: the lines
	Script *Script  // InputScript
}

// LoadInput reads a replay file and finds its format: MRT when it starts
// with the gzip or bzip2 magic or is not text, a .msg file when a line
// reads option:… or [CONN]SEQ:KIND:…, else hex lines.
func LoadInput(path string) (*Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	defer func() { _ = f.Close() }()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("replay: reading %s: %w", path, err)
	}
	head = head[:n]
	if n == 0 {
		return nil, fmt.Errorf("replay: %s is empty", path)
	}
	if !isText(head) {
		return &Input{Kind: InputMRT, Path: path}, nil
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	if IsScript(text) {
		s, err := ParseScript(text)
		if err != nil {
			return nil, fmt.Errorf("replay: %s: %w", path, err)
		}
		for _, c := range s.Conns {
			for _, g := range c.Groups {
				for _, it := range g.Items {
					if it.Kind == ItemAnnounce || it.Kind == ItemWithdraw {
						return nil, fmt.Errorf("replay: %s: line %d: %s lines cannot be replayed, only raw, send and notification lines", path, it.Line, it.Kind)
					}
				}
			}
		}
		return &Input{Kind: InputScript, Path: path, Script: s}, nil
	}
	in := &Input{Kind: InputHex, Path: path}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' {
			continue
		}
		b, err := decodeHex(l)
		if err != nil {
			return nil, fmt.Errorf("replay: %s: line %d: %w", path, line, err)
		}
		in.Hex = append(in.Hex, b)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("replay: %s: %w", path, err)
	}
	if len(in.Hex) == 0 {
		return nil, fmt.Errorf("replay: %s: no hex lines", path)
	}
	return in, nil
}

func isText(b []byte) bool {
	if len(b) >= 2 && (b[0] == 0x1f && b[1] == 0x8b || b[0] == 'B' && b[1] == 'Z') {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c >= 0x7f {
			return false
		}
	}
	return true
}

// replayHandler sends a file's messages once the session is up.
type replayHandler struct {
	cfg   *Config
	log   *slog.Logger
	in    *Input
	conn  int
	sent  atomic.Int64
	total int // known in advance except for MRT
	done  atomic.Bool
	// sending is closed when the send goroutine of the session ends.
	sending chan struct{}
}

func (h *replayHandler) settle() {
	if h.sending == nil {
		return
	}
	select {
	case <-h.sending:
	case <-time.After(5 * time.Second):
	}
}

func newReplay(cfg *Config, log *slog.Logger) (*replayHandler, error) {
	in, err := LoadInput(cfg.File)
	if err != nil {
		return nil, err
	}
	h := &replayHandler{cfg: cfg, log: log, in: in}
	switch in.Kind {
	case InputHex:
		h.total = len(in.Hex)
	case InputScript:
		if in.Script.ASN != 0 && cfg.AS == 0 {
			cfg.AS = in.Script.ASN
		}
	}
	log.Info("replay file loaded", "file", cfg.File, "format", in.Kind.String())
	return h, nil
}

func (h *replayHandler) setup(i int) ([]byte, []capability.Capability) {
	h.conn = i
	h.done.Store(false)
	if h.in.Kind != InputScript || i >= len(h.in.Script.Conns) {
		return nil, nil
	}
	for _, g := range h.in.Script.Conns[i].Groups {
		for _, it := range g.Items {
			if it.Kind == ItemRaw && it.Raw[18] == byte(wire.MsgOpen) {
				return it.Raw, nil
			}
		}
	}
	return nil, nil
}

func (h *replayHandler) hasGoal() bool { return true }
func (h *replayHandler) reached() bool { return h.done.Load() }

func (h *replayHandler) moreConns() bool {
	return h.in.Kind == InputScript && h.conn+1 < len(h.in.Script.Conns)
}

func (h *replayHandler) progress() string {
	if h.total > 0 {
		return fmt.Sprintf("sent %d of %d messages", h.sent.Load(), h.total)
	}
	return fmt.Sprintf("sent %d messages", h.sent.Load())
}

func (h *replayHandler) received(*session, []byte, message.Message) error { return nil }

func (h *replayHandler) established(s *session) error {
	if h.in.Kind == InputScript && h.conn >= len(h.in.Script.Conns) {
		return fmt.Errorf("the peer opened connection %d but %s has %d", h.conn+1, h.cfg.File, len(h.in.Script.Conns))
	}
	h.sending = make(chan struct{})
	go func() {
		ev := h.send(s)
		close(h.sending)
		if ev.err == nil && !ev.finish && !ev.next {
			return
		}
		s.events <- ev
	}()
	return nil
}

// send sends the file and says what comes next.
func (h *replayHandler) send(s *session) event {
	var err error
	notified := false
	switch h.in.Kind {
	case InputHex:
		err = h.sendAll(s, h.in.Hex, &notified)
	case InputMRT:
		err = h.sendMRT(s)
	case InputScript:
		err = h.sendScript(s, h.in.Script.Conns[h.conn], &notified)
	}
	if err != nil {
		if errors.Is(err, errSessionClosed) {
			return event{}
		}
		return event{err: err}
	}
	if !notified && h.in.Kind != InputScript && !h.cfg.NoEOR {
		var buf [64]byte
		for _, f := range s.neg.Families {
			n := wire.WriteEndOfRIB(buf[:], 0, f)
			if err := s.write(buf[:n], false); err != nil {
				return event{err: err}
			}
			s.stats.addSent(1, 1)
		}
	}
	if err := s.flush(); err != nil {
		return event{err: fmt.Errorf("sending: %w", err)}
	}
	h.done.Store(true)
	h.log.Info("replay sent", "messages", h.sent.Load(), "connection", h.conn+1)
	switch {
	case notified && h.moreConns():
		return event{next: true}
	case notified:
		return event{finish: true}
	}
	return event{finish: h.cfg.Exit && !h.moreConns()}
}

// sendAll sends raw byte strings; one that is a NOTIFICATION ends the
// session after it.
func (h *replayHandler) sendAll(s *session, msgs [][]byte, notified *bool) error {
	for _, m := range msgs {
		if err := h.sendOne(s, m); err != nil {
			return err
		}
		if isNotification(m) {
			s.markClosed()
			*notified = true
			return nil
		}
	}
	return nil
}

func (h *replayHandler) sendOne(s *session, m []byte) error {
	if err := s.write(m, false); err != nil {
		return err
	}
	h.sent.Add(1)
	upd := 0
	if len(m) >= wire.HeaderLen && m[18] == byte(wire.MsgUpdate) {
		upd = 1
	}
	s.stats.addSent(upd, 1)
	return nil
}

func isNotification(m []byte) bool {
	return len(m) >= wire.HeaderLen && m[18] == byte(wire.MsgNotification)
}

func (h *replayHandler) sendScript(s *session, c *Conn, notified *bool) error {
	for _, g := range c.Groups {
		for _, it := range g.Items {
			switch it.Kind {
			case ItemRaw, ItemSend:
				if it.Kind == ItemRaw && it.Raw[18] == byte(wire.MsgOpen) {
					continue // sent as our OPEN
				}
				if err := h.sendAll(s, [][]byte{it.Raw}, notified); err != nil {
					return err
				}
			case ItemNotification:
				n := message.NewShutdown(wire.CeaseAdminShutdown, it.Text)
				buf := make([]byte, n.Len())
				n.WriteTo(buf, 0)
				if err := h.sendAll(s, [][]byte{buf}, notified); err != nil {
					return err
				}
			case ItemSignal:
				h.log.Info("replay: signal line skipped", "line", it.Line, "signal", it.Text)
			}
			if *notified {
				return nil
			}
		}
	}
	return nil
}

// as4Subtypes are the BGP4MP subtypes whose messages carry 4-octet AS
// numbers (RFC 6396 §4.4.3, RFC 8050).
func isAS4(st mrt.Subtype) bool {
	switch st {
	case mrt.MessageAS4, mrt.MessageAS4Local, mrt.MessageAS4AddPath, mrt.MessageAS4LocalAddPath:
		return true
	}
	return false
}

func (h *replayHandler) sendMRT(s *session) error {
	r, err := mrt.Open(h.in.Path)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	defer func() { _ = r.Close() }()
	ctx := s.sendCtx()
	maxLen := ctx.MaxLen()
	for n := 1; ; n++ {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("replay: %s: record %d: %w", h.in.Path, n, err)
		}
		if rec.Type != mrt.TypeBGP4MP && rec.Type != mrt.TypeBGP4MPET {
			continue
		}
		m, err := rec.BGP4MP()
		if err != nil {
			return fmt.Errorf("replay: %s: record %d: %w", h.in.Path, n, err)
		}
		if !m.Subtype.IsMessage() || len(m.Message) < wire.HeaderLen || m.Message[18] != byte(wire.MsgUpdate) {
			continue
		}
		if isAS4(m.Subtype) != ctx.ASN4 {
			return fmt.Errorf("replay: %s: record %d is %s but the session %s 4-octet AS numbers (--asn4)",
				h.in.Path, n, mrt.SubtypeName(rec.Type, m.Subtype), map[bool]string{true: "uses", false: "does not use"}[ctx.ASN4])
		}
		if len(m.Message) > maxLen {
			return fmt.Errorf("replay: %s: record %d holds a %d-byte message, over the session's %d", h.in.Path, n, len(m.Message), maxLen)
		}
		if err := h.sendOne(s, m.Message); err != nil {
			return err
		}
	}
}
