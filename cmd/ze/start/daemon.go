package start

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/cdb/config"
	"github.com/zebgp/ze/cli"
	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/engine/supervisor"
	_ "github.com/zebgp/ze/plugins/all" // every built-in plugin
	"github.com/zebgp/ze/yang"
	"github.com/zebgp/ze/zefs"
)

// Options say how to run the daemon.
type Options struct {
	// State is the state directory: cdb.db, ze.zefs, ze.pid, ze.sock.
	State string
	// File, when set, is imported as a commit at start and on reload.
	File string
	// Stdout receives the one-time admin password line.
	Stdout io.Writer
	// LogHandler receives the daemon's log.
	LogHandler slog.Handler
	// Signals are the process signals the supervisor handles (nil: all).
	Signals []os.Signal
}

// StoreName is the ZeFS file in the state directory.
const StoreName = "ze.zefs"

// A Daemon is the assembled appliance.
type Daemon struct {
	o       Options
	log     *slog.Logger
	release func()
	store   *zefs.Store
	schema  *yang.Tree
	db      *cdb.DB
	hub     *hub.Hub
	sup     *supervisor.Supervisor
	shell   *cli.Server
	plugins *host.Component

	mu     sync.Mutex
	closed bool
}

// New opens the state directory and assembles the components; Run runs
// them. On error nothing stays open.
func New(o Options) (_ *Daemon, err error) {
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.LogHandler == nil {
		o.LogHandler = slog.NewTextHandler(os.Stderr, nil)
	}
	// The log goes to the operator's handler and to the ring of `show log`.
	ring := cli.NewLogRing(2000)
	d := &Daemon{o: o, log: slog.New(slog.NewMultiHandler(o.LogHandler, ring.Handler(nil)))}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	// The signals are caught before the pid file names this process.
	d.sup = supervisor.New(supervisor.Options{
		Logger:  d.log,
		Reload:  d.reload,
		Signals: o.Signals,
	})
	if err := os.MkdirAll(o.State, 0o700); err != nil {
		return nil, err
	}
	if d.release, err = supervisor.Lock(o.State); err != nil {
		return nil, fmt.Errorf("%s: %w", o.State, err)
	}
	if d.store, err = zefs.Open(filepath.Join(o.State, StoreName), zefs.Options{}); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(o.State, StoreName), err)
	}
	// The core modules and those the built-in plugins ship.
	// and those path plugins brought in earlier runs (kept in cdb.db).
	extra, err := cdb.ReadModules(o.State)
	if err != nil {
		return nil, err
	}
	if d.schema, err = host.LoadSchema(extra); err != nil {
		return nil, err
	}
	// ze FILE replaces the whole configuration with the file's, users
	// included: a factory password would not survive it, so none is made.
	var password, hash string
	if o.File == "" {
		if password, hash, err = newPassword(); err != nil {
			return nil, err
		}
	}
	d.db, err = cdb.Open(o.State, cdb.Options{
		Schema:  d.schema,
		Factory: cdb.FactoryDefault(hash),
		Logger:  d.log,
	})
	if err != nil {
		return nil, err
	}
	if d.db.Created() && password != "" {
		// The only time the password exists in clear: on a line of its
		// own, for the person who started the appliance.
		fmt.Fprintf(o.Stdout, "admin password: %s\n", password)
	}
	// Commit watchers must never hold a commit up; route topics stay
	// lossless (the hub's default).
	if d.hub, err = hub.New(hub.Config{Policies: []hub.TopicPolicy{
		{Prefix: "commit", Policy: hub.DropOldest}, {Prefix: "plugin", Policy: hub.DropOldest}}}); err != nil {
		return nil, err
	}
	// The file of `ze FILE` is committed before the components exist: they
	// start from the running configuration it makes.
	if o.File != "" {
		if err := d.importFile(); err != nil {
			return nil, err
		}
	}
	coord := commit.New(commit.Config{Hub: d.hub, Logger: d.log})
	d.db.RegisterFanout(coord)

	ops := &cli.Ops{}
	bgp := newBGP(d.hub, d.log, d.running)
	coord.Register("bgp", "bgp", bgp)
	bgp.register(ops)

	if d.shell, err = cli.NewServer(cli.Options{
		DB:     d.db,
		Schema: d.schema,
		Store:  d.store,
		Ops:    ops,
		Events: d.events,
		Log:    ring,
		Logger: d.log.With("component", "cli"),
	}); err != nil {
		return nil, err
	}
	coord.Register("system", "system", commit.Funcs{
		ApplyFunc: func(_ context.Context, r *commit.Request) error {
			t, err := treeOf(r.New)
			if err != nil {
				return err
			}
			return d.shell.Configure(t)
		},
	})
	plugins, err := host.NewComponent(host.Config{
		Hub:     d.hub,
		Commit:  coord,
		Secrets: host.ZeFSStore{Store: d.store, Prefix: "plugin-hub"},
		Logger:  d.log,
		// A path plugin's own module joins the schema at its registration:
		// the database, and with it new shell sessions, take the new one.
		Modules: extra,
		OnModules: func(_ context.Context, mods map[string]string) error {
			y, err := host.LoadSchema(mods)
			if err != nil {
				return err
			}
			return d.db.SetSchema(y)
		},
		// A plugin's configuration comes with the defaults of its YANG.
		Complete: func(_ context.Context, module string, cfg json.RawMessage) (json.RawMessage, error) {
			return d.db.CompleteJSON(cfg, module)
		},
	}, d.runningJSON)
	if err != nil {
		return nil, err
	}
	d.plugins = plugins
	registerPluginOps(ops, plugins.Host())
	// Plugins first: the BGP subsystem's events have their subscribers.
	d.sup.Add(plugins)
	d.sup.Add(bgp)
	d.sup.Add(&shellComponent{s: d.shell, running: d.running, log: d.log})
	// `ze plugin call --state DIR`: the plugin host's control socket.
	if err := plugins.ServeSocket(o.State); err != nil {
		return nil, err
	}
	// Last: the local socket of ze cli, whose presence says "ready".
	d.sup.Add(newLocalSocket(o.State, d.shell.ServeLocal))
	return d, nil
}

// Run runs the daemon until ctx ends or a stopping signal, then closes
// everything.
func (d *Daemon) Run(ctx context.Context) error {
	defer d.close()
	_, rev, _ := d.db.Running()
	d.log.Info("starting", "state", d.o.State, "revision", rev)
	return d.sup.Run(ctx)
}

// close closes what New opened, in reverse.
func (d *Daemon) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.closed = true
	if d.plugins != nil {
		// Stopped by the supervisor when it ran; this closes what a failed
		// New left open (idempotent).
		_ = d.plugins.Stop(context.Background())
	}
	if d.hub != nil {
		_ = d.hub.Close()
	}
	if d.db != nil {
		if err := d.db.Close(); err != nil {
			d.log.Warn("closing the configuration database", "error", err)
		}
	}
	if d.store != nil {
		if err := d.store.Close(); err != nil {
			d.log.Warn("closing the store", "error", err)
		}
	}
	if d.release != nil {
		d.release()
	}
}

// importFile commits the configuration file, if it differs from running.
func (d *Daemon) importFile() error {
	src, err := os.ReadFile(d.o.File)
	if err != nil {
		return err
	}
	s, err := d.db.Session(cdb.SessionOptions{User: "file"})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Load(cdb.LoadOverride, src, d.o.File); err != nil {
		return err
	}
	diff, err := s.Compare()
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(diff)) == 0 {
		return s.Discard()
	}
	rev, err := s.Commit(cdb.CommitOptions{Comment: "ze " + filepath.Base(d.o.File)})
	if err != nil {
		return err
	}
	d.log.Info("configuration file committed", "file", d.o.File, "revision", rev.Seq)
	return nil
}

// reload is SIGHUP: the configuration file again, as a commit; an invalid
// file changes nothing.
func (d *Daemon) reload(context.Context) error {
	if d.o.File == "" {
		return errors.New("started from the database (ze start), not from a file: nothing to reload")
	}
	return d.importFile()
}

// passwordAlphabet avoids the letters people misread.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newPassword makes the factory admin password and its hash. It is made
// at every start and used only when the database is new.
func newPassword() (plain, hash string, err error) {
	b := make([]byte, 16)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
		if err != nil {
			return "", "", err
		}
		b[i] = passwordAlphabet[n.Int64()]
	}
	h, err := bcrypt.GenerateFromPassword(b, bcrypt.DefaultCost)
	if err != nil {
		return "", "", err
	}
	return string(b), string(h), nil
}

// running is the active running configuration (inactive nodes left out).
func (d *Daemon) running() (*config.Tree, error) {
	t, _, err := d.db.Running()
	if err != nil {
		return nil, err
	}
	return t.Active(), nil
}

// runningJSON is the running configuration in RFC 7951 JSON, for the
// plugins.
func (d *Daemon) runningJSON() ([]byte, error) {
	t, err := d.running()
	if err != nil {
		return nil, err
	}
	return t.JSON()
}

// events is `monitor event`: the hub's messages under prefix as JSON
// lines, for an external subscriber (one that stalls is cut off rather
// than holding up the publishers).
func (d *Daemon) events(ctx context.Context, prefix string) (<-chan []byte, func(), error) {
	// "bgp/" is what people type for "everything under bgp".
	prefix = strings.TrimSuffix(prefix, "/")
	sub, err := d.hub.Subscribe(hub.SubscribeConfig{Name: "monitor", Prefixes: []string{prefix}, External: true})
	if err != nil {
		return nil, nil, err
	}
	out := make(chan []byte, 64)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			m, err := sub.Receive(ctx)
			if err != nil {
				return
			}
			b, err := m.Encoded()
			if err != nil {
				continue
			}
			line := append([]byte(nil), b...)
			select {
			case out <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, cancel, nil
}
