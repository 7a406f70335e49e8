// Package fsm is the BGP finite state machine of RFC 4271 §8 as a
// deterministic core without sockets, clocks or goroutines. A session
// driver feeds it events (an operator start, a TCP connection coming up, a
// message received, a timer expiring) and executes the actions it returns
// (send an OPEN, start the HoldTimer, drop the connection, report the
// session down):
//
//	m, err := fsm.New(cfg)
//	state, actions := m.Step(fsm.ManualStart)
//	for _, a := range actions { … } // connect, start timers, …
//
// Events that carry data (the negotiated hold time of an OPEN, the
// NOTIFICATION a parse error calls for) go through Handle with an Input.
// Timers are actions too; Timers keeps their deadlines on any clock and
// turns the ones that expire back into events, so tests drive time with a
// FakeClock.
//
// Around the machine: Config.CheckOpen decides whether a received OPEN is
// acceptable and what the session negotiated (or which NOTIFICATION to
// send), Session.CheckFamily applies the policy for an address family that
// was not negotiated (RFC 4760), and Resolve settles a connection collision
// (RFC 4271 §6.8, RFC 6286 §2.3).
//
// docs/fsm.md describes the states, events, actions, options and the
// choices made where the RFC leaves one.
package fsm
