package host

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// watchRefused returns a function that waits for the next refusal report.
func watchRefused(t *testing.T, ph *Host) func(*testing.T) *RefusedEvent {
	t.Helper()
	sub, err := ph.hub.Subscribe(hub.SubscribeConfig{Name: "refused", Prefixes: []string{TopicRefused}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return func(t *testing.T) *RefusedEvent {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m, err := sub.Receive(ctx)
		if err != nil {
			t.Fatalf("no refusal reported: %v", err)
		}
		return m.Value().(*RefusedEvent)
	}
}

// authenticate connects over TLS with conf and sends line; it returns the
// answer line or the error.
func authenticate(addr string, conf *tls.Config, line string) (string, error) {
	c, err := tls.Dial("tcp", addr, conf)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(line)); err != nil {
		return "", err
	}
	l, err := rpc.NewReader(c, 0).ReadLine()
	return string(l), err
}

func authLine(token, name string) string {
	b, _ := json.Marshal(AuthenticateParams{Token: token, Name: name})
	return string(rpc.AppendRequest(nil, 0, MethodAuthenticate, b))
}

// TestTokenRefused: the listener accepts a registered token once, for the
// plugin it was made for, and refuses and reports everything else.
func TestTokenRefused(t *testing.T) {
	ph, _ := newTestHost(t, Config{})
	refused := watchRefused(t, ph)
	conf, err := ClientConfig(ph.CAPEM())
	if err != nil {
		t.Fatal(err)
	}
	token, w, cancel := ph.ln.expect("alpha")
	defer cancel()

	tests := []struct {
		name, line, answer, reason string
	}{
		{"wrong token", authLine("deadbeef", "alpha"), `#0 error {"error":"authenticate: unknown or already used token"}`, "authenticate: unknown or already used token"},
		{"no token", authLine("", "alpha"), `#0 error {"error":"authenticate: no token"}`, "authenticate: no token"},
		{"not authenticate", "#1 ze-plugin-engine:ready\n", `#1 error {"error":"want ze-plugin-engine:authenticate first"}`, "want ze-plugin-engine:authenticate first"},
		{"garbage", "#7 hello\n", `#7 error {"error":"authenticate: rpc: line 1: unknown verb \"hello\": want ok, error or module:rpc-name"}`, "authenticate: rpc: line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := authenticate(ph.Addr(), conf, tt.line)
			if err != nil || got != tt.answer {
				t.Errorf("answer: got %q, %v, want %q", got, err, tt.answer)
			}
			if ev := refused(t); !strings.HasPrefix(ev.Reason, tt.reason) {
				t.Errorf("reported: got %q, want %q", ev.Reason, tt.reason)
			}
		})
	}
	// The right token, for another plugin's name: refused, and spent.
	got, _ := authenticate(ph.Addr(), conf, authLine(token, "beta"))
	if want := `#0 error {"error":"authenticate: the token is plugin alpha's, not beta's"}`; got != want {
		t.Errorf("other name: got %q, want %q", got, want)
	}
	refused(t)
	got, _ = authenticate(ph.Addr(), conf, authLine(token, "alpha"))
	if want := `#0 error {"error":"authenticate: unknown or already used token"}`; got != want {
		t.Errorf("spent token: got %q, want %q", got, want)
	}
	refused(t)
	select {
	case a := <-w.ch:
		t.Errorf("a refused connection was handed over: %v", a.remote)
	default:
	}

	// A fresh token works once.
	token, w, cancel = ph.ln.expect("alpha")
	defer cancel()
	if got, err := authenticate(ph.Addr(), conf, authLine(token, "alpha")); err != nil || got != "#0 ok" {
		t.Errorf("good token: got %q, %v", got, err)
	}
	select {
	case a := <-w.ch:
		_ = a.rwc.Close()
	case <-time.After(5 * time.Second):
		t.Error("the connection was not handed over")
	}
	if got, _ := authenticate(ph.Addr(), conf, authLine(token, "alpha")); !strings.Contains(got, "already used") {
		t.Errorf("second use: got %q", got)
	}
	refused(t)
	if n := ph.Refused(); n != 7 {
		t.Errorf("refused: got %d, want 7", n)
	}
}

// TestTLSRefused: what is not TLS 1.3 with an acceptable certificate is
// refused at the handshake and reported.
func TestTLSRefused(t *testing.T) {
	ph, _ := newTestHost(t, Config{})
	refused := watchRefused(t, ph)
	good, err := ClientConfig(ph.CAPEM())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("plaintext", func(t *testing.T) {
		c, err := net.Dial("tcp", ph.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _ = c.Write([]byte(authLine("x", "alpha")))
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 100)
		n, _ := c.Read(b)
		if strings.Contains(string(b[:n]), "ok") {
			t.Errorf("answered %q", b[:n])
		}
		if ev := refused(t); !strings.HasPrefix(ev.Reason, "tls handshake: ") {
			t.Errorf("reported: got %q", ev.Reason)
		}
	})
	t.Run("tls 1.2", func(t *testing.T) {
		conf := good.Clone()
		conf.MinVersion, conf.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
		if _, err := authenticate(ph.Addr(), conf, authLine("x", "")); err == nil {
			t.Error("a TLS 1.2 client got through")
		}
		if ev := refused(t); !strings.Contains(ev.Reason, "tls handshake: ") || !strings.Contains(ev.Reason, "version") {
			t.Errorf("reported: got %q", ev.Reason)
		}
	})
	t.Run("foreign client certificate", func(t *testing.T) {
		conf := good.Clone()
		cert := selfSigned(t)
		// Sent whatever CAs the server asks for.
		conf.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
		if _, err := authenticate(ph.Addr(), conf, authLine("x", "")); err == nil {
			t.Error("a client with a certificate of another CA got through")
		}
		if ev := refused(t); !strings.Contains(ev.Reason, "tls handshake: ") || !strings.Contains(ev.Reason, "certificate") {
			t.Errorf("reported: got %q", ev.Reason)
		}
	})
	t.Run("client trusting another CA", func(t *testing.T) {
		other := &MemStore{}
		m, err := LoadMaterial(other, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		conf, _ := ClientConfig(m.CAPEM)
		_, err = authenticate(ph.Addr(), conf, authLine("x", ""))
		var uae x509.UnknownAuthorityError
		if err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") && !asUnknown(err, &uae) {
			t.Errorf("got %v, want the client to refuse the server", err)
		}
		refused(t) // the server sees the handshake fail too
	})
}

func asUnknown(err error, target *x509.UnknownAuthorityError) bool {
	return err != nil && strings.Contains(err.Error(), "unknown authority")
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: "intruder"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestCloseDropsHandshakes: a connection that never speaks does not hold up
// Close until the authentication timeout.
func TestCloseDropsHandshakes(t *testing.T) {
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ph, err := New(Config{Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", ph.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(50 * time.Millisecond) // accepted, in its handshake
	start := time.Now()
	_ = ph.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %s", d)
	}
}
