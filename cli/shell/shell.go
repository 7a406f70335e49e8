package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/yang"
)

// Class is what a user may do.
type Class uint8

// The classes of users (system login user class).
const (
	SuperUser Class = iota + 1 // every command, configure mode included
	Operator                   // operational commands; no configure mode
)

// String returns "super-user" or "operator".
func (c Class) String() string {
	switch c {
	case SuperUser:
		return "super-user"
	case Operator:
		return "operator"
	}
	return "none"
}

// ParseClass reads a class name.
func ParseClass(s string) (Class, error) {
	switch s {
	case "super-user":
		return SuperUser, nil
	case "operator":
		return Operator, nil
	}
	return 0, fmt.Errorf("shell: unknown class %q", s)
}

// Mode is where a shell is: operational or configure mode.
type Mode uint8

// The modes of a shell.
const (
	Operational Mode = iota
	Configure
)

// EventFunc subscribes to the events whose topic starts with topicPrefix:
// JSON lines on the channel until stop is called or ctx ends.
type EventFunc func(ctx context.Context, topicPrefix string) (events <-chan []byte, stop func(), err error)

// LogSource gives the recent log lines for `show log`, oldest first.
type LogSource interface {
	Lines(n int) []string
}

// Env is what a shell works with, shared by the sessions of a server but
// User, Class and Input.
type Env struct {
	DB     *cdb.DB
	Schema *yang.Tree
	Ops    *Ops
	Events EventFunc
	Log    LogSource
	Logger *slog.Logger

	User  string
	Class Class
	// Host returns the host name for the prompt (nil: "ze").
	Host func() string
	// Sessions is where configure-mode sessions are listed for `status`;
	// nil makes one of the shell's own.
	Sessions *Registry
	// Input reads one more line (load terminal); nil refuses it.
	Input func(prompt string) (string, error)
	// Edit is run by `edit` without a path in configure mode: the TUI
	// editor over the session. nil makes it an error.
	Edit func(ctx context.Context, s *cdb.Session) error
	// Via says how the user came in, for `status` ("ssh 10.0.0.1", "local").
	Via string
}

var shellIDs atomic.Uint64

// A Shell runs the command lines of one user session: it remembers the mode,
// the configure session and the edit level. A Shell is used by one
// goroutine at a time.
type Shell struct {
	mu     sync.Mutex // sess and edit, which Registry.Editors reads from other goroutines
	env    Env
	id     uint64
	mode   Mode
	sess   *cdb.Session
	edit   []string // the edit level (words of a path)
	warned bool     // exit was refused once because of uncommitted changes
	done   bool
	view   *config.Tree // the data completion and paths see, for one line
	ops    *command     // the operational grammar with the registered commands
	opsGen uint64       // the Ops generation it was made from
}

// New returns a shell in operational mode.
func New(env Env) *Shell {
	if env.Ops == nil {
		env.Ops = &Ops{}
	}
	if env.Sessions == nil {
		env.Sessions = &Registry{}
	}
	if env.Logger == nil {
		env.Logger = slog.Default()
	}
	if env.Schema == nil && env.DB != nil {
		if t, _, err := env.DB.Running(); err == nil {
			env.Schema = t.Schema()
		}
	}
	return &Shell{env: env, id: shellIDs.Add(1)}
}

// Mode returns the shell's mode.
func (sh *Shell) Mode() Mode { return sh.mode }

// Done reports whether the user asked to leave (exit in operational mode).
func (sh *Shell) Done() bool { return sh.done }

// EditPath returns the edit level in configure mode.
func (sh *Shell) EditPath() []string { return sh.edit }

// Session returns the configure session, nil in operational mode.
func (sh *Shell) Session() *cdb.Session { return sh.sess }

func (sh *Shell) setEdit(path []string) {
	sh.mu.Lock()
	sh.edit = path
	sh.mu.Unlock()
}

// Close leaves configure mode (dropping a private candidate) and ends the
// shell.
func (sh *Shell) Close() error {
	sh.done = true
	return sh.leaveConfigure()
}

func (sh *Shell) host() string {
	if sh.env.Host != nil {
		if h := sh.env.Host(); h != "" {
			return h
		}
	}
	return "ze"
}

// Prompt returns the prompt ("admin@ze> " or "admin@ze# ") and, in configure
// mode, the line shown above it ("[edit bgp group g]").
func (sh *Shell) Prompt() (header, prompt string) {
	if sh.mode == Configure {
		header = "[edit]"
		if len(sh.edit) > 0 {
			header = "[edit " + strings.Join(quoteAll(sh.edit), " ") + "]"
		}
		return header, sh.env.User + "@" + sh.host() + "# "
	}
	return "", sh.env.User + "@" + sh.host() + "> "
}

func quoteAll(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = Quote(w)
	}
	return out
}

// data returns the configuration the paths of the current line refer to:
// the candidate in configure mode, running otherwise.
func (sh *Shell) data() *config.Tree {
	if sh.view != nil {
		return sh.view
	}
	var t *config.Tree
	var err error
	if sh.sess != nil {
		t, err = sh.sess.Candidate()
	} else if sh.env.DB != nil {
		t, _, err = sh.env.DB.Running()
	}
	if err != nil || t == nil {
		if sh.env.Schema == nil {
			return nil
		}
		t = config.New(sh.env.Schema)
	}
	if sh.env.Class != SuperUser {
		hidePasswords(t) // nor in the help's current values
	}
	sh.view = t
	return t
}

// cursor is the path state at the edit level.
func (sh *Shell) cursor() pstate {
	t := sh.data()
	p := rootState(t.Schema(), t)
	for _, w := range sh.edit {
		np, why := step(p, w, pathEdit)
		if why != "" {
			break
		}
		p = np
	}
	return p
}

// tree is the grammar of the current mode.
func (sh *Shell) tree() *command {
	if sh.mode == Configure {
		return configureTree()
	}
	return sh.opTree()
}

// opTree is the operational grammar with the registered commands, made
// again when commands were registered since.
func (sh *Shell) opTree() *command {
	o := sh.env.Ops
	o.mu.RLock()
	defer o.mu.RUnlock()
	if sh.ops != nil && sh.opsGen == o.gen {
		return sh.ops
	}
	t := operationalTree().clone()
	for _, x := range o.ops {
		fn := x.fn
		t.add(x.path, &command{help: x.help, args: freeArgs{help: x.args}, super: x.super,
			run: func(c *call) error { return fn(c.ctx, c.words(), c.w) }}, o.helps)
	}
	sh.ops, sh.opsGen = t, o.gen
	return t
}

// checkLine resolves words in tree and checks the command's arguments.
func (sh *Shell) checkLine(tree *command, words []Token, final bool) (*command, *SyntaxError) {
	cmd, args, err := resolve(tree, words)
	if err != nil {
		return nil, err
	}
	if cmd.args != nil {
		if err := cmd.args.check(sh, args, final); err != nil {
			return nil, err
		}
	}
	return cmd, nil
}

// Parse reads a command line in the current mode without running it: the
// command's words, or a *SyntaxError. The fuzz target calls it.
func (sh *Shell) Parse(line string) ([]string, error) {
	sh.view = nil
	defer func() { sh.view = nil }()
	toks, err := Tokenize(line)
	if err != nil {
		return nil, err
	}
	words, pipes, err := split(toks)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		if len(pipes) > 0 {
			return nil, &SyntaxError{Pos: 0, Msg: "missing command before '|'"}
		}
		return nil, nil
	}
	cmd, serr := sh.checkLine(sh.tree(), words, true)
	if serr != nil {
		return nil, fixPos(serr, line)
	}
	if _, err := parsePipes(cmd, pipes); err != nil {
		return nil, fixPos(err, line)
	}
	return texts(words), nil
}

func fixPos(e *SyntaxError, line string) *SyntaxError {
	if e.Pos < 0 || e.Pos > len(line) {
		e.Pos = len(line)
	}
	return e
}

// ErrDenied refuses a command the user's class does not allow.
var ErrDenied = errors.New("permission denied")

// Run runs one command line, writing its output to w. A *SyntaxError has
// the place of the failing word; FormatError shows it with a caret. A line
// that ends with an unquoted "?" prints the help instead, as ? does in the
// line editor.
func (sh *Shell) Run(ctx context.Context, line string, w io.Writer) error {
	sh.view = nil
	defer func() { sh.view = nil }()
	if t := strings.TrimRight(line, " \t"); strings.HasSuffix(t, "?") {
		// the help of ?, where no line editor catches it (exec, batch)
		if toks, open, err := tokenize(t); err == nil && open < 0 && len(toks) > 0 && !toks[len(toks)-1].Quoted {
			_, err := io.WriteString(w, FormatItems(sh.Help(t[:len(t)-1])))
			return err
		}
	}
	toks, err := Tokenize(line)
	if err != nil {
		return err
	}
	words, pipes, err := split(toks)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		if len(pipes) > 0 {
			return &SyntaxError{Pos: 0, Msg: "missing command before '|'"}
		}
		return nil
	}
	tree := sh.tree()
	cmd, args, serr := resolve(tree, words)
	if serr != nil {
		return fixPos(serr, line)
	}
	if cmd.args != nil {
		if serr := cmd.args.check(sh, args, true); serr != nil {
			return fixPos(serr, line)
		}
	}
	pl, serr := parsePipes(cmd, pipes)
	if serr != nil {
		return fixPos(serr, line)
	}
	if cmd.super && sh.env.Class != SuperUser {
		return fmt.Errorf("%w: %s needs the super-user class", ErrDenied, cmd.name)
	}
	out := pl.writer(w)
	c := &call{ctx: ctx, sh: sh, cmd: cmd, args: args, w: out, format: pl.format, compare: pl.compare}
	err = cmd.run(c)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// FormatError returns the lines that show err to the user: for a
// *SyntaxError a caret under the failing word (offset is the width of what
// stands before the line on the screen: the prompt; -1 repeats the line
// first), then the reason; for a failed validation one line per problem.
func FormatError(line string, err error, offset int) string {
	var b strings.Builder
	var se *SyntaxError
	if errors.As(err, &se) {
		pos := se.Pos
		if pos < 0 || pos > len(line) {
			pos = len(line)
		}
		if offset < 0 {
			b.WriteString(line + "\n")
			offset = 0
		}
		b.WriteString(strings.Repeat(" ", offset+pos) + "^\n")
		b.WriteString("syntax error: " + se.Msg + "\n")
		return b.String()
	}
	var ve *cdb.ValidationError
	if errors.As(err, &ve) {
		for _, l := range ve.Lines() {
			b.WriteString("error: " + l + "\n")
		}
		b.WriteString("error: configuration check-out failed\n")
		return b.String()
	}
	var el config.ErrorList
	if errors.As(err, &el) {
		for _, e := range el {
			b.WriteString("error: " + e.Error() + "\n")
		}
		return b.String()
	}
	for _, l := range strings.Split(err.Error(), "\n") {
		b.WriteString("error: " + l + "\n")
	}
	return b.String()
}
