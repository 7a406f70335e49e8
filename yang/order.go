package yang

import (
	"reflect"
	"slices"

	goyang "github.com/openconfig/goyang/pkg/yang"
)

// order returns the names of e's children in the order the modules write
// them. goyang keeps children in a map; the order comes back from the
// statements of the node e was built from, with each uses statement
// replaced by its grouping. Children the walk does not find (added by an
// augment in another module) follow in name order.
func order(e *goyang.Entry) []string {
	if len(e.Dir) == 0 {
		return nil
	}
	names := make([]string, 0, len(e.Dir))
	seen := make(map[string]bool, len(e.Dir))
	add := func(name string) {
		if _, ok := e.Dir[name]; ok && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	if e.Node != nil {
		walkOrder(e.Node, add, 0)
	}
	if len(names) < len(e.Dir) {
		var rest []string
		for name := range e.Dir {
			if !seen[name] {
				rest = append(rest, name)
			}
		}
		slices.Sort(rest)
		names = append(names, rest...)
	}
	return names
}

// walkOrder calls add with the name of each data definition statement of n,
// in document order, expanding uses statements. depth guards against a
// grouping that uses itself (which goyang reports elsewhere).
func walkOrder(n goyang.Node, add func(string), depth int) {
	if depth > 64 {
		return
	}
	s := n.Statement()
	if s == nil {
		return
	}
	for _, sub := range s.SubStatements() {
		switch sub.Keyword {
		case "container", "leaf", "leaf-list", "list", "choice", "case", "anydata", "anyxml":
			add(sub.Argument)
		case "uses":
			if u := usesFor(n, sub); u != nil {
				if g := goyang.FindGrouping(u, u.Name, map[string]bool{}); g != nil {
					walkOrder(g, add, depth+1)
				}
			}
		}
	}
}

// usesFor returns the uses node of n built from statement s.
func usesFor(n goyang.Node, s *goyang.Statement) *goyang.Uses {
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Uses")
	if !f.IsValid() {
		return nil
	}
	uses, ok := f.Interface().([]*goyang.Uses)
	if !ok {
		return nil
	}
	for _, u := range uses {
		if u.Statement() == s {
			return u
		}
	}
	return nil
}
