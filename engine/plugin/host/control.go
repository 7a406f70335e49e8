package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/zebgp/ze/engine/plugin/rpc"
)

// SocketName is the control socket of the plugin host in the state
// directory, where `ze plugin call --state DIR` calls plugins' RPCs.
const SocketName = "plugin.sock"

// The methods of the control socket besides the plugins' own.
const (
	MethodHostStatus   = "ze-plugin-host:status"   // [{"name"}]: one plugin's Status, or {"plugins":[…]}
	MethodHostRegistry = "ze-plugin-host:registry" // the registry, as share-registry gives it
	MethodHostModules  = "ze-plugin-host:modules"  // {"modules":{"NAME":"TEXT",…}}: Host.Modules
)

// ServeControl answers the connections ln accepts, in the plugin protocol's
// framing, without TLS (keep ln local: a unix socket, the loopback): a
// plugin's method goes to the plugin that declared it (or Config.Engine),
// as Call does; MethodHostStatus and MethodHostRegistry describe the
// plugins. It returns when ln is closed, having closed its connections.
func (h *Host) ServeControl(ln net.Listener) error {
	var mu sync.Mutex
	conns := map[*rpc.Conn]bool{}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for c := range conns {
			_ = c.Close()
		}
	}()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		c := rpc.NewConn(nc, rpc.Options{Handler: h.control, Logger: h.log})
		mu.Lock()
		conns[c] = true
		mu.Unlock()
		go func() {
			<-c.Done()
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
	}
}

func (h *Host) control(ctx context.Context, method string, params []byte) ([]byte, error) {
	switch method {
	case MethodHostStatus:
		var p struct {
			Name string `json:"name"`
		}
		if err := decodeStrict(params, &p); err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		if p.Name == "" {
			return json.Marshal(map[string]any{"plugins": h.Statuses()})
		}
		st, ok := h.Status(p.Name)
		if !ok {
			return nil, fmt.Errorf("no plugin %s", p.Name)
		}
		return json.Marshal(st)
	case MethodHostRegistry:
		return json.Marshal(RegistryParams{Plugins: h.Registry()})
	case MethodHostModules:
		return json.Marshal(map[string]any{"modules": h.Modules()})
	}
	return h.Call(ctx, method, params)
}

// ServeSocket serves the control methods (ServeControl) on the unix socket
// DIR/SocketName, readable by the owner only, until Stop.
func (c *Component) ServeSocket(dir string) error {
	path := filepath.Join(dir, SocketName)
	_ = os.Remove(path) // left by a daemon that died: the state directory is locked by this one
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("host: control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close()
		return fmt.Errorf("host: control socket: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := c.h.ServeControl(ln); err != nil {
			c.h.log.Error("control socket", "error", err)
		}
	}()
	c.mu.Lock()
	c.closers = append(c.closers, func() {
		_ = ln.Close()
		<-done
		_ = os.Remove(path)
	})
	c.mu.Unlock()
	return nil
}
