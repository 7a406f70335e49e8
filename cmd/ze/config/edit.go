package config

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/term"

	"github.com/zebgp/ze/cli/tui"
)

// `ze config edit` (runEditor; runEdit is taken by the state commands):
// the full-screen editor (package cli/tui) on a private
// session of the state directory's database, in this terminal. Its line
// of the usage text is the lead's to add to main.go: the command is
// registered here so that this file is all it takes.

func init() { commands["edit"] = runEditor }

const editUsage = `usage: ze config edit [--state DIR] [-m MODULE]...

edit      the full-screen editor of the configuration, on a private
          candidate of the database in DIR (default ./var; a new database
          starts from the factory default): the tree with folding, inline
          edits with completion and help from the YANG, checks as you go,
          the diff against running, commit (with a comment, or confirmed)
          and discard; ? in the editor lists the keys (docs/tui.md)

It needs a terminal on standard input and output. Exit status: 0 the
editor ended, 1 an error, 2 a file not found.
`

func runEditor(c *cmdline, args []string) int {
	// Warnings of the database during the edit (a commit confirmed
	// restored by its timer) would tear the screen: they wait for the end.
	hold := &holdWriter{w: c.stderr}
	c.stderr = hold
	defer hold.release()
	s := stateFlags(c, false)
	c.fs.Usage = func() { fmt.Fprint(c.stderr, editUsage) }
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) != 0 {
		return c.errorf(exitError, "unexpected argument %q (edit takes only options)", rest[0])
	}
	in, out, ok := terminal(c.stdin, c.stdout)
	if !ok {
		return c.errorf(exitError, "needs a terminal on standard input and output (ze config set, delete and load work without one)")
	}
	y, code := c.schema()
	if code != exitOK {
		return code
	}
	db, code := s.open(true)
	if db == nil {
		return code
	}
	sess, code := s.session(db)
	if sess == nil {
		return s.closeAll(db, nil, code)
	}
	host, _ := os.Hostname()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	hold.hold()
	err := tui.Run(ctx, sess, y, in, out, tui.Options{
		Title: "ze config edit", User: stateUser(), Host: host, ConfirmQuit: true,
	})
	hold.release()
	if err != nil {
		return s.closeAll(db, sess, c.errorf(exitError, "%v", err))
	}
	return s.closeAll(db, sess, exitOK)
}

// terminal returns stdin and stdout as files when both are terminals.
func terminal(stdin io.Reader, stdout io.Writer) (in, out *os.File, ok bool) {
	in, ok1 := stdin.(*os.File)
	out, ok2 := stdout.(*os.File)
	if !ok1 || !ok2 || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return nil, nil, false
	}
	return in, out, true
}

// holdWriter passes writes through, except between hold and release,
// when it keeps them and writes them at release.
type holdWriter struct {
	mu   sync.Mutex
	w    io.Writer
	held bool
	buf  bytes.Buffer
}

func (h *holdWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held {
		return h.buf.Write(p)
	}
	return h.w.Write(p)
}

func (h *holdWriter) hold() {
	h.mu.Lock()
	h.held = true
	h.mu.Unlock()
}

func (h *holdWriter) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = false
	if h.buf.Len() > 0 {
		_, _ = h.w.Write(h.buf.Bytes())
		h.buf.Reset()
	}
}
