package host

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Mode is how a plugin runs.
type Mode uint8

// The modes; the zero Mode is invalid.
const (
	// Internal runs a plugin compiled into ze as a goroutine (ze.NAME).
	Internal Mode = iota + 1
	// Fork runs a plugin compiled into ze in a child process, `ze plugin run
	// NAME`, connected back over TLS (NAME).
	Fork
	// Path runs any executable (/path/to/program), connected back over TLS
	// or on its standard input and output.
	Path
)

// String returns "internal", "fork" or "path".
func (m Mode) String() string {
	switch m {
	case Internal:
		return "internal"
	case Fork:
		return "fork"
	case Path:
		return "path"
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// Transport is how a path plugin talks to the host.
type Transport uint8

// The transports of a path plugin.
const (
	// TransportAuto gives the program the TLS address and token, and also
	// accepts the protocol on its standard output: a plugin declares stdio by
	// writing its declare-registration there.
	TransportAuto Transport = iota
	// TransportTLS: the program connects back over TLS.
	TransportTLS
	// TransportStdio: lines on the program's standard input and output.
	TransportStdio
)

// String returns "auto", "tls" or "stdio".
func (t Transport) String() string {
	switch t {
	case TransportAuto:
		return "auto"
	case TransportTLS:
		return "tls"
	case TransportStdio:
		return "stdio"
	}
	return fmt.Sprintf("transport(%d)", uint8(t))
}

// RestartPolicy says how a crashed plugin is restarted: after Base, doubled
// for every restart within Window, at most Cap; when MaxRestarts restarts
// already happened within Window, the plugin is failed instead.
type RestartPolicy struct {
	Base        time.Duration // first wait (default 1s)
	Cap         time.Duration // longest wait (default 60s)
	MaxRestarts int           // restarts allowed within Window (default 5; negative: never restart)
	Window      time.Duration // how far back restarts count (default 5m)
}

// Defaults of a Spec.
const (
	DefaultStartupTimeout = 30 * time.Second
	DefaultBackoff        = time.Second
	DefaultBackoffCap     = time.Minute
	DefaultMaxRestarts    = 5
	DefaultRestartWindow  = 5 * time.Minute
)

func (r RestartPolicy) withDefaults() RestartPolicy {
	if r.Base <= 0 {
		r.Base = DefaultBackoff
	}
	if r.Cap <= 0 {
		r.Cap = DefaultBackoffCap
	}
	if r.Cap < r.Base {
		r.Cap = r.Base
	}
	if r.MaxRestarts == 0 {
		r.MaxRestarts = DefaultMaxRestarts
	}
	if r.Window <= 0 {
		r.Window = DefaultRestartWindow
	}
	return r
}

// Backoff returns the wait before a restart when n restarts already happened
// within the window: Base × 2ⁿ, at most Cap.
func (r RestartPolicy) Backoff(n int) time.Duration {
	r = r.withDefaults()
	d := r.Base
	for range n {
		if d >= r.Cap/2 {
			return r.Cap
		}
		d *= 2
	}
	return min(d, r.Cap)
}

// Spec says how to run one plugin.
type Spec struct {
	// Name identifies the plugin; the plugin must declare the same name.
	// For a path plugin it may be empty: the declared name is then taken.
	Name string
	Mode Mode
	// Run is the program of a path plugin.
	Run string
	// Args are the program's arguments (path mode).
	Args []string
	// Env adds NAME=VALUE variables to a child process's environment.
	Env []string
	// User runs a child process as this user (the engine must be root).
	User string
	// Transport of a path plugin (default TransportAuto).
	Transport Transport
	// Config is the plugin's config subtree (RFC 7951 JSON), used when
	// Config.Configure of the host is nil.
	Config json.RawMessage
	// StartupTimeout bounds each step the plugin takes through the stages:
	// from its start to its declare-registration, and each later step
	// (default DefaultStartupTimeout).
	StartupTimeout time.Duration
	Restart        RestartPolicy
}

// ParseSpec reads the short form of a plugin: "ze.NAME" (internal), "NAME"
// (fork) or "/path/to/program" (path; any name containing a slash).
func ParseSpec(s string) (Spec, error) {
	switch {
	case s == "":
		return Spec{}, errors.New("host: empty plugin name")
	case strings.Contains(s, "/"):
		if !filepath.IsAbs(s) {
			return Spec{}, fmt.Errorf("host: plugin program %q: want an absolute path", s)
		}
		return Spec{Mode: Path, Run: s}, nil
	case strings.HasPrefix(s, "ze."):
		sp := Spec{Name: s[3:], Mode: Internal}
		return sp, checkName(sp.Name)
	}
	return Spec{Name: s, Mode: Fork}, checkName(s)
}

// String returns the short form ParseSpec reads.
func (s Spec) String() string {
	switch s.Mode {
	case Internal:
		return "ze." + s.Name
	case Path:
		return s.Run
	}
	return s.Name
}

// key names the plugin in the host before it has declared a name.
func (s Spec) key() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Run
}

func (s Spec) check() error {
	switch s.Mode {
	case Internal, Fork:
		return checkName(s.Name)
	case Path:
		if s.Name != "" {
			if err := checkName(s.Name); err != nil {
				return err
			}
		}
		if !filepath.IsAbs(s.Run) {
			return fmt.Errorf("host: plugin %s: program %q is not an absolute path", s.key(), s.Run)
		}
		return nil
	}
	return fmt.Errorf("host: plugin %s: no mode", s.key())
}

func (s Spec) withDefaults() Spec {
	if s.StartupTimeout <= 0 {
		s.StartupTimeout = DefaultStartupTimeout
	}
	s.Restart = s.Restart.withDefaults()
	return s
}

// checkName accepts the plugin names of ze-plugin.yang: [a-z][a-z0-9-]*, 1 to
// 64 bytes.
func checkName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("host: plugin name %q: want 1 to 64 characters", name)
	}
	for i := range len(name) {
		c := name[i]
		if c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '-') {
			continue
		}
		return fmt.Errorf("host: plugin name %q: want a lowercase letter then lowercase letters, digits or '-'", name)
	}
	return nil
}
