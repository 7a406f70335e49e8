package interop

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/zebgp/ze/test/interop/harness"
)

// PairScenario needs a pair configured for it (a password, ADD-PATH), so it gets its own pair,
// IPv4 only, with each daemon of Peers.
type PairScenario struct {
	Name  string
	Peers []string
	// Setup changes both sides before they start.
	Setup   func(sut, peer *harness.Side)
	Run     func(ctx context.Context, e *Env) error
	Timeout time.Duration
}

// md5Password is the TCP MD5 key of the md5 scenarios.
const md5Password = "ze-interop-md5"

// PairScenarios are the matrix columns that need a pair of their own.
var PairScenarios = []PairScenario{
	{
		Name:  "md5",
		Peers: []string{"frr", "bird"},
		Setup: func(sut, peer *harness.Side) {
			sut.Peer.Password, peer.Peer.Password = md5Password, md5Password
		},
		Run:     establish(false),
		Timeout: 60 * time.Second,
	},
	{
		Name:  "md5-wrong-password",
		Peers: []string{"frr", "bird"},
		Setup: func(sut, peer *harness.Side) {
			sut.Peer.Password, peer.Peer.Password = md5Password, "not-"+md5Password
		},
		Run:     neverEstablished(12 * time.Second),
		Timeout: 30 * time.Second,
	},
	{
		// FRR ignores a ROUTE-REFRESH until it has sent End-of-RIB, which it sends only to a peer
		// that advertised graceful restart: the SUT advertises it here. OpenBGPD 7.7 (Debian 12)
		// is left out: it ignores every ROUTE-REFRESH ("route refresh: AID IPv4 unicast not
		// negotiated"), from BIRD, FRR and ExaBGP as well as from ze.
		Name:  "sut-route-refresh",
		Peers: []string{"bird", "frr", "gobgp", "exabgp"},
		Setup: func(sut, _ *harness.Side) {
			sut.Peer.GracefulRestart = true
		},
		Run: func(ctx context.Context, e *Env) error {
			if err := establish(false)(ctx, e); err != nil {
				return err
			}
			return sutRouteRefresh(ctx, e)
		},
		Timeout: 60 * time.Second,
	},
	{
		Name:  "add-path-receive",
		Peers: []string{"gobgp", "bird"},
		Setup: func(sut, peer *harness.Side) {
			sut.Peer.AddPathReceive, peer.Peer.AddPathSend = true, true
			sut.Routes, peer.Routes = nil, nil
		},
		Run:     addPathReceive,
		Timeout: 60 * time.Second,
	},
}

// neverEstablished: for d, neither side ever reaches Established (the wrong MD5 key drops every
// segment).
func neverEstablished(d time.Duration) func(ctx context.Context, e *Env) error {
	return func(ctx context.Context, e *Env) error {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			for _, s := range []struct {
				d    harness.Daemon
				peer netip.Addr
			}{{e.SUT, e.peer4()}, {e.Peer, e.sut4()}} {
				st, err := s.d.State(ctx, s.peer)
				if err != nil {
					return err
				}
				if st == harness.StateEstablished {
					return fmt.Errorf("%s: session with %s established despite the wrong MD5 key", s.d.Kind(), s.peer)
				}
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
		}
		return nil
	}
}

// addPathReceive: the peer sends two paths for one prefix (path identifiers 1 and 2, MED 1 and
// 2); the SUT, which negotiated ADD-PATH receive, shows both.
func addPathReceive(ctx context.Context, e *Env) error {
	pa, ok := e.Peer.(harness.PathAnnouncer)
	if !ok {
		return fmt.Errorf("%w: %s cannot originate several paths", ErrNotApplicable, e.Peer.Kind())
	}
	if err := establish(false)(ctx, e); err != nil {
		return err
	}
	p := netip.MustParsePrefix("198.51.100.0/24")
	for id := uint32(1); id <= 2; id++ {
		if err := pa.AnnouncePath(ctx, harness.Route{Prefix: p, MED: id, HasMED: true}, id); err != nil {
			return err
		}
	}
	return harness.Eventually(ctx, 20*time.Second, func(ctx context.Context) error {
		got, err := e.SUT.Received(ctx, e.peer4(), harness.IPv4Unicast)
		if err != nil {
			return err
		}
		meds := map[uint32]bool{}
		for _, r := range got {
			if r.Prefix == p && r.HasMED {
				meds[r.MED] = true
			}
		}
		if !meds[1] || !meds[2] {
			return fmt.Errorf("%s: paths for %s have MEDs %v, want both 1 and 2 (received %v)", e.SUT.Kind(), p, meds, got)
		}
		return nil
	})
}
