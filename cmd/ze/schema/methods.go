package schema

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	goyang "github.com/openconfig/goyang/pkg/yang"

	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/engine/plugin/rpc"
	"github.com/zebgp/ze/yang"
)

// method is one RPC in `ze schema methods --json`.
type method struct {
	Method      string  `json:"method"` // module:rpc-name
	Module      string  `json:"module"`
	Description string  `json:"description,omitempty"`
	Input       []param `json:"input"`
	Output      []param `json:"output"`
}

// param is one node of an RPC's input or output; Name is its path under
// input or output ("peer/address").
type param struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"` // leaf, leaf-list, container, list
	Type        string `json:"type,omitempty"`
	Description string `json:"description,omitempty"`
}

// runMethods is `ze schema methods`: every RPC of the loaded modules (the
// core, those the plugins built into ze ship, and -m), as the method names
// plugins and the CLI call ("module:rpc-name"), with input and output.
func runMethods(c *cmdline, args []string) int {
	asJSON := c.fs.Bool("json", false, "print a JSON array")
	state := c.fs.String("state", "", "add the modules of the plugins the daemon of `DIR` runs")
	rest, ok := c.parse(args)
	if !ok {
		return 1
	}
	t, code := c.load()
	if t == nil {
		return code
	}
	mods := host.ShippedYANG()
	if *state != "" {
		running, err := runningModules(*state)
		if err != nil {
			return c.errorf(1, "%v", err)
		}
		mods = append(mods, running...)
	}
	ms, err := methods(t, mods)
	if err != nil {
		return c.errorf(1, "%v", err)
	}
	if len(rest) > 0 {
		var keep []method
		for _, m := range ms {
			for _, pat := range rest {
				if m.Method == pat || m.Module == pat || strings.HasSuffix(pat, ":") && m.Module+":" == pat {
					keep = append(keep, m)
					break
				}
			}
		}
		if len(keep) == 0 {
			return c.errorf(1, "no method matches %s", strings.Join(rest, ", "))
		}
		ms = keep
	}
	if *asJSON {
		if ms == nil {
			ms = []method{}
		}
		b, _ := json.MarshalIndent(ms, "", "  ")
		fmt.Fprintf(c.stdout, "%s\n", b)
		return 0
	}
	writeMethods(c.stdout, ms)
	return 0
}

// runningModules asks the daemon's plugin host (DIR/plugin.sock) for the
// modules of its plugins.
func runningModules(dir string) ([]host.PluginModule, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", filepath.Join(dir, host.SocketName))
	if err != nil {
		return nil, fmt.Errorf("the daemon of %s: %w", dir, err)
	}
	conn := rpc.NewConn(nc, rpc.Options{})
	defer conn.Close()
	res, err := conn.Call(ctx, host.MethodHostModules, nil)
	if err != nil {
		return nil, fmt.Errorf("the daemon of %s: %w", dir, err)
	}
	var out struct {
		Modules map[string]string `json:"modules"`
	}
	if err := json.Unmarshal(res, &out); err != nil {
		return nil, fmt.Errorf("the daemon of %s: %w", dir, err)
	}
	var mods []host.PluginModule
	for _, name := range slices.Sorted(maps.Keys(out.Modules)) {
		mods = append(mods, host.PluginModule{Module: name, Text: out.Modules[name]})
	}
	return mods, nil
}

// methods reads the RPCs of the modules of t and of the shipped ones not in
// t, sorted by method name.
func methods(t *yang.Tree, shipped []host.PluginModule) ([]method, error) {
	ast := goyang.NewModules()
	var names []string
	seen := map[string]bool{}
	add := func(name, file, text string, sub bool) error {
		if seen[name] {
			return nil
		}
		seen[name] = true
		if err := ast.Parse(text, file); err != nil {
			return err
		}
		if !sub {
			names = append(names, name)
		}
		return nil
	}
	for _, m := range t.Modules() {
		if err := add(m.Name, m.File, m.Text, m.Submodule); err != nil {
			return nil, err
		}
	}
	for _, m := range shipped {
		if err := add(m.Module, m.Module+".yang", m.Text, false); err != nil {
			return nil, err
		}
	}
	if errs := ast.Process(); len(errs) > 0 {
		return nil, fmt.Errorf("yang: %w", errs[0])
	}
	var out []method
	for _, name := range names {
		e := goyang.ToEntry(ast.Modules[name])
		for _, rpcName := range sortedKeys(e.Dir) {
			r := e.Dir[rpcName]
			if r.RPC == nil {
				continue
			}
			m := method{Method: name + ":" + rpcName, Module: name, Description: yang.Summary(r.Description),
				Input: params(r.RPC.Input, ""), Output: params(r.RPC.Output, "")}
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b method) int { return strings.Compare(a.Method, b.Method) })
	return out, nil
}

func sortedKeys(m map[string]*goyang.Entry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// params flattens the nodes under an input or output, in document order
// when known.
func params(e *goyang.Entry, prefix string) []param {
	out := []param{}
	if e == nil {
		return out
	}
	for _, name := range childOrder(e) {
		c := e.Dir[name]
		p := param{Name: prefix + name, Description: yang.Summary(c.Description)}
		switch {
		case c.IsLeaf():
			p.Kind = "leaf"
		case c.IsLeafList():
			p.Kind = "leaf-list"
		case c.IsList():
			p.Kind = "list"
		default:
			p.Kind = "container"
		}
		if c.Type != nil {
			p.Type = c.Type.Name
		}
		out = append(out, p)
		if c.Dir != nil {
			out = append(out, params(c, p.Name+"/")...)
		}
	}
	return out
}

// childOrder is the order of e's children in the module's text, those it
// cannot place last by name.
func childOrder(e *goyang.Entry) []string {
	keys := sortedKeys(e.Dir)
	pos := func(k string) int {
		n := e.Dir[k].Node
		if n == nil || n.Statement() == nil {
			return 1 << 30
		}
		// file:line:column
		parts := strings.Split(n.Statement().Location(), ":")
		if len(parts) < 3 {
			return 1 << 30
		}
		line, err := strconv.Atoi(parts[len(parts)-2])
		if err != nil {
			return 1 << 30
		}
		return line
	}
	slices.SortStableFunc(keys, func(a, b string) int { return pos(a) - pos(b) })
	return keys
}

// writeMethods prints one block per method.
func writeMethods(w io.Writer, ms []method) {
	for i, m := range ms {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, m.Method)
		if m.Description != "" {
			fmt.Fprintf(w, "  %s\n", m.Description)
		}
		for _, part := range []struct {
			name string
			ps   []param
		}{{"input", m.Input}, {"output", m.Output}} {
			if len(part.ps) == 0 {
				continue
			}
			fmt.Fprintf(w, "  %s:\n", part.name)
			width := 0
			for _, p := range part.ps {
				width = max(width, len(p.Name))
			}
			for _, p := range part.ps {
				typ := p.Type
				if typ == "" {
					typ = p.Kind
				}
				line := fmt.Sprintf("    %-*s  %-10s %s", width, p.Name, typ, p.Description)
				fmt.Fprintln(w, strings.TrimRight(line, " "))
			}
		}
	}
}
