package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/engine/plugin/rpc"
	"github.com/zebgp/ze/zefs"
)

// The control methods of run-host; any other method goes to the plugins.
const (
	ctlStatus   = "ze-plugin-host:status"
	ctlWait     = "ze-plugin-host:wait"
	ctlEvents   = "ze-plugin-host:events"
	ctlPublish  = "ze-plugin-host:publish"
	ctlRegistry = "ze-plugin-host:registry"
	ctlCommit   = "ze-plugin-host:commit"
)

// runHost is `ze plugin run-host`: a plugin host with the plugins of a
// config file, its events printed as JSON lines, RPCs taken on a control
// address once every plugin is ready. SIGTERM stops the plugins gracefully.
func runHost(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("ze plugin run-host", stderr)
	config := fs.String("config", "", "the config `file` (RFC 7951 JSON)")
	control := fs.String("control", "", "the `address` to take RPCs on (host:port)")
	state := fs.String("state", "", "keep the TLS material in DIR/ze.zefs (default: in memory)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if *config == "" || *control == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, "usage: ze plugin run-host --config FILE --control ADDR [--state DIR]\n")
		return exitError
	}
	doc, err := os.ReadFile(*config)
	if err != nil {
		fmt.Fprintf(stderr, "ze plugin run-host: %v\n", err)
		if errors.Is(err, os.ErrNotExist) {
			return exitNotFound
		}
		return exitError
	}
	specs, err := host.SpecsFromConfig(doc)
	if err == nil && len(specs) == 0 {
		err = errors.New(`no plugin in "ze-plugin:plugin"`)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ze plugin run-host: %s: %v\n", *config, err)
		return exitError
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "ze plugin run-host: --log-level: %v\n", err)
		return exitError
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	var secrets host.SecretStore = &host.MemStore{}
	if *state != "" {
		if err := os.MkdirAll(*state, 0o700); err != nil {
			fmt.Fprintf(stderr, "ze plugin run-host: %v\n", err)
			return exitError
		}
		st, err := zefs.Open(filepath.Join(*state, "ze.zefs"), zefs.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "ze plugin run-host: %v\n", err)
			return exitError
		}
		defer st.Close()
		secrets = host.ZeFSStore{Store: st, Prefix: "plugin-hub"}
	}

	h, err := hub.New(hub.Config{Policies: []hub.TopicPolicy{{Prefix: "plugin", Policy: hub.DropOldest}, {Prefix: "commit", Policy: hub.DropOldest}}})
	if err != nil {
		fmt.Fprintf(stderr, "ze plugin run-host: %v\n", err)
		return exitError
	}
	defer h.Close()
	rec, err := newRecorder(h, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "ze plugin run-host: %v\n", err)
		return exitError
	}
	coord := commit.New(commit.Config{Hub: h, Logger: log})
	ph, err := host.New(host.Config{Hub: h, Secrets: secrets, Commit: coord, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "ze plugin run-host: %v\n", err)
		return exitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := ph.Configure(ctx, doc); err != nil {
		log.Warn("not every plugin is ready", "error", err)
	}
	ln, err := net.Listen("tcp", *control)
	if err != nil {
		_ = ph.Close()
		fmt.Fprintf(stderr, "ze plugin run-host: %v\n", err)
		return exitError
	}
	ctl := &controller{h: ph, hub: h, pub: h.NewPublisher("cli"), rec: rec, commit: coord, doc: doc}
	go ctl.serve(ln, log)
	<-ctx.Done()
	_ = ln.Close()
	_ = ph.Close()
	rec.close()
	return exitOK
}

// recorder prints and keeps the host's events (plugin/state, plugin/refused).
type recorder struct {
	sub  *hub.Subscription
	out  io.Writer
	mu   sync.Mutex
	evs  []json.RawMessage
	done chan struct{}
}

func newRecorder(h *hub.Hub, out io.Writer) (*recorder, error) {
	sub, err := h.Subscribe(hub.SubscribeConfig{Name: "run-host", Prefixes: []string{"plugin", commit.TopicResult}, QueueLen: 4096})
	if err != nil {
		return nil, err
	}
	r := &recorder{sub: sub, out: out, done: make(chan struct{})}
	go r.loop()
	return r, nil
}

func (r *recorder) loop() {
	defer close(r.done)
	for {
		m, err := r.sub.Receive(context.Background())
		if err != nil {
			return
		}
		b, err := json.Marshal(map[string]any{"topic": m.Topic(), "event": m.Value()})
		if err != nil {
			continue
		}
		r.mu.Lock()
		r.evs = append(r.evs, b)
		fmt.Fprintf(r.out, "%s\n", b)
		r.mu.Unlock()
	}
}

// drain waits until the events published so far are recorded.
func (r *recorder) drain() {
	for range 100 {
		if ok := func() bool {
			m, got := r.sub.TryReceive()
			if !got {
				return true
			}
			b, err := json.Marshal(map[string]any{"topic": m.Topic(), "event": m.Value()})
			if err == nil {
				r.mu.Lock()
				r.evs = append(r.evs, b)
				fmt.Fprintf(r.out, "%s\n", b)
				r.mu.Unlock()
			}
			return false
		}(); ok {
			return
		}
	}
}

func (r *recorder) close() {
	r.drain()
	_ = r.sub.Close()
	<-r.done
}

// events returns the recorded events, of one plugin when name is set.
func (r *recorder) events(name, topic string) []json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []json.RawMessage{}
	for _, b := range r.evs {
		var e struct {
			Topic string `json:"topic"`
			Event struct {
				Name string `json:"name"`
			} `json:"event"`
		}
		if json.Unmarshal(b, &e) != nil {
			continue
		}
		if (name == "" || e.Event.Name == name) && (topic == "" || e.Topic == topic || strings.HasPrefix(e.Topic, topic+"/")) {
			out = append(out, b)
		}
	}
	return out
}

// controller answers the control connections of run-host.
type controller struct {
	h   *host.Host
	hub *hub.Hub
	pub *hub.Publisher
	rec *recorder

	commit *commit.Coordinator
	cmu    sync.Mutex
	doc    []byte // the configuration committed last
	rev    uint64
}

func (c *controller) serve(ln net.Listener, log *slog.Logger) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		rc := rpc.NewConn(conn, rpc.Options{Handler: c.handle, Logger: log})
		go func() {
			<-rc.Done()
		}()
	}
}

func (c *controller) handle(ctx context.Context, method string, params []byte) ([]byte, error) {
	switch method {
	case ctlStatus:
		var p struct {
			Name string `json:"name"`
		}
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		if p.Name == "" {
			return json.Marshal(map[string]any{"plugins": c.h.Statuses()})
		}
		st, ok := c.h.Status(p.Name)
		if !ok {
			return nil, fmt.Errorf("no plugin %s", p.Name)
		}
		return json.Marshal(st)
	case ctlWait:
		return c.wait(ctx, params)
	case ctlEvents:
		var p struct {
			Name  string `json:"name"`
			Topic string `json:"topic"`
		}
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		c.rec.drain()
		return json.Marshal(map[string]any{"events": c.rec.events(p.Name, p.Topic)})
	case ctlPublish:
		var p struct {
			Topic string          `json:"topic"`
			Data  json.RawMessage `json:"data"`
			Count int             `json:"count"`
		}
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		if p.Count <= 0 {
			p.Count = 1
		}
		if len(p.Data) == 0 {
			p.Data = json.RawMessage("{}")
		}
		for range p.Count {
			if err := c.pub.Publish(ctx, p.Topic, []byte(p.Data)); err != nil {
				return nil, err
			}
		}
		return json.Marshal(map[string]int{"published": p.Count})
	case ctlRegistry:
		return json.Marshal(host.RegistryParams{Plugins: c.h.Registry()})
	case ctlCommit:
		return c.commitDoc(ctx, params)
	}
	return c.h.Call(ctx, method, params)
}

// wait answers ze-plugin-host:wait {"name","state","min-restarts","timeout-ms"}:
// the plugin's status once it is in state with at least min-restarts.
func (c *controller) wait(ctx context.Context, params []byte) ([]byte, error) {
	var p struct {
		Name        string     `json:"name"`
		State       host.State `json:"state"`
		MinRestarts int        `json:"min-restarts"`
		TimeoutMS   int        `json:"timeout-ms"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.State == 0 {
		p.State = host.StateReady
	}
	if p.TimeoutMS <= 0 {
		p.TimeoutMS = 10000
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(p.TimeoutMS)*time.Millisecond)
	defer cancel()
	st, err := c.h.Wait(ctx, p.Name, func(s host.Status) bool {
		return s.State == p.State && s.Restarts >= p.MinRestarts
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(st)
}

func decode(params []byte, v any) error {
	if len(params) == 0 {
		return nil
	}
	d := json.NewDecoder(strings.NewReader(string(params)))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// commitDoc answers ze-plugin-host:commit {"config": {…}}: the whole new
// configuration (RFC 7951 JSON) goes through the commit coordinator, each
// top-level member that changed a change of its module; {"revision": N} when
// applied, the owner's refusal or failure otherwise.
func (c *controller) commitDoc(ctx context.Context, params []byte) ([]byte, error) {
	var p struct {
		Config json.RawMessage `json:"config"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	var cur map[string]json.RawMessage
	if err := json.Unmarshal(p.Config, &cur); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c.cmu.Lock()
	defer c.cmu.Unlock()
	var old map[string]json.RawMessage
	if err := json.Unmarshal(c.doc, &old); err != nil {
		return nil, err
	}
	r := &commit.Request{Revision: c.rev + 2, Old: old, New: cur, Changes: topChanges(old, cur),
		Render: func(cfg any, path string) ([]byte, error) {
			top, _ := cfg.(map[string]json.RawMessage)
			if path == "" {
				return json.Marshal(top)
			}
			mod, _, _ := strings.Cut(path, ":")
			return host.Subtree(top, mod), nil
		}}
	if err := c.commit.Commit(ctx, r); err != nil {
		return nil, err
	}
	c.rev++
	c.doc = p.Config
	return json.Marshal(map[string]uint64{"revision": r.Revision})
}

// topChanges returns a change for each top-level member ("module:name")
// that differs between two documents.
func topChanges(old, cur map[string]json.RawMessage) []commit.Change {
	var keys []string
	for k := range old {
		keys = append(keys, k)
	}
	for k := range cur {
		if _, ok := old[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []commit.Change
	for _, k := range keys {
		var a, b bytes.Buffer
		_ = json.Compact(&a, old[k])
		_ = json.Compact(&b, cur[k])
		if bytes.Equal(a.Bytes(), b.Bytes()) {
			continue
		}
		mod, name, _ := strings.Cut(k, ":")
		out = append(out, commit.Change{Module: mod, Path: []string{name}})
	}
	return out
}
