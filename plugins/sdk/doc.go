// Package sdk is the public Go SDK of ze plugins. A plugin connects (Connect
// reads the environment the engine gives a child process: the TLS address, CA
// and token, or stdio), registers its name, YANG module, topics and RPC
// handlers (Handle, Register), takes its config (OnConfigure), says it is
// ready (Ready) and serves until the engine shuts it down (Serve):
//
//	p, err := sdk.Connect(ctx)
//	p.OnConfigure(func(ctx context.Context, cfg json.RawMessage) error { … })
//	p.OnEvent(func(ctx context.Context, ev sdk.Event) { … })
//	p.Handle("ze-example-counter:count", func(ctx context.Context, params json.RawMessage) (any, error) { … })
//	err = p.Run(ctx, sdk.Registration{Name: "counter", Version: "1.0.0", YANG: yang, Topics: []string{"example/counter"}})
//
// A plugin compiled into ze registers its body with Builtin in an init
// function; ze then runs it in a goroutine (ze.NAME, with direct calls for
// events and RPCs) or in a child process (NAME). docs/plugins.md describes
// the protocol and the stages.
package sdk
