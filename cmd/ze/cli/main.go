// Package cli implements `ze cli [--state DIR] [-c COMMAND]`: the local
// client of the running daemon's shell. It speaks SSH over the unix socket
// DIR/ze.sock, where the daemon takes the user from the socket's peer
// credentials (root or the daemon's uid; no password): interactive on a
// terminal, one command with -c, else the lines of standard input.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/term"
)

// Exit codes (DESIGN.md): 0 success, 1 error, 2 a file not found.
const (
	exitOK       = 0
	exitError    = 1
	exitNotFound = 2
)

// SocketName is the daemon's socket in the state directory.
const SocketName = "ze.sock"

const usage = `usage: ze cli [--state DIR] [-c COMMAND]

Connects to the shell of the daemon running on the state directory DIR
(default ./var) through its socket DIR/ze.sock, as a super-user named after
you (only root and the daemon's user may connect).

  -c COMMAND   run one command and exit: 0 when it succeeded, 1 when not
  (no -c)      interactive when standard input is a terminal; otherwise
               one command per line of standard input, exit 1 if any failed

Exit status: 0 success, 1 error, 2 no daemon socket in DIR.
`

// Run runs `ze cli ARGS…` and returns the exit code.
func Run(args []string) int {
	return run(args, os.Stdin, os.Stdout, os.Stderr)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("ze cli", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, usage) }
	state := fl.String("state", "./var", "the state directory of the daemon")
	command := fl.String("c", "", "run one command")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "ze cli: unexpected %q (quote the command after -c)\n", fl.Arg(0))
		return exitError
	}
	sock := filepath.Join(*state, SocketName)
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "ze cli: no daemon socket %s (is 'ze start --state %s' running?)\n", sock, *state)
			return exitNotFound
		}
		fmt.Fprintf(stderr, "ze cli: %v\n", err)
		return exitError
	}
	name := "ze"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	cc, chans, reqs, err := gossh.NewClientConn(conn, sock, &gossh.ClientConfig{
		User: name,
		// The socket's directory is the daemon's state directory: who can
		// reach it is the daemon. There is no host key to check it against.
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), //nolint:gosec // a local socket, see above
		Timeout:         10 * time.Second,
	})
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
			fmt.Fprintf(stderr, "ze cli: %s: the daemon closed the connection (only root and the user the daemon runs as may connect)\n", sock)
			return exitError
		}
		fmt.Fprintf(stderr, "ze cli: %s: %v\n", sock, err)
		return exitError
	}
	client := gossh.NewClient(cc, chans, reqs)
	defer client.Close()
	s, err := client.NewSession()
	if err != nil {
		fmt.Fprintf(stderr, "ze cli: %v\n", err)
		return exitError
	}
	defer s.Close()
	s.Stdout, s.Stderr = stdout, stderr
	switch {
	case *command != "":
		return exitCode(s.Run(*command), stderr)
	case isTerminal(stdin):
		return interactive(s, stdin.(*os.File), stderr)
	default:
		s.Stdin = stdin
		if err := s.Shell(); err != nil {
			fmt.Fprintf(stderr, "ze cli: %v\n", err)
			return exitError
		}
		return exitCode(s.Wait(), stderr)
	}
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func exitCode(err error, stderr io.Writer) int {
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		if ee.ExitStatus() == 0 {
			return exitOK
		}
		return exitError
	default:
		fmt.Fprintf(stderr, "ze cli: %v\n", err)
		return exitError
	}
}

// interactive runs the shell on this terminal: raw mode, a pty of the
// terminal's size and type, window changes passed on.
func interactive(s *gossh.Session, in *os.File, stderr io.Writer) int {
	fd := int(in.Fd())
	w, h, err := term.GetSize(fd)
	if err != nil {
		w, h = 80, 24
	}
	tt := os.Getenv("TERM")
	if tt == "" {
		tt = "xterm"
	}
	if err := s.RequestPty(tt, h, w, gossh.TerminalModes{gossh.ECHO: 1}); err != nil {
		fmt.Fprintf(stderr, "ze cli: %v\n", err)
		return exitError
	}
	old, err := term.MakeRaw(fd)
	if err != nil {
		fmt.Fprintf(stderr, "ze cli: %v\n", err)
		return exitError
	}
	defer term.Restore(fd, old) //nolint:errcheck // nothing to do about it
	s.Stdin = in
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	defer signal.Stop(winch)
	go func() {
		for range winch {
			if w, h, err := term.GetSize(fd); err == nil {
				_ = s.WindowChange(h, w)
			}
		}
	}()
	if err := s.Shell(); err != nil {
		fmt.Fprintf(stderr, "ze cli: %v\r\n", err)
		return exitError
	}
	return exitCode(s.Wait(), stderr)
}
