package host

import (
	"fmt"
	"slices"
	"sync"

	goyang "github.com/openconfig/goyang/pkg/yang"

	"github.com/zebgp/ze/yang"
)

// PluginModule is the YANG module a plugin ships.
type PluginModule struct {
	Plugin string // the plugin's name
	Module string // the module's name
	Text   string // its source
}

var shipped struct {
	mu   sync.RWMutex
	mods []PluginModule
}

// RegisterYANG records the YANG module that the plugin called plugin ships
// with ze (from an init function), so that the configuration schema has
// it before the plugin runs: its config is then validated and completed
// like the core's (LoadSchema). A text that is not one module, or a module
// registered twice, panics (a programming error).
func RegisterYANG(plugin, text string) {
	stmts, err := goyang.Parse(text, plugin+".yang")
	if err != nil || len(stmts) != 1 || stmts[0].Keyword != "module" {
		panic(fmt.Sprintf("host: plugin %s: the YANG text is not one module (%v)", plugin, err))
	}
	shipped.mu.Lock()
	defer shipped.mu.Unlock()
	for _, m := range shipped.mods {
		if m.Module == stmts[0].Argument {
			panic(fmt.Sprintf("host: module %s registered twice", m.Module))
		}
	}
	shipped.mods = append(shipped.mods, PluginModule{Plugin: plugin, Module: stmts[0].Argument, Text: text})
}

// ShippedYANG returns the modules registered with RegisterYANG, sorted by
// module name.
func ShippedYANG() []PluginModule {
	shipped.mu.RLock()
	defer shipped.mu.RUnlock()
	out := slices.Clone(shipped.mods)
	slices.SortFunc(out, func(a, b PluginModule) int {
		switch {
		case a.Module < b.Module:
			return -1
		case a.Module > b.Module:
			return 1
		}
		return 0
	})
	return out
}

// LoadSchema loads the configuration schema with plugins: the core modules,
// the modules shipped with ze (ShippedYANG), and extra, module name → text
// (Host.Modules: those the running plugins declared), those already present
// skipped.
func LoadSchema(extra map[string]string) (*yang.Tree, error) {
	l := yang.NewLoader()
	seen := map[string]bool{}
	for _, m := range ShippedYANG() {
		if err := l.Add(m.Module+".yang", []byte(m.Text)); err != nil {
			return nil, err
		}
		seen[m.Module] = true
	}
	names := make([]string, 0, len(extra))
	for n := range extra {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if seen[n] {
			continue
		}
		if err := l.Add(n+".yang", []byte(extra[n])); err != nil {
			return nil, err
		}
	}
	return l.Load()
}
