package commit

import (
	"fmt"
	"strings"
)

// Change is one changed node of a commit: the module of its top-level node
// and its schema path (node names, list keys left out), such as
// {"ze-bgp", ["bgp", "group", "peer", "hold-time"]}.
type Change struct {
	Module string
	Path   []string
}

// String returns "module:first/second/…".
func (c Change) String() string {
	return c.Module + ":" + strings.Join(c.Path, "/")
}

// Request is one commit as the owners see it. It must not be changed once
// given to the coordinator; each owner gets a copy whose Changes are its
// own.
type Request struct {
	// Revision is the revision that will be running once applied (the one
	// running again, for a Restore).
	Revision uint64
	// Restore is set when the old configuration is given back after an
	// apply failed: New is then the configuration that was running.
	Restore bool
	// Changes are the changed nodes; an owner is concerned by those at,
	// beneath or above its path. An owner's copy holds its own only.
	Changes []Change
	// Old and New are the whole configurations before and after, for
	// owners in the process that know their type (cdb's *config.Tree).
	Old, New any
	// Render returns the RFC 7951 JSON of the subtree at an owner's path
	// in cfg (Old or New): an object of the top-level members it covers,
	// such as {"ze-example-counter:counter":{"label":"edge"}}; {} when
	// cfg has none. nil when the commit has no JSON (owners that need it
	// fail).
	Render func(cfg any, path string) ([]byte, error)

	owner *owner // set on an owner's copy
}

// JSON renders the subtree of New for the owner this copy was made for
// (see Render).
func (r *Request) JSON() ([]byte, error) {
	if r.Render == nil {
		return nil, fmt.Errorf("commit: revision %d carries no JSON rendering", r.Revision)
	}
	path := ""
	if r.owner != nil {
		path = r.owner.path
	}
	return r.Render(r.New, path)
}

// Owner returns the name of the owner this copy was made for ("" on the
// original).
func (r *Request) Owner() string {
	if r.owner == nil {
		return ""
	}
	return r.owner.name
}

// Paths returns the changes as strings ("ze-bgp:bgp/peer/hold-time").
func (r *Request) Paths() []string {
	out := make([]string, len(r.Changes))
	for i, c := range r.Changes {
		out[i] = c.String()
	}
	return out
}

// Path is an owner's subtree, parsed: an optional module and schema node
// names. "" is the whole configuration; "bgp/group/peer" the node of that
// path whatever its module; "ze-example-counter:counter/label" the same
// in that module only; "ze-example-counter:" every node of the module.
type Path struct {
	Module string
	Names  []string
}

// ParsePath reads an owner's path; names are separated by '/' or blanks.
func ParsePath(s string) (Path, error) {
	var p Path
	s = strings.TrimSpace(s)
	if mod, rest, ok := strings.Cut(s, ":"); ok {
		if mod == "" || strings.ContainsAny(mod, "/ ") {
			return Path{}, fmt.Errorf("commit: path %q: the module comes first, as module:name", s)
		}
		p.Module, s = mod, rest
	}
	p.Names = strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == ' ' })
	for _, n := range p.Names {
		if strings.Contains(n, ":") {
			return Path{}, fmt.Errorf("commit: path %q: only the first name may have a module", s)
		}
	}
	return p, nil
}

// String returns the path in the form ParsePath reads.
func (p Path) String() string {
	s := strings.Join(p.Names, "/")
	if p.Module != "" {
		return p.Module + ":" + s
	}
	return s
}

// Concerns reports whether c is at, beneath or above p.
func (p Path) Concerns(c Change) bool {
	if p.Module != "" && c.Module != p.Module {
		return false
	}
	k := min(len(p.Names), len(c.Path))
	for i := range k {
		if p.Names[i] != c.Path[i] {
			return false
		}
	}
	return true
}
