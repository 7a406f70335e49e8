package host

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	goyang "github.com/openconfig/goyang/pkg/yang"

	"github.com/zebgp/ze/engine/plugin/rpc"
	"github.com/zebgp/ze/yang"
)

// decodeStrict reads a JSON object into v, refusing unknown members so that
// a misspelled one is reported rather than ignored.
func decodeStrict(b []byte, v any) error {
	if len(b) == 0 {
		b = []byte("{}")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// checkRegistration reads and checks a declare-registration: the name the
// host expects, topic prefixes, RPC names, and the YANG module, which must
// load with the core modules and declare every RPC.
func (h *Host) checkRegistration(p *plug, params []byte) (*Registration, error) {
	var r Registration
	if err := decodeStrict(params, &r); err != nil {
		return nil, fmt.Errorf("declare-registration: %w", err)
	}
	if err := checkName(r.Name); err != nil {
		return nil, fmt.Errorf("declare-registration: %w", err)
	}
	if p.spec.Name != "" && r.Name != p.spec.Name {
		return nil, fmt.Errorf("declare-registration: declared name %q, expected %q", r.Name, p.spec.Name)
	}
	if q := h.lookup(r.Name); q != nil && q != p {
		return nil, fmt.Errorf("declare-registration: a plugin named %s is already running", r.Name)
	}
	for _, t := range r.Topics {
		if err := checkPrefix(t); err != nil {
			return nil, fmt.Errorf("declare-registration: topic %q: %w", t, err)
		}
	}
	var rpcs []string
	if r.YANG != "" {
		mod, names, err := parseModule(r.Name, r.YANG)
		if err != nil {
			return nil, fmt.Errorf("declare-registration: %w", err)
		}
		r.Module, rpcs = mod, names
	}
	for i, m := range r.RPCs {
		if err := rpc.CheckMethod(m); err != nil {
			return nil, fmt.Errorf("declare-registration: %w", err)
		}
		if slices.Contains(r.RPCs[:i], m) {
			return nil, fmt.Errorf("declare-registration: rpc %s declared twice", m)
		}
		mod, name, _ := strings.Cut(m, ":")
		switch {
		case mod == ModuleEngine || mod == ModuleCallback:
			return nil, fmt.Errorf("declare-registration: rpc %s: module %s belongs to the protocol", m, mod)
		case r.YANG == "":
			return nil, fmt.Errorf("declare-registration: rpc %s: no YANG module declares it (send the module in \"yang\")", m)
		case mod != r.Module:
			return nil, fmt.Errorf("declare-registration: rpc %s: not in the plugin's module %s", m, r.Module)
		case !slices.Contains(rpcs, name):
			return nil, fmt.Errorf("declare-registration: rpc %s: module %s has no rpc %s (it has %s)", m, r.Module, name, listOrNone(rpcs))
		}
	}
	return &r, nil
}

// parseModule checks the plugin's YANG text: one module, which loads with
// ze's core modules (so its imports and augments resolve). It returns the
// module's name and its rpc names.
func parseModule(plugin, text string) (string, []string, error) {
	file := plugin + ".yang"
	stmts, err := goyang.Parse(text, file)
	if err != nil {
		return "", nil, fmt.Errorf("yang: %w", err)
	}
	if len(stmts) != 1 || stmts[0].Keyword != "module" {
		return "", nil, fmt.Errorf("yang: %s: want one module statement", file)
	}
	if strings.HasPrefix(stmts[0].Argument, "ze-plugin-") {
		return "", nil, fmt.Errorf("yang: module %s: the ze-plugin- modules are the protocol's", stmts[0].Argument)
	}
	if err := loadModule(file, text); err != nil {
		return "", nil, err
	}
	var rpcs []string
	for _, s := range stmts[0].SubStatements() {
		if s.Keyword == "rpc" {
			rpcs = append(rpcs, s.Argument)
		}
	}
	return stmts[0].Argument, rpcs, nil
}

// loadModule loads a plugin's module with the core ones. A variable, so that
// the fuzz target can skip the load (yang has its own FuzzLoad).
var loadModule = func(file, text string) error {
	l := yang.NewLoader()
	if err := l.Add(file, []byte(text)); err != nil {
		return err
	}
	_, err := l.Load()
	return err
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// checkPrefix applies the hub's rules to a subscription prefix: "" (every
// topic), or segments of printable ASCII without spaces, separated by single
// slashes.
func checkPrefix(p string) error {
	if p == "" {
		return nil
	}
	return checkTopic(p)
}

func checkTopic(t string) error {
	if t == "" {
		return fmt.Errorf("empty topic")
	}
	for seg := range strings.SplitSeq(t, "/") {
		if seg == "" {
			return fmt.Errorf("empty segment (a leading, trailing or doubled '/')")
		}
		for i := range len(seg) {
			if c := seg[i]; c <= ' ' || c > '~' {
				return fmt.Errorf("byte 0x%02X is not printable ASCII", c)
			}
		}
	}
	return nil
}

// checkPublishTopic refuses the topics the engine owns: hub/ (the hub's
// reports) and plugin/ (the host's).
func checkPublishTopic(t string) error {
	if err := checkTopic(t); err != nil {
		return fmt.Errorf("topic %q: %w", t, err)
	}
	for _, own := range []string{"hub", "plugin"} {
		if t == own || strings.HasPrefix(t, own+"/") {
			return fmt.Errorf("topic %q: %s/ is the engine's", t, own)
		}
	}
	return nil
}

// reserve makes p the owner of the methods it declared (dropping those of an
// earlier run it no longer declares); a method another plugin owns is
// refused.
func (h *Host) reserve(p *plug, r *Registration) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range r.RPCs {
		if q := h.routes[m]; q != nil && q != p {
			return fmt.Errorf("declare-registration: rpc %s is already served by plugin %s", m, q.displayName())
		}
	}
	for m, q := range h.routes {
		if q == p {
			delete(h.routes, m)
		}
	}
	for _, m := range r.RPCs {
		h.routes[m] = p
	}
	return nil
}

// releaseRoutes forgets every method p owns.
func (h *Host) releaseRoutes(p *plug) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for m, q := range h.routes {
		if q == p {
			delete(h.routes, m)
		}
	}
}
