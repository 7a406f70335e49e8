package cdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/yang"
)

// FanoutName is the name the commit coordinator's Applier is registered
// with (RegisterFanout).
const FanoutName = "engine"

// Fanout is the Applier that carries every commit to the engine's commit
// coordinator, which filters by path and drives its owners (the BGP
// subsystem, the plugin host, each plugin) through verify and apply. A veto
// becomes a *VetoError and a failed apply an *ApplyError that name the
// owner and carry its message:
//
//	cdb: commit refused by plugin/counter: label "x" is reserved
//
// Register it with RegisterFanout (or RegisterApplier(FanoutName, "", f)).
type Fanout struct {
	c *commit.Coordinator

	mu    sync.Mutex
	cache map[*config.Tree]map[string]json.RawMessage // top-level members, per tree rendered
}

var _ Applier = (*Fanout)(nil)

// NewFanout returns the Applier that forwards commits to c.
func NewFanout(c *commit.Coordinator) *Fanout {
	return &Fanout{c: c, cache: map[*config.Tree]map[string]json.RawMessage{}}
}

// RegisterFanout registers, as the applier FanoutName of the whole
// configuration, a Fanout to c, and returns it.
func (db *DB) RegisterFanout(c *commit.Coordinator) *Fanout {
	f := NewFanout(c)
	db.RegisterApplier(FanoutName, "", f)
	return f
}

// Verify asks the coordinator's owners.
func (f *Fanout) Verify(d *Diff) error {
	defer f.forget()
	return f.c.Verify(context.Background(), f.request(d))
}

// Apply has the coordinator's owners apply d (or, for a Restore, gives the
// old configuration back to those that applied the new one).
func (f *Fanout) Apply(d *Diff) error {
	defer f.forget()
	return f.c.Apply(context.Background(), f.request(d))
}

// Request turns a Diff into the coordinator's request: Old and New are the
// *config.Tree, Render gives an owner's top-level members in RFC 7951 JSON.
func (f *Fanout) Request(d *Diff) *commit.Request { return f.request(d) }

func (f *Fanout) request(d *Diff) *commit.Request {
	r := &commit.Request{Revision: d.Revision, Restore: d.Restore, Old: d.Old, New: d.New, Render: f.render}
	seen := map[string]bool{}
	for _, c := range d.Changes {
		n := c.New
		if n == nil {
			n = c.Old
		}
		ch := ChangeOf(n.Schema())
		if k := ch.String(); !seen[k] {
			seen[k] = true
			r.Changes = append(r.Changes, ch)
		}
	}
	return r
}

// ChangeOf returns the commit.Change of a schema node: the module of its
// top-level node and its path.
func ChangeOf(n *yang.Node) commit.Change {
	top := n
	for top.Parent() != nil && !top.Parent().IsRoot() {
		top = top.Parent()
	}
	return commit.Change{Module: top.Module(), Path: strings.Split(n.Path(), "/")}
}

// render is the Request's Render: the members of cfg's RFC 7951 JSON whose
// top-level node is at path (a module's, or the one named first). The
// members of the modules that are not ze's core (those plugins bring) are
// completed with their defaults (config.Tree.WithDefaults): a plugin gets
// its config as RFC 6243 report-all gives it; the core's owners get what is
// set (they read the tree, config.Effective, for the rest).
func (f *Fanout) render(cfg any, path string) ([]byte, error) {
	t, ok := cfg.(*config.Tree)
	if !ok || t == nil {
		return []byte("{}"), nil
	}
	p, err := commit.ParsePath(path)
	if err != nil {
		return nil, err
	}
	top, err := f.members(t)
	if err != nil {
		return nil, err
	}
	var keys []string
	for k := range top {
		mod, name, _ := strings.Cut(k, ":")
		if (p.Module == "" || mod == p.Module) && (len(p.Names) == 0 || name == p.Names[0]) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		if err := json.Compact(&b, top[k]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// members renders t once per commit and splits its top-level members.
func (f *Fanout) members(t *config.Tree) (map[string]json.RawMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.cache[t]; ok {
		return m, nil
	}
	doc, err := t.WithDefaultsIf(pluginModule(t.Schema())).JSON()
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	f.cache[t] = m
	return m, nil
}

// pluginModule accepts the modules of y that are not ze's core.
func pluginModule(y *yang.Tree) func(string) bool {
	return func(name string) bool {
		m := y.Module(name)
		return m != nil && !m.Core
	}
}

// forget drops the renderings of the phase that ended.
func (f *Fanout) forget() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.cache)
}

// vetoOf is the *VetoError of an applier's refusal: the coordinator's owner
// when the applier is a Fanout.
func vetoOf(applier string, err error) *VetoError {
	if ce := (*commit.VetoError)(nil); errors.As(err, &ce) {
		return &VetoError{Applier: ce.Owner, Err: ce.Err}
	}
	return &VetoError{Applier: applier, Err: err}
}

// applyErrorOf is the *ApplyError of an applier's failure: the
// coordinator's owner when the applier is a Fanout, with the errors of its
// own restore.
func applyErrorOf(applier string, err, restore error, running uint64) *ApplyError {
	if ce := (*commit.ApplyError)(nil); errors.As(err, &ce) {
		return &ApplyError{Applier: ce.Owner, Err: ce.Err, Restore: errors.Join(ce.Restore, restore), Running: running}
	}
	return &ApplyError{Applier: applier, Err: err, Restore: restore, Running: running}
}
