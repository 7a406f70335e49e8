package reactor

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
)

// peer is one configured peer: its config, its current session (nil while
// shut down), what it is sent (out) and what was received (in).
type peer struct {
	r *Reactor

	// sendMu orders the peer's route sending (routes.go); taken before mu.
	sendMu sync.Mutex

	mu     sync.Mutex
	pc     PeerConfig
	sess   session
	sessID uint64
	// adminDown is set by the shutdown command, cleared when a session
	// starts; with pc.Shutdown it makes "Idle (Admin)".
	adminDown bool
	out       ribOut

	// curID is sessID for the handler's lock-free check that a callback
	// comes from the current session.
	curID atomic.Uint64

	in inCounters // receive side, its own lock (status.go)
	// pubMu orders the receive path (counting and publishing an UPDATE)
	// with the end of an Established period; taken before mu.
	pubMu sync.Mutex

	// life: state changes seen by the reactor (status.go)
	life lifeCounters
}

func newPeer(r *Reactor, pc PeerConfig) *peer {
	p := &peer{r: r, pc: pc}
	p.out.init()
	p.in.init(&pc)
	p.life.stateSince = time.Now()
	return p
}

func (p *peer) name() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pc.Name
}

func (p *peer) cfg() PeerConfig {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pc
}

func (p *peer) setConfig(pc PeerConfig) {
	p.mu.Lock()
	p.pc = pc
	p.mu.Unlock()
	p.in.setLimits(&pc)
}

func (p *peer) hasSession() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sess != nil
}

func (p *peer) currentSession() session {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sess
}

// startSession makes and starts a session for the peer's config.
func (p *peer) startSession(routerID netip.Addr) error {
	p.mu.Lock()
	if p.sess != nil {
		p.mu.Unlock()
		return nil
	}
	p.sessID++
	p.adminDown = false
	id := p.sessID
	opts := p.r.opts.Session
	opts.Logger = p.r.log // the session names its peer itself
	sc := p.pc.SessionConfig(routerID)
	if p.r.opts.Tune != nil {
		p.r.opts.Tune(&sc)
	}
	s := p.r.newSession(sc, &handler{p: p, id: id}, opts)
	p.sess = s
	p.curID.Store(id)
	p.out.down()
	p.mu.Unlock()
	if err := s.Start(); err != nil {
		p.life.setError(err.Error())
		p.mu.Lock()
		if p.sess == s { // the next Apply tries again
			p.sess = nil
			p.curID.Store(0)
		}
		p.mu.Unlock()
		return fmt.Errorf("reactor: starting %s: %w", p.name(), err)
	}
	return nil
}

// stopSession ends the current session with the Cease given and forgets
// it. Callbacks of the session still count while it stops (its last state
// change, the NOTIFICATION sent).
func (p *peer) stopSession(ctx context.Context, code, subcode uint8, message string) error {
	p.mu.Lock()
	s := p.sess
	p.mu.Unlock()
	if s == nil {
		return nil
	}
	err := s.Stop(ctx, code, subcode, message)
	p.mu.Lock()
	if p.sess == s {
		p.sess = nil
		p.curID.Store(0)
		p.out.down()
	}
	p.mu.Unlock()
	p.in.clear()
	p.life.down(fsm.Idle)
	return err
}

// removed is called once the peer left the configuration.
func (p *peer) removed() {
	p.in.clear()
}

// update applies a config change that needs no new session: the
// description, the prefix limits and the static routes (sending what the
// change implies when the initial table went out).
func (p *peer) update(pc PeerConfig) error {
	p.mu.Lock()
	old := p.pc
	p.pc = pc
	p.mu.Unlock()
	p.in.setLimits(&pc)
	return p.applyStatic(old.Static, pc.Static)
}

// prefixLimitStop ends session s with Cease / Maximum Number of Prefixes
// Reached (6/1, RFC 4486) and starts a new session after
// Options.PrefixLimitRestart, unless the peer changed meanwhile.
func (p *peer) prefixLimitStop(s session, reason string) {
	ctx, cancel := context.WithTimeout(p.r.runCtx(), p.r.opts.StopTimeout)
	defer cancel()
	p.mu.Lock()
	current := p.sess == s
	p.mu.Unlock()
	if !current {
		return
	}
	if err := p.stopSession(ctx, uint8(wire.NotifyCease), wire.CeaseMaxPrefixes, reason); err != nil {
		p.r.log.Warn("prefix limit stop", "peer", p.name(), "error", err)
	}
	time.AfterFunc(p.r.opts.PrefixLimitRestart, func() {
		p.mu.Lock()
		idle := p.sess == nil && !p.pc.Shutdown
		p.mu.Unlock()
		p.r.mu.RLock()
		configured := p.r.peers[p.name()] == p && !p.r.stopped
		routerID := p.r.cfg.RouterID
		p.r.mu.RUnlock()
		if idle && configured {
			if err := p.startSession(routerID); err != nil {
				p.r.log.Warn("restart after the prefix limit", "peer", p.name(), "error", err)
			}
		}
	})
}
