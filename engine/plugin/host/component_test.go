package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

func TestComponent(t *testing.T) {
	name := uniqueName("comp")
	registerInternal(name, fakeBody(nil, plainReg(name), nil, nil))
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	doc := fmt.Sprintf(`{"ze-plugin:plugin":{"internal":[{"name":%q}]}}`, name)
	c, err := NewComponent(Config{Hub: h, Logger: slog.New(slog.DiscardHandler)}, func() ([]byte, error) { return []byte(doc), nil })
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "plugin-host" {
		t.Errorf("name %q", c.Name())
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Status(), fmt.Sprintf("plugin %s (internal): ready, 0 restarts\n", name); got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Host().Status(name); st.State != StateStopped {
		t.Errorf("after Stop: %+v", st)
	}

	bad, err := NewComponent(Config{Hub: h, Logger: slog.New(slog.DiscardHandler)}, func() ([]byte, error) { return nil, errors.New("no db") })
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = bad.Stop(context.Background()) }()
	if err := bad.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "no db") {
		t.Errorf("got %v", err)
	}
}

// TestControlSocket: the plugins' RPCs, the status and the registry on
// DIR/plugin.sock; the socket is gone after Stop.
func TestControlSocket(t *testing.T) {
	name := uniqueName("ctl")
	registerInternal(name, fakeBody(nil, plainReg(name, "ze-test-echo:echo"), nil, nil))
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	doc := fmt.Sprintf(`{"ze-plugin:plugin":{"internal":[{"name":%q}]}}`, name)
	c, err := NewComponent(Config{Hub: h, Logger: slog.New(slog.DiscardHandler)}, func() ([]byte, error) { return []byte(doc), nil })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := c.ServeSocket(dir); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("unix", filepath.Join(dir, SocketName))
	if err != nil {
		t.Fatal(err)
	}
	conn := rpc.NewConn(nc, rpc.Options{})
	ctx := context.Background()
	res, err := conn.Call(ctx, "ze-test-echo:echo", []byte(`{"x":1}`))
	if err != nil || string(res) != `{"x":1}` {
		t.Errorf("echo: %s %v", res, err)
	}
	res, err = conn.Call(ctx, MethodHostStatus, []byte(fmt.Sprintf(`{"name":%q}`, name)))
	if err != nil || !strings.Contains(string(res), `"state":"ready"`) {
		t.Errorf("status: %s %v", res, err)
	}
	res, err = conn.Call(ctx, MethodHostRegistry, nil)
	if err != nil || !strings.Contains(string(res), `"rpcs":["ze-test-echo:echo"]`) {
		t.Errorf("registry: %s %v", res, err)
	}
	res, err = conn.Call(ctx, MethodHostModules, nil)
	if err != nil || !strings.Contains(string(res), `{"modules":{"ze-test-echo":"module ze-test-echo {`) {
		t.Errorf("modules: %s %v", res, err)
	}
	_, err = conn.Call(ctx, "ze-test-none:x", nil)
	var re *rpc.RemoteError
	if !errors.As(err, &re) || re.Message != "host: no plugin serves ze-test-none:x" {
		t.Errorf("unknown method: %v", err)
	}
	_, err = conn.Call(ctx, MethodHostStatus, []byte(`{"plugin":"x"}`))
	if err == nil || !strings.Contains(err.Error(), `unknown field "plugin"`) {
		t.Errorf("bad params: %v", err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-conn.Done():
	case <-time.After(5 * time.Second):
		t.Error("the connection outlived Stop")
	}
	if _, err := os.Stat(filepath.Join(dir, SocketName)); !os.IsNotExist(err) {
		t.Errorf("socket left: %v", err)
	}
}
