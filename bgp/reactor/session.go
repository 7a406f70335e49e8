package reactor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// bgpPort is the BGP port (RFC 4271 §8.2.1).
const bgpPort = 179

// SessionConfig is one peer's session settings, already inherited and
// resolved by the caller. Zero durations mean the fsm package's defaults.
type SessionConfig struct {
	// Name is the peer's name from the config, for logs and events.
	Name string
	// Peer is the remote address and port (port 0 means 179).
	Peer netip.AddrPort
	// Local is the local address bound for outgoing connections and that an
	// incoming one must arrive on; the zero value is any address. Port 0
	// is an ephemeral port.
	Local netip.AddrPort

	LocalAS, PeerAS uint32
	// RouterID is our BGP identifier (an IPv4 address).
	RouterID netip.Addr

	// HoldTime is the hold time we propose: 0 or 3 s to 65535 s. The zero
	// value of SessionConfig does not mean 0: use NoHoldTime for that.
	HoldTime time.Duration
	// Keepalive is the keepalive interval when shorter than a third of
	// the negotiated hold time, which is used otherwise (and when 0).
	Keepalive    time.Duration
	ConnectRetry time.Duration
	// Passive waits for the peer to connect and never dials.
	Passive bool
	// DelayOpen, when non-zero, waits that long for the peer's OPEN
	// before sending ours (RFC 4271 §8.1.1 DelayOpen).
	DelayOpen time.Duration
	// MD5Password sets TCP MD5 signatures (RFC 2385) on the connection.
	MD5Password string
	// TTLSecurity is the GTSM hop count (RFC 5082): packets go out with
	// TTL 255 and must arrive with at least 256-TTLSecurity. 0 is off.
	TTLSecurity int

	// Families are the multiprotocol families offered; none sends no
	// Multiprotocol capability, which means ipv4/unicast (RFC 4760 §8).
	Families []wire.Family
	// AddPath is the ADD-PATH mode offered per family (RFC 7911).
	AddPath map[wire.Family]capability.AddPathMode
	// RouteRefresh and EnhancedRouteRefresh offer RFC 2918 and RFC 7313.
	RouteRefresh, EnhancedRouteRefresh bool
	// ExtendedMessage offers RFC 8654 messages up to 65535 octets.
	ExtendedMessage bool
	// ExtendedNextHop are the RFC 8950 <family, next-hop AFI> pairs offered.
	ExtendedNextHop []capability.ExtNHTuple
	// GracefulRestart offers RFC 4724 for Families with RestartTime.
	GracefulRestart bool
	RestartTime     time.Duration
	// Hostname and SoftwareVersion are sent as capabilities when set.
	Hostname, DomainName, SoftwareVersion string
	// Role is the RFC 9234 role ("provider", "rs", "rs-client",
	// "customer", "peer") when set; RoleStrict rejects a peer without one.
	Role       string
	RoleStrict bool
	// FamilyPolicy is what to do with a family that was not negotiated
	// (RFC 4760 §7): strict (the default) resets the session.
	FamilyPolicy fsm.FamilyPolicy
	// SendHoldTime is RFC 9687's; 0 is the larger of 8 min and twice the
	// hold time.
	SendHoldTime time.Duration
	// IdleHoldTime and IdleHoldMax bound the restart backoff of a flapping
	// peer: the wait doubles per flap from IdleHoldTime up to IdleHoldMax.
	IdleHoldTime, IdleHoldMax time.Duration
	// NoHoldTime proposes a hold time of 0 (no keepalives), since a zero
	// HoldTime means the default.
	NoHoldTime bool
}

// Handler receives what a session does. Its methods are called from the
// session's goroutines with the session's lock held, one at a time and in
// order; they must not block long and must not call Start, Stop or Accept
// of the same session (Send, SendWait, Reset, State, Stats, Negotiated and
// Config are safe).
type Handler interface {
	// SessionState reports a state change. reason is nil when moving up,
	// a *DownError when the connection went away.
	SessionState(s *Session, from, to fsm.State, reason error)
	// SessionEstablished reports the session up, after the peer's first
	// KEEPALIVE in OpenConfirm.
	SessionEstablished(s *Session, neg Negotiated)
	// SessionUpdate is a whole UPDATE message, header included, with the
	// RFC 7606 verdict the session found (attr.CheckUpdate; never
	// ActionSessionReset: the session reset on those). msg and v are valid
	// only during the call: copy what you keep. It is called from the
	// connection's reader without the session lock, so it may run while
	// the loop reports a state change; while it runs, the connection is
	// not read (back-pressure) but timers and keepalives go on.
	SessionUpdate(s *Session, msg []byte, v *attr.Verdict)
	// SessionRouteRefresh is a whole ROUTE-REFRESH message, valid only
	// during the call.
	SessionRouteRefresh(s *Session, msg []byte)
	// SessionNotification reports a NOTIFICATION we sent (sent true) or
	// received. Its Data is valid only during the call.
	SessionNotification(s *Session, sent bool, n message.Notification)
}

// Negotiated is what the OPEN exchange of an Established session settled.
type Negotiated struct {
	// Send encodes what we send, Recv decodes what the peer sends; SendID
	// and RecvID are their interned ContextIDs.
	Send, Recv     *wire.EncodingContext
	SendID, RecvID wire.ContextID
	// HoldTime is the negotiated hold time, Keepalive the interval used.
	HoldTime, Keepalive time.Duration
	PeerRouterID        netip.Addr
	PeerAS              uint32
	// Internal is set for an iBGP session (PeerAS == LocalAS).
	Internal bool
	// Families are those both sides announced.
	Families []wire.Family
	// Capabilities is the full capability.Negotiated result.
	Capabilities capability.Negotiated
	// Local and Remote are the connection's endpoints, Direction who
	// opened it.
	Local, Remote netip.AddrPort
	Direction     fsm.Direction
}

// DownError is the reason a connection went away: the FSM's Reason and the
// NOTIFICATION sent or received, if any.
type DownError struct {
	Reason fsm.Reason
	// Notification is set when one was sent (Sent) or received.
	Notification *message.Notification
	Sent         bool
	// Err is the underlying I/O error, if any.
	Err error
}

// Error describes the reason.
func (e *DownError) Error() string {
	s := "session: " + e.Reason.String()
	if e.Notification != nil {
		dir := "received"
		if e.Sent {
			dir = "sent"
		}
		s += fmt.Sprintf(" (notification %s %s)", dir, e.Notification.String())
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the I/O error.
func (e *DownError) Unwrap() error { return e.Err }

// Errors of Send and Stop.
var (
	ErrNotEstablished = errors.New("session: not established")
	ErrQueueFull      = errors.New("session: send queue full")
	ErrStopped        = errors.New("session: stopped")
	ErrBadMessage     = errors.New("session: not a whole BGP message")
)

// DefaultQueueLimit is the default bound of a session's send queue in bytes.
const DefaultQueueLimit = 4 << 20

// SessionOptions are the run-time parts of a session that do not come from
// the config.
type SessionOptions struct {
	// Logger gets the session's structured logs; nil is slog.Default().
	Logger *slog.Logger
	// Clock drives the FSM timers; nil is the system clock. With another
	// clock the caller wakes the session after moving it (tests).
	Clock fsm.Clock
	// Rand is the timer jitter source; nil is math/rand/v2.
	Rand fsm.Rand
	// QueueLimit bounds the bytes queued by Send and not yet written;
	// 0 is DefaultQueueLimit.
	QueueLimit int
	// FlushTimeout bounds the time spent writing a final NOTIFICATION
	// before closing; 0 is 2 s.
	FlushTimeout time.Duration
}

// Session is one configured peer: the FSM, its connections (one, or two
// during a collision), the timers and the writer. It reconnects by itself
// after a failure, with the idle-hold backoff, until Stop.
type Session struct {
	cfg  SessionConfig
	h    Handler
	opts SessionOptions
	log  *slog.Logger

	mu sync.Mutex
	st sessionState

	ctr    counters
	kick   chan struct{} // wakes the loop
	resetC chan string   // Reset's message for the loop
	quit   chan struct{} // closed by Stop
}

// NewSession returns a session for cfg that reports to h. It does nothing
// until Start.
func NewSession(cfg SessionConfig, h Handler, opts SessionOptions) *Session {
	return newSession(cfg, h, opts)
}

// Start starts the session: it dials the peer (unless Passive) and accepts
// its connections. A session whose config the FSM refuses reports the
// error through Stats().LastError and stays Idle; Start returns it too.
func (s *Session) Start() error { return s.start() }

// Stop ends the session for good: an Established or opening session gets a
// Cease (code and subcode, normally 6/2 Administrative Shutdown) carrying
// message as its RFC 9003 shutdown communication, the connection is closed
// after the NOTIFICATION is written (or ctx ends) and nothing restarts.
// code 0 means 6/2. It must not be called from a Handler method.
func (s *Session) Stop(ctx context.Context, code, subcode uint8, message string) error {
	return s.stop(ctx, code, subcode, message)
}

// Reset drops the session with Cease / Administrative Reset (6/4)
// carrying message, and lets it reconnect after the idle hold. It does not
// wait and may be called from a Handler method.
func (s *Session) Reset(message string) { s.reset(message) }

// Send queues a whole message (header included) for the peer; it is copied.
// The queue is bounded (SessionOptions.QueueLimit bytes): when msg does not
// fit Send fails at once with ErrQueueFull and queues nothing. It fails with
// ErrNotEstablished outside Established. KEEPALIVEs and NOTIFICATIONs do
// not wait behind queued messages.
func (s *Session) Send(msg []byte) error { return s.send(context.Background(), msg, false) }

// SendWait is Send that waits, until ctx ends, for room in the queue
// instead of failing with ErrQueueFull.
func (s *Session) SendWait(ctx context.Context, msg []byte) error { return s.send(ctx, msg, true) }

// Accept hands the session an incoming connection from its peer (the
// Listener does). It reports false, and closes c, when the session does
// not take it (stopped, Idle, the wrong local address, or already two
// connections); a collision with an existing connection is resolved when
// the OPEN arrives (RFC 4271 §6.8).
func (s *Session) Accept(c net.Conn) bool { return s.accept(c) }

// State returns the FSM state of the session's main connection.
func (s *Session) State() fsm.State { return s.state() }

// Config returns the session's config.
func (s *Session) Config() SessionConfig { return s.cfg }

// Negotiated returns what the OPEN exchange settled, and false when the
// session is not Established.
func (s *Session) Negotiated() (Negotiated, bool) { return s.negotiated() }

// Stats returns the session's counters.
func (s *Session) Stats() SessionStats { return s.stats() }

// MessageCounts counts messages per type, and their bytes.
type MessageCounts struct {
	Open         uint64 `json:"open"`
	Update       uint64 `json:"update"`
	Notification uint64 `json:"notification"`
	Keepalive    uint64 `json:"keepalive"`
	RouteRefresh uint64 `json:"route-refresh"`
	Total        uint64 `json:"total"`
	Bytes        uint64 `json:"bytes"`
}

// SessionStats is a snapshot of a session's counters.
type SessionStats struct {
	State fsm.State     `json:"state"`
	In    MessageCounts `json:"received"`
	Out   MessageCounts `json:"sent"`
	// LastError is the last reason the session went down, or a config error.
	LastError string `json:"last-error,omitempty"`
	// LastNotification is the last NOTIFICATION sent or received, as text.
	LastNotification string `json:"last-notification,omitempty"`
	// EstablishedSince is when the session came up; zero when not up.
	EstablishedSince time.Time `json:"established-since"`
	// Established counts the times the session came up; Flaps the drops
	// counted by the idle-hold backoff.
	Established uint64 `json:"established"`
	Flaps       int    `json:"flaps"`
	// QueueBytes and QueueMessages are what Send queued and is not written.
	QueueBytes    int `json:"queue-bytes"`
	QueueMessages int `json:"queue-messages"`
	// ConnectRetryCounter is the RFC 4271 counter.
	ConnectRetryCounter int `json:"connect-retry-counter"`
}

// String names the session for logs: its name or the peer's address.
func (s *Session) String() string {
	if s.cfg.Name != "" {
		return s.cfg.Name
	}
	return s.cfg.Peer.Addr().String()
}

// MarshalJSON shows the state by name ("established").
func (st SessionStats) MarshalJSON() ([]byte, error) {
	type plain SessionStats // drops the method, keeps the tags
	return json.Marshal(struct {
		plain
		State string `json:"state"`
	}{plain(st), st.State.String()})
}

// MarshalJSON shows the negotiation with kebab-case keys, times in
// seconds and families as "afi/safi".
func (n Negotiated) MarshalJSON() ([]byte, error) {
	fams := make([]string, len(n.Families))
	for i, f := range n.Families {
		fams[i] = f.String()
	}
	return json.Marshal(struct {
		SendID       wire.ContextID        `json:"send-context-id"`
		RecvID       wire.ContextID        `json:"receive-context-id"`
		HoldTime     float64               `json:"hold-time"`
		Keepalive    float64               `json:"keepalive"`
		PeerRouterID netip.Addr            `json:"peer-router-id"`
		PeerAS       uint32                `json:"peer-as"`
		Internal     bool                  `json:"internal"`
		Families     []string              `json:"families"`
		Capabilities capability.Negotiated `json:"capabilities"`
		Local        string                `json:"local"`
		Remote       string                `json:"remote"`
		Direction    string                `json:"direction"`
	}{n.SendID, n.RecvID, n.HoldTime.Seconds(), n.Keepalive.Seconds(), n.PeerRouterID, n.PeerAS, n.Internal,
		fams, n.Capabilities, n.Local.String(), n.Remote.String(), n.Direction.String()})
}
