package cli

import (
	"log/slog"
	"strings"
	"sync"

	"github.com/zebgp/ze/zefs"
)

// historySize is how many lines a user's history keeps.
const historySize = 500

// history is a user's command history (golang.org/x/term's History), kept
// in ZeFS as "cli/history/USER", one line per command, so that it survives
// logins and restarts.
type history struct {
	mu    sync.Mutex
	key   string
	store *zefs.Store
	log   *slog.Logger
	lines []string // oldest first
}

func historyKey(user string) string {
	var b strings.Builder
	for _, r := range user {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return "cli/history/" + b.String()
}

// memHistories keeps the histories when there is no store.
var memHistories sync.Map

func loadHistory(store *zefs.Store, user string, log *slog.Logger) *history {
	h := &history{key: historyKey(user), store: store, log: log}
	if store == nil {
		if v, ok := memHistories.Load(h.key); ok {
			return v.(*history)
		}
		memHistories.Store(h.key, h)
		return h
	}
	if b, err := store.GetCopy(h.key); err == nil && len(b) > 0 {
		h.lines = strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	}
	return h
}

// Add records a line (not twice in a row) and stores the history.
func (h *history) Add(line string) {
	if strings.TrimSpace(line) == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.lines); n > 0 && h.lines[n-1] == line {
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > historySize {
		h.lines = h.lines[len(h.lines)-historySize:]
	}
	if h.store != nil {
		if err := h.store.Put(h.key, []byte(strings.Join(h.lines, "\n")+"\n")); err != nil {
			h.log.Warn("storing the shell history", "key", h.key, "error", err)
		}
	}
}

// Len returns the number of lines.
func (h *history) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.lines)
}

// At returns a line: 0 is the newest.
func (h *history) At(i int) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lines[len(h.lines)-1-i]
}
