package start

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
)

// SocketName is the unix socket of `ze cli` in the state directory. It
// appears once every other component has started, so its presence tells
// scripts and tests that the daemon is ready.
const SocketName = "ze.sock"

// localSocket listens on DIR/ze.sock and hands the listener to serve.
type localSocket struct {
	path  string
	serve func(net.Listener) error
	ln    net.Listener
	done  chan struct{}
}

func (l *localSocket) Name() string { return "local-socket" }

func (l *localSocket) Start(context.Context) error {
	// The state directory is ours (the pid lock): a socket left by a
	// daemon that died is stale.
	_ = os.Remove(l.path)
	ln, err := net.Listen("unix", l.path)
	if err != nil {
		return err
	}
	if err := os.Chmod(l.path, 0o600); err != nil {
		ln.Close()
		return err
	}
	l.ln = ln
	l.done = make(chan struct{})
	go func() {
		defer close(l.done)
		_ = l.serve(ln)
	}()
	return nil
}

func (l *localSocket) Stop(context.Context) error {
	err := l.ln.Close()
	<-l.done
	_ = os.Remove(l.path)
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

func newLocalSocket(state string, serve func(net.Listener) error) *localSocket {
	return &localSocket{path: filepath.Join(state, SocketName), serve: serve}
}
