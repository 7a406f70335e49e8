package host

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/zebgp/ze/engine/hub"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// Main is the body of a plugin compiled into ze. It speaks the plugin
// protocol on l.Conn and returns when the plugin is done; the host runs it as
// a goroutine (internal mode) and `ze plugin run NAME` runs it in a child
// process (fork mode). plugins/sdk wraps it (sdk.Builtin).
type Main func(ctx context.Context, l *Link) error

// Link is what a plugin's Main is given.
type Link struct {
	// Conn carries the protocol: a net.Pipe in internal mode, the
	// authenticated TLS connection or the standard streams otherwise.
	Conn io.ReadWriteCloser
	// Reader, when set, continues Conn's stream: it read the answer to the
	// authentication, and bytes it buffered belong to the protocol.
	Reader *rpc.Reader
	// Offer, set in internal mode only, hands the host the plugin's direct
	// entry points; offered before ready, they carry its events and RPCs
	// from then on, without framing.
	Offer func(Direct)
	// Publish, set in internal mode only, publishes v on the hub as the
	// plugin, without serializing it. It works once the plugin is ready.
	Publish func(ctx context.Context, topic string, v any) error
}

// Direct is the fast path into an internal plugin, used once it is ready.
type Direct interface {
	// Events delivers a batch of hub messages, oldest first, as the values
	// published. The slice is only valid during the call.
	Events(ctx context.Context, batch []hub.Message) error
	// Call serves one of the plugin's RPCs, like a request on the wire.
	Call(ctx context.Context, method string, params []byte) ([]byte, error)
}

var builtins struct {
	mu sync.RWMutex
	m  map[string]Main
}

// Register makes a Go plugin known to ze under name, so that "ze.NAME" runs it
// internally and "NAME" in a child process. Call it from an init function; a
// duplicate or invalid name panics (a programming error).
func Register(name string, m Main) {
	if err := checkName(name); err != nil {
		panic(err.Error())
	}
	builtins.mu.Lock()
	defer builtins.mu.Unlock()
	if builtins.m == nil {
		builtins.m = make(map[string]Main)
	}
	if _, dup := builtins.m[name]; dup {
		panic(fmt.Sprintf("host: plugin %s registered twice", name))
	}
	builtins.m[name] = m
}

// Lookup returns the Main of a registered plugin.
func Lookup(name string) (Main, bool) {
	builtins.mu.RLock()
	defer builtins.mu.RUnlock()
	m, ok := builtins.m[name]
	return m, ok
}

// Registered returns the names of the registered plugins, sorted.
func Registered() []string {
	builtins.mu.RLock()
	defer builtins.mu.RUnlock()
	names := make([]string, 0, len(builtins.m))
	for n := range builtins.m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
