package fsm

import "net/netip"

// Direction says which side initiated a connection.
type Direction uint8

// Directions. The zero Direction is none.
const (
	Outgoing Direction = iota + 1 // we connected to the peer
	Incoming                      // the peer connected to us
)

// String returns "outgoing", "incoming" or "none".
func (d Direction) String() string {
	switch d {
	case Outgoing:
		return "outgoing"
	case Incoming:
		return "incoming"
	}
	return "none"
}

// Keep returns the direction of the connection to keep when two
// connections between the same speakers collide: the one initiated by the
// speaker with the higher BGP identifier, compared as 4-octet unsigned
// integers (RFC 4271 §6.8); with equal identifiers, the one initiated by
// the speaker with the larger AS (RFC 6286 §2.3). With equal identifiers
// and ASes it returns 0: nothing tells them apart.
func Keep(localID, remoteID netip.Addr, localAS, remoteAS uint32) Direction {
	l, r := idValue(localID), idValue(remoteID)
	switch {
	case l > r:
		return Outgoing
	case l < r:
		return Incoming
	case localAS > remoteAS:
		return Outgoing
	case localAS < remoteAS:
		return Incoming
	}
	return 0
}

// Collision describes a valid OPEN received on a new connection while
// another connection of the other direction to the same peer exists.
type Collision struct {
	// LocalID and LocalAS are ours; RemoteID and RemoteAS are the OPEN's
	// (Session.PeerID and Session.PeerAS).
	LocalID, RemoteID netip.Addr
	LocalAS, RemoteAS uint32
	// Existing is the state of the other connection's machine and
	// ExistingDir who initiated it.
	Existing    State
	ExistingDir Direction
	// DetectEstablished is Config.CollisionDetectEstablished.
	DetectEstablished bool
}

// Verdict is what Resolve decides.
type Verdict uint8

// Verdicts.
const (
	// NoCollision: the existing connection cannot collide yet (Idle,
	// Connect, Active); the new connection goes on with BGPOpen.
	NoCollision Verdict = iota
	// CloseExisting: give the existing connection's machine
	// OpenCollisionDump, and the new one BGPOpen.
	CloseExisting
	// CloseNew: give the new connection's machine OpenCollisionDump.
	CloseNew
)

// String returns the verdict's kebab-case name.
func (v Verdict) String() string {
	switch v {
	case CloseExisting:
		return "close-existing"
	case CloseNew:
		return "close-new"
	}
	return "no-collision"
}

// Resolve decides a connection collision (RFC 4271 §6.8). An existing
// connection in OpenConfirm collides; one in OpenSent too, as the RFC
// allows when the peer's identifier is known, which the new OPEN tells; one
// in Established collides only with DetectEstablished, otherwise the new
// connection is closed. Keep picks the survivor; when it cannot, the new
// connection is closed (RFC 4271 §6.8 step 3).
func Resolve(c Collision) Verdict {
	switch c.Existing {
	case OpenSent, OpenConfirm:
	case Established:
		if !c.DetectEstablished {
			return CloseNew
		}
	default:
		return NoCollision
	}
	keep := Keep(c.LocalID, c.RemoteID, c.LocalAS, c.RemoteAS)
	if keep == 0 || keep == c.ExistingDir {
		return CloseNew
	}
	return CloseExisting
}
