package host

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/zebgp/ze/engine/supervisor"
)

// Component runs a Host as a component of the daemon's supervisor: Start
// starts the plugins the running configuration declares, Stop stops them
// all. The Host exists from NewComponent on (its listener is up, and, with
// Config.Commit, it owns the plugin declarations), so that a commit before
// Start is carried out too.
type Component struct {
	h       *Host
	running func() ([]byte, error)

	mu      sync.Mutex
	closers []func() // the control sockets
}

var (
	_ supervisor.Component      = (*Component)(nil)
	_ supervisor.StatusReporter = (*Component)(nil)
)

// NewComponent makes the Host of cfg; running returns the running
// configuration as RFC 7951 JSON (cdb: db.Running, then Tree.JSON).
func NewComponent(cfg Config, running func() ([]byte, error)) (*Component, error) {
	h, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return &Component{h: h, running: running}, nil
}

// Host returns the plugin host (Call, Statuses, Modules, …).
func (c *Component) Host() *Host { return c.h }

// Name is "plugin-host".
func (c *Component) Name() string { return OwnerHost }

// Start starts the declared plugins. A plugin that does not reach ready is
// logged and left to its restart policy: the daemon runs without it.
func (c *Component) Start(ctx context.Context) error {
	doc, err := c.running()
	if err != nil {
		return fmt.Errorf("host: the running configuration: %w", err)
	}
	if err := c.h.Configure(ctx, doc); err != nil {
		if _, perr := SpecsFromConfig(doc); perr != nil {
			return err
		}
		c.h.log.Warn("not every plugin is ready", "error", err)
	}
	return nil
}

// Stop closes the control sockets, then stops every plugin gracefully and
// the listener.
func (c *Component) Stop(context.Context) error {
	c.mu.Lock()
	closers := c.closers
	c.closers = nil
	c.mu.Unlock()
	for _, fn := range closers {
		fn()
	}
	return c.h.Close()
}

// Status is one line per plugin: name, mode, state, restarts.
func (c *Component) Status() string {
	var b strings.Builder
	for _, st := range c.h.Statuses() {
		fmt.Fprintf(&b, "plugin %s (%s): %s, %d restarts", st.Name, st.Mode, st.State, st.Restarts)
		if st.Reason != "" {
			fmt.Fprintf(&b, ": %s", st.Reason)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
