package reactor

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

func TestForward(t *testing.T) {
	fr := newFakeReactor(t, threePeers())
	fr.up(t, "a", plainNeg("192.0.2.254", false))
	fr.up(t, "b", plainNeg("192.0.2.254", false))
	for _, n := range []string{"a", "b"} {
		fr.session(n).take(t)
	}
	msg := buildMsgs(t, "update text origin set igp nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24")[0]
	neg := plainNeg("192.0.2.254", false)
	ev := &UpdateEvent{Peer: PeerRef{Name: "a", Address: fr.r.Config().Peers[0].RemoteAddr}, Context: neg.Recv, ContextID: neg.RecvID, Message: msg}

	res, err := fr.r.Forward(context.Background(), ev, "*")
	if err == nil || !strings.Contains(err.Error(), "reactor: peer c: session: not established") {
		t.Errorf("forward: error %v", err)
	}
	if len(res.Peers) != 2 || res.Peers[0].Name != "b" || res.Peers[0].Messages != 1 || res.Peers[1].Name != "c" || res.Peers[1].Error == "" {
		t.Errorf("forward: %+v", res)
	}
	s := fr.session("b")
	s.mu.Lock()
	got := s.sent
	s.sent = nil
	s.mu.Unlock()
	if len(got) != 1 || !bytes.Equal(got[0], msg) {
		t.Errorf("b got %X, want the UPDATE unchanged %X", got, msg)
	}
	if sent := fr.session("a").take(t); len(sent) != 0 {
		t.Errorf("forwarded back to its source: %v", sent)
	}

	other := wire.NewContext(false, false)
	ev.ContextID = other.ID()
	_, err = fr.r.Forward(context.Background(), ev, "b")
	if !errors.Is(err, ErrContextMismatch) {
		t.Errorf("another context: %v", err)
	}
	if _, err := fr.r.Forward(context.Background(), &UpdateEvent{}, "b"); err == nil || err.Error() != "reactor: forward: no message" {
		t.Errorf("empty event: %v", err)
	}
}
