// Package engine will hold what runs ze but knows nothing about BGP: the
// supervisor and component lifecycle, the hub (the message bus every
// component publishes and subscribes on), the plugin host, the commit
// coordinator that sends a config diff through verify and apply, and signal
// handling.
package engine
