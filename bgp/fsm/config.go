package fsm

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// FamilyPolicy says what to do with an UPDATE for an address family that
// was not negotiated (RFC 4760 §7 and §8).
type FamilyPolicy uint8

// Family policies. The zero value is FamilyStrict.
const (
	// FamilyStrict resets the session with UPDATE Message Error /
	// Optional Attribute Error, the offending attribute as data.
	FamilyStrict FamilyPolicy = iota
	// FamilyIgnore ignores the routes of that family and keeps the session
	// (RFC 7606 §2 "AFI/SAFI disable").
	FamilyIgnore
)

// String returns "strict" or "ignore".
func (p FamilyPolicy) String() string {
	if p == FamilyIgnore {
		return "ignore"
	}
	if p == FamilyStrict {
		return "strict"
	}
	return fmt.Sprintf("family-policy-%d", p)
}

// Rand is the random source of timer jitter; *math/rand/v2.Rand is one.
type Rand interface {
	// Float64 returns a number in [0, 1).
	Float64() float64
}

// Config is the configuration of one peering: what the machine needs and
// what CheckOpen checks a received OPEN against. Start from DefaultConfig;
// New refuses values that break the RFC (Validate).
type Config struct {
	// LocalAS and LocalID are ours; PeerAS is the AS the peer must have, 0
	// for any. A LocalAS over 65535 needs an ASN4 capability in
	// Capabilities (RFC 6793 §4.2.1).
	LocalAS uint32
	LocalID netip.Addr
	PeerAS  uint32

	// Capabilities are those we send in our OPEN. Required are those the
	// peer must send too, or CheckOpen answers Unsupported Capability with
	// them as data (RFC 5492 §5): a Multiprotocol matches on its family,
	// any other capability on its code.
	Capabilities []capability.Capability
	Required     []capability.Capability
	// StrictRole rejects a peer that sends no BGP Role while we send one
	// (RFC 9234 §4.2 "strict mode").
	StrictRole bool
	// Families is the policy for UPDATEs of a family not negotiated.
	Families FamilyPolicy

	// HoldTime is the hold time we propose: 0, or 3s to 65535s in whole
	// seconds. The session uses the smaller of ours and the peer's
	// (RFC 4271 §4.2); keepalives go every third of it.
	HoldTime time.Duration
	// ConnectRetryTime is the initial value of the ConnectRetryTimer,
	// which runs 75% to 100% of it (RFC 4271 §10 jitter).
	ConnectRetryTime time.Duration
	// LargeHoldTime is the HoldTimer while waiting for the peer's OPEN.
	LargeHoldTime time.Duration
	// SendHoldTime is the send hold time (RFC 9687); 0 means the larger of
	// 8 minutes and twice the hold time.
	SendHoldTime time.Duration

	// DelayOpen waits DelayOpenTime for the peer's OPEN before sending ours.
	DelayOpen     bool
	DelayOpenTime time.Duration
	// SendNotificationWithoutOpen sends the NOTIFICATION for a message
	// error even before our OPEN went out (Connect and Active with
	// DelayOpen).
	SendNotificationWithoutOpen bool
	// CollisionDetectEstablished lets a collision close an Established
	// connection (OpenCollisionDump in Established; see Resolve).
	CollisionDetectEstablished bool

	// AllowAutomaticStart restarts the peer by itself after it fell to
	// Idle (other than by ManualStop), when the IdleHoldTimer expires, and
	// accepts the AutomaticStart events.
	AllowAutomaticStart bool
	// IdleHoldTime is how long the peer stays Idle before that restart.
	// With DampPeerOscillations it doubles with each drop, up to
	// IdleHoldMax, and starts over once a session stayed Established for
	// StablePeriod.
	IdleHoldTime         time.Duration
	DampPeerOscillations bool
	IdleHoldMax          time.Duration
	StablePeriod         time.Duration

	// Rand is the jitter source; nil means math/rand/v2.
	Rand Rand
}

// Defaults (RFC 4271 §10 where it suggests one).
const (
	DefaultHoldTime         = 90 * time.Second
	DefaultConnectRetryTime = 120 * time.Second
	DefaultLargeHoldTime    = 4 * time.Minute
	DefaultDelayOpenTime    = 5 * time.Second
	DefaultIdleHoldTime     = 5 * time.Second
	DefaultIdleHoldMax      = 120 * time.Second
	DefaultStablePeriod     = 5 * time.Minute
	// MinSendHoldTime is the floor of the default send hold time (RFC 9687).
	MinSendHoldTime = 8 * time.Minute
)

// DefaultConfig returns a Config with every default set; the caller fills
// in LocalAS, LocalID, PeerAS and Capabilities.
func DefaultConfig() Config {
	return Config{
		HoldTime:                    DefaultHoldTime,
		ConnectRetryTime:            DefaultConnectRetryTime,
		LargeHoldTime:               DefaultLargeHoldTime,
		DelayOpenTime:               DefaultDelayOpenTime,
		SendNotificationWithoutOpen: true,
		AllowAutomaticStart:         true,
		IdleHoldTime:                DefaultIdleHoldTime,
		DampPeerOscillations:        true,
		IdleHoldMax:                 DefaultIdleHoldMax,
		StablePeriod:                DefaultStablePeriod,
	}
}

// maxHoldTime is the largest hold time an OPEN carries.
const maxHoldTime = 65535 * time.Second

var errNoASN4 = errors.New("fsm: local AS over 65535 needs the asn4 capability")

// Validate reports the first value that the RFCs or the machine cannot
// work with.
func (c *Config) Validate() error {
	switch {
	case c.LocalAS == 0:
		return errors.New("fsm: local AS is 0")
	case !c.LocalID.Is4() || c.LocalID.As4() == [4]byte{}:
		return fmt.Errorf("fsm: local BGP identifier %v is not a non-zero IPv4 address", c.LocalID)
	case c.HoldTime < 0 || (c.HoldTime > 0 && c.HoldTime < 3*time.Second) || c.HoldTime > maxHoldTime ||
		c.HoldTime%time.Second != 0:
		return fmt.Errorf("fsm: hold time %v: want 0 or 3s to 65535s in whole seconds", c.HoldTime)
	case c.ConnectRetryTime <= 0:
		return fmt.Errorf("fsm: connect retry time %v is not positive", c.ConnectRetryTime)
	case c.LargeHoldTime <= 0:
		return fmt.Errorf("fsm: large hold time %v is not positive", c.LargeHoldTime)
	case c.SendHoldTime < 0:
		return fmt.Errorf("fsm: send hold time %v is negative", c.SendHoldTime)
	case c.DelayOpen && c.DelayOpenTime <= 0:
		return fmt.Errorf("fsm: delay open time %v is not positive", c.DelayOpenTime)
	case c.IdleHoldTime < 0:
		return fmt.Errorf("fsm: idle hold time %v is negative", c.IdleHoldTime)
	case c.DampPeerOscillations && c.IdleHoldMax < c.IdleHoldTime:
		return fmt.Errorf("fsm: idle hold max %v is below the idle hold time %v", c.IdleHoldMax, c.IdleHoldTime)
	case c.DampPeerOscillations && c.StablePeriod <= 0:
		return fmt.Errorf("fsm: stable period %v is not positive", c.StablePeriod)
	case c.Families > FamilyIgnore:
		return fmt.Errorf("fsm: unknown family policy %d", c.Families)
	}
	if c.LocalAS > 0xFFFF && !hasCode(c.Capabilities, capability.CodeASN4) {
		return errNoASN4
	}
	return nil
}

func hasCode(caps []capability.Capability, code capability.Code) bool {
	for _, c := range caps {
		if c.Code() == code {
			return true
		}
	}
	return false
}

// OpenMessage returns the fixed fields of our OPEN: version 4, LocalAS or
// AS_TRANS when it does not fit 16 bits (RFC 6793 §4.2.1), HoldTime in
// seconds and LocalID. message.WriteOpen writes it with Capabilities.
func (c *Config) OpenMessage() message.Open {
	as := uint16(message.ASTrans)
	if c.LocalAS <= 0xFFFF {
		as = uint16(c.LocalAS)
	}
	return message.Open{
		Version:  message.Version,
		MyAS:     as,
		HoldTime: uint16(c.HoldTime / time.Second),
		BGPID:    c.LocalID,
	}
}

// sendHoldTime is the SendHoldTimer's value for a session whose hold time
// is hold (RFC 9687: at least 8 minutes, at least twice the hold time).
func (c *Config) sendHoldTime(hold time.Duration) time.Duration {
	if c.SendHoldTime > 0 {
		return c.SendHoldTime
	}
	return max(MinSendHoldTime, 2*hold)
}

// jitter returns d scaled by a factor uniformly distributed in (0.75, 1]
// (RFC 4271 §10).
func (c *Config) jitter(d time.Duration) time.Duration {
	var r float64
	if c.Rand != nil {
		r = c.Rand.Float64()
	} else {
		r = rand.Float64()
	}
	if !(r >= 0 && r < 1) { // a broken source, NaN included
		r = 0
	}
	return d - time.Duration(float64(d)*0.25*r)
}
