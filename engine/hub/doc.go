// Package hub is ze's message bus: components publish values on
// hierarchical topics ("bgp/update/ipv4/unicast") and subscribe by topic
// prefix, matching whole segments ("bgp/update" receives
// "bgp/update/ipv4/unicast", not "bgp/updates"). The hub never looks inside
// a payload.
//
// Internal subscribers receive the published value itself: no copy, no
// serialization. Subscribers outside the process read Message.Encoded,
// produced once per message and shared by all of them.
//
// Every subscription has one bounded queue, and every subscriber sees each
// publisher's messages in publishing order. When a queue is full, a
// Lossless topic's publisher waits (route topics are Lossless, the default)
// and a DropOldest topic's oldest queued message is dropped and counted. A
// subscriber that leaves messages queued without taking any for
// Config.StallLimit is reported on TopicStalled and, if external,
// disconnected. docs/hub.md states the policy in full.
//
// Publishing to internal subscribers does not allocate: the match list of a
// topic is cached behind an atomic pointer (rebuilt on subscribe and
// unsubscribe), queues are preallocated rings, no goroutine is started per
// message, and a chan struct{} is only sent on to wake a parked receiver.
package hub
