// Package counter is an example plugin: it counts the hub messages under
// example/counter and answers ze-example-counter:count with the count; a
// commit that sets its veto-message is refused with that message. It is
// built into ze, so it runs as ze.counter (a goroutine) or counter (a child
// process, `ze plugin run counter`).
package counter

import (
	"context"
	_ "embed" // the YANG module
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/zebgp/ze/plugins/sdk"
)

// The plugin's name, version, topic and RPC.
const (
	Name        = "counter"
	Version     = "1.0.0"
	Topic       = "example/counter"
	MethodCount = "ze-example-counter:count"
)

// YANG is the plugin's module, ze-example-counter.
//
//go:embed ze-example-counter.yang
var YANG string

// Counter counts events; it is safe for concurrent use.
type Counter struct {
	n atomic.Uint32

	mu        sync.Mutex
	label     string
	lastTopic string
}

// config is the plugin's subtree in RFC 7951 JSON.
type config struct {
	Counter *struct {
		Label       string `json:"label"`
		VetoMessage string `json:"veto-message"`
	} `json:"ze-example-counter:counter"`
}

// Configure takes the plugin's config.
func (c *Counter) Configure(_ context.Context, raw json.RawMessage) error {
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("counter: config: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.label = ""
	if cfg.Counter != nil {
		c.label = cfg.Counter.Label
	}
	return nil
}

// Verify checks a commit that changes the counter's config: one that sets
// veto-message is refused with that message.
func (c *Counter) Verify(_ context.Context, ch sdk.ConfigChange) error {
	var cfg config
	if err := json.Unmarshal(ch.Config, &cfg); err != nil {
		return fmt.Errorf("counter: config: %w", err)
	}
	if cfg.Counter != nil && cfg.Counter.VetoMessage != "" {
		return errors.New(cfg.Counter.VetoMessage)
	}
	return nil
}

// Event counts one message.
func (c *Counter) Event(_ context.Context, ev sdk.Event) {
	c.n.Add(1)
	c.mu.Lock()
	c.lastTopic = ev.Topic
	c.mu.Unlock()
}

// CountResult is the output of ze-example-counter:count.
type CountResult struct {
	Count     uint32 `json:"count"`
	Label     string `json:"label,omitempty"`
	LastTopic string `json:"last-topic,omitempty"`
}

// Count answers ze-example-counter:count.
func (c *Counter) Count(context.Context, json.RawMessage) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CountResult{Count: c.n.Load(), Label: c.label, LastTopic: c.lastTopic}, nil
}

// Run is the plugin's body: register, take the config, serve.
func Run(ctx context.Context, p *sdk.Plugin) error {
	c := &Counter{}
	p.OnConfigure(c.Configure) // at start, and for every commit applied (no OnApply)
	p.OnVerify(c.Verify)
	p.OnEvent(c.Event)
	p.Handle(MethodCount, c.Count)
	return p.Run(ctx, sdk.Registration{Name: Name, Version: Version, YANG: YANG, Topics: []string{Topic}})
}
