package cdb

import (
	"fmt"
	"slices"

	"github.com/zebgp/ze/cdb/config"
)

// graft copies the subtree n (of any tree of the same schema) into t at
// the path to: every value, every entry and presence container, every
// annotation and inactive mark, by the same edits a user would make. What
// t has at to already is kept and merged with (leaves take n's values).
func graft(t *config.Tree, n *config.Node, to []string) error {
	from := len(n.Path())
	return walkNode(n, func(m *config.Node) error {
		p := append(slices.Clip(to), m.Path()[from:]...)
		var err error
		switch m.Kind() {
		case config.List:
			return nil
		case config.Leaf:
			if isEmptyLeaf(m) {
				err = t.Set(p)
			} else {
				err = t.Set(append(p, m.Value()))
			}
		case config.LeafList:
			for _, v := range m.Values() {
				if err = t.Set(append(slices.Clip(p), v)); err != nil {
					break
				}
			}
		default:
			if len(m.Children()) == 0 || m.Kind() == config.Entry {
				err = t.Set(p)
			}
		}
		if err == nil && m.Annotation() != "" {
			err = t.Annotate(p, m.Annotation())
		}
		if err == nil && m.Inactive() {
			err = t.Deactivate(p)
		}
		return err
	})
}

// walkNode calls fn for n and every node beneath it, parents first.
func walkNode(n *config.Node, fn func(*config.Node) error) error {
	if err := fn(n); err != nil {
		return err
	}
	for _, c := range n.Children() {
		if err := walkNode(c, fn); err != nil {
			return err
		}
	}
	return nil
}

func isEmptyLeaf(n *config.Node) bool {
	typ := n.Schema().Type()
	return typ != nil && typ.Kind() == "empty"
}

// keyMask returns, for each word of n.Path(), whether it is a key value.
func keyMask(n *config.Node) []bool {
	switch {
	case n == nil || n.Parent() == nil:
		return nil
	case n.Kind() == config.Entry:
		m := append(keyMask(n.Parent().Parent()), false)
		for range n.Keys() {
			m = append(m, true)
		}
		return m
	}
	return append(keyMask(n.Parent()), false)
}

// sameList checks that to names an entry of the same list as the entry
// n, which may be under other entries: only key values differ.
func sameList(verb string, n *config.Node, to []string) error {
	from := n.Path()
	if n.Kind() != config.Entry {
		return fmt.Errorf("cdb: %s: %s is not a list entry", verb, config.JoinPath(from))
	}
	mask := keyMask(n)
	ok := len(to) == len(from)
	for i := 0; ok && i < len(to); i++ {
		ok = mask[i] || to[i] == from[i]
	}
	if !ok {
		return fmt.Errorf("cdb: %s: %s is not an entry of the same list as %s", verb, config.JoinPath(to), config.JoinPath(from))
	}
	return nil
}

// copyEntry copies the entry at from to the new entry to, which must name
// an entry of the same list (other keys, possibly under other entries).
func copyEntry(t *config.Tree, verb string, from, to []string) error {
	n, err := t.Get(from)
	switch {
	case err != nil:
		return err
	case n == nil:
		return fmt.Errorf("cdb: %s: %s is not in the configuration", verb, config.JoinPath(from))
	}
	if err := sameList(verb, n, to); err != nil {
		return err
	}
	if slices.Equal(from, to) {
		return fmt.Errorf("cdb: %s: %s to itself", verb, config.JoinPath(from))
	}
	dst, err := t.Get(to)
	switch {
	case err != nil:
		return err
	case dst != nil:
		return fmt.Errorf("cdb: %s: %s exists already", verb, config.JoinPath(to))
	}
	return graft(t, n, to)
}
