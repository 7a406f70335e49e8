package reactor

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
)

// PeerSummary is one line of `show bgp summary`.
type PeerSummary struct {
	Name        string     `json:"name"`
	Address     netip.Addr `json:"address"`
	RemoteAS    uint32     `json:"remote-as"`
	LocalAS     uint32     `json:"local-as"`
	Description string     `json:"description,omitempty"`
	State       string     `json:"state"`
	// Shutdown is set for a peer kept down by config or command (a peer
	// down for its prefix limit is not).
	Shutdown bool `json:"shutdown,omitempty"`
	// UpDown is how long the session has been up, or down (since the last
	// state change), at the time of the summary.
	UpDown time.Duration `json:"up-down-ns"`
	// MessagesIn and MessagesOut count the messages of the current
	// session (every type).
	MessagesIn  uint64 `json:"messages-received"`
	MessagesOut uint64 `json:"messages-sent"`
	// Prefixes is the number of routes held from the peer, all families.
	Prefixes uint64 `json:"prefixes-accepted"`
	Flaps    uint64 `json:"flaps"`
}

// PeerDetail is `show bgp neighbor X`.
type PeerDetail struct {
	PeerSummary
	Group        string           `json:"group,omitempty"`
	RemotePort   uint16           `json:"remote-port"`
	LocalAddress netip.Addr       `json:"local-address,omitzero"`
	HoldTime     time.Duration    `json:"hold-time-ns"`
	Families     []FamilyCounters `json:"families"`
	// Session is the current session's Stats; its message counters per
	// type are in JSON as received and sent.
	Session          SessionStats  `json:"-"`
	Received         MessageCounts `json:"received"`
	Sent             MessageCounts `json:"sent"`
	EstablishedSince time.Time     `json:"established-since,omitzero"`
	// Established counts the times the current session came up.
	Established      uint64 `json:"established"`
	UpdatesReceived  uint64 `json:"updates-received"`
	TreatAsWithdraw  uint64 `json:"treat-as-withdraw"`
	RefreshReceived  uint64 `json:"route-refresh-received"`
	LastError        string `json:"last-error,omitempty"`
	LastNotification string `json:"last-notification,omitempty"`
	// RoutesOut is the number of routes of run-time commands kept for the
	// peer (its adj-rib-out), StaticRoutes those of its config.
	RoutesOut    int `json:"routes-out"`
	StaticRoutes int `json:"static-routes"`
	// Negotiated is set while the session is up.
	Negotiated *NegotiatedSummary `json:"negotiated,omitempty"`
}

// NegotiatedSummary is what an Established session settled.
type NegotiatedSummary struct {
	PeerRouterID netip.Addr     `json:"peer-router-id"`
	HoldTime     time.Duration  `json:"hold-time-ns"`
	Keepalive    time.Duration  `json:"keepalive-ns"`
	Internal     bool           `json:"internal"`
	Families     []wire.Family  `json:"families"`
	Local        netip.AddrPort `json:"local"`
	Remote       netip.AddrPort `json:"remote"`
	SendContext  wire.ContextID `json:"send-context-id"`
	RecvContext  wire.ContextID `json:"receive-context-id"`
}

// Summary returns one PeerSummary per configured peer, in config order.
func (r *Reactor) Summary() []PeerSummary {
	now := time.Now()
	peers := r.peersInOrder()
	out := make([]PeerSummary, 0, len(peers))
	for _, p := range peers {
		out = append(out, p.summary(now))
	}
	return out
}

// Neighbor returns the detail of the peer with that name or remote address.
func (r *Reactor) Neighbor(nameOrAddr string) (PeerDetail, error) {
	r.mu.RLock()
	p := r.peers[nameOrAddr]
	if p == nil {
		if a, err := netip.ParseAddr(nameOrAddr); err == nil {
			p = r.byAddr[a.Unmap()]
		}
	}
	r.mu.RUnlock()
	if p == nil {
		return PeerDetail{}, fmt.Errorf("reactor: no such peer: %s", nameOrAddr)
	}
	return p.detail(time.Now()), nil
}

func (p *peer) summary(now time.Time) PeerSummary {
	p.mu.Lock()
	pc := p.pc
	s := p.sess
	admin := p.adminDown || pc.Shutdown
	p.mu.Unlock()
	ps := PeerSummary{
		Name: pc.Name, Address: pc.RemoteAddr, RemoteAS: pc.RemoteAS, LocalAS: pc.LocalAS,
		Description: pc.Description, Shutdown: admin,
	}
	state := fsm.Idle
	if s != nil {
		st := s.Stats()
		state = s.State()
		ps.MessagesIn, ps.MessagesOut = st.In.Total, st.Out.Total
	}
	ps.State = stateName(state)
	p.life.mu.Lock()
	since := p.life.stateSince
	if !p.life.upSince.IsZero() {
		since = p.life.upSince
	}
	ps.Flaps = p.life.downs
	p.life.mu.Unlock()
	ps.UpDown = now.Sub(since).Truncate(time.Second)
	p.in.mu.Lock()
	for _, fs := range p.in.fams {
		ps.Prefixes += fs.Accepted
	}
	p.in.mu.Unlock()
	return ps
}

func (p *peer) detail(now time.Time) PeerDetail {
	d := PeerDetail{PeerSummary: p.summary(now)}
	p.mu.Lock()
	pc, s := p.pc, p.sess
	d.RoutesOut = len(p.out.routes)
	p.mu.Unlock()
	d.Group, d.RemotePort, d.LocalAddress, d.HoldTime = pc.Group, pc.RemotePort, pc.LocalAddr, pc.HoldTime
	d.StaticRoutes = len(pc.Static)
	if s != nil {
		d.Session = s.Stats()
		d.Received, d.Sent = d.Session.In, d.Session.Out
		d.EstablishedSince, d.Established = d.Session.EstablishedSince, d.Session.Established
	}
	p.in.mu.Lock()
	for _, f := range p.in.order {
		d.Families = append(d.Families, p.in.fams[f].FamilyCounters)
	}
	d.UpdatesReceived, d.TreatAsWithdraw, d.RefreshReceived = p.in.updates, p.in.tw, p.in.refresh
	p.in.mu.Unlock()
	p.life.mu.Lock()
	d.LastError, d.LastNotification = p.life.lastError, p.life.lastNotif
	p.life.mu.Unlock()
	if s != nil {
		if n, ok := s.Negotiated(); ok {
			d.Negotiated = negotiatedSummary(&n)
		}
	}
	if d.LastError == "" {
		d.LastError = d.Session.LastError
	}
	return d
}

// FormatUpDown writes a duration as routers do in their summaries:
// hh:mm:ss under a day, then 1d02h03m, then 5w2d03h.
func FormatUpDown(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s < 86400:
		return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	case s < 7*86400:
		return fmt.Sprintf("%dd%02dh%02dm", s/86400, s/3600%24, s/60%60)
	default:
		return fmt.Sprintf("%dw%dd%02dh", s/(7*86400), s/86400%7, s/3600%24)
	}
}

// WriteSummary writes the `show bgp summary` table:
//
//	BGP router identifier 192.0.2.254, local AS number 65000
//	Peers 2, established 1
//
//	Neighbor     V  AS     MsgRcvd  MsgSent  Up/Down   State/PfxRcd  Name
//	192.0.2.1    4  65001  12       14       00:03:10  2             east
//	192.0.2.9    4  65009  0        0        00:10:00  Active        west
//
// The State/PfxRcd column shows the routes held for an Established peer
// and the state otherwise (Idle (Admin) for a peer shut down). A listen
// address of listen (Reactor.Listening) that could not be bound gets a
// line under the first:
//
//	listen [::]:179: address already in use (tried again every 30s)
func WriteSummary(w io.Writer, routerID netip.Addr, localAS uint32, peers []PeerSummary, listen ...ListenStatus) error {
	up := 0
	for _, p := range peers {
		if p.State == "established" {
			up++
		}
	}
	var head strings.Builder
	fmt.Fprintf(&head, "BGP router identifier %s, local AS number %d\n", routerID, localAS)
	for _, l := range listen {
		if l.Error != "" {
			fmt.Fprintf(&head, "listen %s: %s (tried again every %s)\n", l.Address, l.Error, l.Retry)
		}
	}
	fmt.Fprintf(&head, "Peers %d, established %d\n\n", len(peers), up)
	if _, err := io.WriteString(w, head.String()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Neighbor\tV\tAS\tMsgRcvd\tMsgSent\tUp/Down\tState/PfxRcd\tName")
	for _, p := range peers {
		st := fmt.Sprint(p.Prefixes)
		if p.State != "established" {
			st = strings.ToUpper(p.State[:1]) + p.State[1:]
			switch st {
			case "Opensent":
				st = "OpenSent"
			case "Openconfirm":
				st = "OpenConfirm"
			}
			if p.Shutdown {
				st = "Idle (Admin)"
			}
		}
		fmt.Fprintf(tw, "%s\t4\t%d\t%d\t%d\t%s\t%s\t%s\n", p.Address, p.RemoteAS, p.MessagesIn, p.MessagesOut, FormatUpDown(p.UpDown), st, p.Name)
	}
	return tw.Flush()
}

// WriteNeighbor writes `show bgp neighbor X`.
func WriteNeighbor(w io.Writer, d PeerDetail) error {
	var b strings.Builder
	fmt.Fprintf(&b, "BGP neighbor %s, remote AS %d, local AS %d, %s link\n", d.Address, d.RemoteAS, d.LocalAS, linkKind(d))
	fmt.Fprintf(&b, "  Name: %s", d.Name)
	if d.Group != "" {
		fmt.Fprintf(&b, ", group %s", d.Group)
	}
	b.WriteByte('\n')
	if d.Description != "" {
		fmt.Fprintf(&b, "  Description: %s\n", d.Description)
	}
	state := d.State
	if d.Shutdown {
		state += " (administratively down)"
	}
	upDown := "down"
	if d.State == "established" {
		upDown = "up"
	}
	fmt.Fprintf(&b, "  State: %s, %s for %s, flaps %d\n", state, upDown, FormatUpDown(d.UpDown), d.Flaps)
	fmt.Fprintf(&b, "  Remote port %d", d.RemotePort)
	if d.LocalAddress.IsValid() {
		fmt.Fprintf(&b, ", local address %s", d.LocalAddress)
	}
	fmt.Fprintf(&b, ", configured hold time %ds\n", int64(d.HoldTime/time.Second))
	if n := d.Negotiated; n != nil {
		fmt.Fprintf(&b, "  Negotiated: router-id %s, hold time %ds, keepalive %ds, %s -> %s\n",
			n.PeerRouterID, int64(n.HoldTime/time.Second), int64(n.Keepalive/time.Second), n.Local, n.Remote)
		fams := make([]string, len(n.Families))
		for i, f := range n.Families {
			fams[i] = f.String()
		}
		fmt.Fprintf(&b, "  Families: %s (context ids send %d, receive %d)\n", strings.Join(fams, " "), n.SendContext, n.RecvContext)
	}
	in, out := d.Session.In, d.Session.Out
	fmt.Fprintf(&b, "  Messages:        %10s %10s\n", "Sent", "Rcvd")
	for _, row := range []struct {
		name     string
		out, in_ uint64
	}{
		{"Opens", out.Open, in.Open}, {"Updates", out.Update, in.Update}, {"Keepalives", out.Keepalive, in.Keepalive},
		{"Notifications", out.Notification, in.Notification}, {"Route Refresh", out.RouteRefresh, in.RouteRefresh},
		{"Total", out.Total, in.Total},
	} {
		fmt.Fprintf(&b, "    %-14s %10d %10d\n", row.name, row.out, row.in_)
	}
	if len(d.Families) > 0 {
		fmt.Fprintf(&b, "  Prefixes:        %10s %10s %10s %10s\n", "Accepted", "Received", "Withdrawn", "Limit")
		for _, f := range d.Families {
			limit := "-"
			if f.Limit > 0 {
				limit = fmt.Sprint(f.Limit)
			}
			fmt.Fprintf(&b, "    %-14s %10d %10d %10d %10s\n", f.Family, f.Accepted, f.Received, f.Withdrawn, limit)
		}
	}
	fmt.Fprintf(&b, "  Routes out: %d static, %d from commands\n", d.StaticRoutes, d.RoutesOut)
	if d.LastNotification != "" {
		fmt.Fprintf(&b, "  Last notification: %s\n", d.LastNotification)
	}
	if d.LastError != "" {
		fmt.Fprintf(&b, "  Last error: %s\n", d.LastError)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func linkKind(d PeerDetail) string {
	if d.Negotiated != nil && d.Negotiated.Internal || d.Negotiated == nil && d.RemoteAS == d.LocalAS {
		return "internal"
	}
	return "external"
}

// WriteSummaryJSON writes {"router-id":…,"local-as":…,"listen":[…],"peers":[…]}
// ("listen" when listen is given: every address, with "error" for one not
// bound).
func WriteSummaryJSON(w io.Writer, routerID netip.Addr, localAS uint32, peers []PeerSummary, listen ...ListenStatus) error {
	if peers == nil {
		peers = []PeerSummary{}
	}
	return json.NewEncoder(w).Encode(struct {
		RouterID netip.Addr     `json:"router-id"`
		LocalAS  uint32         `json:"local-as"`
		Listen   []ListenStatus `json:"listen,omitempty"`
		Peers    []PeerSummary  `json:"peers"`
	}{routerID, localAS, listen, peers})
}

// WriteNeighborJSON writes the PeerDetail as JSON.
func WriteNeighborJSON(w io.Writer, d PeerDetail) error {
	return json.NewEncoder(w).Encode(d)
}

func negotiatedSummary(n *Negotiated) *NegotiatedSummary {
	return &NegotiatedSummary{
		PeerRouterID: n.PeerRouterID, HoldTime: n.HoldTime, Keepalive: n.Keepalive, Internal: n.Internal,
		Families: slices.Clone(n.Families), Local: n.Local, Remote: n.Remote, SendContext: n.SendID, RecvContext: n.RecvID,
	}
}
