// Package engine holds what runs ze but knows nothing about BGP. Its
// sub-packages are the hub (engine/hub: the message bus every component
// publishes and subscribes on) and the plugin protocol's wire framing
// (engine/plugin/rpc); the supervisor, the plugin host and the commit
// coordinator that sends a config diff through verify and apply come next.
//
// Nothing under engine imports bgp: the hub routes values it never inspects.
package engine
