package wire

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

const marker = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		max     int
		want    Header
		code    NotifyCode
		subcode uint8
		data    string
	}{
		{"keepalive", marker + "001304", MaxMsgLen, Header{19, MsgKeepalive}, 0, 0, ""},
		{"update", marker + "00170200000000", MaxMsgLen, Header{23, MsgUpdate}, 0, 0, ""},
		{"bad marker", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00001304", MaxMsgLen, Header{}, NotifyHeader, HeaderConnNotSync, ""},
		{"bad type", marker + "001306", MaxMsgLen, Header{}, NotifyHeader, HeaderBadType, "06"},
		{"type zero", marker + "001300", MaxMsgLen, Header{}, NotifyHeader, HeaderBadType, "00"},
		{"short length", marker + "001202", MaxMsgLen, Header{}, NotifyHeader, HeaderBadLength, "0012"},
		{"keepalive too long", marker + "001404", MaxMsgLen, Header{}, NotifyHeader, HeaderBadLength, "0014"},
		{"update too short", marker + "001602", MaxMsgLen, Header{}, NotifyHeader, HeaderBadLength, "0016"},
		{"open too short", marker + "001C01", MaxMsgLen, Header{}, NotifyHeader, HeaderBadLength, "001C"},
		{"over 4096", marker + "100102", MaxMsgLen, Header{}, NotifyHeader, HeaderBadLength, "1001"},
		{"over 4096 extended", marker + "100102", ExtMaxMsgLen, Header{4097, MsgUpdate}, 0, 0, ""},
		{"open over 4096 extended", marker + "100101", ExtMaxMsgLen, Header{}, NotifyHeader, HeaderBadLength, "1001"},
		{"notification too short", marker + "001403", MaxMsgLen, Header{}, NotifyHeader, HeaderBadLength, "0014"},
		{"route refresh", marker + "001705", MaxMsgLen, Header{23, MsgRouteRefresh}, 0, 0, ""},
		{"short route refresh left to the decoder", marker + "001305", MaxMsgLen, Header{19, MsgRouteRefresh}, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHeader(mustHex(t, tt.in), tt.max)
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("got error %v, want %+v", err, tt.want)
				}
				if got != tt.want {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			ne, ok := AsNotify(err)
			if !ok {
				t.Fatalf("got %v, want notification %d/%d", err, tt.code, tt.subcode)
			}
			if ne.Code != tt.code || ne.Subcode != tt.subcode || !bytes.Equal(ne.Data, mustHex(t, tt.data)) {
				t.Fatalf("got %d/%d data %X, want %d/%d data %s", ne.Code, ne.Subcode, ne.Data, tt.code, tt.subcode, tt.data)
			}
		})
	}
	if _, err := ParseHeader(mustHex(t, marker+"00"), MaxMsgLen); err == nil {
		t.Fatal("truncated header accepted")
	}
}

func TestWriteHeaderAndSplit(t *testing.T) {
	buf := make([]byte, 64)
	n := WriteHeader(buf, 3, 0, MsgKeepalive)
	BackfillLength(buf, 3, HeaderLen)
	if n != HeaderLen {
		t.Fatalf("wrote %d, want %d", n, HeaderLen)
	}
	if got := hex.EncodeToString(buf[3 : 3+n]); got != "ffffffffffffffffffffffffffffffff001304" {
		t.Fatalf("got %s", got)
	}
	stream := append(mustHex(t, marker+"001304"), mustHex(t, marker+"00170200000000")...)
	m1, rest, err := Split(stream, MaxMsgLen)
	if err != nil || len(m1) != 19 || len(rest) != 23 {
		t.Fatalf("split 1: %d %d %v", len(m1), len(rest), err)
	}
	m2, rest, err := Split(rest, MaxMsgLen)
	if err != nil || len(m2) != 23 || len(rest) != 0 {
		t.Fatalf("split 2: %d %d %v", len(m2), len(rest), err)
	}
	if _, _, err := Split(m2[:20], MaxMsgLen); err == nil {
		t.Fatal("partial message split without error")
	}
}

func TestNotifyNames(t *testing.T) {
	tests := []struct {
		code NotifyCode
		sub  uint8
		want string
	}{
		{NotifyHeader, HeaderBadLength, "message-header-error / bad-message-length"},
		{NotifyOpen, OpenUnsupportedCapability, "open-message-error / unsupported-capability"},
		{NotifyOpen, OpenRoleMismatch, "open-message-error / role-mismatch"},
		{NotifyUpdate, UpdateMalformedASPath, "update-message-error / malformed-as-path"},
		{NotifyCease, CeaseAdminShutdown, "cease / administrative-shutdown"},
		{NotifyCease, CeaseHardReset, "cease / hard-reset"},
		{NotifyFSM, FSMUnexpectedEstablished, "fsm-error / unexpected-message-in-established"},
		{NotifyRouteRefresh, RefreshInvalidLength, "route-refresh-message-error / invalid-message-length"},
		{NotifySendHoldTimer, 0, "send-hold-timer-expired / unspecific"},
		{NotifyCode(42), 7, "code-42 / subcode-7"},
	}
	for _, tt := range tests {
		if got := tt.code.String() + " / " + SubcodeString(tt.code, tt.sub); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	err := NewNotifyError(NotifyUpdate, UpdateAttrLength, []byte{0x40, 0x01, 0x02})
	if got, want := err.Error(), "wire: update-message-error / attribute-length-error (data 400102)"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestMsgTypeNames(t *testing.T) {
	for _, name := range []string{"open", "update", "notification", "keepalive", "route-refresh"} {
		mt, ok := ParseMsgType(name)
		if !ok || mt.String() != name {
			t.Errorf("ParseMsgType(%q) = %v %v", name, mt, ok)
		}
	}
	if _, ok := ParseMsgType("bogus"); ok {
		t.Error("bogus type parsed")
	}
}
