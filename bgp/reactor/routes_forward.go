package reactor

import (
	"context"
	"errors"
	"fmt"

	"github.com/zebgp/ze/bgp/wire"
)

// Forward sends a received UPDATE to the Established peers the selector
// names (see Command) other than the one it came from: the forwarding path
// of plugins (a route server, a RIB). The bytes go out as they came to a
// destination whose send ContextID is the event's ContextID; for another
// context the UPDATE is re-encoded (Reencode), once per ContextID
// whatever the number of peers that share it. A peer the UPDATE cannot be
// re-encoded for gets the error in its PeerResult. Forwarded UPDATEs are
// not kept in the adj-rib-out: the plugin that forwards owns them.
func (r *Reactor) Forward(ctx context.Context, ev *UpdateEvent, selector string) (Result, error) {
	res := Result{Command: "forward to " + selector}
	if ev == nil || len(ev.Message) == 0 {
		return res, errors.New("reactor: forward: no message")
	}
	u, err := wire.ParseUpdateMessage(ev.Message, ev.Context)
	if err != nil {
		return res, fmt.Errorf("reactor: forward: %w", err)
	}
	peers, err := r.selectPeers(selector)
	if err != nil {
		return res, err
	}
	type encoded struct {
		buf *[]byte
		msg []byte
		err error
	}
	cache := map[wire.ContextID]*encoded{}
	defer func() {
		for _, e := range cache {
			if e.buf != nil {
				wire.PutBuf(e.buf)
			}
		}
	}()
	bytesFor := func(sd *sender) ([]byte, error) {
		if sd.neg.SendID == ev.ContextID {
			return ev.Message, nil
		}
		e := cache[sd.neg.SendID]
		if e == nil {
			e = &encoded{buf: wire.GetBuf(wire.ExtMaxMsgLen)}
			var n int
			n, e.err = Reencode(&u, sd.neg.Send, (*e.buf)[:wire.ExtMaxMsgLen])
			e.msg = (*e.buf)[:n]
			cache[sd.neg.SendID] = e
		}
		return e.msg, e.err
	}
	var errs []error
	for _, p := range peers {
		ref := p.ref()
		if ref.Name == ev.Peer.Name && ref.Address == ev.Peer.Address {
			continue
		}
		pr := PeerResult{Name: ref.Name, Address: ref.Address}
		if err := p.forward(ctx, bytesFor); err != nil {
			pr.Error = err.Error()
			errs = append(errs, fmt.Errorf("reactor: peer %s: %w", ref.Name, err))
		} else {
			pr.Messages = 1
		}
		res.Peers = append(res.Peers, pr)
	}
	return res, errors.Join(errs...)
}

func (p *peer) forward(ctx context.Context, bytesFor func(sd *sender) ([]byte, error)) error {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.mu.Lock()
	sd, ok := p.senderLocked()
	p.mu.Unlock()
	if !ok {
		return ErrNotEstablished
	}
	msg, err := bytesFor(&sd)
	if err != nil {
		return err
	}
	return sd.s.SendWait(ctx, msg)
}
