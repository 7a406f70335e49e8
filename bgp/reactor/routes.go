package reactor

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/route"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/message"
)

// ribOut is what a peer is sent besides its static routes: the routes of
// run-time commands (an adj-rib-out), kept to be sent again when the
// session comes back, and the state of the current session's table.
// Guarded by peer.mu.
type ribOut struct {
	// routes maps family key + path id + NLRI to the command that
	// announced it last.
	routes map[string]outRoute
	seq    uint64

	// neg is the current session's negotiation, valid while up.
	neg Negotiated
	up  bool
	// synced is set once the initial table (and End-of-RIB) went out;
	// before that, changes only update the tables.
	synced bool
	gen    uint64 // the Established period the initial table is for
}

// outRoute is one announced NLRI: the command it came from, whose
// attributes and next hop apply, and its place in it.
type outRoute struct {
	upd *route.Update
	// self is the command's text when its next hop is self: it is parsed
	// again per session with the session's local address.
	self   string
	seq    uint64
	family wire.Family
	nlri   []byte // path id (4 octets) + NLRI, as in route.Section
}

func (o *ribOut) init() { o.routes = map[string]outRoute{} }

// down forgets the session.
func (o *ribOut) down() {
	o.up, o.synced = false, false
	o.neg = Negotiated{}
	o.gen++
}

// each calls fn for every NLRI of s (path id + NLRI).
func eachNLRI(s *route.Section, fn func(n []byte)) error {
	codec, ok := wire.LookupFamily(s.Family)
	if !ok {
		return &wire.UnknownFamilyError{Family: s.Family}
	}
	for b := s.NLRI; len(b) > 0; {
		if len(b) < 4 {
			return errors.New("reactor: truncated NLRI")
		}
		n, err := codec.Len(b[4:])
		if err != nil {
			return err
		}
		fn(b[:4+n])
		b = b[4+n:]
	}
	return nil
}

func routeKey(f wire.Family, n []byte) string {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], f.Key())
	return string(k[:]) + string(n)
}

// record puts a command's routes in the adj-rib-out: its announcements
// replace what was there for the same NLRI, its withdrawals remove.
func (o *ribOut) record(u *route.Update, self string) error {
	o.seq++
	for i := range u.Sections {
		s := &u.Sections[i]
		err := eachNLRI(s, func(n []byte) {
			k := routeKey(s.Family, n)
			if s.Withdraw {
				delete(o.routes, k)
				return
			}
			o.routes[k] = outRoute{upd: u, self: self, seq: o.seq, family: s.Family, nlri: n}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// updates regroups the adj-rib-out (of family f, or all when f is zero)
// into commands: one per original command and family, with only the NLRI
// it still owns, in the order the commands came.
func (o *ribOut) updates(f wire.Family, local netip.Addr) ([]*route.Update, []error) {
	type group struct {
		upd  *route.Update
		self string
		seq  uint64
		sec  map[wire.Family]*route.Section
		fam  []wire.Family
	}
	groups := map[uint64]*group{}
	keys := make([]string, 0, len(o.routes))
	for k := range o.routes {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a stable order of NLRI within a command
	for _, k := range keys {
		r := o.routes[k]
		if f.IsValid() && r.family != f {
			continue
		}
		g := groups[r.seq]
		if g == nil {
			g = &group{upd: r.upd, self: r.self, seq: r.seq, sec: map[wire.Family]*route.Section{}}
			groups[r.seq] = g
		}
		s := g.sec[r.family]
		if s == nil {
			s = &route.Section{Family: r.family}
			g.sec[r.family] = s
			g.fam = append(g.fam, r.family)
		}
		s.NLRI = append(s.NLRI, r.nlri...)
		s.Count++
		if binary.BigEndian.Uint32(r.nlri) != 0 {
			s.PathIDs = true
		}
	}
	ordered := make([]*group, 0, len(groups))
	for _, g := range groups {
		ordered = append(ordered, g)
	}
	slices.SortFunc(ordered, func(a, b *group) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]*route.Update, 0, len(ordered))
	var errs []error
	for _, g := range ordered {
		base := g.upd
		if g.self != "" {
			var err error
			if base, err = parseSelf(g.self, local); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		u := *base
		u.Sections = nil
		for _, fam := range g.fam {
			u.Sections = append(u.Sections, *g.sec[fam])
		}
		out = append(out, &u)
	}
	return out, errs
}

// selfIndex returns the index of the word "self" given as the next hop of
// a route command (`nhop set self`, `next-hop set self`), or -1.
func selfIndex(words []string) int {
	for i := 0; i+2 < len(words); i++ {
		if (words[i] == "nhop" || words[i] == "next-hop") && (words[i+1] == "set" || words[i+1] == "add") && words[i+2] == "self" {
			return i + 2
		}
	}
	return -1
}

// parseSelf parses a route command whose next hop is self with local as
// the next hop.
func parseSelf(text string, local netip.Addr) (*route.Update, error) {
	words := strings.Fields(text)
	i := selfIndex(words)
	if i < 0 {
		return route.Parse(text)
	}
	if !local.IsValid() {
		return nil, errors.New("reactor: next hop self: the session's local address is not known")
	}
	words[i] = local.Unmap().String()
	return route.Parse(strings.Join(words, " "))
}

// staticUpdate turns a static route into a route command for a session
// that negotiated neg (nil: a stand-in session, to check the route).
// On external sessions the local AS is prepended to the AS_PATH; on
// internal ones LOCAL_PREF is sent (100 unless set; RFC 4271 §5.1.5).
func staticUpdate(r *StaticRoute, pc *PeerConfig, neg *Negotiated) (*route.Update, error) {
	internal := pc.LocalAS == pc.RemoteAS
	nh := r.NextHop
	if neg != nil {
		internal = neg.Internal
		if !nh.IsValid() {
			nh = neg.Local.Addr().Unmap()
		}
	}
	if !nh.IsValid() { // self, checked before any session exists
		nh = pc.LocalAddr
		if !nh.IsValid() {
			nh = netip.MustParseAddr("192.0.2.1")
			if pc.RemoteAddr.Is6() {
				nh = netip.MustParseAddr("2001:db8::1")
			}
		}
	}
	// An IPv6 route with an IPv4 next hop (self on an IPv4 session) is
	// carried as ::ffff:a.b.c.d by the builder (RFC 4798).
	var b strings.Builder
	b.WriteString("update text origin set ")
	b.WriteString(r.Origin)
	b.WriteString(" as-path set [")
	first := true
	word := func(s string) {
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(s)
	}
	if !internal {
		word(strconv.FormatUint(uint64(pc.LocalAS), 10))
	}
	for _, seg := range r.ASPath {
		if seg.Set {
			word("(")
			first = true
		}
		for _, as := range seg.ASNs {
			word(strconv.FormatUint(uint64(as), 10))
		}
		if seg.Set {
			b.WriteByte(')')
		}
	}
	b.WriteString("] nhop set ")
	b.WriteString(nh.String())
	if r.HasMED {
		b.WriteString(" med set ")
		b.WriteString(strconv.FormatUint(uint64(r.MED), 10))
	}
	if internal {
		lp := uint32(100)
		if r.HasLocalPref {
			lp = r.LocalPref
		}
		b.WriteString(" local-preference set ")
		b.WriteString(strconv.FormatUint(uint64(lp), 10))
	}
	list := func(name string, vals []string) {
		if len(vals) == 0 {
			return
		}
		b.WriteString(" " + name + " set [")
		b.WriteString(strings.Join(vals, " "))
		b.WriteByte(']')
	}
	list("community", r.Community)
	list("large-community", r.LargeCommunity)
	list("extended-community", r.ExtendedCommunity)
	fam := "ipv4/unicast"
	if r.Prefix.Addr().Is6() {
		fam = "ipv6/unicast"
	}
	b.WriteString(" nlri " + fam + " add " + r.Prefix.String())
	return route.Parse(b.String())
}

func staticWithdraw(r *StaticRoute) (*route.Update, error) {
	fam := "ipv4/unicast"
	if r.Prefix.Addr().Is6() {
		fam = "ipv6/unicast"
	}
	return route.Parse("update text nlri " + fam + " del " + r.Prefix.String())
}

// sender is what sending needs, taken under peer.mu: the session, its
// negotiation and its Established period. Sending itself happens without
// peer.mu (the session's handler takes it, and Send may wait for room in
// the queue), under peer.sendMu, which keeps one peer's sends in order.
type sender struct {
	s   session
	neg Negotiated
	gen uint64
}

// senderLocked returns the current session's sender, false when it is not
// up; p.mu is held.
func (p *peer) senderLocked() (sender, bool) {
	if p.sess == nil || !p.out.up {
		return sender{}, false
	}
	return sender{s: p.sess, neg: p.out.neg, gen: p.out.gen}, true
}

// send builds u for the session's send context and queues every message.
func (sd *sender) send(ctx context.Context, u *route.Update) (int, error) {
	n := 0
	err := u.Build(sd.neg.Send, func(msg []byte) error {
		n++
		return sd.s.SendWait(ctx, msg)
	})
	return n, err
}

// sendAll sends every update and returns the messages sent.
func (sd *sender) sendAll(ctx context.Context, ups []*route.Update) (int, []error) {
	total := 0
	var errs []error
	for _, u := range ups {
		n, err := sd.send(ctx, u)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errs
}

// tableLocked returns the static routes, then the adj-rib-out, of family f
// (all when zero) as commands for a session with neg; p.mu is held.
func (p *peer) tableLocked(f wire.Family, neg *Negotiated) ([]*route.Update, []error) {
	var ups []*route.Update
	var errs []error
	for i := range p.pc.Static {
		r := &p.pc.Static[i]
		if f.IsValid() && staticFamily(r) != f || p.out.shadowed(r) {
			continue
		}
		u, err := staticUpdate(r, &p.pc, neg)
		if err != nil {
			errs = append(errs, fmt.Errorf("static route %s: %w", r.Prefix, err))
			continue
		}
		ups = append(ups, u)
	}
	more, uerrs := p.out.updates(f, neg.Local.Addr())
	for i, u := range more {
		more[i] = u.Originated(p.pc.LocalAS, !neg.Internal)
	}
	return append(ups, more...), append(errs, uerrs...)
}

// shadowed reports whether a run-time route replaces static route r.
func (o *ribOut) shadowed(r *StaticRoute) bool {
	_, ok := o.routes[routeKey(staticFamily(r), staticNLRI(r))]
	return ok
}

// staticNLRI is a static route's NLRI as the adj-rib-out keys it: path id
// 0 and the prefix.
func staticNLRI(r *StaticRoute) []byte {
	var n [4 + 17]byte
	l := r.Prefix.Bits()
	n[4] = byte(l)
	a := r.Prefix.Addr().AsSlice()
	copy(n[5:], a[:(l+7)/8])
	return n[:5+(l+7)/8]
}

func staticFamily(r *StaticRoute) wire.Family {
	if r.Prefix.Addr().Is6() {
		return wire.IPv6Unicast
	}
	return wire.IPv4Unicast
}

// initialTable sends the whole table and an End-of-RIB per negotiated
// family (RFC 4724 §2) for Established period gen. Commands that come
// meanwhile wait on sendMu and go out after it.
func (p *peer) initialTable(gen uint64) {
	ctx := p.r.runCtx()
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.mu.Lock()
	sd, ok := p.senderLocked()
	if !ok || sd.gen != gen {
		p.mu.Unlock()
		return
	}
	ups, errs := p.tableLocked(wire.Family{}, &sd.neg)
	name := p.pc.Name
	p.mu.Unlock()
	n, serrs := sd.sendAll(ctx, ups)
	if err := errors.Join(append(errs, serrs...)...); err != nil {
		p.r.log.Warn("initial table", "peer", name, "error", err)
		p.life.setError(err.Error())
	}
	var buf [64]byte
	for _, f := range sd.neg.Families {
		l := wire.WriteEndOfRIB(buf[:], 0, f)
		if err := sd.s.SendWait(ctx, buf[:l]); err != nil {
			p.r.log.Warn("end-of-rib", "peer", name, "family", f, "error", err)
			return
		}
	}
	p.mu.Lock()
	if p.out.gen == gen && p.out.up {
		p.out.synced = true
	}
	p.mu.Unlock()
	p.r.log.Debug("initial table sent", "peer", name, "messages", n, "end-of-rib", len(sd.neg.Families))
}

// applyStatic sends what a change of static routes implies on a synced
// session: withdrawals of the routes gone, UPDATEs of those new or changed.
func (p *peer) applyStatic(old, cur []StaticRoute) error {
	ctx := p.r.runCtx()
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.mu.Lock()
	sd, ok := p.senderLocked()
	if !ok || !p.out.synced {
		p.mu.Unlock()
		return nil
	}
	name := p.pc.Name
	before := map[netip.Prefix]*StaticRoute{}
	for i := range old {
		before[old[i].Prefix] = &old[i]
	}
	var ups []*route.Update
	var errs []error
	now := map[netip.Prefix]bool{}
	for i := range cur {
		r := &cur[i]
		now[r.Prefix] = true
		if o, ok := before[r.Prefix]; ok && staticEqual(o, r) || p.out.shadowed(r) {
			continue
		}
		u, err := staticUpdate(r, &p.pc, &sd.neg)
		if err != nil {
			errs = append(errs, fmt.Errorf("reactor: %s: static route %s: %w", name, r.Prefix, err))
			continue
		}
		ups = append(ups, u)
	}
	for i := range old {
		r := &old[i]
		if now[r.Prefix] || p.out.shadowed(r) {
			continue
		}
		u, err := staticWithdraw(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("reactor: %s: withdrawing static route %s: %w", name, r.Prefix, err))
			continue
		}
		ups = append(ups, u)
	}
	p.mu.Unlock()
	_, serrs := sd.sendAll(ctx, ups)
	for _, err := range serrs {
		errs = append(errs, fmt.Errorf("reactor: %s: %w", name, err))
	}
	return errors.Join(errs...)
}

func staticEqual(a, b *StaticRoute) bool {
	return a.Prefix == b.Prefix && a.NextHop == b.NextHop && a.Origin == b.Origin &&
		slices.EqualFunc(a.ASPath, b.ASPath, func(x, y ASSegment) bool { return x.Set == y.Set && slices.Equal(x.ASNs, y.ASNs) }) &&
		a.MED == b.MED && a.HasMED == b.HasMED && a.LocalPref == b.LocalPref && a.HasLocalPref == b.HasLocalPref &&
		slices.Equal(a.Community, b.Community) && slices.Equal(a.LargeCommunity, b.LargeCommunity) &&
		slices.Equal(a.ExtendedCommunity, b.ExtendedCommunity)
}

// announce records a run-time command in the adj-rib-out and, when the
// initial table went out, sends it as this speaker originates it
// (route.Update.Originated: the local AS prepended toward an external
// peer, LOCAL_PREF 100 by default toward an internal one); kept reports
// that it was only recorded. A withdrawal of a prefix whose run-time route
// had replaced a static route sends the static route again instead (an
// implicit replacement, no withdrawal in between). A withdrawal of a
// static route's prefix that no command announced is sent; the static
// route comes back with the next session.
func (p *peer) announce(ctx context.Context, u *route.Update, self string) (n int, kept bool, err error) {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.mu.Lock()
	var hidden []*StaticRoute
	for i := range p.pc.Static {
		if p.out.shadowed(&p.pc.Static[i]) {
			hidden = append(hidden, &p.pc.Static[i])
		}
	}
	if err := p.out.record(u, self); err != nil {
		p.mu.Unlock()
		return 0, false, err
	}
	var back []*StaticRoute
	for _, r := range hidden {
		if !p.out.shadowed(r) {
			back = append(back, r)
		}
	}
	sd, ok := p.senderLocked()
	synced := p.out.synced
	pc := p.pc
	p.mu.Unlock()
	if !ok || !synced {
		return 0, true, nil
	}
	if self != "" {
		if u, err = parseSelf(self, sd.neg.Local.Addr()); err != nil {
			return 0, false, err
		}
	}
	ups := []*route.Update{u.Originated(pc.LocalAS, !sd.neg.Internal)}
	if len(back) > 0 {
		if ups[0], err = withoutStatic(ups[0], back); err != nil {
			return 0, false, err
		}
		if ups[0] == nil {
			ups = ups[:0]
		}
		for _, r := range back {
			su, err := staticUpdate(r, &pc, &sd.neg)
			if err != nil {
				return 0, false, fmt.Errorf("static route %s: %w", r.Prefix, err)
			}
			ups = append(ups, su)
		}
	}
	n, errs := sd.sendAll(ctx, ups)
	return n, false, errors.Join(errs...)
}

// withoutStatic returns u without the withdrawals of the static routes'
// prefixes (nil when nothing is left).
func withoutStatic(u *route.Update, statics []*StaticRoute) (*route.Update, error) {
	drop := map[string]bool{}
	for _, r := range statics {
		drop[routeKey(staticFamily(r), staticNLRI(r))] = true
	}
	out := *u
	out.Sections = nil
	for _, s := range u.Sections {
		if s.Withdraw {
			kept := route.Section{Family: s.Family, Withdraw: true, PathIDs: s.PathIDs}
			err := eachNLRI(&s, func(n []byte) {
				if !drop[routeKey(s.Family, n)] {
					kept.NLRI = append(kept.NLRI, n...)
					kept.Count++
				}
			})
			if err != nil {
				return nil, err
			}
			if kept.Count == 0 {
				continue
			}
			s = kept
		}
		out.Sections = append(out.Sections, s)
	}
	if len(out.Sections) == 0 {
		return nil, nil
	}
	return &out, nil
}

// refresh answers a ROUTE-REFRESH for f: the family's routes again,
// between BoRR and EoRR when enhanced route refresh was negotiated
// (RFC 7313 §4).
func (p *peer) refresh(f wire.Family) {
	ctx := p.r.runCtx()
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.mu.Lock()
	sd, ok := p.senderLocked()
	if !ok || !p.out.synced {
		p.mu.Unlock()
		return
	}
	ups, errs := p.tableLocked(f, &sd.neg)
	name := p.pc.Name
	p.mu.Unlock()
	enhanced := sd.neg.Capabilities.EnhancedRouteRefresh
	var buf [32]byte
	if enhanced {
		n := writeRefresh(buf[:], f, message.RefreshBoRR)
		_ = sd.s.SendWait(ctx, buf[:n])
	}
	_, serrs := sd.sendAll(ctx, ups)
	if err := errors.Join(append(errs, serrs...)...); err != nil {
		p.r.log.Warn("route refresh", "peer", name, "family", f, "error", err)
	}
	if enhanced {
		n := writeRefresh(buf[:], f, message.RefreshEoRR)
		_ = sd.s.SendWait(ctx, buf[:n])
	}
}

// writeRefresh writes a whole ROUTE-REFRESH message and returns its size.
func writeRefresh(buf []byte, f wire.Family, sub message.RefreshSubtype) int {
	return message.RouteRefresh{Family: f, Subtype: sub}.WriteTo(buf, 0)
}
