// Package host is ze's plugin host: it starts plugins, takes each through the
// five stages of the plugin protocol with a barrier after every stage, routes
// RPCs to the plugin that declared them, delivers the plugin's hub
// subscriptions and publishes what it sends, and supervises it: a plugin that
// crashes is restarted with exponential backoff, one that does not register in
// time is stopped, and every change of state is published on the hub under
// plugin/state. The engine and the other plugins keep running whatever one
// plugin does.
//
// A plugin runs in one of three modes (docs/plugins.md):
//
//   - internal (ze.NAME): a Go plugin compiled into ze (see Register), run as a
//     goroutine and connected through net.Pipe; once ready, events and RPCs
//     reach it by direct calls (Direct), without framing.
//   - fork (NAME): the same Go plugin run in a child process, `ze plugin run
//     NAME`, which connects back over TLS to the host's loopback listener and
//     authenticates with a per-plugin token (ZE_PLUGIN_HUB_TOKEN).
//   - path (/path/to/program): any executable; it connects back over TLS like
//     a forked plugin, or talks the protocol on its standard input and output.
//
// The wire format is engine/plugin/rpc's: lines of "#<id> <verb> [<json>]".
// The package knows nothing about BGP.
//
// In the daemon the host takes part in commits (docs/commit.md): with
// Config.Commit set, it owns the plugin declarations ("ze-plugin:") in the
// commit coordinator, and each plugin that declares a YANG module owns its
// module's subtree, verified and applied through the protocol requests
// config-verify and config-apply. The daemon's wiring:
//
//	schema, _ := host.LoadSchema(nil)                // core + the modules plugins ship (RegisterYANG)
//	c := commit.New(commit.Config{Hub: h})
//	db.RegisterFanout(c)                             // cdb → coordinator
//	comp, _ := host.NewComponent(host.Config{Hub: h, Commit: c, Secrets: host.ZeFSStore{Store: st, Prefix: "plugin-hub"}},
//		func() ([]byte, error) { t, _, err := db.Running(); if err != nil { return nil, err }; return t.JSON() })
//	sup.Add(comp)                                    // Start: Configure(running); Stop: Close
//	comp.Host().Call(ctx, "ze-example-counter:count", nil) // a plugin's RPC, for the CLI
//
// Host.Configure(ctx, doc) makes the running plugins those a whole
// configuration (RFC 7951 JSON) declares; a commit of the declarations
// calls it.
package host
