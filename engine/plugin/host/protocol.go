package host

import (
	"encoding/json"
	"fmt"
)

// The methods of the plugin protocol. Those of ze-plugin-engine are served by
// the engine and called by a plugin; those of ze-plugin-callback are served by
// the plugin and called by the engine.
const (
	MethodAuthenticate        = "ze-plugin-engine:authenticate"
	MethodDeclareRegistration = "ze-plugin-engine:declare-registration"
	MethodDeclareCapabilities = "ze-plugin-engine:declare-capabilities"
	MethodReady               = "ze-plugin-engine:ready"
	MethodPublish             = "ze-plugin-engine:publish"
	MethodRegistry            = "ze-plugin-engine:registry"

	MethodConfigure     = "ze-plugin-callback:configure"
	MethodShareRegistry = "ze-plugin-callback:share-registry"
	MethodEvent         = "ze-plugin-callback:event"
	MethodShutdown      = "ze-plugin-callback:shutdown"
	MethodConfigVerify  = "ze-plugin-callback:config-verify"
	MethodConfigApply   = "ze-plugin-callback:config-apply"
)

// The modules of the protocol's own methods; a plugin may not declare RPCs in
// them.
const (
	ModuleEngine   = "ze-plugin-engine"
	ModuleCallback = "ze-plugin-callback"
)

// The environment of a plugin process.
const (
	EnvName      = "ZE_PLUGIN_NAME"          // the plugin's configured name
	EnvAddr      = "ZE_PLUGIN_HUB_ADDR"      // host:port of the TLS listener
	EnvToken     = "ZE_PLUGIN_HUB_TOKEN"     // the one-time token to authenticate with
	EnvCA        = "ZE_PLUGIN_HUB_CA"        // PEM of the CA that signed the listener's certificate
	EnvTransport = "ZE_PLUGIN_HUB_TRANSPORT" // "tls" or "stdio"
	ServerName   = "ze-plugin-hub"           // the name in the listener's certificate
)

// Stage is one of the five stages of the plugin protocol, in order.
type Stage uint8

// The stages; the zero Stage is none.
const (
	StageRegistration Stage = iota + 1 // plugin → engine: declare-registration
	StageConfigure                     // engine → plugin: configure
	StageCapabilities                  // plugin → engine: declare-capabilities
	StageRegistry                      // engine → plugin: share-registry
	StageReady                         // plugin → engine: ready
	numStages         = int(StageReady)
)

var stageNames = [...]string{"none", "declare-registration", "configure", "declare-capabilities", "share-registry", "ready"}

// String returns the stage's method name without its module.
func (s Stage) String() string {
	if int(s) < len(stageNames) {
		return stageNames[s]
	}
	return fmt.Sprintf("stage(%d)", uint8(s))
}

// Registration is what a plugin declares in stage 1.
//
//	#1 ze-plugin-engine:declare-registration {"name":"counter","version":"1.0.0","yang":"module ze-example-counter {…}","topics":["example/counter"],"rpcs":["ze-example-counter:count"]}
type Registration struct {
	Name    string   `json:"name"`
	Version string   `json:"version,omitempty"`
	YANG    string   `json:"yang,omitempty"`   // the text of the plugin's YANG module
	Topics  []string `json:"topics,omitempty"` // hub topic prefixes to receive as events
	RPCs    []string `json:"rpcs,omitempty"`   // methods served, "module:rpc-name"

	// Module is the name of the YANG module, read from YANG by the host.
	Module string `json:"-"`
}

// ConfigureParams is the input of ze-plugin-callback:configure: the plugin's
// config subtree in RFC 7951 JSON ({} when it has none).
type ConfigureParams struct {
	Config json.RawMessage `json:"config"`
}

// ConfigChangeParams is the input of ze-plugin-callback:config-verify and
// ze-plugin-callback:config-apply, sent after ready for every commit that
// changes the plugin's subtree: the whole subtree as it would be (verify) or
// is to be (apply), RFC 7951 JSON, {} when it is gone. Restore is set when
// an apply gives back the configuration of before a failed commit.
//
//	#9 ze-plugin-callback:config-verify {"revision":7,"config":{"ze-example-counter:counter":{"label":"edge-2"}}}
type ConfigChangeParams struct {
	Revision uint64          `json:"revision"`
	Restore  bool            `json:"restore,omitempty"`
	Config   json.RawMessage `json:"config"`
}

// CapabilitiesParams is the input of ze-plugin-engine:declare-capabilities:
// any JSON value, kept by the host for the plugin.
type CapabilitiesParams struct {
	Capabilities json.RawMessage `json:"capabilities,omitempty"`
}

// RegistryEntry is one plugin in the registry shared in stage 4.
type RegistryEntry struct {
	Name    string   `json:"name"`
	Version string   `json:"version,omitempty"`
	Mode    string   `json:"mode"`
	Module  string   `json:"module,omitempty"`
	State   State    `json:"state"`
	RPCs    []string `json:"rpcs"`
	Topics  []string `json:"topics"`
}

// RegistryParams is the input of ze-plugin-callback:share-registry and the
// output of ze-plugin-engine:registry.
type RegistryParams struct {
	Plugins []RegistryEntry `json:"plugins"`
}

// ShutdownParams is the input of ze-plugin-callback:shutdown.
type ShutdownParams struct {
	Reason string `json:"reason"`
}

// EventParams is the input of ze-plugin-callback:event: a batch of hub
// messages, oldest first.
type EventParams struct {
	Events []EventFrame `json:"events"`
}

// EventFrame is one hub message sent to a plugin. Data is the message's
// encoding when it is JSON; other bytes are sent as Hex (uppercase).
type EventFrame struct {
	Topic     string          `json:"topic"`
	Publisher string          `json:"publisher,omitempty"`
	Seq       uint64          `json:"seq,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Hex       string          `json:"hex,omitempty"`
}

// PublishParams is the input of ze-plugin-engine:publish: one message (Topic
// and Data) or a batch (Events), published in order.
type PublishParams struct {
	Topic  string          `json:"topic,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
	Events []PublishEvent  `json:"events,omitempty"`
}

// PublishEvent is one message of a publish batch.
type PublishEvent struct {
	Topic string          `json:"topic"`
	Data  json.RawMessage `json:"data"`
}

// AuthenticateParams is the input of ze-plugin-engine:authenticate, the first
// line a plugin sends on a TLS connection.
type AuthenticateParams struct {
	Token string `json:"token"`
	Name  string `json:"name,omitempty"`
}
