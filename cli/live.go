package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	gliderssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/zebgp/ze/cli/shell"
)

// live is an open SSH session of a configured user, which a commit that
// removes the user ends. Local sessions (ze cli) are not listed: their
// user is an OS user, not one of the configuration.
type live struct {
	user string
	sess gliderssh.Session
	pty  bool
	// run is held while the session runs a command line: a user who
	// commits their own removal reads the commit's outcome before the
	// goodbye.
	run chan struct{}

	mu     sync.Mutex
	editor context.CancelFunc // ends the full-screen editor running, if any

	ended bool // the session's handler is done (under Server.mu)
}

// editing records how to end the full-screen editor the session runs
// (nil: none runs).
func (l *live) editing(stop context.CancelFunc) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.editor = stop
	l.mu.Unlock()
}

// stopEditor ends the full-screen editor the session runs, if any.
func (l *live) stopEditor() {
	l.mu.Lock()
	stop := l.editor
	l.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func newLive(user string, sess gliderssh.Session, pty bool) *live {
	return &live{user: user, sess: sess, pty: pty, run: make(chan struct{}, 1)}
}

// busy is called before a command line, idle after it. A nil *live (a
// local session) does nothing.
func (l *live) busy() {
	if l != nil {
		l.run <- struct{}{}
	}
}

func (l *live) idle() {
	if l != nil {
		<-l.run
	}
}

// evictWait bounds how long the goodbye may take to write before the
// connection is closed anyway (a client that reads nothing).
const evictWait = 2 * time.Second

// join lists a session of user and returns its account, both under the
// lock that Configure changes the users under: either Configure sees the
// session and ends it, or the session sees the new users. A nil account
// (the user is gone) lists nothing.
func (s *Server) join(l *live) *account {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.users[l.user]
	if a == nil {
		return nil
	}
	if s.live == nil {
		s.live = map[*live]struct{}{}
	}
	s.live[l] = struct{}{}
	return a
}

func (s *Server) leave(l *live) {
	s.mu.Lock()
	delete(s.live, l)
	l.ended = true
	s.mu.Unlock()
}

// restored lists l again when its user is back in the configuration (a
// later applier of the commit failed and the old configuration was given
// back), and says so.
func (s *Server) restored(l *live) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[l.user] == nil {
		return false
	}
	if !l.ended && !s.closed {
		s.live[l] = struct{}{}
	}
	return true
}

// gone returns the listed sessions whose user is not in present, and
// drops them from the list. s.mu is held.
func (s *Server) gone(present map[string]bool) []*live {
	var out []*live
	for l := range s.live {
		if !present[l.user] {
			out = append(out, l)
			delete(s.live, l)
		}
	}
	return out
}

// demoted ends the full-screen editor of the listed sessions whose user
// is no longer a super-user: the editor commits without the shell's
// checks. s.mu is held.
func (s *Server) demoted() {
	for l := range s.live {
		if a := s.users[l.user]; a != nil && a.class != shell.SuperUser {
			l.stopEditor()
		}
	}
}

// removedMessage is what a session of a removed user reads last.
func removedMessage(user string) string {
	return fmt.Sprintf("ze: user %s was removed from the configuration; closing the session", user)
}

// evict ends a session of a removed user: the message on its terminal
// (stderr without a pty), exit status 1, and the connection closed. The
// session's shell then ends as when the client leaves, closing its
// configure session (a private candidate is discarded).
func (s *Server) evict(l *live) {
	// The commit is over once the database is unlocked (appliers run with
	// it locked): its outcome is final then.
	s.o.DB.Lock()
	// wait for the line running (the commit that removed the user) to end
	select {
	case l.run <- struct{}{}:
		defer func() { <-l.run }()
	case <-time.After(evictWait):
	}
	if s.restored(l) {
		return
	}
	s.log.Warn("ssh session closed: user removed from the configuration", "user", l.user, "via", l.sess.Context().Value(keyVia))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if l.pty {
			_, _ = io.WriteString(l.sess, "\r\n"+removedMessage(l.user)+"\r\n")
		} else {
			_, _ = io.WriteString(l.sess.Stderr(), removedMessage(l.user)+"\n")
		}
		_ = l.sess.Exit(1)
	}()
	select {
	case <-done:
	case <-time.After(evictWait):
	}
	if c, ok := l.sess.Context().Value(gliderssh.ContextKeyConn).(gossh.Conn); ok {
		_ = c.Close()
	}
}

// follow brings a session's shell to its user's class of now, before a
// command line: a class changed by a commit applies from the next command.
// A super-user made an operator in configure mode is taken back to
// operational mode, the uncommitted changes discarded, with a message on
// out; skip then says the line (meant for configure mode) is not run.
// gone says the user is no longer configured: the session ends.
func (s *Server) follow(sh *shell.Shell, env *shell.Env, out io.Writer) (skip, gone bool) {
	if env.Via == "local" {
		return false, false
	}
	a := s.account(env.User)
	if a == nil {
		return true, true
	}
	if a.class == sh.Class() {
		return false, false
	}
	s.log.Info("shell session class changed", "user", env.User, "via", env.Via, "from", sh.Class().String(), "to", a.class.String())
	env.Class = a.class
	left, discarded, err := sh.SetClass(a.class)
	if !left {
		return false, false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ze: the class of user %s is now %s: leaving configuration mode", env.User, a.class)
	if discarded {
		b.WriteString(", the uncommitted changes are discarded")
	}
	b.WriteString("\n")
	if err != nil {
		fmt.Fprintf(&b, "error: closing the configure session: %v\n", err)
	}
	_, _ = io.WriteString(out, b.String())
	return true, false
}
