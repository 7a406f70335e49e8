package reactor

import (
	"context"
	"fmt"
	"strings"

	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/engine/commit"
)

// CommitPath is the subtree the reactor owns in commits.
const CommitPath = "ze-bgp:bgp"

// CommitHandler is the reactor's side of a commit (engine/commit): Verify
// reads the new configuration (a *config.Tree in Request.New) with
// ConfigFromTree and checks it with Reactor.Verify; Apply applies it, and
// with Request.Restore the old one comes back the same way.
//
//	coord.Register("bgp", reactor.CommitPath, r.CommitHandler())
func (r *Reactor) CommitHandler() commit.Handler { return commitHandler{r} }

type commitHandler struct{ r *Reactor }

func (h commitHandler) config(req *commit.Request) (Config, error) {
	t, ok := req.New.(*config.Tree)
	if !ok {
		return Config{}, fmt.Errorf("reactor: commit %d: the configuration is a %T, not a *config.Tree", req.Revision, req.New)
	}
	return ConfigFromTree(t)
}

func (h commitHandler) Verify(_ context.Context, req *commit.Request) error {
	cfg, err := h.config(req)
	if err != nil {
		return err
	}
	return h.r.Verify(cfg)
}

func (h commitHandler) Apply(_ context.Context, req *commit.Request) error {
	cfg, err := h.config(req)
	if err != nil {
		return err
	}
	return h.r.Apply(cfg)
}

// Component is the reactor as a supervised part of the daemon
// (engine/supervisor): Start starts it, Stop sends every peer a Cease with
// Message, and Status (SIGUSR1) is the `show bgp summary` table.
type Component struct {
	R *Reactor
	// Message is the shutdown communication sent on Stop (RFC 9003).
	Message string
}

// Name is "bgp".
func (c Component) Name() string { return "bgp" }

// Start starts the reactor.
func (c Component) Start(ctx context.Context) error { return c.R.Start(ctx) }

// Stop stops it with c.Message.
func (c Component) Stop(ctx context.Context) error { return c.R.Stop(ctx, c.Message) }

// Status is the summary table.
func (c Component) Status() string {
	var b strings.Builder
	cfg := c.R.Config()
	_ = WriteSummary(&b, cfg.RouterID, cfg.LocalAS, c.R.Summary())
	return b.String()
}
