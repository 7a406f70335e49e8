package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/zebgp/ze/yang"
)

// moduleJSON is one module in `ze schema list --json`.
type moduleJSON struct {
	Name      string `json:"name"`
	Revision  string `json:"revision"`
	Namespace string `json:"namespace"`
	Prefix    string `json:"prefix"`
	File      string `json:"file"`
	Core      bool   `json:"core"`
}

func runList(c *cmdline, args []string) int {
	asJSON := c.fs.Bool("json", false, "print a JSON array")
	rest, ok := c.parse(args)
	if !ok {
		return 1
	}
	if len(rest) > 0 {
		return c.errorf(1, "unexpected argument %q", rest[0])
	}
	t, code := c.load()
	if t == nil {
		return code
	}
	if *asJSON {
		out := []moduleJSON{}
		for _, m := range t.Modules() {
			out = append(out, moduleJSON{m.Name, m.Revision, m.Namespace, m.Prefix, m.File, m.Core})
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(c.stdout, "%s\n", b)
		return 0
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tREVISION\tNAMESPACE")
	for _, m := range t.Modules() {
		ns := m.Namespace
		if m.Submodule {
			ns = "(submodule)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name, m.Revision, ns)
	}
	tw.Flush()
	return 0
}

func runShow(c *cmdline, args []string) int {
	rest, ok := c.parse(args)
	if !ok {
		return 1
	}
	if len(rest) != 1 {
		return c.errorf(1, "want one MODULE (see 'ze schema list')")
	}
	t, code := c.load()
	if t == nil {
		return code
	}
	name, rev, _ := strings.Cut(strings.TrimSuffix(rest[0], ".yang"), "@")
	m := t.Module(name)
	if m == nil || (rev != "" && rev != m.Revision) {
		var names []string
		for _, m := range t.Modules() {
			names = append(names, m.Name)
		}
		return c.errorf(1, "unknown module %q; the modules are %s", rest[0], strings.Join(names, ", "))
	}
	fmt.Fprint(c.stdout, m.Text)
	if !strings.HasSuffix(m.Text, "\n") {
		fmt.Fprintln(c.stdout)
	}
	return 0
}

func runTree(c *cmdline, args []string) int {
	rest, ok := c.parse(args)
	if !ok {
		return 1
	}
	t, code := c.load()
	if t == nil {
		return code
	}
	n := t.Root()
	for _, arg := range rest {
		for _, name := range strings.FieldsFunc(arg, func(r rune) bool { return r == '/' || r == ' ' }) {
			next := n.Child(name)
			if next == nil {
				where := "at the top level"
				if !n.IsRoot() {
					where = "under " + n.Path()
				}
				msg := fmt.Sprintf("no node %q %s", name, where)
				if s := n.Nearest(name); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
				return c.errorf(1, "%s", msg)
			}
			n = next
		}
	}
	if err := yang.WriteTree(c.stdout, t, n); err != nil {
		return c.errorf(1, "%v", err)
	}
	return 0
}
