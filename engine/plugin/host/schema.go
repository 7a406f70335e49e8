package host

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
)

// schemaMods is what the host knows of the modules of the configuration
// schema beyond the core and ShippedYANG: Config.Modules, then every module
// OnModules accepted.
type schemaMods struct {
	mu    sync.Mutex // held across OnModules: one schema change at a time
	known map[string]string
}

// joinSchema makes the module a plugin declares part of the configuration
// schema, through Config.OnModules, when the schema does not have it yet:
// it is neither shipped with ze nor known (Config.Modules, or accepted at
// an earlier registration) with the same text. An error refuses the
// registration.
func (h *Host) joinSchema(ctx context.Context, reg *Registration) error {
	if h.cfg.OnModules == nil || reg.Module == "" {
		return nil
	}
	for _, m := range ShippedYANG() {
		if m.Module != reg.Module {
			continue
		}
		if m.Text != reg.YANG {
			return fmt.Errorf("declare-registration: module %s is shipped with ze (plugin %s) with another text", reg.Module, m.Plugin)
		}
		return nil
	}
	h.smods.mu.Lock()
	defer h.smods.mu.Unlock()
	if text, ok := h.smods.known[reg.Module]; ok && text == reg.YANG {
		return nil
	}
	all := maps.Clone(h.smods.known)
	if all == nil {
		all = map[string]string{}
	}
	all[reg.Module] = reg.YANG
	if err := h.cfg.OnModules(ctx, maps.Clone(all)); err != nil {
		return fmt.Errorf("declare-registration: module %s does not join the schema: %w", reg.Module, err)
	}
	h.smods.known = all
	h.log.Info("module joined the schema", "plugin", reg.Name, "module", reg.Module)
	return nil
}

// SchemaModules returns the modules beyond the core and ShippedYANG that
// the host knows the schema has: Config.Modules and those OnModules
// accepted since, module name → text.
func (h *Host) SchemaModules() map[string]string {
	h.smods.mu.Lock()
	defer h.smods.mu.Unlock()
	out := maps.Clone(h.smods.known)
	if out == nil {
		out = map[string]string{}
	}
	return out
}

// complete gives a plugin's config subtree the defaults of its module
// (Config.Complete), compacted. A failure is logged and the subtree goes
// as it is.
func (h *Host) complete(ctx context.Context, p *plug, reg *Registration, cfg json.RawMessage) json.RawMessage {
	if h.cfg.Complete == nil || reg.Module == "" {
		return cfg
	}
	out, err := h.cfg.Complete(ctx, reg.Module, cfg)
	if err != nil {
		p.logger().Warn("completing the config with the module's defaults", "module", reg.Module, "error", err.Error())
		return cfg
	}
	var b bytes.Buffer
	if err := json.Compact(&b, out); err != nil {
		p.logger().Warn("completing the config with the module's defaults", "module", reg.Module, "error", err.Error())
		return cfg
	}
	return b.Bytes()
}
