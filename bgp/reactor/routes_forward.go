package reactor

import (
	"context"
	"errors"
	"fmt"
)

// ErrContextMismatch is Forward's error for a peer whose send context is
// not the one the UPDATE was received with.
var ErrContextMismatch = errors.New("reactor: the peer's encoding context differs from the UPDATE's; re-encoding is not implemented")

// Forward sends a received UPDATE, unchanged, to the Established peers
// the selector names (see Command) other than the one it came from: the
// forwarding path of plugins (a route server, a RIB). The bytes go out as
// they came when the destination's send ContextID is the event's
// ContextID; a destination with another context gets ErrContextMismatch
// in its PeerResult (re-encoding per context is still to come). Forwarded
// UPDATEs are not kept in the adj-rib-out: the plugin that forwards owns
// them.
func (r *Reactor) Forward(ctx context.Context, ev *UpdateEvent, selector string) (Result, error) {
	res := Result{Command: "forward to " + selector}
	if ev == nil || len(ev.Message) == 0 {
		return res, errors.New("reactor: forward: no message")
	}
	peers, err := r.selectPeers(selector)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, p := range peers {
		ref := p.ref()
		if ref.Name == ev.Peer.Name && ref.Address == ev.Peer.Address {
			continue
		}
		pr := PeerResult{Name: ref.Name, Address: ref.Address}
		if err := p.forward(ctx, ev); err != nil {
			pr.Error = err.Error()
			errs = append(errs, fmt.Errorf("reactor: peer %s: %w", ref.Name, err))
		} else {
			pr.Messages = 1
		}
		res.Peers = append(res.Peers, pr)
	}
	return res, errors.Join(errs...)
}

func (p *peer) forward(ctx context.Context, ev *UpdateEvent) error {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.mu.Lock()
	sd, ok := p.senderLocked()
	p.mu.Unlock()
	if !ok {
		return ErrNotEstablished
	}
	if sd.neg.SendID != ev.ContextID {
		return ErrContextMismatch
	}
	return sd.s.SendWait(ctx, ev.Message)
}
