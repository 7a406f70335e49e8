package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"

	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// OwnerHost is the commit owner of the plugins' declarations ("ze-plugin:").
const OwnerHost = "plugin-host"

// OwnerName is the commit owner of the plugin called name: "plugin/NAME".
func OwnerName(name string) string { return "plugin/" + name }

// own makes the plugin, once registered with a YANG module, the commit owner
// of the module's subtree; it stays the owner across restarts.
func (p *plug) own(reg *Registration) {
	c := p.h.cfg.Commit
	if c == nil || reg.Module == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unowner != nil {
		return
	}
	p.unowner = c.Register(OwnerName(reg.Name), reg.Module+":", plugOwner{p})
}

// disown ends the plugin's ownership (it is stopped or failed for good).
func (p *plug) disown() {
	p.mu.Lock()
	un := p.unowner
	p.unowner = nil
	p.mu.Unlock()
	if un != nil {
		un()
	}
}

// plugOwner carries commits to a plugin: config-verify and config-apply.
// While the plugin is not ready (restarting), verify accepts and apply only
// keeps the subtree, which the plugin receives at its next configure stage.
type plugOwner struct{ p *plug }

func (o plugOwner) Verify(ctx context.Context, r *commit.Request) error {
	return o.send(ctx, MethodConfigVerify, r)
}

func (o plugOwner) Apply(ctx context.Context, r *commit.Request) error {
	return o.send(ctx, MethodConfigApply, r)
}

func (o plugOwner) send(ctx context.Context, method string, r *commit.Request) error {
	sub, err := r.JSON()
	if err != nil {
		return err
	}
	if method == MethodConfigApply {
		o.p.applyMu.Lock()
		defer o.p.applyMu.Unlock()
		o.p.mu.Lock()
		o.p.config, o.p.rev = sub, r.Revision
		o.p.mu.Unlock()
	}
	s, state := o.p.ready()
	if s == nil {
		o.p.logger().Info("plugin not ready: its config comes with its next start", "method", method, "state", state.String())
		return nil
	}
	params, err := json.Marshal(ConfigChangeParams{Revision: r.Revision, Restore: r.Restore, Config: sub})
	if err != nil {
		return err
	}
	_, err = s.conn.Call(ctx, method, params)
	if re := (*rpc.RemoteError)(nil); errors.As(err, &re) {
		return errors.New(re.Message)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

// hostOwner carries the plugins' declarations: verify reads them, apply is
// Configure with the whole new configuration.
type hostOwner struct{ h *Host }

func (o hostOwner) Verify(_ context.Context, r *commit.Request) error {
	b, err := r.JSON()
	if err != nil {
		return err
	}
	specs, err := SpecsFromConfig(b)
	if err != nil {
		return err
	}
	return o.h.checkRunnable(specs)
}

// checkRunnable refuses what could not start: a built-in plugin ze does not
// have, a program that is not an executable file.
func (h *Host) checkRunnable(specs []Spec) error {
	var errs []error
	for _, sp := range specs {
		switch sp.Mode {
		case Internal, Fork:
			if _, ok := Lookup(sp.Name); !ok && (sp.Mode == Internal || h.self) {
				errs = append(errs, fmt.Errorf("plugin %s: no plugin %s is built into ze (built in: %s)", sp.Name, sp.Name, listOrNone(Registered())))
			}
		case Path:
			fi, err := os.Stat(sp.Run)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("plugin %s: %w", sp.key(), err))
			case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0:
				errs = append(errs, fmt.Errorf("plugin %s: %s is not an executable file", sp.key(), sp.Run))
			}
		}
	}
	return errors.Join(errs...)
}

func (o hostOwner) Apply(ctx context.Context, r *commit.Request) error {
	if r.Render == nil {
		return errors.New("host: the commit carries no JSON")
	}
	doc, err := r.Render(r.New, "")
	if err != nil {
		return err
	}
	return o.h.Configure(ctx, doc)
}

// document returns the configuration given to Configure, by top-level
// member, or nil.
func (h *Host) document() map[string]json.RawMessage {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.doc
}

// Configure makes the running plugins those of doc, a whole configuration
// in RFC 7951 JSON (the "ze-plugin:plugin" member says which; each plugin
// gets the members of its module at its configure stage): a plugin no
// longer declared is stopped, a new one started, one whose declaration
// changed (mode, program, arguments, environment, supervision) restarted.
// Plugins running unchanged keep running: their own config reaches them
// through commits (config-verify, config-apply). It returns once the
// plugins started are ready, or with the errors of those that are not
// (which are restarted under their policy).
func (h *Host) Configure(ctx context.Context, doc []byte) error {
	specs, err := SpecsFromConfig(doc)
	if err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return fmt.Errorf("host: config: %w", err)
	}
	h.cmu.Lock()
	defer h.cmu.Unlock()
	h.mu.Lock()
	h.doc = top
	current := slices.Clone(h.order)
	h.mu.Unlock()

	want := map[string]Spec{}
	for _, sp := range specs {
		want[sp.key()] = sp.withDefaults()
	}
	var errs []error
	have := map[string]bool{}
	for _, p := range current {
		sp, keep := want[p.key]
		if keep && sameSpec(sp, p.spec) && !p.status().State.final() {
			have[p.key] = true
			continue
		}
		if err := h.Stop(ctx, p.key); err != nil {
			errs = append(errs, err)
		}
	}
	var start []Spec
	for _, sp := range specs {
		if !have[sp.key()] {
			start = append(start, sp)
		}
	}
	if len(start) > 0 {
		if err := h.Start(ctx, start...); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sameSpec reports whether two declarations run the plugin the same way.
func sameSpec(a, b Spec) bool {
	a, b = a.withDefaults(), b.withDefaults()
	a.Config, b.Config = nil, nil
	return reflect.DeepEqual(a, b)
}

// catchUp sends a plugin that just became ready the subtree of a commit
// applied while it was going through the stages, after it was configured.
func (s *session) catchUp() {
	p := s.p
	p.applyMu.Lock()
	defer p.applyMu.Unlock()
	p.mu.Lock()
	cfg, rev := p.config, p.rev
	p.mu.Unlock()
	if cfg == nil || bytes.Equal(cfg, s.sent) || !s.ready.Load() {
		return
	}
	params, err := json.Marshal(ConfigChangeParams{Revision: rev, Config: cfg})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.p.spec.StartupTimeout)
	defer cancel()
	if _, err := s.conn.Call(ctx, MethodConfigApply, params); err != nil {
		s.log.Warn("the config of a commit applied while the plugin started", "revision", rev, "error", err)
	}
}
