// Package cli is the SSH server of ze's shell and the local socket of
// `ze cli`; the command interpreter itself is package cli/shell, the
// full-screen configuration editor cli/tui.
//
// The daemon makes one Server and configures it from the running
// configuration after each commit:
//
//	srv, err := cli.NewServer(cli.Options{
//		DB: db, Store: store, // host key "ssh/host-key", histories "cli/history/USER"
//		Ops:    ops,          // show bgp summary, clear bgp neighbor … (Ops.Register)
//		Events: events,       // monitor event: JSON lines from the hub
//		Log:    ring,         // show log: a *LogRing installed as a slog handler
//		Logger: logger,
//	})
//	err = srv.Configure(running)           // host name, users, system ssh address/port/idle-timeout
//	go srv.ServeLocal(unixListener)        // STATE/ze.sock for ze cli
//	defer srv.Close()
//
// Users come from system login user: a crypt(3) or bcrypt password hash
// (VerifyPassword; HashPassword makes $6$ hashes) and/or SSH keys, class
// super-user or operator (no configure mode). A failed password login waits
// (AuthDelay, doubling per failure) and an address with MaxAuthFailures in
// AuthWindow is refused until they age out. A connection without input for
// the idle timeout is closed.
//
// A session with a command runs it and exits 0, or 1 with the error on
// stderr (exec mode); with a pty it is the interactive shell (line editor
// golang.org/x/term with TAB, ?, history kept in ZeFS, Ctrl-C, a pager that
// follows window-size changes); with neither it reads commands line by line
// from stdin and exits 1 if any failed.
//
// The local socket speaks the same SSH protocol without authentication:
// the peer's uid (SO_PEERCRED) must be root or the daemon's, and the
// session is a super-user named after that OS user.
package cli
