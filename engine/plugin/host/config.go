package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The ze-plugin module's config in RFC 7951 JSON (yang/modules/ze-plugin.yang).
type pluginConfig struct {
	Internal []internalConfig `json:"internal"`
	External []externalConfig `json:"external"`
}

type supervisionConfig struct {
	StartupTimeout *uint16        `json:"startup-timeout"`
	Restart        *restartConfig `json:"restart"`
}

type restartConfig struct {
	MaxRetries *uint16 `json:"max-retries"`
	Backoff    *uint16 `json:"backoff"`
	BackoffMax *uint16 `json:"backoff-max"`
}

type internalConfig struct {
	Name string `json:"name"`
	supervisionConfig
}

type externalConfig struct {
	Name        string     `json:"name"`
	Run         string     `json:"run"`
	Arguments   string     `json:"arguments"`
	Environment []envEntry `json:"environment"`
	User        string     `json:"user"`
	// Transport ("tls", "stdio" or "auto") is not in ze-plugin.yang yet.
	Transport string `json:"transport"`
	supervisionConfig
}

type envEntry struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SpecsFromConfig reads the plugins of a configuration in RFC 7951 JSON: the
// "ze-plugin:plugin" member of doc (other members are ignored). Each
// "internal" entry is an internal plugin; each "external" entry is forked,
// or runs its "run" program. Unknown members are errors.
func SpecsFromConfig(doc []byte) ([]Spec, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, fmt.Errorf("host: plugin config: %w", err)
	}
	raw, ok := top["ze-plugin:plugin"]
	if !ok {
		return nil, nil
	}
	var pc pluginConfig
	if err := decodeStrict(raw, &pc); err != nil {
		return nil, fmt.Errorf("host: plugin config: %w", err)
	}
	var specs []Spec
	for _, c := range pc.Internal {
		sp := Spec{Name: c.Name, Mode: Internal}
		c.apply(&sp)
		if err := sp.check(); err != nil {
			return nil, err
		}
		specs = append(specs, sp)
	}
	for _, c := range pc.External {
		sp := Spec{Name: c.Name, Mode: Fork, User: c.User}
		if c.Run != "" {
			sp.Mode, sp.Run = Path, c.Run
		}
		args, err := SplitArgs(c.Arguments)
		if err != nil {
			return nil, fmt.Errorf("host: plugin %s: arguments: %w", c.Name, err)
		}
		if len(args) > 0 && sp.Mode != Path {
			return nil, fmt.Errorf("host: plugin %s: arguments without run", c.Name)
		}
		sp.Args = args
		for _, e := range c.Environment {
			sp.Env = append(sp.Env, e.Name+"="+e.Value)
		}
		switch c.Transport {
		case "", "auto":
		case "tls":
			sp.Transport = TransportTLS
		case "stdio":
			sp.Transport = TransportStdio
		default:
			return nil, fmt.Errorf("host: plugin %s: transport %q: want tls, stdio or auto", c.Name, c.Transport)
		}
		if sp.Transport != TransportAuto && sp.Mode != Path {
			return nil, fmt.Errorf("host: plugin %s: transport is for a plugin with run", c.Name)
		}
		c.apply(&sp)
		if err := sp.check(); err != nil {
			return nil, err
		}
		specs = append(specs, sp)
	}
	seen := map[string]bool{}
	for _, sp := range specs {
		if seen[sp.Name] {
			return nil, fmt.Errorf("host: plugin %s is configured twice", sp.Name)
		}
		seen[sp.Name] = true
	}
	return specs, nil
}

func (c supervisionConfig) apply(sp *Spec) {
	if c.StartupTimeout != nil {
		sp.StartupTimeout = time.Duration(*c.StartupTimeout) * time.Second
	}
	if r := c.Restart; r != nil {
		if r.MaxRetries != nil {
			sp.Restart.MaxRestarts = int(*r.MaxRetries)
			if *r.MaxRetries == 0 {
				sp.Restart.MaxRestarts = -1
			}
		}
		if r.Backoff != nil {
			sp.Restart.Base = time.Duration(*r.Backoff) * time.Second
		}
		if r.BackoffMax != nil {
			sp.Restart.Cap = time.Duration(*r.BackoffMax) * time.Second
		}
	}
}

// ConfigFromDocument returns a Config.Configure that gives each plugin the
// top-level members of doc (RFC 7951 JSON) that belong to the YANG module it
// declared: {"ze-example-counter:counter":{…}} for ze-example-counter.
func ConfigFromDocument(doc []byte) (func(context.Context, Spec, *Registration) (json.RawMessage, error), error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, fmt.Errorf("host: config: %w", err)
	}
	return func(_ context.Context, _ Spec, reg *Registration) (json.RawMessage, error) {
		return Subtree(top, reg.Module), nil
	}, nil
}

// Subtree returns the members of a document whose module (the part of the
// name before ':') is module, as one JSON object; {} when none is.
func Subtree(top map[string]json.RawMessage, module string) []byte {
	var keys []string
	for k := range top {
		if m, _, ok := strings.Cut(k, ":"); ok && m == module && module != "" {
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
		if json.Compact(&b, top[k]) != nil {
			b.WriteString("null")
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// SplitArgs splits a command line into words as a shell does for blanks and
// quotes: 'single' keeps everything, "double" knows \" and \\, and a
// backslash outside quotes makes the next character literal.
func SplitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n':
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i == len(s) {
				return nil, errors.New("unterminated double quote")
			}
			inWord = true
		case '\\':
			if i+1 == len(s) {
				return nil, errors.New("backslash at the end")
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}
