package yang

import (
	"fmt"
	"strings"

	goyang "github.com/openconfig/goyang/pkg/yang"
)

// A Tree is the schema of a set of loaded modules: the data nodes of every
// module under one root, and the modules themselves. A Tree does not change
// once loaded and is safe for concurrent use.
type Tree struct {
	modules []*Module
	byName  map[string]*Module
	root    *Node
}

// Root returns the root of the data tree. Its children are the top-level
// nodes of every module (system, environment, bgp, plugin, …) in the order
// the modules were loaded; it has no name and no entry.
func (t *Tree) Root() *Node { return t.root }

// Modules returns the loaded modules in load order: the core modules first.
func (t *Tree) Modules() []*Module { return t.modules }

// Module returns the module called name, or nil.
func (t *Tree) Module(name string) *Module { return t.byName[name] }

// Find returns the node at path, data node names separated by '/' ("bgp/group/peer"),
// or nil. A leading '/' is allowed; choice and case names are not part of a path.
func (t *Tree) Find(path string) *Node { return t.root.Find(path) }

// addTop adds the data nodes of a module entry under the root.
func (t *Tree) addTop(e *goyang.Entry, module string) error {
	for _, name := range order(e) {
		c := e.Dir[name]
		if c.RPC != nil || c.Kind == goyang.NotificationEntry {
			continue // not configuration data
		}
		n := wrap(c, t.root, module)
		for _, d := range dataNodes(n) {
			if o := t.root.byName[d.Name()]; o != nil {
				return fmt.Errorf("yang: top-level node %s is defined by both %s and %s", d.Name(), o.module, module)
			}
			t.root.byName[d.Name()] = d
		}
		t.root.children = append(t.root.children, n)
	}
	return nil
}

// splitPath splits "a/b/c" (or "/a/b/c") into names; empty parts are dropped.
func splitPath(path string) []string {
	return strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
}
