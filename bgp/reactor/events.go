package reactor

import (
	"errors"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/view"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/bgp/wire/message"
	"github.com/zebgp/ze/engine/hub"
)

// Topics of the events the reactor publishes on the hub.
const (
	// TopicState is the prefix of state changes: bgp/state/<peer-name>.
	TopicState = "bgp/state"
	// TopicUpdate is the prefix of received UPDATEs:
	// bgp/update/<afi>/<safi>, under the UPDATE's first family.
	TopicUpdate = "bgp/update"
)

// PeerRef names the peer of an event.
type PeerRef struct {
	Name    string
	Address netip.Addr
	AS      uint32
}

func (p PeerRef) appendJSON(w *view.W) {
	w.Key("peer")
	w.Open('{')
	w.Key("name")
	w.Str(p.Name)
	w.Key("address")
	w.Text(p.Address.AppendTo)
	if p.AS != 0 {
		w.Key("as")
		w.Uint(uint64(p.AS))
	}
	w.Close('}')
}

// UpdateEvent is one UPDATE received from a peer, published on
// bgp/update/<afi>/<safi> under its first family: the IPv4 unicast routes
// of its NLRI or Withdrawn Routes fields, else the family of its
// MP_REACH_NLRI, else that of its MP_UNREACH_NLRI (an End-of-RIB under its
// own family). An UPDATE is published once, whatever families it carries.
// Subscribers share the event: treat it as read-only.
type UpdateEvent struct {
	Peer PeerRef
	// Family is the family of the topic.
	Family wire.Family
	// Context is the session's receive context, ContextID its interned ID:
	// an UPDATE can be forwarded unchanged to sessions with the same ID.
	Context   *wire.EncodingContext
	ContextID wire.ContextID
	// Message is the whole UPDATE, header included; the event owns it.
	Message []byte
	// Action is what RFC 7606 makes of it (attr.CheckUpdate): ActionNone
	// for a valid UPDATE; with ActionTreatAsWithdraw its routes are
	// withdrawn, with ActionAttrDiscard the consumer drops the attributes
	// the Verdict names. The session has already reset on the errors that
	// call for it.
	Action attr.Action
	// Time is when it was received.
	Time time.Time
}

// Update parses the message (lazily: sub-slices of Message).
func (e *UpdateEvent) Update() (wire.WireUpdate, error) {
	return wire.ParseUpdateMessage(e.Message, e.Context)
}

// AppendExternal is the event's JSON for subscribers outside the process:
//
//	{"type":"update","direction":"received","peer":{"name":"east","address":"192.0.2.1","as":65001},
//	 "context-id":3,"time":"2026-11-23T23:59:00.123Z","message":{"type":"update","length":60,"update":{…}}}
//
// where message is the JSON of docs/json.md (with its "rfc7606" verdict
// or "error" when the UPDATE is malformed).
func (e *UpdateEvent) AppendExternal(dst []byte) ([]byte, error) {
	w := view.W{B: dst}
	w.Open('{')
	w.Key("type")
	w.Str("update")
	w.Key("direction")
	w.Str("received")
	e.Peer.appendJSON(&w)
	w.Key("family")
	w.Text(appendFamily(e.Family))
	w.Key("context-id")
	w.Uint(uint64(e.ContextID))
	w.Key("time")
	w.Text(appendTime(e.Time))
	w.Key("message")
	// A message that does not read whole (or that RFC 7606 finds
	// malformed) still gives whole JSON, with "error" or "rfc7606" in it:
	// that is the event, not a failure to encode it.
	_ = view.AppendMessageJSON(&w, e.Message, e.Context)
	w.Close('}')
	return w.B, nil
}

// StateEvent is a state change of a peer's session, published on
// bgp/state/<peer-name>.
type StateEvent struct {
	Peer     PeerRef
	From, To fsm.State
	// Reason says why the session went down ("" when moving up).
	Reason string
	// Notification is the NOTIFICATION sent or received on the way down.
	Notification string
	// Negotiated is what the session settled, when To is Established.
	Negotiated *NegotiatedSummary
	Time       time.Time
}

// AppendExternal is the event's JSON:
//
//	{"type":"state","peer":{…},"from":"openconfirm","to":"established",
//	 "negotiated":{"peer-router-id":…,"hold-time":90,"keepalive":30,"internal":false,"families":["ipv4/unicast"],
//	  "local":"192.0.2.254:179","remote":"192.0.2.1:40000","send-context-id":1,"receive-context-id":1},"time":"…"}
func (e *StateEvent) AppendExternal(dst []byte) ([]byte, error) {
	w := view.W{B: dst}
	w.Open('{')
	w.Key("type")
	w.Str("state")
	e.Peer.appendJSON(&w)
	w.Key("from")
	w.Str(stateName(e.From))
	w.Key("to")
	w.Str(stateName(e.To))
	if e.Reason != "" {
		w.Key("reason")
		w.Str(e.Reason)
	}
	if e.Notification != "" {
		w.Key("notification")
		w.Str(e.Notification)
	}
	if n := e.Negotiated; n != nil {
		w.Key("negotiated")
		w.Open('{')
		w.Key("peer-router-id")
		w.Text(n.PeerRouterID.AppendTo)
		w.Key("hold-time")
		w.Uint(uint64(n.HoldTime / time.Second))
		w.Key("keepalive")
		w.Uint(uint64(n.Keepalive / time.Second))
		w.Key("internal")
		w.Bool(n.Internal)
		w.Key("families")
		w.Open('[')
		for _, f := range n.Families {
			w.Text(appendFamily(f))
		}
		w.Close(']')
		w.Key("local")
		w.Text(n.Local.AppendTo)
		w.Key("remote")
		w.Text(n.Remote.AppendTo)
		w.Key("send-context-id")
		w.Uint(uint64(n.SendContext))
		w.Key("receive-context-id")
		w.Uint(uint64(n.RecvContext))
		w.Close('}')
	}
	w.Key("time")
	w.Text(appendTime(e.Time))
	w.Close('}')
	return w.B, nil
}

var (
	_ hub.ExternalAppender = (*UpdateEvent)(nil)
	_ hub.ExternalAppender = (*StateEvent)(nil)
)

func appendFamily(f wire.Family) func([]byte) []byte {
	return func(b []byte) []byte {
		t, _ := f.MarshalText()
		return append(b, t...)
	}
}

func appendTime(t time.Time) func([]byte) []byte {
	return func(b []byte) []byte { return t.UTC().AppendFormat(b, time.RFC3339Nano) }
}

// stateName is the lower-case name of a state for JSON and tables.
func stateName(s fsm.State) string {
	switch s {
	case fsm.Idle:
		return "idle"
	case fsm.Connect:
		return "connect"
	case fsm.Active:
		return "active"
	case fsm.OpenSent:
		return "opensent"
	case fsm.OpenConfirm:
		return "openconfirm"
	case fsm.Established:
		return "established"
	}
	return "state-" + strconv.Itoa(int(s))
}

// topicCache keeps a hub.Topic per family and per peer, so that
// publishing needs no lookup and no allocation once a topic was used.
type topicCache struct {
	hub *hub.Hub
	mu  sync.RWMutex
	fam map[wire.Family]*hub.Topic
	st  map[string]*hub.Topic
}

func (c *topicCache) update(f wire.Family) *hub.Topic {
	c.mu.RLock()
	t := c.fam[f]
	c.mu.RUnlock()
	if t != nil {
		return t
	}
	txt, _ := f.MarshalText()
	t, err := c.hub.Topic(TopicUpdate + "/" + string(txt))
	if err != nil {
		return nil
	}
	c.mu.Lock()
	if c.fam == nil {
		c.fam = map[wire.Family]*hub.Topic{}
	}
	c.fam[f] = t
	c.mu.Unlock()
	return t
}

func (c *topicCache) state(peer string) *hub.Topic {
	c.mu.RLock()
	t := c.st[peer]
	c.mu.RUnlock()
	if t != nil {
		return t
	}
	t, err := c.hub.Topic(TopicState + "/" + peer)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	if c.st == nil {
		c.st = map[string]*hub.Topic{}
	}
	c.st[peer] = t
	c.mu.Unlock()
	return t
}

// handler receives one session's callbacks for its peer; callbacks of a
// session the peer no longer runs are ignored.
type handler struct {
	p  *peer
	id uint64
}

var _ Handler = (*handler)(nil)

func (h *handler) current() bool { return h.p.curID.Load() == h.id }

func (h *handler) SessionState(s *Session, from, to fsm.State, reason error) {
	if !h.current() {
		return
	}
	p := h.p
	if from == fsm.Established && to != fsm.Established {
		// An UPDATE being published (receive, from the session's reader
		// without the session lock) goes out before the state change;
		// one that comes after it is dropped (inCounters.live).
		p.pubMu.Lock()
		defer p.pubMu.Unlock()
		p.mu.Lock()
		p.out.down()
		p.mu.Unlock()
		p.in.clear()
	}
	why, notif := "", ""
	if reason != nil {
		why = reason.Error()
		// The NOTIFICATION of the transition is in the reason: one sent is
		// reported by SessionNotification only after the state change.
		var de *DownError
		if errors.As(reason, &de) && de.Notification != nil {
			notif = "received " + notificationText(*de.Notification)
			if de.Sent {
				notif = "sent " + notificationText(*de.Notification)
			}
		}
	}
	p.life.transition(from, to, why)
	var neg *NegotiatedSummary
	if to == fsm.Established && s != nil {
		if n, ok := s.Negotiated(); ok {
			neg = negotiatedSummary(&n)
		}
	}
	p.publishState(from, to, why, notif, neg)
}

func (h *handler) SessionEstablished(s *Session, neg Negotiated) {
	if !h.current() {
		return
	}
	h.p.established(neg)
}

func (h *handler) SessionUpdate(s *Session, msg []byte, v *attr.Verdict) {
	if !h.current() {
		return
	}
	h.p.receive(msg, v)
}

func (h *handler) SessionRouteRefresh(s *Session, msg []byte) {
	if !h.current() || len(msg) < wire.HeaderLen {
		return
	}
	rr, err := message.ParseRouteRefresh(msg[wire.HeaderLen:])
	if err != nil || rr.Subtype != message.RefreshNormal {
		return
	}
	h.p.in.countRefresh()
	go h.p.refresh(rr.Family)
}

func (h *handler) SessionNotification(s *Session, sent bool, n message.Notification) {
	if !h.current() {
		return
	}
	h.p.life.notification(sent, n)
}

// established starts a new Established period: the receive side takes
// the session's context, the initial table goes out from its own
// goroutine (Send may wait for room in the queue; a handler must not).
func (p *peer) established(neg Negotiated) {
	p.mu.Lock()
	p.out.down()
	p.out.up = true
	p.out.neg = neg
	gen := p.out.gen
	p.mu.Unlock()
	p.in.up(neg)
	p.life.up()
	go p.initialTable(gen)
}

func (p *peer) ref() PeerRef {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PeerRef{Name: p.pc.Name, Address: p.pc.RemoteAddr, AS: p.pc.RemoteAS}
}

func (p *peer) publishState(from, to fsm.State, reason, notif string, neg *NegotiatedSummary) {
	r := p.r
	if r.pub == nil {
		return
	}
	ref := p.ref()
	t := r.topics.state(ref.Name)
	if t == nil {
		return
	}
	ev := &StateEvent{Peer: ref, From: from, To: to, Reason: reason, Notification: notif, Negotiated: neg, Time: time.Now()}
	if err := r.pub.PublishTo(r.runCtx(), t, ev); err != nil {
		r.log.Debug("state event not published", "peer", ref.Name, "error", err)
	}
}

// publishUpdate publishes a received UPDATE: the one copy of msg.
func (p *peer) publishUpdate(f wire.Family, ref PeerRef, ctx *wire.EncodingContext, id wire.ContextID, action attr.Action, msg []byte) {
	r := p.r
	if r.pub == nil {
		return
	}
	t := r.topics.update(f)
	if t == nil {
		return
	}
	ev := &UpdateEvent{Peer: ref, Family: f, Context: ctx, ContextID: id, Message: append([]byte(nil), msg...), Action: action, Time: time.Now()}
	if err := r.pub.PublishTo(r.runCtx(), t, ev); err != nil {
		r.log.Debug("update event not published", "peer", ref.Name, "error", err)
	}
}
