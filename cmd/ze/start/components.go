package start

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/zebgp/ze/bgp/reactor"
	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/cli"
	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
)

// treeOf is the configuration a commit request carries (cdb's Fanout
// gives the active trees).
func treeOf(v any) (*config.Tree, error) {
	t, ok := v.(*config.Tree)
	if !ok || t == nil {
		return nil, fmt.Errorf("commit: no configuration tree (%T)", v)
	}
	return t, nil
}

// bgpComponent is the BGP subsystem: the reactor, owner of "bgp" in
// commits, with its operational commands in the shell.
type bgpComponent struct {
	rx      *reactor.Reactor
	running func() (*config.Tree, error)
}

func newBGP(h *hub.Hub, log *slog.Logger, running func() (*config.Tree, error)) *bgpComponent {
	return &bgpComponent{
		rx:      reactor.New(reactor.Options{Hub: h, Logger: log}),
		running: running,
	}
}

func (b *bgpComponent) Name() string { return "bgp" }

// Start applies the running configuration and brings the sessions up.
func (b *bgpComponent) Start(ctx context.Context) error {
	t, err := b.running()
	if err != nil {
		return err
	}
	cfg, err := reactor.ConfigFromTree(t)
	if err != nil {
		return err
	}
	if err := b.rx.Verify(cfg); err != nil {
		return err
	}
	if err := b.rx.Apply(cfg); err != nil {
		return err
	}
	return b.rx.Start(context.WithoutCancel(ctx))
}

// Stop sends every established peer a Cease.
func (b *bgpComponent) Stop(ctx context.Context) error {
	return b.rx.Stop(ctx, "ze is shutting down")
}

// Status is the SIGUSR1 line.
func (b *bgpComponent) Status() string {
	peers := b.rx.Summary()
	up := 0
	for _, p := range peers {
		if p.State == "established" {
			up++
		}
	}
	return fmt.Sprintf("%d peers, %d established", len(peers), up)
}

func (b *bgpComponent) config(v any) (reactor.Config, error) {
	t, err := treeOf(v)
	if err != nil {
		return reactor.Config{}, err
	}
	return reactor.ConfigFromTree(t)
}

// Verify is the commit's verify phase for "bgp".
func (b *bgpComponent) Verify(_ context.Context, r *commit.Request) error {
	cfg, err := b.config(r.New)
	if err != nil {
		return err
	}
	return b.rx.Verify(cfg)
}

// Apply reconciles the peers with the new configuration.
func (b *bgpComponent) Apply(_ context.Context, r *commit.Request) error {
	cfg, err := b.config(r.New)
	if err != nil {
		return err
	}
	return b.rx.Apply(cfg)
}

// register adds the BGP commands to the shell.
func (b *bgpComponent) register(ops *cli.Ops) {
	ops.RegisterArgs([]string{"show", "bgp", "summary"}, "the BGP peers: state, uptime, prefixes, messages", "[json]",
		func(_ context.Context, args []string, w io.Writer) error {
			cfg := b.rx.Config()
			if len(args) == 1 && args[0] == "json" {
				return reactor.WriteSummaryJSON(w, cfg.RouterID, cfg.LocalAS, b.rx.Summary(), b.rx.Listening()...)
			}
			if len(args) > 0 {
				return fmt.Errorf("show bgp summary: unexpected %q", args[0])
			}
			return reactor.WriteSummary(w, cfg.RouterID, cfg.LocalAS, b.rx.Summary(), b.rx.Listening()...)
		})
	ops.RegisterArgs([]string{"show", "bgp", "neighbor"}, "one BGP peer in detail: capabilities, timers, counters", "<name|address> [json]",
		func(_ context.Context, args []string, w io.Writer) error {
			if len(args) == 0 || len(args) > 2 || (len(args) == 2 && args[1] != "json") {
				return errors.New("show bgp neighbor: give a peer name or address, and optionally json")
			}
			d, err := b.rx.Neighbor(args[0])
			if err != nil {
				return err
			}
			if len(args) == 2 {
				return reactor.WriteNeighborJSON(w, d)
			}
			return reactor.WriteNeighbor(w, d)
		})
	ops.RegisterArgs([]string{"clear", "bgp", "neighbor"}, "reset a BGP session (soft: ask for the routes again, with a route refresh)", "<selector> [soft]",
		func(ctx context.Context, args []string, w io.Writer) error {
			if len(args) == 0 || len(args) > 2 || (len(args) == 2 && args[1] != "soft") {
				return errors.New("clear bgp neighbor: give a peer selector, and optionally soft")
			}
			if len(args) == 2 {
				var errs []error
				for _, f := range b.families(args[0]) {
					if err := b.run(ctx, w, "peer "+args[0]+" refresh "+f); err != nil {
						errs = append(errs, err)
					}
				}
				return errors.Join(errs...)
			}
			return b.run(ctx, w, "peer "+args[0]+" reset cleared from the shell")
		})
	ops.RegisterSuper([]string{"peer"}, "run-time route commands: peer SELECTOR update|withdraw|shutdown|start|reset|refresh …", "<selector> <command> …",
		func(ctx context.Context, args []string, w io.Writer) error {
			return b.run(ctx, w, "peer "+strings.Join(args, " "))
		})
}

// families lists the families negotiated with the peers sel names.
func (b *bgpComponent) families(sel string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range b.rx.Summary() {
		if sel != "*" && sel != p.Name && sel != p.Address.String() {
			continue
		}
		d, err := b.rx.Neighbor(p.Name)
		if err != nil || d.Negotiated == nil {
			continue
		}
		for _, f := range d.Negotiated.Families {
			if k := f.String(); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	if len(out) == 0 {
		out = []string{"ipv4/unicast"}
	}
	return out
}

// run runs a reactor command and prints what it did, peer by peer.
func (b *bgpComponent) run(ctx context.Context, w io.Writer, line string) error {
	res, err := b.rx.Command(ctx, line)
	for _, p := range res.Peers {
		switch {
		case p.Error != "":
			fmt.Fprintf(w, "%s (%s): %s\n", p.Name, p.Address, p.Error)
		case p.Kept:
			fmt.Fprintf(w, "%s (%s): kept, sent when the session is up\n", p.Name, p.Address)
		default:
			fmt.Fprintf(w, "%s (%s): %d message(s) sent\n", p.Name, p.Address, p.Messages)
		}
	}
	return err
}

// shellComponent is the SSH server of the shell: its listeners and users
// follow the running configuration.
type shellComponent struct {
	s       *cli.Server
	running func() (*config.Tree, error)
	log     *slog.Logger
}

func (c *shellComponent) Name() string { return "ssh" }

// Start opens the listeners of the running configuration. One that
// cannot be opened (the port taken) is logged, not fatal: the daemon
// serves BGP and the local shell (ze cli) all the same, and a commit
// that changes the SSH settings tries again.
func (c *shellComponent) Start(context.Context) error {
	t, err := c.running()
	if err != nil {
		return err
	}
	if err := c.s.Configure(t); err != nil {
		c.log.Error("ssh server", "error", err)
	}
	return nil
}

func (c *shellComponent) Stop(context.Context) error { return c.s.Close() }

// registerPluginOps adds the plugins' commands to the shell.
func registerPluginOps(ops *cli.Ops, h *host.Host) {
	ops.RegisterArgs([]string{"show", "plugin"}, "the plugins: mode, state, restarts", "",
		func(_ context.Context, args []string, w io.Writer) error {
			if len(args) > 0 {
				return fmt.Errorf("show plugin: unexpected %q", args[0])
			}
			for _, st := range h.Statuses() {
				fmt.Fprintf(w, "%-24s %-9s %-10s restarts %d", st.Name, st.Mode, st.State, st.Restarts)
				if st.Reason != "" {
					fmt.Fprintf(w, "  %s", st.Reason)
				}
				fmt.Fprintln(w)
			}
			return nil
		})
	ops.RegisterSuper([]string{"request", "plugin"}, "call a plugin's RPC (ze schema methods lists them)", "<module:rpc> [JSON]",
		func(ctx context.Context, args []string, w io.Writer) error {
			if len(args) == 0 {
				return errors.New("request plugin: give a method, module:rpc-name")
			}
			var params []byte
			if len(args) > 1 {
				params = []byte(strings.Join(args[1:], " "))
			}
			out, err := h.Call(ctx, args[0], params)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(w, "%s\n", out)
			return err
		})
}
