package sdk

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// Connect connects to the engine that started this process, as its
// environment says: ZE_PLUGIN_HUB_TRANSPORT=stdio speaks on standard input
// and output; otherwise TLS to ZE_PLUGIN_HUB_ADDR, trusting
// ZE_PLUGIN_HUB_CA, authenticated with ZE_PLUGIN_HUB_TOKEN. With neither,
// the process was not started by ze, and Connect fails.
func Connect(ctx context.Context) (*Plugin, error) {
	l, err := DialEnv(ctx)
	if err != nil {
		return nil, err
	}
	return New(l), nil
}

// ConnectStdio speaks on standard input and output, whatever the environment
// says: the plugin declares stdio by writing its registration there.
func ConnectStdio() *Plugin { return New(&host.Link{Conn: Stdio()}) }

// DialEnv opens the connection Connect uses and returns it as a Link.
func DialEnv(ctx context.Context) (*host.Link, error) {
	addr := os.Getenv(host.EnvAddr)
	switch {
	case os.Getenv(host.EnvTransport) == "stdio":
		return &host.Link{Conn: Stdio()}, nil
	case addr == "":
		return nil, errNoEngine
	}
	return DialTLS(ctx, addr, []byte(os.Getenv(host.EnvCA)), os.Getenv(host.EnvToken), os.Getenv(host.EnvName))
}

// DialTLS connects to the plugin listener at addr over TLS, trusting only
// caPEM, and authenticates with token (and the plugin's name, when known).
func DialTLS(ctx context.Context, addr string, caPEM []byte, token, name string) (*host.Link, error) {
	conf, err := host.ClientConfig(caPEM)
	if err != nil {
		return nil, fmt.Errorf("sdk: %w", err)
	}
	d := tls.Dialer{Config: conf}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sdk: connecting to the engine: %w", err)
	}
	params, err := json.Marshal(host.AuthenticateParams{Token: token, Name: name})
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	if _, err := c.Write(rpc.AppendRequest(nil, 0, host.MethodAuthenticate, params)); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("sdk: authenticating: %w", err)
	}
	r := rpc.NewReader(c, 0)
	f, err := r.ReadFrame()
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("sdk: authenticating: %w", err)
	}
	if f.Kind != rpc.KindOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(f.JSON, &e)
		_ = c.Close()
		return nil, fmt.Errorf("sdk: the engine refused the connection: %s", e.Error)
	}
	_ = c.SetDeadline(time.Time{})
	return &host.Link{Conn: c, Reader: r}, nil
}

// Stdio is the protocol on standard input and output. Nothing else may write
// to standard output then: log to standard error.
func Stdio() io.ReadWriteCloser { return stdio{} }

type stdio struct{}

func (stdio) Read(b []byte) (int, error)  { return os.Stdin.Read(b) }
func (stdio) Write(b []byte) (int, error) { return os.Stdout.Write(b) }
func (stdio) Close() error {
	_ = os.Stdin.Close()
	return os.Stdout.Close()
}

// Builtin makes run a plugin compiled into ze, under name: ze.NAME runs it in
// the engine's process, NAME in a child process (`ze plugin run NAME`). Call
// it from an init function.
func Builtin(name string, run func(ctx context.Context, p *Plugin) error) {
	host.Register(name, func(ctx context.Context, l *host.Link) error {
		return run(ctx, New(l))
	})
}

// RunBuiltin is the body of `ze plugin run NAME`: it connects as the
// environment says and runs the built-in plugin name until the engine shuts
// it down or SIGTERM arrives (both a clean end).
func RunBuiltin(name string) error {
	m, ok := host.Lookup(name)
	if !ok {
		return fmt.Errorf("sdk: no plugin %s is built into ze", name)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	l, err := DialEnv(ctx)
	if err != nil {
		return err
	}
	err = m(ctx, l)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
