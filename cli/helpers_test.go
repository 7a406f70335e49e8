package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/yang"
	"github.com/zebgp/ze/zefs"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is a server on a temporary database with two users: admin
// (super-user, password "secret" and a key) and bob (operator, password
// "bobpw").
type fixture struct {
	db    *cdb.DB
	srv   *Server
	addr  string
	key   gossh.Signer // admin's key
	priv  ed25519.PrivateKey
	store *zefs.Store
	dir   string
}

var adminHash = sync.OnceValue(func() string {
	h, err := HashPassword("secret")
	if err != nil {
		panic(err)
	}
	return h
})

// freeAddr returns a loopback address and port free a moment ago.
func freeAddr(t testing.TB) (string, string) {
	t.Helper()
	b := make([]byte, 2)
	_, _ = rand.Read(b)
	host := fmt.Sprintf("127.77.%d.%d", b[0], 1+b[1]%250)
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return host, port
}

func newFixture(t testing.TB, tune func(*Options)) *fixture {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pub := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
	host, port := freeAddr(t)
	conf := fmt.Sprintf(`system {
    host-name r1;
    login {
        user admin {
            class super-user;
            authentication {
                password "%s";
                ssh-key "%s admin@test";
            }
        }
        user bob {
            class operator;
            authentication {
                password "%s";
            }
        }
    }
    ssh {
        address %s;
        port %s;
    }
}
bgp {
    group g {
        local-as 65001;
        peer p1 {
            remote {
                ip 192.0.2.1;
                as 65002;
            }
        }
    }
}
`, adminHash(), pub, mustHash(t, "bobpw"), host, port)
	y, err := yang.Core()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, err := cdb.Open(dir, cdb.Options{Schema: y, Factory: []byte(conf), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	store, err := zefs.Open(dir+"/ze.zefs", zefs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{DB: db, Store: store, Logger: quiet, AuthDelay: time.Millisecond}
	if tune != nil {
		tune(&o)
	}
	srv, err := NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	running, _, err := db.Running()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Configure(running); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close()
		db.Close()
		store.Close()
	})
	return &fixture{db: db, srv: srv, addr: net.JoinHostPort(host, port), key: signer, priv: priv, store: store, dir: dir}
}

var hashes sync.Map

func mustHash(t testing.TB, pw string) string {
	if h, ok := hashes.Load(pw); ok {
		return h.(string)
	}
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	hashes.Store(pw, h)
	return h
}

func (f *fixture) dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User: user, Auth: auth, HostKeyCallback: gossh.FixedHostKey(f.srv.HostKey()), Timeout: 5 * time.Second,
	})
}

func (f *fixture) mustDial(t testing.TB, user string, auth ...gossh.AuthMethod) *gossh.Client {
	t.Helper()
	c, err := f.dial(user, auth...)
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// execute runs one command in exec mode: stdout, stderr, exit status.
func execute(t testing.TB, c *gossh.Client, cmd string) (string, string, int) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	err = s.Run(cmd)
	code := 0
	var ee *gossh.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitStatus()
	} else if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return out.String(), errb.String(), code
}

// screen collects what an interactive session prints.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitFor waits until the screen shows want after position from, and
// returns the position after it.
func (s *screen) waitFor(t testing.TB, from int, want string) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		got := s.String()
		if from > len(got) {
			from = len(got)
		}
		if i := strings.Index(got[from:], want); i >= 0 {
			return from + i + len(want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	got := s.String()
	t.Fatalf("screen never showed %q; after %d it shows:\n%s", want, from, got[min(from, len(got)):])
	return 0
}

// vterm is an interactive session with a pty.
type vterm struct {
	s   *gossh.Session
	in  io.WriteCloser
	scr *screen
}

func openTerm(t testing.TB, c *gossh.Client, w, h int) *vterm {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.RequestPty("xterm", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, err := s.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	scr := &screen{}
	s.Stdout, s.Stderr = scr, scr
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	return &vterm{s: s, in: in, scr: scr}
}

func (tm *vterm) typ(t testing.TB, keys string) {
	t.Helper()
	if _, err := io.WriteString(tm.in, keys); err != nil {
		t.Fatal(err)
	}
}

// waitAny waits until the screen shows one of wants after position from,
// and returns the first one it shows.
func (s *screen) waitAny(t testing.TB, from int, wants ...string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		got := s.String()
		if from > len(got) {
			from = len(got)
		}
		best, at := "", -1
		for _, w := range wants {
			if i := strings.Index(got[from:], w); i >= 0 && (at < 0 || i < at) {
				best, at = w, i
			}
		}
		if at >= 0 {
			return best
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("screen never showed any of %q", wants)
	return ""
}

// local serves the local socket (ze cli's) on a new unix socket and
// returns a client logged in over it; the user name it sends is ignored
// (the server takes the OS user from the socket). It is closed with the
// test.
func (f *fixture) local(t *testing.T) *gossh.Client {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ze.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = f.srv.ServeLocal(ln) }()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	cc, chans, reqs, err := gossh.NewClientConn(conn, "ze.sock", &gossh.ClientConfig{User: "whoever", HostKeyCallback: gossh.FixedHostKey(f.srv.HostKey())})
	if err != nil {
		t.Fatal(err)
	}
	c := gossh.NewClient(cc, chans, reqs)
	t.Cleanup(func() { c.Close() })
	return c
}
