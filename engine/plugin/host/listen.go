package host

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/zebgp/ze/engine/plugin/rpc"
)

// authTimeout bounds a connection's TLS handshake and authenticate line.
const authTimeout = 10 * time.Second

// listener is the TLS listener plugins connect back to. Each start of a
// plugin registers a one-time token; the first line on a connection must
// present one (ze-plugin-engine:authenticate), and the connection then
// belongs to the plugin that waits for it.
type listener struct {
	h    *Host
	ln   net.Listener
	conf *tls.Config

	mu      sync.Mutex
	pending map[[sha256.Size]byte]*waiter // by the token's hash: lookups do not leak it through timing
	shaking map[net.Conn]struct{}         // connections not yet authenticated
	closed  bool
	wg      sync.WaitGroup
}

// waiter is a plugin start waiting for its connection.
type waiter struct {
	name string
	ch   chan accepted // buffered: the listener never blocks on it
}

// accepted is an authenticated connection and the reader that read its
// first line (bytes it buffered belong to the protocol that follows).
type accepted struct {
	rwc    io.ReadWriteCloser
	r      *rpc.Reader
	remote string
	stdio  bool
}

func newListener(h *Host, addr string, conf *tls.Config) (*listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("host: plugin listener: %w", err)
	}
	l := &listener{h: h, ln: ln, conf: conf, pending: make(map[[sha256.Size]byte]*waiter), shaking: make(map[net.Conn]struct{})}
	l.wg.Add(1)
	go l.serve()
	return l, nil
}

func (l *listener) addr() string { return l.ln.Addr().String() }

// close stops accepting and drops the connections still authenticating.
func (l *listener) close() {
	_ = l.ln.Close()
	l.mu.Lock()
	l.closed = true
	for c := range l.shaking {
		_ = c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
}

// expect registers a fresh token for the plugin name (empty: any name). The
// returned cancel withdraws it.
func (l *listener) expect(name string) (token string, w *waiter, cancel func()) {
	token = randomToken()
	sum := sha256.Sum256([]byte(token))
	w = &waiter{name: name, ch: make(chan accepted, 1)}
	l.mu.Lock()
	l.pending[sum] = w
	l.mu.Unlock()
	return token, w, func() {
		l.mu.Lock()
		if l.pending[sum] == w {
			delete(l.pending, sum)
		}
		l.mu.Unlock()
	}
}

func (l *listener) serve() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			l.h.log.Warn("plugin listener", "error", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			_ = c.Close()
			return
		}
		l.shaking[c] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go func() {
			defer l.wg.Done()
			l.handshake(c)
			l.mu.Lock()
			delete(l.shaking, c)
			l.mu.Unlock()
		}()
	}
}

// handshake runs TLS, reads the authenticate line and hands the connection
// to the plugin whose token it presents; anything else is refused and
// reported.
func (l *listener) handshake(raw net.Conn) {
	remote := raw.RemoteAddr().String()
	_ = raw.SetDeadline(time.Now().Add(authTimeout))
	tc := tls.Server(raw, l.conf)
	if err := tc.Handshake(); err != nil {
		_ = raw.Close()
		l.refuse(remote, "", "tls handshake: "+err.Error())
		return
	}
	fail := func(id uint64, name, reason string) {
		_, _ = tc.Write(rpc.AppendError(nil, id, reason))
		_ = tc.Close()
		l.refuse(remote, name, reason)
	}
	r := rpc.NewReader(tc, 0)
	f, err := r.ReadFrame()
	if err != nil {
		var se *rpc.SyntaxError
		if errors.As(err, &se) && se.HasID {
			fail(se.ID, "", "authenticate: "+err.Error())
			return
		}
		_ = tc.Close()
		l.refuse(remote, "", "reading the authenticate line: "+err.Error())
		return
	}
	if f.Kind != rpc.KindRequest || string(f.Verb) != MethodAuthenticate {
		fail(f.ID, "", "want "+MethodAuthenticate+" first")
		return
	}
	var p AuthenticateParams
	if err := json.Unmarshal(f.JSON, &p); err != nil || p.Token == "" {
		fail(f.ID, p.Name, "authenticate: no token")
		return
	}
	sum := sha256.Sum256([]byte(p.Token))
	l.mu.Lock()
	w := l.pending[sum]
	delete(l.pending, sum) // one use only, right or wrong
	l.mu.Unlock()
	switch {
	case w == nil:
		fail(f.ID, p.Name, "authenticate: unknown or already used token")
		return
	case p.Name != "" && w.name != "" && p.Name != w.name:
		fail(f.ID, p.Name, fmt.Sprintf("authenticate: the token is plugin %s's, not %s's", w.name, p.Name))
		return
	}
	if _, err := tc.Write(rpc.AppendOK(nil, f.ID, nil)); err != nil {
		_ = tc.Close()
		l.refuse(remote, p.Name, "answering authenticate: "+err.Error())
		return
	}
	_ = raw.SetDeadline(time.Time{})
	select {
	case w.ch <- accepted{rwc: tc, r: r, remote: remote}:
	default:
		_ = tc.Close() // cannot happen: one token, one send
	}
}

// refuse logs and publishes a refused connection.
func (l *listener) refuse(remote, name, reason string) {
	l.h.log.Warn("plugin connection refused", "remote", remote, "plugin", name, "reason", reason)
	l.h.refused.Add(1)
	l.h.publishHost(context.Background(), TopicRefused, &RefusedEvent{Remote: remote, Name: name, Reason: reason})
}

func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("host: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}
