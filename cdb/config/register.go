package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// A Validator checks a configuration for what YANG cannot say; components
// register them for the subtrees they own (see RegisterValidator). It is
// given the active configuration (inactive nodes removed) and returns nil,
// or the problems: an ErrorList, an *Error (Tree.Errorf makes one that
// points at a node), or any error (reported at the validator's path).
type Validator func(t *Tree) error

type registration struct {
	path []string
	fn   Validator
}

var (
	validatorsMu sync.RWMutex
	validators   []*registration
)

// RegisterValidator registers fn to run in Validate whenever the tree has
// data at path, a schema path such as "bgp/group/peer" (names separated by
// '/' or blanks, no keys). Validators run in the order they were
// registered, after the checks that come from YANG. Components register
// from init.
func RegisterValidator(path string, fn func(*Tree) error) {
	registerValidator(path, fn)
}

// registerValidator registers fn and returns a function that removes it
// (for tests).
func registerValidator(path string, fn Validator) func() {
	if fn == nil {
		panic("config: RegisterValidator with a nil function")
	}
	validatorsMu.Lock()
	defer validatorsMu.Unlock()
	r := &registration{path: strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == ' ' }), fn: fn}
	validators = append(validators, r)
	return func() {
		validatorsMu.Lock()
		defer validatorsMu.Unlock()
		validators = slices.DeleteFunc(slices.Clone(validators), func(x *registration) bool { return x == r })
	}
}

// Errorf returns an error about the node n (which must be of t), at its
// place in the text, with its path in front of the message.
func (t *Tree) Errorf(n *Node, format string, args ...any) *Error {
	p := n.PathString()
	return &Error{File: t.File, Pos: n.pos, Path: p, Message: p + ": " + fmt.Sprintf(format, args...)}
}

func (v *validator) registered() {
	validatorsMu.RLock()
	regs := validators
	validatorsMu.RUnlock()
	for _, r := range regs {
		first := firstAt(v.t.root, r.path)
		if first == nil {
			continue
		}
		err := r.fn(v.t)
		if err == nil {
			continue
		}
		var list ErrorList
		var one *Error
		switch {
		case errors.As(err, &list):
			for _, e := range list {
				v.addError(e)
			}
		case errors.As(err, &one):
			v.addError(one)
		default:
			p := first.PathString()
			v.errs.add(first.pos, p, "%s: %s", p, err.Error())
		}
	}
}

func (v *validator) addError(e *Error) {
	v.errs.add(e.Pos, e.Path, "%s", e.Message)
}

// firstAt returns the first data node at the schema path names, or nil.
func firstAt(n *Node, names []string) *Node {
	if len(names) == 0 {
		return n
	}
	if n.kind != Container && n.kind != Entry {
		return nil
	}
	c := n.Child(names[0])
	if c == nil {
		return nil
	}
	if c.kind != List {
		return firstAt(c, names[1:])
	}
	if len(names) == 1 {
		return c
	}
	for _, e := range c.children {
		if f := firstAt(e, names[1:]); f != nil {
			return f
		}
	}
	return nil
}
