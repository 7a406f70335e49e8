package reactor

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/fsm"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// dialRaw starts a session from local that dials a raw test peer on peer,
// and returns both once the raw peer has read the session's OPEN.
func dialRaw(t *testing.T, local, peer string, opts SessionOptions, tweak func(*SessionConfig)) (*Session, *stRecorder, *stRawPeer) {
	t.Helper()
	raw := stListenRaw(t, stIP(peer))
	cfg := stBaseConfig(stIP(local), stIP(peer), 65001, 65002, "1.1.1.1")
	cfg.Peer = netip.AddrPortFrom(stIP(peer), raw.port())
	if tweak != nil {
		tweak(&cfg)
	}
	rec := newStRecorder()
	if opts.Logger == nil {
		opts.Logger = stLogger(t)
	}
	s := NewSession(cfg, rec, opts)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.Stop(ctx, 0, 0, "")
	})
	raw.accept()
	return s, rec, raw
}

// establishRaw takes the raw peer to Established: it reads the session's
// OPEN, answers with an OPEN (hold seconds) and a KEEPALIVE.
func establishRaw(t *testing.T, s *Session, rec *stRecorder, raw *stRawPeer, hold uint16, caps ...capability.Capability) {
	t.Helper()
	raw.readType(wire.MsgOpen)
	if caps == nil {
		caps = []capability.Capability{capability.ASN4{ASN: 65002}, capability.Multiprotocol{Family: wire.IPv4Unicast}}
	}
	raw.write(stOpenMsg(4, 65002, hold, "2.2.2.2", caps...))
	raw.write(keepaliveMsg)
	raw.readType(wire.MsgKeepalive)
	rec.waitState(t, fsm.Established)
	if s.State() != fsm.Established {
		t.Fatalf("state %v", s.State())
	}
}

func TestSessionOpenErrors(t *testing.T) {
	asn4 := capability.ASN4{ASN: 65002}
	// An OPEN with an optional parameter of type 1 (deprecated authentication).
	badParam := stOpenMsg(4, 65002, 90, "2.2.2.2")
	badParam = append(badParam[:len(badParam)-0:len(badParam)], 1, 1, 0)
	badParam[wire.HeaderLen+9] = 3 // optional parameters length
	wire.BackfillLength(badParam, 0, len(badParam))
	badMarker := bytes.Clone(keepaliveMsg)
	badMarker[3] = 0
	badLength := bytes.Clone(keepaliveMsg)
	badLength[17] = 20
	badType := bytes.Clone(keepaliveMsg)
	badType[18] = 9

	for i, tt := range []struct {
		name     string
		tweak    func(*SessionConfig)
		send     []byte
		code     wire.NotifyCode
		sub      uint8
		data     []byte
		noReason bool
	}{
		{name: "version 3", send: stOpenMsg(3, 65002, 90, "2.2.2.2", asn4), code: wire.NotifyOpen, sub: wire.OpenUnsupportedVersion, data: []byte{0, 4}},
		{name: "bad peer as", send: stOpenMsg(4, 65099, 90, "2.2.2.2", capability.ASN4{ASN: 65099}), code: wire.NotifyOpen, sub: wire.OpenBadPeerAS},
		{name: "bad peer as4", send: stOpenMsg(4, 23456, 90, "2.2.2.2", capability.ASN4{ASN: 4200000000}), code: wire.NotifyOpen, sub: wire.OpenBadPeerAS},
		{name: "hold time 1", send: stOpenMsg(4, 65002, 1, "2.2.2.2", asn4), code: wire.NotifyOpen, sub: wire.OpenUnacceptableHoldTime},
		{name: "hold time 2", send: stOpenMsg(4, 65002, 2, "2.2.2.2", asn4), code: wire.NotifyOpen, sub: wire.OpenUnacceptableHoldTime},
		{name: "bgp id 0", send: stOpenMsg(4, 65002, 90, "0.0.0.0", asn4), code: wire.NotifyOpen, sub: wire.OpenBadBGPID},
		{name: "unsupported optional parameter", send: badParam, code: wire.NotifyOpen, sub: wire.OpenUnsupportedOptParam},
		{name: "role mismatch", tweak: func(c *SessionConfig) { c.Role = "provider" },
			send: stOpenMsg(4, 65002, 90, "2.2.2.2", asn4, capability.Role{Role: capability.RoleProvider}),
			code: wire.NotifyOpen, sub: wire.OpenRoleMismatch},
		{name: "strict role missing", tweak: func(c *SessionConfig) { c.Role, c.RoleStrict = "customer", true },
			send: stOpenMsg(4, 65002, 90, "2.2.2.2", asn4), code: wire.NotifyOpen, sub: wire.OpenRoleMismatch},
		{name: "bad marker", send: badMarker, code: wire.NotifyHeader, sub: wire.HeaderConnNotSync},
		{name: "bad length", send: badLength, code: wire.NotifyHeader, sub: wire.HeaderBadLength, data: []byte{0, 20}},
		{name: "bad type", send: badType, code: wire.NotifyHeader, sub: wire.HeaderBadType, data: []byte{9}},
		{name: "update before open", send: stUpdateMsg(1), code: wire.NotifyFSM, sub: 1, data: []byte{2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			local := fmt.Sprintf("127.0.43.%d", 2*i+1)
			peer := fmt.Sprintf("127.0.43.%d", 2*i+2)
			s, rec, raw := dialRaw(t, local, peer, SessionOptions{}, tt.tweak)
			raw.readType(wire.MsgOpen)
			raw.write(tt.send)
			n := stNotificationOf(t, raw.readType(wire.MsgNotification))
			if n.Code != tt.code || n.Subcode != tt.sub || !bytes.Equal(n.Data, tt.data) {
				t.Errorf("got notification %d/%d data % X, want %d/%d data % X", n.Code, n.Subcode, n.Data, tt.code, tt.sub, tt.data)
			}
			if _, err := raw.tryRead(2 * time.Second); err == nil {
				t.Error("connection still open after the notification")
			}
			e := rec.waitNotification(t, true)
			if e.n.Code != tt.code || e.n.Subcode != tt.sub {
				t.Errorf("handler got sent notification %v", e.n)
			}
			down := rec.waitState(t, fsm.Idle)
			de, ok := downErr(down.reason)
			if !ok || de.Reason != fsm.ReasonMessageError && de.Reason != fsm.ReasonFSMError || !de.Sent ||
				de.Notification == nil || de.Notification.Code != tt.code {
				t.Errorf("down reason %#v", down.reason)
			}
			if st := s.Stats(); st.Out.Notification != 1 || st.LastError == "" {
				t.Errorf("stats out %+v last error %q", st.Out, st.LastError)
			}
		})
	}
}

func TestSessionMalformedUpdate(t *testing.T) {
	// An IPv4 prefix of length 33 (RFC 7606 §5.3).
	bad := stUpdateMsg(3)
	bad[len(bad)-3] = 33
	// MP_REACH_NLRI for ipv6/unicast, not negotiated.
	mp := []byte{0x80, 14, 21, 0, 2, 1, 16, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}
	mpMsg := make([]byte, wire.HeaderLen+4+len(mp))
	wire.WriteHeader(mpMsg, 0, len(mpMsg), wire.MsgUpdate)
	mpMsg[21], mpMsg[22] = 0, byte(len(mp))
	copy(mpMsg[23:], mp)
	for i, tt := range []struct {
		name string
		msg  []byte
		code wire.NotifyCode
		sub  uint8
		data []byte
	}{
		{"prefix length 33", bad, wire.NotifyUpdate, wire.UpdateInvalidNetwork, nil},
		{"family not negotiated", mpMsg, wire.NotifyUpdate, wire.UpdateOptionalAttr, mp},
		{"keepalive with a body", append(bytes.Clone(keepaliveMsg), 0), wire.NotifyHeader, wire.HeaderBadLength, []byte{0, 20}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			local, peer := fmt.Sprintf("127.0.44.%d", 2*i+1), fmt.Sprintf("127.0.44.%d", 2*i+2)
			s, rec, raw := dialRaw(t, local, peer, SessionOptions{}, func(c *SessionConfig) { c.Families = nil })
			establishRaw(t, s, rec, raw, 90)
			msg := bytes.Clone(tt.msg)
			if wire.MsgType(msg[18]) == wire.MsgKeepalive {
				wire.BackfillLength(msg, 0, len(msg))
			}
			raw.write(msg)
			n := stNotificationOf(t, raw.readType(wire.MsgNotification))
			if n.Code != tt.code || n.Subcode != tt.sub || !bytes.Equal(n.Data, tt.data) {
				t.Errorf("got %d/%d data % X, want %d/%d data % X", n.Code, n.Subcode, n.Data, tt.code, tt.sub, tt.data)
			}
			down := rec.wait(t, "down", func(e stEvent) bool { return e.kind == "state" && e.from == fsm.Established })
			if de, ok := downErr(down.reason); !ok || de.Reason != fsm.ReasonMessageError {
				t.Errorf("down reason %v", down.reason)
			}
			if rec.count("update") != 0 {
				t.Error("a malformed update was delivered")
			}
		})
	}
}

// The notification helper is used by tests of other files too.
var _ = message.Notification{}

// TestSessionPeerCapabilities: a speaker without capabilities (RFC 4271
// alone) and one with unknown and pre-standard capabilities are accepted.
func TestSessionPeerCapabilities(t *testing.T) {
	t.Run("no capabilities", func(t *testing.T) {
		s, rec, raw := dialRaw(t, "127.0.43.101", "127.0.43.102", SessionOptions{}, nil)
		raw.readType(wire.MsgOpen)
		raw.write(stOpenMsg(4, 65002, 90, "2.2.2.2"))
		raw.write(keepaliveMsg)
		up := rec.wait(t, "up", func(e stEvent) bool { return e.kind == "up" })
		if up.neg.Capabilities.ASN4 || up.neg.Send.ASN4Enabled() || len(up.neg.Families) != 1 || up.neg.Families[0] != wire.IPv4Unicast {
			t.Errorf("asn4 %v send asn4 %v families %v, want false false [ipv4/unicast]",
				up.neg.Capabilities.ASN4, up.neg.Send.ASN4Enabled(), up.neg.Families)
		}
		if s.State() != fsm.Established {
			t.Errorf("state %v", s.State())
		}
	})
	t.Run("unknown capabilities", func(t *testing.T) {
		_, rec, raw := dialRaw(t, "127.0.43.103", "127.0.43.104", SessionOptions{}, nil)
		raw.readType(wire.MsgOpen)
		raw.write(stOpenMsg(4, 65002, 90, "2.2.2.2", capability.ASN4{ASN: 65002}, capability.Multiprotocol{Family: wire.IPv4Unicast},
			&capability.Unknown{Type: capability.CodeRouteRefreshCisco}, &capability.Unknown{Type: 200, Value: []byte{1, 2, 3}}))
		raw.write(keepaliveMsg)
		up := rec.wait(t, "up", func(e stEvent) bool { return e.kind == "up" })
		if !up.neg.Capabilities.ASN4 || up.neg.Capabilities.RouteRefresh {
			t.Errorf("asn4 %v route-refresh %v, want true false", up.neg.Capabilities.ASN4, up.neg.Capabilities.RouteRefresh)
		}
	})
}
