// Package reactor puts BGP on sockets. The session layer (Session,
// Listener) runs one peer's connections: dialing and accepting, the FSM of
// package fsm with its timers, OPEN negotiation, a reader per connection
// into pooled buffers and a writer per session with a bounded queue, TCP MD5
// and GTSM socket options. The reactor manager on top runs the configured
// peers. docs/reactor.md describes both.
package reactor
