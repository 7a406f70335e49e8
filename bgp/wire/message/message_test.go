package message

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/zebgp/ze/bgp/wire"
)

func TestRouteRefresh(t *testing.T) {
	tests := []struct {
		name  string
		msg   string
		want  RouteRefresh
		known bool
		json  string
	}{
		// The first three from the exabgp vectors (vectors-4.2/ci, vectors-5.0/encoding).
		{"normal", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500010001", RouteRefresh{wire.IPv4Unicast, RefreshNormal}, true,
			`{"family":"ipv4/unicast","subtype":"refresh"}`},
		{"begin", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500010101", RouteRefresh{wire.IPv4Unicast, RefreshBoRR}, true,
			`{"family":"ipv4/unicast","subtype":"borr"}`},
		{"end", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500010201", RouteRefresh{wire.IPv4Unicast, RefreshEoRR}, true,
			`{"family":"ipv4/unicast","subtype":"eorr"}`},
		{"ipv6 flowspec", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500020085",
			RouteRefresh{wire.Family{AFI: wire.AFIIPv6, SAFI: wire.SAFIFlowSpec}, RefreshNormal}, true,
			`{"family":"ipv6/flowspec","subtype":"refresh"}`},
		{"unknown subtype decodes, to be ignored", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500010301",
			RouteRefresh{wire.IPv4Unicast, 3}, false, `{"family":"ipv4/unicast","subtype":"subtype-3"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := unhex(t, tt.msg)
			m, err := Parse(msg, wire.MaxMsgLen)
			if err != nil {
				t.Fatal(err)
			}
			if m.Type != wire.MsgRouteRefresh || m.RouteRefresh != tt.want || m.RouteRefresh.Subtype.Known() != tt.known {
				t.Errorf("got %v %+v (known %v), want %+v (known %v)", m.Type, m.RouteRefresh,
					m.RouteRefresh.Subtype.Known(), tt.want, tt.known)
			}
			buf := make([]byte, RouteRefreshLen)
			if w := tt.want.WriteTo(buf, 0); w != RouteRefreshLen || !bytes.Equal(buf, msg) {
				t.Errorf("WriteTo = %X, want %X", buf, msg)
			}
			if j, _ := json.Marshal(m.RouteRefresh); string(j) != tt.json {
				t.Errorf("json %s, want %s", j, tt.json)
			}
		})
	}
}

// RFC 7313 §5: the data is the complete ROUTE-REFRESH message.
func TestRouteRefreshBadLength(t *testing.T) {
	for _, msg := range []string{
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0018050001010100",
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001C050001000100000000FF",
	} {
		_, err := Parse(unhex(t, msg), wire.MaxMsgLen)
		wantNotify(t, err, wire.NotifyRouteRefresh, wire.RefreshInvalidLength, msg)
	}
	_, err := ParseRouteRefresh(unhex(t, "000101"))
	wantNotify(t, err, wire.NotifyRouteRefresh, wire.RefreshInvalidLength, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001605000101")
}

func TestKeepalive(t *testing.T) {
	buf := make([]byte, 40)
	if n := WriteKeepalive(buf, 3); n != KeepaliveLen || fmt.Sprintf("%X", buf[3:3+n]) != "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304" {
		t.Errorf("WriteKeepalive = %X", buf[3:3+n])
	}
	m, err := Parse(buf[3:3+KeepaliveLen], wire.MaxMsgLen)
	if err != nil || m.Type != wire.MsgKeepalive || len(m.Body) != 0 {
		t.Errorf("Parse = %+v, %v", m, err)
	}
	wantNotify(t, ParseKeepalive([]byte{0}), wire.NotifyHeader, wire.HeaderBadLength, "0014")
	if a := testing.AllocsPerRun(100, func() { WriteKeepalive(buf, 0) }); a != 0 {
		t.Errorf("WriteKeepalive: %v allocations", a)
	}
}

func TestParseDispatch(t *testing.T) {
	update := "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001E02" + "00000007900F0003000201"
	m, err := Parse(unhex(t, update), wire.MaxMsgLen)
	if err != nil || m.Type != wire.MsgUpdate || fmt.Sprintf("%X", m.Body) != "00000007900F0003000201" {
		t.Errorf("UPDATE: %v body %X, %v", m.Type, m.Body, err)
	}
	m, err = Parse(unhex(t, exaOpen), wire.MaxMsgLen)
	if err != nil || m.Type != wire.MsgOpen || m.Open.MyAS != 65533 || len(m.Body) != 0x49-19 {
		t.Errorf("OPEN: %+v, %v", m.Open, err)
	}
	m, err = Parse(unhex(t, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00150306 07"), wire.MaxMsgLen)
	if err != nil || m.Type != wire.MsgNotification || m.Notification.Code != wire.NotifyCease || m.Notification.Subcode != 7 {
		t.Errorf("NOTIFICATION: %+v, %v", m.Notification, err)
	}
	upd := unhex(t, update)
	if a := testing.AllocsPerRun(100, func() { _, _ = Parse(upd, wire.MaxMsgLen) }); a != 0 {
		t.Errorf("Parse UPDATE: %v allocations", a)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		code wire.NotifyCode
		sub  uint8
		data string
	}{
		{"bad marker", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00001304", wire.NotifyHeader, wire.HeaderConnNotSync, ""},
		{"bad type", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001309", wire.NotifyHeader, wire.HeaderBadType, "09"},
		{"keepalive with a body", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00140400", wire.NotifyHeader, wire.HeaderBadLength, "0014"},
		{"open below minimum", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001C0104FDE900B4010203", wire.NotifyHeader, wire.HeaderBadLength, "001C"},
		{"open version 2", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001D0102FDE900B40102030400", wire.NotifyOpen, wire.OpenUnsupportedVersion, "0004"},
		{"notification below minimum", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001403 06", wire.NotifyHeader, wire.HeaderBadLength, "0014"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(unhex(t, tt.msg), wire.MaxMsgLen)
			wantNotify(t, err, tt.code, tt.sub, tt.data)
		})
	}
	// Framing faults of the caller are plain errors.
	for _, msg := range []string{
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0017050001000100", // one byte more than the length
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001705000100",     // one byte less
	} {
		_, err := Parse(unhex(t, msg), wire.MaxMsgLen)
		if _, ok := wire.AsNotify(err); err == nil || ok || !strings.HasPrefix(err.Error(), "message: length field 23") {
			t.Errorf("%s: error %v, want a framing error", msg, err)
		}
	}
	if _, err := Parse([]byte{0xFF}, wire.MaxMsgLen); err == nil {
		t.Error("1-byte message parsed")
	}
}
