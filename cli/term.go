package cli

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	gliderssh "github.com/gliderlabs/ssh"
	"golang.org/x/term"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cli/shell"
	"github.com/zebgp/ze/cli/tui"
)

// EditorTerminal is the terminal the full-screen editor runs on.
type EditorTerminal struct {
	In            io.Reader
	Out           io.Writer
	User, Host    string
	Width, Height int
	Resize        <-chan tui.WindowSize
}

// EditorFunc runs the full-screen editor over a configure session.
type EditorFunc func(ctx context.Context, s *cdb.Session, t EditorTerminal) error

// keyInterrupt is what Ctrl-C becomes for the line editor (which would
// end the session on it): BEL, which the completion callback gets and
// turns into a fresh line.
const keyInterrupt = 0x07

// pump reads a session's input in one goroutine, so that the line
// editor, the interrupt watcher of a running command, the pager and the
// full-screen editor can take turns at it.
type pump struct {
	ch   chan []byte
	mu   sync.Mutex
	left []byte
}

func newPump(r io.Reader) *pump {
	p := &pump{ch: make(chan []byte, 16)}
	go func() {
		defer close(p.ch)
		for {
			buf := make([]byte, 4096)
			n, err := r.Read(buf)
			if n > 0 {
				p.ch <- buf[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	return p
}

// read reads what is pending, or waits for input until done is closed
// (io.EOF then, nothing taken).
func (p *pump) read(b []byte, done <-chan struct{}) (int, error) {
	p.mu.Lock()
	if len(p.left) > 0 {
		n := copy(b, p.left)
		p.left = p.left[n:]
		p.mu.Unlock()
		return n, nil
	}
	p.mu.Unlock()
	select {
	case <-done:
		return 0, io.EOF
	default:
	}
	select {
	case chunk, ok := <-p.ch:
		if !ok {
			return 0, io.EOF
		}
		select {
		case <-done:
			// the reader is done (the editor ended) but the select chose
			// the input: it is for the next reader
			p.mu.Lock()
			p.left = append(chunk, p.left...)
			p.mu.Unlock()
			return 0, io.EOF
		default:
		}
		n := copy(b, chunk)
		if n < len(chunk) {
			p.mu.Lock()
			p.left = append(p.left, chunk[n:]...)
			p.mu.Unlock()
		}
		return n, nil
	case <-done:
		return 0, io.EOF
	}
}

// lineInput is the line editor's side: Ctrl-C becomes keyInterrupt.
type lineInput struct{ p *pump }

func (l lineInput) Read(b []byte) (int, error) {
	n, err := l.p.read(b, nil)
	for i := range b[:n] {
		if b[i] == 3 {
			b[i] = keyInterrupt
		}
	}
	return n, err
}

// until is a reader of the pump that ends when done is closed.
type until struct {
	p    *pump
	done chan struct{}
}

func (u until) Read(b []byte) (int, error) { return u.p.read(b, u.done) }

// watcher reads the input while a command runs: Ctrl-C cancels it, other
// keys wait for the pager, or for the line editor after the command
// (typed ahead, or pasted).
type watcher struct {
	p     *pump
	stop  chan struct{}
	done  chan struct{}
	avail chan struct{}
	once  sync.Once

	mu      sync.Mutex
	pending []byte
}

func watch(p *pump, cancel context.CancelFunc) *watcher {
	w := &watcher{p: p, stop: make(chan struct{}), done: make(chan struct{}), avail: make(chan struct{}, 1)}
	go func() {
		defer close(w.done)
		buf := make([]byte, 256)
		for {
			n, err := p.read(buf, w.stop)
			if err != nil {
				select {
				case <-w.stop:
				default:
					cancel() // the session's input ended
				}
				return
			}
			w.mu.Lock()
			for _, c := range buf[:n] {
				if c == 3 {
					w.pending = w.pending[:0]
					cancel()
					continue
				}
				w.pending = append(w.pending, c)
			}
			w.mu.Unlock()
			select {
			case w.avail <- struct{}{}:
			default:
			}
		}
	}()
	return w
}

// key returns the next key typed, or false when ctx ends first.
func (w *watcher) key(ctx context.Context) (byte, bool) {
	for {
		w.mu.Lock()
		if len(w.pending) > 0 {
			c := w.pending[0]
			w.pending = w.pending[1:]
			w.mu.Unlock()
			return c, true
		}
		w.mu.Unlock()
		select {
		case <-w.avail:
		case <-ctx.Done():
			return 0, false
		}
	}
}

// halt stops the watcher and gives the keys typed ahead back to the pump.
func (w *watcher) halt() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) > 0 {
		w.p.mu.Lock()
		w.p.left = append(append([]byte(nil), w.pending...), w.p.left...)
		w.p.mu.Unlock()
		w.pending = nil
	}
}

// termSession is an interactive session on a pty.
type termSession struct {
	s    *Server
	sess gliderssh.Session
	sh   *shell.Shell
	env  shell.Env
	in   *pump
	out  io.Writer
	hist *history

	mu            sync.Mutex
	width, height int
	sink          func(w, h int)
	cur           *watcher
	t             *term.Terminal
	l             *live // nil for a local session
}

// terminal returns the line editor.
func (ts *termSession) terminal() *term.Terminal {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.t
}

// fresh makes a new line editor on the session, with the history, the
// completion and the window size.
func (ts *termSession) fresh() {
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{lineInput{ts.in}, ts.sess}, "")
	t.History = ts.hist
	t.AutoCompleteCallback = ts.complete
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.width > 0 && ts.height > 0 {
		_ = t.SetSize(ts.width, ts.height)
	}
	ts.t = t
}

func (ts *termSession) size() (int, int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.width, ts.height
}

func (ts *termSession) setSink(f func(w, h int)) {
	ts.mu.Lock()
	ts.sink = f
	ts.mu.Unlock()
}

// interactive runs the shell on a pty until the user leaves; it returns
// the exit code.
func (s *Server) interactive(ctx context.Context, env shell.Env, sess gliderssh.Session, pty gliderssh.Pty, winCh <-chan gliderssh.Window, l *live) int {
	ts := &termSession{s: s, sess: sess, in: newPump(sess), out: crlf{sess}, width: pty.Window.Width, height: pty.Window.Height, l: l}
	ts.hist = loadHistory(s.o.Store, env.User, s.log)
	ts.fresh()
	ts.sink = func(w, h int) { _ = ts.terminal().SetSize(w, h) }
	go func() {
		for w := range winCh {
			ts.mu.Lock()
			ts.width, ts.height = w.Width, w.Height
			sink := ts.sink
			ts.mu.Unlock()
			sink(w.Width, w.Height)
		}
	}()
	env.Input = func(prompt string) (string, error) {
		// text, not commands: no completion, no history
		ts.pause()
		t := ts.terminal()
		t.SetPrompt(prompt)
		t.AutoCompleteCallback, t.History = nil, &history{}
		line, err := t.ReadLine()
		if errors.Is(err, term.ErrPasteIndicator) {
			err = nil // a pasted line is a line
		}
		if err != nil {
			// x/term keeps the Ctrl-D that ended the text and would
			// read it again: the next line needs another terminal
			ts.fresh()
			return line, err
		}
		t.AutoCompleteCallback, t.History = ts.complete, ts.hist
		return line, nil
	}
	env.Edit = ts.edit
	ts.env = env
	ts.sh = shell.New(env)
	defer ts.sh.Close()

	for !ts.sh.Done() {
		header, prompt := ts.sh.Prompt()
		if header != "" {
			_, _ = io.WriteString(ts.out, header+"\n")
		}
		t := ts.terminal()
		t.SetPrompt(prompt)
		line, err := t.ReadLine()
		if err != nil && !errors.Is(err, term.ErrPasteIndicator) {
			break
		}
		l.busy()
		skip, gone := s.follow(ts.sh, &ts.env, ts.out)
		if gone {
			l.idle()
			break
		}
		if !skip {
			ts.run(ctx, line, len(prompt))
			// a class the line changed (a commit) applies before the
			// prompt; a removal is said by the evictor, which waits for
			// this line to end
			s.follow(ts.sh, &ts.env, ts.out)
		}
		l.idle()
		if ctx.Err() != nil {
			break
		}
	}
	return 0
}

// complete is the line editor's callback: TAB completes, ? shows the help,
// Ctrl-C (keyInterrupt) drops the line.
func (ts *termSession) complete(line string, pos int, key rune) (string, int, bool) {
	switch key {
	case '\t':
		nl, np, list := ts.sh.Complete(line, pos)
		if list != nil {
			_, prompt := ts.sh.Prompt()
			_, _ = ts.terminal().Write([]byte(prompt + line + "\n" + shell.FormatItems(list)))
		}
		return nl, np, true
	case '?':
		if inQuote(line[:pos]) {
			return "", 0, false
		}
		_, prompt := ts.sh.Prompt()
		_, _ = ts.terminal().Write([]byte(prompt + line[:pos] + "?\n" + shell.FormatItems(ts.sh.Help(line[:pos]))))
		return line, pos, true
	case keyInterrupt:
		_, prompt := ts.sh.Prompt()
		_, _ = ts.terminal().Write([]byte(prompt + line + "^C\n"))
		return "", 0, true
	}
	return "", 0, false
}

func inQuote(s string) bool {
	var q byte
	for i := 0; i < len(s); i++ {
		switch {
		case q == 0 && (s[i] == '"' || s[i] == '\''):
			q = s[i]
		case q == '"' && s[i] == '\\':
			i++
		case q != 0 && s[i] == q:
			q = 0
		}
	}
	return q != 0
}

// run runs one line: Ctrl-C interrupts it, and its output is paged when
// longer than the window (unless | no-more, or monitor).
func (ts *termSession) run(ctx context.Context, line string, promptLen int) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := watch(ts.in, cancel)
	ts.mu.Lock()
	ts.cur = w
	ts.mu.Unlock()
	defer ts.pause()
	out := ts.out
	_, h := ts.size()
	words := strings.Fields(line)
	if h > 2 && !shell.NoMore(line) && (len(words) == 0 || !abbreviates(words[0], "monitor")) {
		out = &pager{w: ts.out, height: h, keys: w, ctx: cctx, cancel: cancel}
	}
	err := ts.sh.Run(cctx, line, out)
	ts.s.audit(ts.env, line, err)
	if err != nil && cctx.Err() == nil {
		_, _ = io.WriteString(ts.out, shell.FormatError(line, err, promptLen))
	}
}

// abbreviates reports whether word is command or a beginning of it.
func abbreviates(word, command string) bool { return strings.HasPrefix(command, word) }

// pause stops the watcher of the running command, if any.
func (ts *termSession) pause() {
	ts.mu.Lock()
	w := ts.cur
	ts.cur = nil
	ts.mu.Unlock()
	if w != nil {
		w.halt()
	}
}

// edit runs the full-screen editor over the configure session.
func (ts *termSession) edit(ctx context.Context, cs *cdb.Session) error {
	ts.pause()
	// a commit that makes the user an operator ends the editor; the
	// shell then says so and leaves configure mode
	ectx, demote := context.WithCancel(ctx)
	defer demote()
	ts.l.editing(demote)
	defer ts.l.editing(nil)
	resize := make(chan tui.WindowSize, 4)
	ts.setSink(func(w, h int) {
		select {
		case resize <- tui.WindowSize{Width: w, Height: h}:
		default:
		}
	})
	defer ts.setSink(func(w, h int) { _ = ts.terminal().SetSize(w, h) })
	done := make(chan struct{})
	var once sync.Once
	stop := func() { once.Do(func() { close(done) }) }
	defer stop()
	w, h := ts.size()
	ed := ts.s.o.Editor
	if ed == nil {
		schema := ts.s.schema()
		ed = func(ctx context.Context, cs *cdb.Session, t EditorTerminal) error {
			return tui.Run(ctx, cs, schema, t.In, t.Out, tui.Options{
				Title: "ze configure", User: t.User, Host: t.Host, Width: t.Width, Height: t.Height, Colors: true, Resize: t.Resize,
				Refresh: 2 * time.Second,
				// The input stops at the quit key: what follows is the shell's.
				OnQuit: stop,
			})
		}
	}
	err := ed(ectx, cs, EditorTerminal{
		In: until{p: ts.in, done: done}, Out: ts.sess, User: cs.User(), Host: ts.s.hostName(),
		Width: w, Height: h, Resize: resize,
	})
	if ectx.Err() != nil && ctx.Err() == nil {
		return nil // demoted
	}
	return err
}

// pager stops after each screenful and waits for a key: space for the
// next page, enter for one more line, q to stop.
type pager struct {
	w       io.Writer
	height  int
	lines   int
	keys    *watcher
	ctx     context.Context
	cancel  context.CancelFunc
	stopped bool
}

const morePrompt = "---(more)---"

func (p *pager) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 && !p.stopped {
		i := strings.IndexByte(string(b), '\n')
		if i < 0 {
			if _, err := p.w.Write(b); err != nil {
				return 0, err
			}
			break
		}
		if _, err := p.w.Write(b[:i+1]); err != nil {
			return 0, err
		}
		b = b[i+1:]
		p.lines++
		if p.lines >= p.height-1 {
			p.more()
		}
	}
	return n, nil
}

func (p *pager) more() {
	_, _ = io.WriteString(p.w, morePrompt)
	defer io.WriteString(p.w, "\r\x1b[K") //nolint:errcheck // the screen only
	for {
		k, ok := p.keys.key(p.ctx)
		if !ok {
			p.stopped = true
			return
		}
		switch k {
		case ' ':
			p.lines = 0
			return
		case '\r', '\n', 'j':
			p.lines = p.height - 2
			return
		case 'q', 'Q':
			p.stopped = true
			p.cancel()
			return
		}
	}
}
