package peer

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// newHandler loads what the mode needs (files are read before any
// connection, so a bad file fails at once).
func newHandler(cfg *Config, out *printer, log *slog.Logger) (handler, error) {
	switch cfg.Mode {
	case ModeSink:
		return &sinkHandler{cfg: cfg, out: out}, nil
	case ModeEcho:
		return &sinkHandler{cfg: cfg, out: out, echo: true}, nil
	case ModeReplay:
		return newReplay(cfg, log)
	case ModeCheck:
		return newCheck(cfg, out, log)
	}
	return nil, fmt.Errorf("unknown mode %q", cfg.Mode)
}

// sinkHandler counts what arrives (printing is the session's) and, for
// echo, sends every UPDATE back unchanged.
type sinkHandler struct {
	cfg     *Config
	out     *printer
	echo    bool
	updates int
	eor     []wire.Family
	fams    []wire.Family // negotiated
	done    bool
}

func (h *sinkHandler) setup(int) ([]byte, []capability.Capability) { return nil, nil }

func (h *sinkHandler) established(s *session) error {
	h.fams = s.neg.Families
	return nil
}

func (h *sinkHandler) hasGoal() bool { return h.cfg.ExpectUpdates > 0 || h.cfg.UntilEOR }

func (h *sinkHandler) reached() bool { return !h.hasGoal() || h.done }

func (h *sinkHandler) received(s *session, msg []byte, m message.Message) error {
	if m.Type != wire.MsgUpdate {
		return nil
	}
	u, err := wire.ParseUpdate(m.Body, s.neg.Recv)
	if err != nil {
		return err
	}
	if f, ok := u.EndOfRIB(); ok {
		if !slices.Contains(h.eor, f) {
			h.eor = append(h.eor, f)
		}
	} else {
		h.updates++
	}
	if h.echo {
		if err := s.write(msg, true); err != nil {
			return err
		}
		s.stats.addSent(1, 1)
	}
	if h.hasGoal() && !h.done && h.goalMet() {
		h.done = true
		return errGoal
	}
	return nil
}

func (h *sinkHandler) goalMet() bool {
	if h.cfg.ExpectUpdates > 0 && h.updates < h.cfg.ExpectUpdates {
		return false
	}
	if h.cfg.UntilEOR {
		for _, f := range h.fams {
			if !slices.Contains(h.eor, f) {
				return false
			}
		}
	}
	return true
}

func (h *sinkHandler) progress() string {
	var b strings.Builder
	if h.cfg.ExpectUpdates > 0 {
		fmt.Fprintf(&b, "received %d of %d UPDATEs", h.updates, h.cfg.ExpectUpdates)
	} else {
		fmt.Fprintf(&b, "received %d UPDATEs", h.updates)
	}
	if len(h.eor) == 0 {
		b.WriteString(", no End-of-RIB")
	} else {
		fmt.Fprintf(&b, ", End-of-RIB for %s", strings.Join(familyList(h.eor), " "))
	}
	var missing []wire.Family
	for _, f := range h.fams {
		if !slices.Contains(h.eor, f) {
			missing = append(missing, f)
		}
	}
	if h.cfg.UntilEOR && len(missing) > 0 {
		fmt.Fprintf(&b, " (missing %s)", strings.Join(familyList(missing), " "))
	}
	return b.String()
}
