package fsm

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// Session is what an acceptable OPEN settles for the session.
type Session struct {
	// PeerAS is the peer's AS: the 4-octet AS capability's value when
	// sent, else My Autonomous System (RFC 6793 §4.1).
	PeerAS uint32
	// PeerID is the peer's BGP identifier.
	PeerID netip.Addr
	// Internal is set when the peer is in our AS (RFC 4271 §8.2.2).
	Internal bool
	// HoldTime is the smaller of the two proposed; 0 means no HoldTimer
	// and no keepalives. Keepalive is a third of it.
	HoldTime  time.Duration
	Keepalive time.Duration
	// Negotiated holds the capabilities in use and the two encoding
	// contexts; RecvID and SendID are their interned ContextIDs.
	Negotiated capability.Negotiated
	RecvID     wire.ContextID
	SendID     wire.ContextID
	// Families is the policy CheckFamily applies.
	Families FamilyPolicy
}

// CheckOpen checks an OPEN received from the peer against c, after
// message.ParseOpen accepted it, and returns what the session negotiated.
// An unacceptable OPEN gives a *wire.NotifyError with the NOTIFICATION to
// send (OPEN Message Error), checked in this order:
//
//   - version not 4: Unsupported Version Number, data the 2-octet version 4
//     (RFC 4271 §6.2)
//   - an optional parameter other than Capabilities: Unsupported Optional
//     Parameter; a known capability that does not decode: subcode 0
//     (RFC 4271 §6.2, RFC 5492 §3)
//   - the AS is not PeerAS, or is 0: Bad Peer AS
//   - the BGP identifier is 0, or ours from an internal peer: Bad BGP
//     Identifier (RFC 6286 §2.2)
//   - hold time 1 or 2 seconds: Unacceptable Hold Time
//   - a Required capability missing: Unsupported Capability, data the
//     missing capabilities as we encode them (RFC 5492 §5)
//   - roles that do not pair, differing roles from the peer, or none from
//     the peer under StrictRole while we send one: Role Mismatch (RFC 9234
//     §4.2)
func (c *Config) CheckOpen(o message.Open) (Session, error) {
	if o.Version != message.Version {
		return Session{}, wire.NewNotifyError(wire.NotifyOpen, wire.OpenUnsupportedVersion, []byte{0, message.Version})
	}
	remote, roles, err := parseCapabilities(o)
	if err != nil {
		return Session{}, err
	}
	s := Session{PeerAS: uint32(o.MyAS), PeerID: o.BGPID, Families: c.Families}
	for _, rc := range remote {
		if a, ok := rc.(capability.ASN4); ok {
			s.PeerAS = a.ASN
			break
		}
	}
	if s.PeerAS == 0 || (c.PeerAS != 0 && s.PeerAS != c.PeerAS) {
		return Session{}, wire.NewNotifyError(wire.NotifyOpen, wire.OpenBadPeerAS, nil)
	}
	s.Internal = s.PeerAS == c.LocalAS
	if !o.BGPID.Is4() || o.BGPID.As4() == [4]byte{} || (s.Internal && o.BGPID == c.LocalID) {
		return Session{}, wire.NewNotifyError(wire.NotifyOpen, wire.OpenBadBGPID, nil)
	}
	if o.HoldTime == 1 || o.HoldTime == 2 {
		return Session{}, wire.NewNotifyError(wire.NotifyOpen, wire.OpenUnacceptableHoldTime, nil)
	}
	if data := missing(c.Required, remote); data != nil {
		return Session{}, wire.NewNotifyError(wire.NotifyOpen, wire.OpenUnsupportedCapability, data)
	}
	s.Negotiated = capability.Negotiate(c.Capabilities, remote)
	if s.Negotiated.LocalRole != nil &&
		(roles > 1 || s.Negotiated.RoleMismatch() || (c.StrictRole && s.Negotiated.PeerRole == nil)) {
		return Session{}, wire.NewNotifyError(wire.NotifyOpen, wire.OpenRoleMismatch, nil)
	}
	s.HoldTime = min(c.HoldTime, time.Duration(o.HoldTime)*time.Second)
	s.Keepalive = s.HoldTime / 3
	s.RecvID, s.SendID = s.Negotiated.Recv.ID(), s.Negotiated.Send.ID()
	return s, nil
}

// parseCapabilities decodes the OPEN's capabilities and counts the
// distinct role values among them.
func parseCapabilities(o message.Open) (caps []capability.Capability, roles int, err error) {
	var role capability.RoleValue
	it := o.Capabilities()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		c, err := r.Parse()
		if err != nil {
			return nil, 0, notifyOf(err)
		}
		if rc, ok := c.(capability.Role); ok && (roles == 0 || rc.Role != role) {
			role = rc.Role
			roles++
		}
		caps = append(caps, c)
	}
	if err := it.Err(); err != nil {
		return nil, 0, notifyOf(err)
	}
	return caps, roles, nil
}

// notifyOf returns the *wire.NotifyError inside a capability error, or
// OPEN Message Error / 0 if there is none.
func notifyOf(err error) *wire.NotifyError {
	if ne, ok := wire.AsNotify(err); ok {
		return ne
	}
	return wire.NewNotifyError(wire.NotifyOpen, wire.OpenUnspecific, nil)
}

// missing returns the required capabilities the peer did not send,
// encoded as in an OPEN, or nil when it sent them all.
func missing(required, remote []capability.Capability) []byte {
	var data []byte
	for _, want := range required {
		found := false
		for _, got := range remote {
			if satisfies(got, want) {
				found = true
				break
			}
		}
		if !found {
			off := len(data)
			data = append(data, make([]byte, want.Len())...)
			want.WriteTo(data, off)
		}
	}
	return data
}

// satisfies reports whether capability got, received, meets want: the same
// family for Multiprotocol, the same code otherwise.
func satisfies(got, want capability.Capability) bool {
	if got.Code() != want.Code() {
		return false
	}
	if w, ok := want.(capability.Multiprotocol); ok {
		g, ok := got.(capability.Multiprotocol)
		return ok && g.Family == w.Family
	}
	return true
}

// CheckFamily applies the session's family policy to an UPDATE carrying
// MP_REACH_NLRI or MP_UNREACH_NLRI for family f, attr being the whole
// attribute (flags, type, length, value). For a negotiated family it
// returns (true, nil). Otherwise, with FamilyIgnore, (false, nil): ignore
// the attribute's routes, keep the session (RFC 4760 §7, RFC 7606 "AFI/SAFI
// disable"); with FamilyStrict, (false, UPDATE Message Error / Optional
// Attribute Error with attr as data), to end the session with UpdateMsgErr
// (RFC 4760 §7, RFC 4271 §6.3). attr is copied; nothing is allocated for a
// negotiated family.
func (s *Session) CheckFamily(f wire.Family, attr []byte) (bool, *wire.NotifyError) {
	if s.Negotiated.HasFamily(f) {
		return true, nil
	}
	if s.Families == FamilyIgnore {
		return false, nil
	}
	return false, wire.NewNotifyError(wire.NotifyUpdate, wire.UpdateOptionalAttr, append([]byte(nil), attr...))
}

// idValue is a BGP identifier as a 4-octet unsigned integer in host order
// (RFC 4271 §6.8 step 1); anything but IPv4 is 0.
func idValue(a netip.Addr) uint32 {
	if !a.Is4() {
		return 0
	}
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}
