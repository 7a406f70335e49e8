package reactor

import (
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
	"github.com/zebgp/ze/bgp/wire/message"
)

// ribKey names one received NLRI: family, path id and the NLRI bytes
// (a longer NLRI keeps its first 16 octets and a hash of the rest). It is
// comparable, so that the set of received routes costs no allocation
// per route beyond the map's growth.
type ribKey struct {
	fam  uint32
	id   uint32
	n    uint8
	b    [24]byte
	hash uint64
}

func makeRibKey(f wire.Family, n wire.NLRI) ribKey {
	k := ribKey{fam: f.Key(), id: n.PathID, n: uint8(min(len(n.Bytes), 255))}
	if len(n.Bytes) <= len(k.b) {
		copy(k.b[:], n.Bytes)
		return k
	}
	copy(k.b[:16], n.Bytes)
	h := fnv.New64a()
	_, _ = h.Write(n.Bytes[16:])
	k.hash = h.Sum64()
	return k
}

// FamilyCounters are the routes received in one family.
type FamilyCounters struct {
	Family wire.Family `json:"family"`
	// Received counts the NLRI announced, Withdrawn those withdrawn
	// (treat-as-withdraw included), since the session came up.
	Received  uint64 `json:"received"`
	Withdrawn uint64 `json:"withdrawn"`
	// Accepted is the number of routes held now (announced and not
	// withdrawn).
	Accepted uint64 `json:"accepted"`
	// Limit is the prefix-limit (0: none).
	Limit uint32 `json:"prefix-limit,omitempty"`
}

// famLimit is the configured prefix limit of a family.
type famLimit struct {
	limit  uint32
	warnAt uint64 // log a warning at this many accepted routes (0: none)
}

type famState struct {
	FamilyCounters
	warnAt uint64 // log a warning at this many accepted routes (0: none)
	warned bool
}

// inCounters is the receive side of a peer: the routes held, per family
// counters and the session's receive context.
type inCounters struct {
	mu    sync.Mutex
	ctx   *wire.EncodingContext
	ctxID wire.ContextID
	ref   PeerRef
	// fams are the families shown: those of the session (negotiated),
	// and any other that carried NLRI; limits are the configured ones.
	fams    map[wire.Family]*famState
	order   []wire.Family
	limits  map[wire.Family]famLimit
	live    bool // a session is up: its UPDATEs count
	rib     map[ribKey]struct{}
	updates uint64
	refresh uint64
	tw      uint64 // UPDATEs treated as withdraw (RFC 7606)
	over    bool   // a prefix limit was exceeded in this session
}

func (in *inCounters) init(pc *PeerConfig) {
	in.fams = map[wire.Family]*famState{}
	in.rib = map[ribKey]struct{}{}
	in.ctx = wire.NewContext(true, false)
	in.setLimits(pc)
}

// family returns the counters of f, made (with its limit) the first time.
func (in *inCounters) family(f wire.Family) *famState {
	fs := in.fams[f]
	if fs == nil {
		l := in.limits[f]
		fs = &famState{FamilyCounters: FamilyCounters{Family: f, Limit: l.limit}, warnAt: l.warnAt}
		in.fams[f] = fs
		in.order = append(in.order, f)
	}
	return fs
}

func (in *inCounters) setLimits(pc *PeerConfig) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.ref = PeerRef{Name: pc.Name, Address: pc.RemoteAddr, AS: pc.RemoteAS}
	in.limits = map[wire.Family]famLimit{}
	for _, fc := range pc.Families {
		l := famLimit{limit: fc.PrefixLimit}
		if fc.PrefixLimit > 0 && fc.PrefixLimitWarning > 0 {
			l.warnAt = max(1, uint64(fc.PrefixLimit)*uint64(fc.PrefixLimitWarning)/100)
		}
		in.limits[fc.Family] = l
	}
	for f, fs := range in.fams {
		l := in.limits[f]
		fs.Limit, fs.warnAt = l.limit, l.warnAt
	}
}

// up takes the receive context of a new session; its families are the
// negotiated ones (others appear when they carry NLRI).
func (in *inCounters) up(neg Negotiated) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if neg.Recv != nil {
		in.ctx, in.ctxID = neg.Recv, neg.RecvID
	}
	in.over = false
	in.live = true
	clear(in.rib)
	clear(in.fams)
	in.order = in.order[:0]
	for _, f := range neg.Families {
		in.family(f)
	}
}

// clear forgets the routes of a session that went down.
func (in *inCounters) clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.live = false
	clear(in.rib)
	for _, fs := range in.fams {
		fs.Received, fs.Withdrawn, fs.Accepted, fs.warned = 0, 0, 0, false
	}
}

func (in *inCounters) countRefresh() {
	in.mu.Lock()
	in.refresh++
	in.mu.Unlock()
}

func (in *inCounters) announce(fs *famState, k ribKey) {
	fs.Received++
	if _, ok := in.rib[k]; !ok {
		in.rib[k] = struct{}{}
		fs.Accepted++
	}
}

func (in *inCounters) withdraw(fs *famState, k ribKey) {
	fs.Withdrawn++
	if _, ok := in.rib[k]; ok {
		delete(in.rib, k)
		fs.Accepted--
	}
}

// receive counts a received UPDATE and publishes it, with v the session's
// RFC 7606 verdict (nil: checked here). It runs on the session's reader
// for every UPDATE, without the session lock: a publish that waits for a
// slow subscriber holds back this session's reading, not its keepalives.
// Nothing here allocates but the event (the message copied once; see
// BenchmarkReceive). An UPDATE that comes after its session went down
// (the reader was past the lock when the loop took the session down) is
// dropped: its routes went with the session.
func (p *peer) receive(msg []byte, v *attr.Verdict) {
	p.pubMu.Lock()
	defer p.pubMu.Unlock()
	in := &p.in
	in.mu.Lock()
	if !in.live {
		in.mu.Unlock()
		return
	}
	u, err := wire.ParseUpdateMessage(msg, in.ctx)
	if err != nil {
		in.mu.Unlock()
		p.r.log.Warn("update not read", "peer", in.ref.Name, "error", err)
		return
	}
	in.updates++
	var checked attr.Verdict
	if v == nil {
		checked = attr.CheckUpdate(&u)
		v = &checked
	}
	if v.Action != attr.ActionNone && v.Action != attr.ActionSessionReset { // RFC 7606: one line per malformed UPDATE kept
		p.r.log.Warn("malformed update", "peer", in.ref.Name, "action", v.Action.String(), "error", v.Reason)
	}
	tw := v.Action == attr.ActionTreatAsWithdraw || v.Action == attr.ActionSessionReset
	if tw {
		in.tw++
	}
	var first wire.Family
	note := func(f wire.Family) {
		if !first.IsValid() {
			first = f
		}
	}
	walk := func(f wire.Family, it wire.NLRIIter, withdraw bool) {
		if v.Action == attr.ActionAFISAFIDisable && v.Family == f {
			note(f)
			return
		}
		var fs *famState // made at the first NLRI: an End-of-RIB makes no family
		for n, ok := it.Next(); ok; n, ok = it.Next() {
			note(f)
			if fs == nil {
				fs = in.family(f)
			}
			if withdraw || tw {
				in.withdraw(fs, makeRibKey(f, n))
			} else {
				in.announce(fs, makeRibKey(f, n))
			}
		}
	}
	walk(wire.IPv4Unicast, u.WithdrawnIter(), true)
	walk(wire.IPv4Unicast, u.NLRIIter(), false)
	if mp, ok, err := u.MPReach(); ok && err == nil {
		note(mp.Family)
		walk(mp.Family, mp.Iter(in.ctx), false)
	}
	if mp, ok, err := u.MPUnreach(); ok && err == nil {
		note(mp.Family)
		walk(mp.Family, mp.Iter(in.ctx), true)
	}
	if !first.IsValid() {
		first = wire.IPv4Unicast // End-of-RIB of IPv4 unicast, or attributes alone
	}
	var over string
	for _, f := range in.order {
		fs := in.fams[f]
		if fs.Limit > 0 && fs.Accepted > uint64(fs.Limit) && !in.over {
			in.over = true
			over = fmt.Sprintf("prefix limit %d of %s exceeded", fs.Limit, f)
		}
		if fs.warnAt > 0 && fs.Accepted >= fs.warnAt && !fs.warned {
			fs.warned = true
			p.r.log.Warn("prefix limit warning", "peer", in.ref.Name, "family", f, "accepted", fs.Accepted, "limit", fs.Limit)
		}
	}
	ref, ctx, id := in.ref, in.ctx, in.ctxID
	in.mu.Unlock()
	if over != "" {
		p.r.log.Warn("prefix limit exceeded", "peer", ref.Name, "reason", over)
		p.life.setError(over)
		if s := p.currentSession(); s != nil {
			// Stop may not be called from the handler: from a goroutine.
			go p.prefixLimitStop(s, over)
		}
	}
	p.publishUpdate(first, ref, ctx, id, v.Action, msg)
}

// lifeCounters follow the session's state as the reactor sees it.
type lifeCounters struct {
	mu         sync.Mutex
	state      fsm.State
	stateSince time.Time
	upSince    time.Time
	ups, downs uint64
	lastError  string
	lastNotif  string
}

func (l *lifeCounters) transition(from, to fsm.State, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state = to
	l.stateSince = time.Now()
	if from == fsm.Established && to != fsm.Established {
		l.downs++
		l.upSince = time.Time{}
	}
	if reason != "" {
		l.lastError = reason
	}
}

func (l *lifeCounters) up() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ups++
	l.upSince = time.Now()
}

func (l *lifeCounters) down(to fsm.State) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == fsm.Established {
		l.downs++
	}
	if l.state != to {
		l.state, l.stateSince = to, time.Now()
	}
	l.upSince = time.Time{}
}

func (l *lifeCounters) setError(s string) {
	l.mu.Lock()
	l.lastError = s
	l.mu.Unlock()
}

func (l *lifeCounters) notification(sent bool, n message.Notification) {
	dir := "received"
	if sent {
		dir = "sent"
	}
	text := dir + " " + notificationText(n)
	l.mu.Lock()
	l.lastNotif = text
	l.mu.Unlock()
}

// notificationText is "code/subcode name" with the shutdown communication.
func notificationText(n message.Notification) string {
	s := fmt.Sprintf("%d/%d %s", n.Code, n.Subcode, wire.SubcodeString(n.Code, n.Subcode))
	if n.Code == wire.NotifyCease {
		if c, err := n.Communication(); err == nil && c != "" {
			s += fmt.Sprintf(" %q", c)
		}
	}
	return s
}
