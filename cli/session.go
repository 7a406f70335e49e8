package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"

	gliderssh "github.com/gliderlabs/ssh"
	"golang.org/x/sys/unix"

	"github.com/zebgp/ze/cli/shell"
)

// ServeLocal serves `ze cli` on ln, a unix socket (STATE/ze.sock): the SSH
// protocol without authentication, the user being the peer's uid
// (SO_PEERCRED). Only root and the daemon's own uid are let in, as a
// super-user session named after the OS user. It returns when ln is closed
// or the server is.
func (s *Server) ServeLocal(ln net.Listener) error {
	s.wg.Add(1)
	defer s.wg.Done()
	err := s.local.Serve(ln)
	if errors.Is(err, gliderssh.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// connLocal admits a local connection from root or the daemon's uid.
func (s *Server) connLocal(ctx gliderssh.Context, c net.Conn) net.Conn {
	name, err := peerUser(c)
	if err != nil {
		s.log.Warn("local shell connection refused", "error", err)
		return nil
	}
	ctx.SetValue(keyLocalUser, name)
	ctx.SetValue(keyVia, "local")
	return c
}

// peerUser returns the OS user at the other end of a unix socket, if it is
// root or the user the daemon runs as.
func peerUser(c net.Conn) (string, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return "", fmt.Errorf("cli: local connection is a %T, not a unix socket", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return "", err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return "", err
	}
	if cerr != nil {
		return "", fmt.Errorf("cli: SO_PEERCRED: %w", cerr)
	}
	if !admitted(cred.Uid, uint32(os.Getuid())) {
		return "", fmt.Errorf("cli: uid %d is neither root nor the daemon's uid %d", cred.Uid, os.Getuid())
	}
	name := "uid-" + strconv.Itoa(int(cred.Uid))
	if u, err := user.LookupId(strconv.Itoa(int(cred.Uid))); err == nil && u.Username != "" {
		name = u.Username
	}
	return name, nil
}

// admitted reports whether a local peer of uid may use the shell of a
// daemon running as self: root, and the daemon's own user.
func admitted(uid, self uint32) bool { return uid == 0 || uid == self }

// who returns the user of a session and its class.
func (s *Server) who(sess gliderssh.Session) (name string, class shell.Class, via string, ok bool) {
	ctx := sess.Context()
	via, _ = ctx.Value(keyVia).(string)
	if lu, isLocal := ctx.Value(keyLocalUser).(string); isLocal {
		return lu, shell.SuperUser, via, true
	}
	a := s.account(sess.User())
	if a == nil {
		return "", 0, via, false
	}
	return a.name, a.class, via, true
}

// enter lists a remote session (local ones are left alone) and returns
// its user's class; ok is false when the user is no longer configured.
// leave unlists it.
func (s *Server) enter(sess gliderssh.Session, name string, class shell.Class, via string) (_ shell.Class, _ *live, ok bool) {
	if via == "local" {
		return class, nil, true
	}
	_, _, isPty := sess.Pty()
	l := newLive(name, sess, isPty)
	a := s.join(l)
	if a == nil {
		return 0, nil, false
	}
	return a.class, l, true
}

// handle serves one SSH session: one command (exec), an interactive shell
// (with a pty), or commands read line by line (no pty, no command).
func (s *Server) handle(sess gliderssh.Session) {
	name, class, via, ok := s.who(sess)
	var l *live
	if ok {
		class, l, ok = s.enter(sess, name, class, via)
	}
	if !ok {
		fmt.Fprintln(sess.Stderr(), "ze: this user is no longer configured")
		_ = sess.Exit(1)
		return
	}
	if l != nil {
		defer s.leave(l)
	}
	ctx := sess.Context()
	env := shell.Env{
		DB: s.o.DB, Schema: s.schema(), Ops: s.o.Ops, Events: s.o.Events, Log: s.o.Log, Logger: s.log,
		User: name, Class: class, Host: s.hostName, Sessions: s.editors, Via: via,
	}
	ptyReq, winCh, isPty := sess.Pty()
	log := s.log.With("user", name, "via", via)
	switch {
	case sess.RawCommand() != "":
		var out io.Writer = sess
		if isPty {
			out = crlf{sess}
		}
		code := s.exec(ctx, env, sess.RawCommand(), out, sess.Stderr())
		log.Debug("shell command", "command", sess.RawCommand(), "exit-code", code)
		_ = sess.Exit(code)
	case isPty:
		log.Info("shell session start", "term", ptyReq.Term)
		code := s.interactive(ctx, env, sess, ptyReq, winCh, l)
		log.Info("shell session end")
		_ = sess.Exit(code)
	default:
		_ = sess.Exit(s.batch(ctx, env, sess, sess, sess.Stderr(), l))
	}
}

// exec runs one command line and returns the exit code.
func (s *Server) exec(ctx context.Context, env shell.Env, line string, out, errOut io.Writer) int {
	sh := shell.New(env)
	defer sh.Close()
	err := sh.Run(ctx, line, out)
	s.audit(env, line, err)
	if err != nil {
		_, _ = io.WriteString(errOut, shell.FormatError(line, err, -1))
		return 1
	}
	return 0
}

// batch runs the lines of in, one command each, and returns 1 when any
// failed. Blank lines and lines starting with # are skipped.
func (s *Server) batch(ctx context.Context, env shell.Env, in io.Reader, out, errOut io.Writer, l *live) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 4096), 64<<10)
	env.Input = func(string) (string, error) {
		if sc.Scan() {
			return sc.Text(), nil
		}
		return "", io.EOF
	}
	sh := shell.New(env)
	defer sh.Close()
	code := 0
	for sc.Scan() {
		line := sc.Text()
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		l.busy()
		skip, gone := s.follow(sh, &env, errOut)
		if gone {
			l.idle()
			return 1
		}
		if skip {
			l.idle()
			code = 1
			continue
		}
		err := sh.Run(ctx, line, out)
		l.idle()
		s.audit(env, line, err)
		if err != nil {
			_, _ = io.WriteString(errOut, shell.FormatError(line, err, -1))
			code = 1
		}
		if sh.Done() || ctx.Err() != nil {
			break
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(errOut, "error: reading the commands: %v\n", err)
		code = 1
	}
	return code
}

// audit logs a command line that was run, with its error: who did what.
func (s *Server) audit(env shell.Env, line string, err error) {
	if strings.TrimSpace(line) == "" {
		return
	}
	if err != nil {
		s.log.Info("shell command", "user", env.User, "via", env.Via, "command", line, "error", err.Error())
		return
	}
	s.log.Info("shell command", "user", env.User, "via", env.Via, "command", line)
}

// crlf writes "\r\n" for each "\n", for a pty in raw mode.
type crlf struct{ w io.Writer }

func (c crlf) Write(p []byte) (int, error) {
	if _, err := c.w.Write([]byte(strings.ReplaceAll(string(p), "\n", "\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
