package host

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/zebgp/ze/engine/plugin/rpc"
)

// Call sends an RPC ("module:rpc-name", params a JSON object or empty) to the
// plugin that declared it and returns its result; a method no plugin declared
// goes to Config.Engine. An error answer from the plugin is a
// *rpc.RemoteError.
func (h *Host) Call(ctx context.Context, method string, params []byte) ([]byte, error) {
	return h.route(ctx, method, params)
}

func (h *Host) route(ctx context.Context, method string, params []byte) ([]byte, error) {
	if err := rpc.CheckMethod(method); err != nil {
		return nil, err
	}
	h.mu.RLock()
	p := h.routes[method]
	h.mu.RUnlock()
	if p == nil {
		if h.cfg.Engine != nil && !strings.HasPrefix(method, ModuleCallback+":") {
			return h.cfg.Engine(ctx, method, params)
		}
		return nil, fmt.Errorf("host: no plugin serves %s", method)
	}
	s, state := p.ready()
	if s == nil {
		return nil, fmt.Errorf("host: %s: plugin %s is %s", method, p.displayName(), state)
	}
	if d := s.directOf(); d != nil {
		res, err := d.Call(ctx, method, params)
		if re := (*rpc.RemoteError)(nil); err != nil && !errors.As(err, &re) {
			// The same error as over the wire, whatever the mode.
			err = &rpc.RemoteError{Method: method, Message: err.Error()}
		}
		return res, err
	}
	return s.conn.Call(ctx, method, params)
}

// relay is route for a plugin's request: an error answer of the plugin that
// served it is passed on as its bare message, not wrapped once more.
func (h *Host) relay(ctx context.Context, method string, params []byte) ([]byte, error) {
	res, err := h.route(ctx, method, params)
	if re := (*rpc.RemoteError)(nil); errors.As(err, &re) {
		return nil, errors.New(re.Message)
	}
	return res, err
}
