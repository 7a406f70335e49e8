package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	gliderssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/cli/shell"
	"github.com/zebgp/ze/yang"
	"github.com/zebgp/ze/zefs"
)

// Ops holds the operational commands components register (see shell.Ops).
type Ops = shell.Ops

// OpFunc runs a registered operational command (see shell.OpFunc).
type OpFunc = shell.OpFunc

// EventFunc subscribes to the hub's events for `monitor event` (see
// shell.EventFunc).
type EventFunc = shell.EventFunc

// LogSource gives the recent log lines for `show log`; *LogRing is one.
type LogSource = shell.LogSource

// Options say what a Server serves.
type Options struct {
	DB     *cdb.DB
	Schema *yang.Tree  // nil: the DB's schema
	Store  *zefs.Store // the host key ("ssh/host-key") and the histories ("cli/history/USER"); nil keeps them in memory
	Ops    *Ops        // operational commands of the components; nil: none
	Events EventFunc   // monitor event; nil: not available
	Log    LogSource   // show log; nil: not available
	Logger *slog.Logger
	// IdleTimeout closes a connection without input for this long, unless
	// the configuration's system ssh idle-timeout is set (not 0). 0: never.
	IdleTimeout time.Duration
	// AuthDelay is the wait after a failed login, doubled with each
	// failure from the same address up to 8 times (0: one second).
	AuthDelay time.Duration
	// MaxAuthFailures is how many failed logins an address may make in
	// AuthWindow before it is refused for AuthWindow (0: 10).
	MaxAuthFailures int
	// AuthWindow is the time over which failures count (0: five minutes).
	AuthWindow time.Duration
	// Editor runs the full-screen editor for `edit` without a path in an
	// interactive session; nil uses cli/tui.
	Editor EditorFunc
}

// A Server is the SSH server of the shell, and the local socket of
// `ze cli`. Configure opens its listeners; ServeLocal serves the socket.
type Server struct {
	o       Options
	log     *slog.Logger
	signer  gossh.Signer
	editors *shell.Registry
	limiter *limiter
	idle    atomic.Int64 // nanoseconds

	mu        sync.Mutex
	users     map[string]*account
	host      string
	listeners map[string]net.Listener
	remote    *gliderssh.Server
	local     *gliderssh.Server
	closed    bool
	wg        sync.WaitGroup
	live      map[*live]struct{} // the open SSH sessions of configured users
}

// account is a user of the configuration.
type account struct {
	name  string
	class shell.Class
	hash  string
	keys  []gossh.PublicKey
}

type ctxKey string

const (
	keyLocalUser ctxKey = "ze-local-user"
	keyVia       ctxKey = "ze-via"
)

// NewServer makes a server: its host key is read from the store, or made
// (ed25519) and stored there on the first start.
func NewServer(o Options) (*Server, error) {
	if o.DB == nil {
		return nil, errors.New("cli: NewServer needs a DB")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Ops == nil {
		o.Ops = &Ops{}
	}
	if o.Schema == nil {
		t, _, err := o.DB.Running()
		if err != nil {
			return nil, fmt.Errorf("cli: reading the running configuration: %w", err)
		}
		o.Schema = t.Schema()
	}
	signer, err := hostKey(o.Store)
	if err != nil {
		return nil, err
	}
	s := &Server{
		o: o, log: o.Logger, signer: signer, editors: &shell.Registry{},
		limiter:   newLimiter(o.AuthDelay, o.MaxAuthFailures, o.AuthWindow),
		users:     map[string]*account{},
		host:      "ze",
		listeners: map[string]net.Listener{},
	}
	s.idle.Store(int64(o.IdleTimeout))
	s.remote = &gliderssh.Server{
		Handler:          s.handle,
		PasswordHandler:  s.password,
		PublicKeyHandler: s.publicKey,
		ConnCallback:     s.connRemote,
		Version:          "ze",
	}
	s.remote.AddHostKey(signer)
	s.local = &gliderssh.Server{
		Handler:      s.handle,
		ConnCallback: s.connLocal,
		Version:      "ze",
	}
	s.local.AddHostKey(signer)
	return s, nil
}

// schema is the schema new sessions work with: the database's, which
// grows when a plugin's module joins it (cdb.DB.SetSchema), else
// Options.Schema.
func (s *Server) schema() *yang.Tree {
	if y := s.o.DB.Schema(); y != nil {
		return y
	}
	return s.o.Schema
}

// HostKey returns the server's public host key.
func (s *Server) HostKey() gossh.PublicKey { return s.signer.PublicKey() }

// Addrs returns the addresses the server listens on.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []net.Addr
	for _, ln := range s.listeners {
		out = append(out, ln.Addr())
	}
	slices.SortFunc(out, func(a, b net.Addr) int {
		switch {
		case a.String() < b.String():
			return -1
		case a.String() > b.String():
			return 1
		}
		return 0
	})
	return out
}

// Configure reads the host name, the users and the SSH server's addresses,
// port and idle timeout from the running configuration, and opens and
// closes listeners to match. The open SSH sessions of a user no longer in
// the configuration end, with a message; a changed class applies to open
// sessions from their next command line; changed credentials do not
// affect open sessions. Without system ssh, no listener is open. An
// address that cannot be opened is an error; the others are served.
func (s *Server) Configure(running *config.Tree) error {
	t := running.Active()
	users := map[string]*account{}
	present := map[string]bool{} // the users of the configuration, readable or not
	var errs []error
	host := "ze"
	if n, _ := t.Get([]string{"system", "host-name"}); n != nil && n.Value() != "" {
		host = n.Value()
	}
	if list, _ := t.Get([]string{"system", "login", "user"}); list != nil {
		for _, e := range list.Children() {
			if k := e.Keys(); len(k) == 1 {
				present[k[0]] = true
			}
			a, err := readAccount(e)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			users[a.name] = a
		}
	}
	want := map[string]bool{}
	if sshNode, _ := t.Get([]string{"system", "ssh"}); sshNode != nil {
		port := "22"
		if n := sshNode.Child("port"); n != nil && n.Value() != "" {
			port = n.Value()
		}
		idle := s.o.IdleTimeout
		if n := sshNode.Child("idle-timeout"); n != nil && n.Value() != "" {
			if sec, _ := strconv.Atoi(n.Value()); sec > 0 {
				idle = time.Duration(sec) * time.Second
			}
		}
		s.idle.Store(int64(idle))
		addrs := []string{""}
		if n := sshNode.Child("address"); n != nil && len(n.Values()) > 0 {
			addrs = n.Values()
		}
		for _, a := range addrs {
			want[net.JoinHostPort(a, port)] = true
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("cli: server closed")
	}
	s.users, s.host = users, host
	// The sessions of a removed user end; Configure runs within a commit,
	// which must not wait for them.
	for _, l := range s.gone(present) {
		go s.evict(l)
	}
	s.demoted()
	for addr, ln := range s.listeners {
		if !want[addr] {
			ln.Close()
			delete(s.listeners, addr)
			s.log.Info("ssh listener closed", "address", addr)
		}
	}
	for addr := range want {
		if _, ok := s.listeners[addr]; ok {
			continue
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			errs = append(errs, fmt.Errorf("cli: ssh listener: %w", err))
			continue
		}
		s.listeners[addr] = ln
		s.log.Info("ssh listening", "address", ln.Addr().String())
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			err := s.remote.Serve(ln)
			if err != nil && !errors.Is(err, gliderssh.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
				s.log.Error("ssh listener failed", "address", addr, "error", err)
			}
		}()
	}
	return errors.Join(errs...)
}

func readAccount(e *config.Node) (*account, error) {
	keys := e.Keys()
	if len(keys) != 1 {
		return nil, errors.New("cli: user entry without a name")
	}
	a := &account{name: keys[0]}
	cls := ""
	if n := e.Child("class"); n != nil {
		cls = n.Value()
	}
	c, err := shell.ParseClass(cls)
	if err != nil {
		return nil, fmt.Errorf("cli: user %s: %w", a.name, err)
	}
	a.class = c
	if auth := e.Child("authentication"); auth != nil {
		if p := auth.Child("password"); p != nil {
			a.hash = p.Value()
		}
		if k := auth.Child("ssh-key"); k != nil {
			for _, line := range k.Values() {
				pk, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
				if err != nil {
					return nil, fmt.Errorf("cli: user %s: ssh-key: %w", a.name, err)
				}
				a.keys = append(a.keys, pk)
			}
		}
	}
	return a, nil
}

func (s *Server) account(name string) *account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[name]
}

func (s *Server) hostName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.host
}

// password checks a password login; a failure waits, and counts against
// the address.
func (s *Server) password(ctx gliderssh.Context, password string) bool {
	src := hostOf(ctx.RemoteAddr())
	if !s.limiter.allowed(src) {
		s.log.Warn("ssh login refused: too many failures", "user", ctx.User(), "source", src)
		return false
	}
	a := s.account(ctx.User())
	ok := false
	if a != nil && a.hash != "" {
		err := VerifyPassword(a.hash, password)
		if err != nil && !errors.Is(err, ErrBadPassword) {
			s.log.Error("ssh login: the user's password hash cannot be checked", "user", a.name, "error", err)
		}
		ok = err == nil
	}
	if !ok {
		d := s.limiter.fail(src)
		s.log.Warn("ssh login failed", "user", ctx.User(), "source", src, "method", "password")
		time.Sleep(d)
		return false
	}
	s.limiter.succeed(src)
	s.log.Info("ssh login", "user", ctx.User(), "source", src, "method", "password")
	return true
}

// publicKey checks a key: a key offered but not accepted is not a failure
// (clients try theirs in turn).
func (s *Server) publicKey(ctx gliderssh.Context, key gliderssh.PublicKey) bool {
	src := hostOf(ctx.RemoteAddr())
	if !s.limiter.allowed(src) {
		return false
	}
	a := s.account(ctx.User())
	if a == nil {
		return false
	}
	for _, k := range a.keys {
		if gliderssh.KeysEqual(k, key) {
			return true
		}
	}
	return false
}

func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// connRemote refuses an address over its failure limit at once, and sets
// the idle timeout of the connection.
func (s *Server) connRemote(ctx gliderssh.Context, c net.Conn) net.Conn {
	src := hostOf(c.RemoteAddr())
	if !s.limiter.allowed(src) {
		s.log.Warn("ssh connection refused: too many failed logins", "source", src)
		return nil
	}
	ctx.SetValue(keyVia, "ssh "+src)
	return &idleConn{Conn: c, idle: &s.idle}
}

// Close closes the listeners and every connection.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for addr, ln := range s.listeners {
		ln.Close()
		delete(s.listeners, addr)
	}
	s.mu.Unlock()
	err := errors.Join(s.remote.Close(), s.local.Close())
	s.wg.Wait()
	if errors.Is(err, gliderssh.ErrServerClosed) {
		err = nil
	}
	return err
}

// idleConn closes a connection that reads nothing for the idle time.
type idleConn struct {
	net.Conn
	idle *atomic.Int64
}

func (c *idleConn) Read(p []byte) (int, error) {
	if d := time.Duration(c.idle.Load()); d > 0 {
		_ = c.SetReadDeadline(time.Now().Add(d))
	} else {
		_ = c.SetReadDeadline(time.Time{})
	}
	return c.Conn.Read(p)
}

// SetDeadline is what gliderlabs/ssh calls on each read and write (with no
// time, its own idle timeout being off): it must not clear the read
// deadline Read sets, so only the write deadline follows it.
func (c *idleConn) SetDeadline(t time.Time) error { return c.SetWriteDeadline(t) }

var _ context.Context = gliderssh.Context(nil)
