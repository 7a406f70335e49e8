// Package interop runs the speaker under test (ze, or a reference daemon standing in for it)
// against real BGP daemons started by package harness, scenario by scenario, and prints the
// matrix daemon × scenario. docs/interop.md describes how to run it.
package interop

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/zebgp/ze/test/interop/harness"
)

// ErrNotApplicable marks a scenario the peer daemon cannot take part in (its CLI does not show
// what the scenario checks). The matrix prints it as n/a with the reason; it is never a pass.
var ErrNotApplicable = errors.New("not applicable")

// HoldTime is the hold time of every scenario session, short so that hold-timer-expiry runs in
// seconds.
const HoldTime = 9

// ShutdownMessage is the RFC 8203 message the speaker under test sends in admin-shutdown-message.
const ShutdownMessage = "ze interop: maintenance"

// Env is one scenario run: the speaker under test (SUT) and a peer daemon, each with an IPv4 and
// an IPv6 session to the other, on a private segment.
type Env struct {
	SUT, Peer         harness.Daemon
	SUTSide, PeerSide harness.Side
}

// sut4, sut6, peer4, peer6 are the session addresses.
func (e *Env) sut4() netip.Addr  { return e.SUT.Node().V4 }
func (e *Env) sut6() netip.Addr  { return e.SUT.Node().V6 }
func (e *Env) peer4() netip.Addr { return e.Peer.Node().V4 }
func (e *Env) peer6() netip.Addr { return e.Peer.Node().V6 }

// Scenario is one column of the matrix.
type Scenario struct {
	Name string
	// Run checks the scenario on a running Env; an error wrapping ErrNotApplicable means n/a.
	Run func(ctx context.Context, e *Env) error
	// Timeout bounds Run.
	Timeout time.Duration
}

// Scenarios run in this order on one pair per peer daemon: each leaves the sessions established
// for the next, except hold-timer-expiry, which is last.
var Scenarios = []Scenario{
	{"establish-v4", establish(false), 60 * time.Second},
	{"establish-v6", establish(true), 60 * time.Second},
	{"sut-announces", sutAnnounces, 45 * time.Second},
	{"peer-announces", peerAnnounces, 45 * time.Second},
	{"sut-withdraws", sutWithdraws, 45 * time.Second},
	{"peer-withdraws", peerWithdraws, 45 * time.Second},
	{"route-refresh", routeRefresh, 30 * time.Second},
	{"admin-shutdown-message", adminShutdown, 60 * time.Second},
	{"peer-shutdown-message", peerShutdown, 60 * time.Second},
	{"hold-timer-expiry", holdTimerExpiry, 45 * time.Second},
}

// SUTASPath is the AS path the SUT's last IPv4 and last IPv6 route, and its run-time IPv4 route,
// are announced with: the peer must see it after the SUT's own AS.
var SUTASPath = []uint32{65500, 65501}

// SideFor returns the configuration of the SUT (i = 1) or the peer (i = 2): AS 6500i, router-id
// 10.255.0.i, ten IPv4 routes under 10.i.0.0/16 and ten IPv6 routes under 2001:db8:i::/48, each
// with an origin (igp, egp, incomplete in turn), MED, two communities and a large community.
// The SUT's last route of each family carries SUTASPath.
func SideFor(kind string, i int) harness.Side {
	as := uint32(65000 + i)
	v6 := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, byte(i)})
	s := harness.Side{
		Kind:     kind,
		AS:       as,
		RouterID: netip.AddrFrom4([4]byte{10, 255, 0, byte(i)}),
		Routes: append(
			harness.TestRoutes(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), 0, 0}), 16), 24, 10, uint16(as)),
			harness.TestRoutes(netip.PrefixFrom(v6, 48), 64, 10, uint16(as))...),
		Peer: harness.Peer{HoldTime: HoldTime},
	}
	if i == 1 {
		s.Routes[9].ASPath, s.Routes[19].ASPath = SUTASPath, SUTASPath
	}
	return s
}

func establish(v6 bool) func(ctx context.Context, e *Env) error {
	return func(ctx context.Context, e *Env) error {
		s, p := e.sut4(), e.peer4()
		if v6 {
			s, p = e.sut6(), e.peer6()
		}
		if err := harness.WaitState(ctx, e.SUT, p, harness.StateEstablished, 50*time.Second); err != nil {
			return err
		}
		return harness.WaitState(ctx, e.Peer, s, harness.StateEstablished, 10*time.Second)
	}
}

// expectRoutes waits until reader shows routes (split by family) from the other side, in AS as
// at from4 and from6, as an eBGP peer receives them (AS path as followed by the one announced,
// next hop from4 or from6 unless the route gave one, origin as announced), and none of gone.
func expectRoutes(ctx context.Context, reader harness.Daemon, from4, from6 netip.Addr, as uint32, routes []harness.Route, gone []netip.Prefix) error {
	var errs []error
	for _, fam := range []harness.Family{harness.IPv4Unicast, harness.IPv6Unicast} {
		from := from4
		if fam == harness.IPv6Unicast {
			from = from6
		}
		var want []harness.Route
		for _, r := range routes {
			if r.Family() == fam {
				want = append(want, r.Received(as, from))
			}
		}
		var g []netip.Prefix
		for _, p := range gone {
			if harness.FamilyOf(p.Addr()) == fam {
				g = append(g, p)
			}
		}
		errs = append(errs, harness.Eventually(ctx, 20*time.Second, func(ctx context.Context) error {
			return harness.CheckRoutes(ctx, reader, from, fam, want, g)
		}))
	}
	return errors.Join(errs...)
}

// sutAnnounces: the SUT's 10 IPv4 and 10 IPv6 configured routes are in the peer's CLI with AS
// path [SUT's AS] (then SUTASPath for the last of each family), next hop the SUT's address on
// the session, and their origin, MED, communities and large communities.
func sutAnnounces(ctx context.Context, e *Env) error {
	return expectRoutes(ctx, e.Peer, e.sut4(), e.sut6(), e.SUTSide.AS, e.SUTSide.Routes, nil)
}

// peerAnnounces: the peer's routes are in what the SUT reports as received (ze: its events),
// with AS path [peer's AS], next hop the peer's address and the same attributes.
func peerAnnounces(ctx context.Context, e *Env) error {
	return expectRoutes(ctx, e.SUT, e.peer4(), e.peer6(), e.PeerSide.AS, e.PeerSide.Routes, nil)
}

// runtimeRoutes are announced at run time by the withdraw scenarios (distinct per side): origin
// egp and incomplete; the SUT's (side 1) IPv4 route carries SUTASPath.
func runtimeRoutes(side int) []harness.Route {
	c := uint16(65100 + side)
	var path []uint32
	if side == 1 {
		path = SUTASPath
	}
	return []harness.Route{
		{
			Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(side * 64)}), 26), MED: 7, HasMED: true,
			Origin: harness.OriginEGP, ASPath: path,
			Communities:      []harness.Community{harness.NewCommunity(c, 7)},
			LargeCommunities: []harness.LargeCommunity{{Global: uint32(c), Local1: 7, Local2: 7}},
		},
		{
			Prefix: netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0xff, byte(side)}), 48), MED: 8, HasMED: true,
			Origin:           harness.OriginIncomplete,
			Communities:      []harness.Community{harness.NewCommunity(c, 8)},
			LargeCommunities: []harness.LargeCommunity{{Global: uint32(c), Local1: 8, Local2: 8}},
		},
	}
}

// withdraws: speaker withdraws its first IPv4 and first IPv6 route and announces one new route
// of each family at run time; reader sees the withdraws and the new routes, and keeps the rest.
func withdraws(ctx context.Context, speaker, reader harness.Daemon, side harness.Side, n int, from4, from6 netip.Addr) error {
	w := []netip.Prefix{side.Routes[0].Prefix, side.Routes[10].Prefix}
	for _, p := range w {
		if err := speaker.Withdraw(ctx, p); err != nil {
			return fmt.Errorf("%s withdraw %s: %w", speaker.Kind(), p, err)
		}
	}
	added := runtimeRoutes(n)
	for _, r := range added {
		if err := speaker.Announce(ctx, r); err != nil {
			return fmt.Errorf("%s announce %s: %w", speaker.Kind(), r, err)
		}
	}
	keep := append(append([]harness.Route{}, side.Routes[1:10]...), side.Routes[11:]...)
	return expectRoutes(ctx, reader, from4, from6, side.AS, append(keep, added...), w)
}

func sutWithdraws(ctx context.Context, e *Env) error {
	return withdraws(ctx, e.SUT, e.Peer, e.SUTSide, 1, e.sut4(), e.sut6())
}

func peerWithdraws(ctx context.Context, e *Env) error {
	return withdraws(ctx, e.Peer, e.SUT, e.PeerSide, 2, e.peer4(), e.peer6())
}

// routeRefresh: the peer sends ROUTE-REFRESH for IPv4 unicast; the SUT sends its routes again,
// which the peer's UPDATE counter shows.
func routeRefresh(ctx context.Context, e *Env) error {
	rr, ok1 := e.Peer.(harness.Refresher)
	uc, ok2 := e.Peer.(harness.UpdateCounter)
	if !ok1 || !ok2 {
		return fmt.Errorf("%w: %s cannot request a refresh or count updates", ErrNotApplicable, e.Peer.Kind())
	}
	before, err := uc.UpdatesReceived(ctx, e.sut4())
	if err != nil {
		return err
	}
	if err := rr.RequestRefresh(ctx, e.sut4(), harness.IPv4Unicast); err != nil {
		return err
	}
	return harness.Eventually(ctx, 20*time.Second, func(ctx context.Context) error {
		n, err := uc.UpdatesReceived(ctx, e.sut4())
		if err != nil {
			return err
		}
		if n <= before {
			return fmt.Errorf("%s: %d updates from the SUT after ROUTE-REFRESH, no more than the %d before", e.Peer.Kind(), n, before)
		}
		return nil
	})
}

// sutRouteRefresh (a PairScenario, with graceful restart): the SUT sends ROUTE-REFRESH for IPv4 unicast; the peer sends its routes
// again, which the SUT's UPDATE counter shows.
func sutRouteRefresh(ctx context.Context, e *Env) error {
	rr, ok1 := e.SUT.(harness.Refresher)
	uc, ok2 := e.SUT.(harness.UpdateCounter)
	if !ok1 || !ok2 {
		return fmt.Errorf("%w: the speaker under test (%s) cannot request a refresh or count updates", ErrNotApplicable, e.SUT.Kind())
	}
	before, err := uc.UpdatesReceived(ctx, e.peer4())
	if err != nil {
		return err
	}
	if err := rr.RequestRefresh(ctx, e.peer4(), harness.IPv4Unicast); err != nil {
		return err
	}
	return harness.Eventually(ctx, 20*time.Second, func(ctx context.Context) error {
		n, err := uc.UpdatesReceived(ctx, e.peer4())
		if err != nil {
			return err
		}
		if n <= before {
			return fmt.Errorf("%s: %d updates from %s after its ROUTE-REFRESH, no more than the %d before", e.SUT.Kind(), n, e.Peer.Kind(), before)
		}
		return nil
	})
}

// adminShutdown: the SUT shuts the IPv4 session down with ShutdownMessage; the peer's CLI shows
// the message; the SUT enables the session again and it comes back.
func adminShutdown(ctx context.Context, e *Env) error {
	sd, ok := e.SUT.(harness.Shutdowner)
	if !ok {
		return fmt.Errorf("the speaker under test (%s) does not implement harness.Shutdowner", e.SUT.Kind())
	}
	reader, ok := e.Peer.(harness.ShutdownReader)
	if !ok {
		return fmt.Errorf("%w: %s shows no received shutdown message", ErrNotApplicable, e.Peer.Kind())
	}
	if err := sd.Shutdown(ctx, e.peer4(), ShutdownMessage); err != nil {
		return err
	}
	err := harness.Eventually(ctx, 20*time.Second, func(ctx context.Context) error {
		msg, err := reader.LastShutdownMessage(ctx, e.sut4())
		if err != nil {
			return err
		}
		if msg != ShutdownMessage {
			return fmt.Errorf("%s shows shutdown message %q, want %q", e.Peer.Kind(), msg, ShutdownMessage)
		}
		return nil
	})
	if err2 := sd.Enable(ctx, e.peer4()); err2 != nil {
		return errors.Join(err, err2)
	}
	if err != nil {
		return err
	}
	return harness.WaitState(ctx, e.SUT, e.peer4(), harness.StateEstablished, 35*time.Second)
}

// PeerShutdownMessage is the message the peer sends in peer-shutdown-message.
const PeerShutdownMessage = "peer interop: maintenance"

// peerShutdown: the peer shuts the IPv4 session down with PeerShutdownMessage; the SUT (ze: its
// events) shows the message; the peer enables the session again and it comes back.
func peerShutdown(ctx context.Context, e *Env) error {
	sd, ok := e.Peer.(harness.Shutdowner)
	if !ok {
		return fmt.Errorf("%w: %s cannot send a shutdown message at run time", ErrNotApplicable, e.Peer.Kind())
	}
	reader, ok := e.SUT.(harness.ShutdownReader)
	if !ok {
		return fmt.Errorf("the speaker under test (%s) does not implement harness.ShutdownReader", e.SUT.Kind())
	}
	if err := sd.Shutdown(ctx, e.sut4(), PeerShutdownMessage); err != nil {
		return err
	}
	err := harness.Eventually(ctx, 20*time.Second, func(ctx context.Context) error {
		msg, err := reader.LastShutdownMessage(ctx, e.peer4())
		if err != nil {
			return err
		}
		if msg != PeerShutdownMessage {
			return fmt.Errorf("%s shows shutdown message %q, want %q", e.SUT.Kind(), msg, PeerShutdownMessage)
		}
		return nil
	})
	if err2 := sd.Enable(ctx, e.sut4()); err2 != nil {
		return errors.Join(err, err2)
	}
	if err != nil {
		return err
	}
	return harness.WaitState(ctx, e.SUT, e.peer4(), harness.StateEstablished, 35*time.Second)
}

// holdTimerExpiry: the peer is stopped with SIGSTOP; the SUT's hold timer (HoldTime) expires
// and the session leaves Established, with NOTIFICATION 4/0 where the SUT shows what it sent.
func holdTimerExpiry(ctx context.Context, e *Env) error {
	if err := harness.WaitState(ctx, e.SUT, e.peer4(), harness.StateEstablished, 5*time.Second); err != nil {
		return err
	}
	if err := e.Peer.Pause(); err != nil {
		return err
	}
	defer func() { _ = e.Peer.Resume() }()
	start := time.Now()
	err := harness.Eventually(ctx, (HoldTime+15)*time.Second, func(ctx context.Context) error {
		st, err := e.SUT.State(ctx, e.peer4())
		if err != nil {
			return err
		}
		if st == harness.StateEstablished {
			return fmt.Errorf("%s: session with the stopped %s still established after %s", e.SUT.Kind(), e.Peer.Kind(), time.Since(start).Round(time.Second))
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The last KEEPALIVE may have come up to a keepalive interval (a third) before the stop.
	if d := time.Since(start); d < (HoldTime-HoldTime/3-1)*time.Second {
		return fmt.Errorf("%s: session went down %s after the peer stopped, before the %ds hold time", e.SUT.Kind(), d.Round(time.Millisecond), HoldTime)
	}
	ns, ok := e.SUT.(harness.NotificationSender)
	if !ok {
		return nil
	}
	return harness.Eventually(ctx, 5*time.Second, func(ctx context.Context) error {
		sent, err := ns.SentNotification(ctx, e.peer4(), 4, 0)
		if err != nil {
			return err
		}
		if !sent {
			return fmt.Errorf("%s left established without sending Hold Timer Expired (4/0)", e.SUT.Kind())
		}
		return nil
	})
}
