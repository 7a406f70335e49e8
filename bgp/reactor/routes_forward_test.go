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

	// b and c on a 2-octet context: re-encoded once for both.
	two := wire.NewContext(false, false)
	negTwo := plainNeg("192.0.2.254", false)
	negTwo.Send, negTwo.SendID = two, two.ID()
	fr.up(t, "c", negTwo)
	fr.session("c").take(t)
	ev2 := *ev
	ev2.Peer = PeerRef{Name: "x"}
	asPathMsg := buildMsgs(t, "update text origin set igp as-path set [200000] nhop set 192.0.2.1 nlri ipv4/unicast add 10.0.0.0/24")[0]
	ev2.Message = asPathMsg
	res, err = fr.r.Forward(context.Background(), &ev2, "b,c")
	if err != nil || len(res.Peers) != 2 {
		t.Fatalf("forward to two contexts: %+v %v", res, err)
	}
	s.mu.Lock()
	gotB := s.sent
	s.sent = nil
	s.mu.Unlock()
	c := fr.session("c")
	c.mu.Lock()
	gotC := c.sent
	c.mu.Unlock()
	if len(gotB) != 1 || !bytes.Equal(gotB[0], asPathMsg) {
		t.Errorf("b (same context) got % X", gotB)
	}
	if len(gotC) != 1 || bytes.Equal(gotC[0], asPathMsg) || !bytes.Contains(gotC[0], []byte{0x40, 0x02, 0x04, 0x02, 0x01, 0x5B, 0xA0}) {
		t.Errorf("c (2-octet) got % X, want AS_TRANS in AS_PATH", gotC)
	}

	// What cannot be re-encoded is the peer's error.
	enh := wire.NewContext(true, false)
	enh.SetExtNextHop(wire.IPv4Unicast, true)
	ev3 := UpdateEvent{Peer: PeerRef{Name: "x"}, Context: enh, ContextID: enh.ID(),
		Message: buildWith(t, enh, "update text origin set igp nhop set 2001:db8::1 nlri ipv4/unicast add 10.0.0.0/24")}
	_, err = fr.r.Forward(context.Background(), &ev3, "b")
	if !errors.Is(err, ErrReencodeNextHop) {
		t.Errorf("IPv6 next hop to b: %v", err)
	}
	if _, err := fr.r.Forward(context.Background(), &UpdateEvent{}, "b"); err == nil || err.Error() != "reactor: forward: no message" {
		t.Errorf("empty event: %v", err)
	}
}
