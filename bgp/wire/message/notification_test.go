package message

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zebgp/ze/bgp/wire"
)

func TestParseNotification(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		code    wire.NotifyCode
		sub     uint8
		data    string
		comm    string
		commErr error
		str     string
	}{
		{"exabgp administrative reset", // vectors-4.2/ci/api-teardown.msg
			"06041441646D696E697374726174697665205265736574", wire.NotifyCease, wire.CeaseAdminReset,
			"1441646D696E697374726174697665205265736574", "Administrative Reset", nil,
			`cease/administrative-reset "Administrative Reset"`},
		{"exabgp bad message type with text", // vectors-5.0/encoding/unknown-message.msg
			"010363616E206E6F74206465636F6465206D657373616765206F662074797065202232353522",
			wire.NotifyHeader, wire.HeaderBadType,
			"63616E206E6F74206465636F6465206D657373616765206F662074797065202232353522", "", ErrNoCommunication,
			"message-header-error/bad-message-type data 63616E206E6F74206465636F6465206D657373616765206F662074797065202232353522"},
		{"shutdown without data", "0602", wire.NotifyCease, wire.CeaseAdminShutdown, "", "", nil,
			"cease/administrative-shutdown"},
		{"shutdown with empty communication", "060200", wire.NotifyCease, wire.CeaseAdminShutdown, "00", "", nil,
			"cease/administrative-shutdown data 00"},
		{"shutdown in UTF-8", "06020A" + fmt.Sprintf("%X", "übung ✓"), wire.NotifyCease, wire.CeaseAdminShutdown,
			"0A" + fmt.Sprintf("%X", "übung ✓"), "übung ✓", nil, `cease/administrative-shutdown "übung ✓"`},
		{"shutdown length beyond data", "060205616263", wire.NotifyCease, wire.CeaseAdminShutdown, "05616263", "",
			ErrCommunicationLength, "cease/administrative-shutdown data 05616263"},
		{"shutdown length short of data", "060201616263", wire.NotifyCease, wire.CeaseAdminShutdown, "01616263", "",
			ErrCommunicationLength, "cease/administrative-shutdown data 01616263"},
		{"shutdown invalid UTF-8", "060202FF61", wire.NotifyCease, wire.CeaseAdminShutdown, "02FF61", "",
			ErrCommunicationUTF8, "cease/administrative-shutdown data 02FF61"},
		{"shutdown overlong UTF-8", "060202C080", wire.NotifyCease, wire.CeaseAdminShutdown, "02C080", "",
			ErrCommunicationUTF8, "cease/administrative-shutdown data 02C080"},
		{"hold timer expired", "0400", wire.NotifyHoldTimer, 0, "", "", ErrNoCommunication, "hold-timer-expired/unspecific"},
		{"unknown code kept", "2A07FFEE", 42, 7, "FFEE", "", ErrNoCommunication, "code-42/subcode-7 data FFEE"},
		{"role mismatch", "020B", wire.NotifyOpen, wire.OpenRoleMismatch, "", "", ErrNoCommunication,
			"open-message-error/role-mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := unhex(t, tt.body)
			n, err := ParseNotification(body)
			if err != nil {
				t.Fatal(err)
			}
			if n.Code != tt.code || n.Subcode != tt.sub || fmt.Sprintf("%X", n.Data) != tt.data {
				t.Errorf("got %d/%d data %X, want %d/%d data %s", n.Code, n.Subcode, n.Data, tt.code, tt.sub, tt.data)
			}
			comm, err := n.Communication()
			if comm != tt.comm || !errors.Is(err, tt.commErr) {
				t.Errorf("Communication = %q, %v; want %q, %v", comm, err, tt.comm, tt.commErr)
			}
			if s := n.String(); s != tt.str {
				t.Errorf("String = %q, want %q", s, tt.str)
			}
			buf := make([]byte, n.Len())
			if w := n.WriteTo(buf, 0); w != 19+len(body) || !bytes.Equal(buf, append(header(len(body), wire.MsgNotification), body...)) {
				t.Errorf("WriteTo = %X (%d)", buf, w)
			}
		})
	}
}

func TestParseNotificationShort(t *testing.T) {
	_, err := ParseNotification([]byte{6})
	wantNotify(t, err, wire.NotifyHeader, wire.HeaderBadLength, "0014")
	_, err = ParseNotification(nil)
	wantNotify(t, err, wire.NotifyHeader, wire.HeaderBadLength, "0013")
}

func TestCommunicationLengthError(t *testing.T) {
	n := Notification{Code: wire.NotifyCease, Subcode: wire.CeaseAdminShutdown, Data: []byte{5, 'a'}}
	_, err := n.Communication()
	if want := "message: shutdown communication length does not match the data: length octet 5, 1 bytes follow"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestNewShutdown(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string // encoded data, hex
	}{
		{"empty", "", ""},
		{"ascii", "[TICKET-1] upgrade", "12" + fmt.Sprintf("%X", "[TICKET-1] upgrade")},
		{"exactly 255", strings.Repeat("a", 255), "FF" + strings.Repeat("61", 255)},
		{"256 ascii cut to 255", strings.Repeat("a", 256), "FF" + strings.Repeat("61", 255)},
		// 2-byte characters: byte 255 would split the 128th, so 254 bytes stay.
		{"cut at a character boundary", strings.Repeat("é", 200), "FE" + strings.Repeat("C3A9", 127)},
		// A 4-byte character straddling 255 goes entirely.
		{"cut before a 4-byte character", strings.Repeat("a", 253) + "😀", "FD" + strings.Repeat("61", 253)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NewShutdown(wire.CeaseAdminShutdown, tt.text)
			if n.Code != wire.NotifyCease || n.Subcode != wire.CeaseAdminShutdown || fmt.Sprintf("%X", n.Data) != tt.want {
				t.Errorf("NewShutdown = %d/%d %X, want 6/2 %s", n.Code, n.Subcode, n.Data, tt.want)
			}
			comm, err := n.Communication()
			if err != nil || !strings.HasPrefix(tt.text, comm) || !utf8.ValidString(comm) {
				t.Errorf("Communication = %q, %v", comm, err)
			}
			if got := TruncateCommunication(tt.text); got != comm {
				t.Errorf("TruncateCommunication = %q, want %q", got, comm)
			}
		})
	}
	r := NewShutdown(wire.CeaseAdminReset, "bye")
	if r.Subcode != wire.CeaseAdminReset || !r.IsShutdown() {
		t.Errorf("reset = %+v", r)
	}
}

func TestHardReset(t *testing.T) {
	inner := Notification{Code: wire.NotifyHoldTimer}
	hr := NewHardReset(inner)
	buf := make([]byte, hr.Len())
	hr.WriteTo(buf, 0)
	if want := "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0017030609" + "0400"; fmt.Sprintf("%X", buf) != want {
		t.Errorf("hard reset = %X, want %s", buf, want)
	}
	m, err := Parse(buf, wire.MaxMsgLen)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := m.Notification.HardReset()
	if !ok || got.Code != wire.NotifyHoldTimer || got.Subcode != 0 || len(got.Data) != 0 {
		t.Errorf("HardReset() = %+v, %v", got, ok)
	}

	shut := NewHardReset(NewShutdown(wire.CeaseAdminShutdown, "maintenance"))
	if want := "0602" + "0B" + fmt.Sprintf("%X", "maintenance"); fmt.Sprintf("%X", shut.Data) != want {
		t.Errorf("data %X, want %s", shut.Data, want)
	}
	in, ok := shut.HardReset()
	if c, err := in.Communication(); !ok || err != nil || c != "maintenance" {
		t.Errorf("inner communication %q, %v, %v", c, err, ok)
	}
	for _, n := range []Notification{{Code: wire.NotifyCease, Subcode: wire.CeaseHardReset, Data: []byte{4}},
		{Code: wire.NotifyCease, Subcode: wire.CeaseAdminReset, Data: []byte{4, 0}}} {
		if _, ok := n.HardReset(); ok {
			t.Errorf("%v is taken for a hard reset", n)
		}
	}
}

func TestNotificationFromErrorAndClip(t *testing.T) {
	n := FromError(wire.NewNotifyError(wire.NotifyUpdate, wire.UpdateAttrLength, []byte{0x40, 1, 2, 0}))
	buf := make([]byte, n.Len())
	n.WriteTo(buf, 0)
	if want := "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0019030305" + "40010200"; fmt.Sprintf("%X", buf) != want {
		t.Errorf("from error = %X, want %s", buf, want)
	}
	big := Notification{Code: wire.NotifyUpdate, Subcode: 1, Data: make([]byte, 5000)}
	if big.Len() != wire.MaxMsgLen {
		t.Errorf("Len %d, want %d", big.Len(), wire.MaxMsgLen)
	}
	buf = make([]byte, big.Len())
	if w := big.WriteTo(buf, 0); w != wire.MaxMsgLen || buf[16] != 0x10 || buf[17] != 0 {
		t.Errorf("wrote %d, length field %X", w, buf[16:18])
	}
}

func TestNotificationAllocs(t *testing.T) {
	n := NewShutdown(wire.CeaseAdminShutdown, "maintenance")
	buf := make([]byte, 512)
	if a := testing.AllocsPerRun(100, func() { n.WriteTo(buf, 0) }); a != 0 {
		t.Errorf("WriteTo: %v allocations", a)
	}
	if a := testing.AllocsPerRun(100, func() { _, _ = ParseNotification(buf[19:n.Len()]) }); a != 0 {
		t.Errorf("ParseNotification: %v allocations", a)
	}
}

func TestNotificationJSON(t *testing.T) {
	tests := []struct {
		n    Notification
		want string
	}{
		{NewShutdown(wire.CeaseAdminShutdown, "bye"),
			`{"code":6,"subcode":2,"code-name":"cease","subcode-name":"administrative-shutdown","data":"03627965","communication":"bye"}`},
		{Notification{Code: wire.NotifyCease, Subcode: wire.CeaseAdminReset, Data: []byte{9, 'x'}},
			`{"code":6,"subcode":4,"code-name":"cease","subcode-name":"administrative-reset","data":"0978",` +
				`"communication-error":"message: shutdown communication length does not match the data: length octet 9, 1 bytes follow"}`},
		{NewHardReset(Notification{Code: wire.NotifyOpen, Subcode: wire.OpenBadPeerAS}),
			`{"code":6,"subcode":9,"code-name":"cease","subcode-name":"hard-reset","data":"0202",` +
				`"hard-reset":{"code":2,"subcode":2,"code-name":"open-message-error","subcode-name":"bad-peer-as","data":""}}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.n)
		if err != nil || string(got) != tt.want {
			t.Errorf("json = %s (%v)\nwant   %s", got, err, tt.want)
		}
	}
}
