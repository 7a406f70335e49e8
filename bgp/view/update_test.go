package view_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/zebgp/ze/bgp/view"
	"github.com/zebgp/ze/bgp/wire"
)

// TestUpdateJSONNoEmptyAttributes checks that an UPDATE whose attributes are
// all shown elsewhere (MP_UNREACH_NLRI under withdraw, NEXT_HOP with the IPv4
// NLRI) has no empty "attributes" object.
func TestUpdateJSONNoEmptyAttributes(t *testing.T) {
	tests := []struct {
		name, attrs, nlri, want string
	}{
		{
			name:  "MP_UNREACH_NLRI only",
			attrs: "800F0A0002013020010DB80001",
			want:  `{"withdraw":{"ipv6/unicast":[{"prefix":"2001:db8:1::/48"}]}}`,
		},
		{
			name:  "NEXT_HOP with IPv4 NLRI",
			attrs: "400304C0000201",
			nlri:  "180A0000",
			want: `{"announce":{"ipv4/unicast":{"next-hop":"192.0.2.1","nlri":[{"prefix":"10.0.0.0/24"}]}},` +
				`"rfc7606":{"action":"treat-as-withdraw","reason":"rfc7606 3d: missing well-known mandatory attribute",` +
				`"notification":{"code":"update-message-error","subcode":"missing-well-known-attribute","data":"01"}}}`,
		},
		{
			name:  "NEXT_HOP without NLRI",
			attrs: "400304C0000201" + "800F0A0002013020010DB80001",
			want:  `{"withdraw":{"ipv6/unicast":[{"prefix":"2001:db8:1::/48"}]},"attributes":{"next-hop":"192.0.2.1"}}`,
		},
		{
			name:  "truncated attribute list",
			attrs: "800F0A0002013020010DB80001" + "4001",
			want: `{"withdraw":{"ipv6/unicast":[{"prefix":"2001:db8:1::/48"}]},"attributes":{"error":"wire: update-message-error / malformed-attribute-list"},` +
				`"rfc7606":{"action":"session-reset","reason":"rfc7606 5.2: error in an update without reachable nlri: rfc7606 4: attribute overruns the path attributes",` +
				`"notification":{"code":"update-message-error","subcode":"malformed-attribute-list","data":""}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := parseUpdate(t, tt.attrs, tt.nlri)
			var w view.W
			_ = view.AppendUpdateJSON(&w, &u)
			if got := string(w.B); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestUpdateJSONNoCodec checks that NLRI of a family without a codec are
// left out with an error at the end, while the attributes and the NLRI of
// other families are still shown.
func TestUpdateJSONNoCodec(t *testing.T) {
	const (
		origin  = "40010100" + "400200" // ORIGIN igp, AS_PATH empty
		nextHop = "400304C0000201"
		nlri    = "180A0000" // 10.0.0.0/24
		// A FlowSpec (AFI 1 SAFI 133) NLRI: destination 10.0.0.0/24.
		flowUnreach = "800F09000185" + "0501180A0000"
		flowReach   = "800E0F000185" + "04C0000201" + "00" + "0501180A0000"
		flowEmpty   = "800E09000185" + "04C0000201" + "00"
	)
	const noCodec = `"error":"wire: no codec for family ipv4/flowspec (afi 1 safi 133)"`
	tests := []struct {
		name   string
		attrs  string
		nlri   string
		want   string
		failed bool
	}{
		{
			name:  "withdraw of an unknown family",
			attrs: origin + nextHop + flowUnreach,
			nlri:  nlri,
			want: `{"attributes":{"origin":"igp","as-path":[]},` +
				`"announce":{"ipv4/unicast":{"next-hop":"192.0.2.1","nlri":[{"prefix":"10.0.0.0/24"}]}},` + noCodec + `}`,
			failed: true,
		},
		{
			name:   "announce of an unknown family",
			attrs:  origin + flowReach,
			want:   `{"attributes":{"origin":"igp","as-path":[]},` + noCodec + `}`,
			failed: true,
		},
		{
			name:   "unknown family without NLRI",
			attrs:  origin + flowEmpty,
			want:   `{"attributes":{"origin":"igp","as-path":[]},` + noCodec + `}`,
			failed: true,
		},
		{
			name:  "known family without NLRI",
			attrs: origin + "800E09000101" + "04C0000201" + "00",
			want:  `{"attributes":{"origin":"igp","as-path":[]},"announce":{"ipv4/unicast":{"next-hop":"192.0.2.1","nlri":[]}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := parseUpdate(t, tt.attrs, tt.nlri)
			var w view.W
			err := view.AppendUpdateJSON(&w, &u)
			if got := string(w.B); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			var uf *wire.UnknownFamilyError
			if got := errors.As(err, &uf); got != tt.failed {
				t.Errorf("error %v: UnknownFamilyError %v, want %v", err, got, tt.failed)
			}
			var mf *view.MalformedError
			if !tt.failed && err != nil && !errors.As(err, &mf) {
				t.Errorf("unexpected error %v", err)
			}
		})
	}
}

// parseUpdate returns the UPDATE with these attributes and NLRI (hex), read
// with ASN4 and no ADD-PATH.
func parseUpdate(t *testing.T, attrs, nlri string) wire.WireUpdate {
	t.Helper()
	a := mustHex(t, attrs)
	body := append([]byte{0, 0, byte(len(a) >> 8), byte(len(a))}, a...)
	body = append(body, mustHex(t, nlri)...)
	u, err := wire.ParseUpdate(body, nil)
	if err != nil {
		t.Fatalf("ParseUpdate: %v", err)
	}
	return u
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// IPv4 unicast announced and withdrawn both in the classic fields and in
// MP_REACH/MP_UNREACH: each family is one key (a JSON object must not repeat
// one), with every prefix in one list and the second next hop beside.
func TestUpdateJSONIPv4InBothPlaces(t *testing.T) {
	mp := "800E0D" + "000101" + "04" + "C0000202" + "00" + "180A0100"
	mu := "800F07" + "000101" + "180B0100"
	attrs := "40010100" + "400200" + "400304C0000201" + mp + mu
	body := "0004180B0000" + fmt.Sprintf("%04X", len(attrs)/2) + attrs + "180A0000"
	b, err := hex.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	var w view.W
	if err := view.AppendBodyJSON(&w, wire.MsgUpdate, b, nil); err != nil {
		t.Fatalf("%v: %s", err, w.B)
	}
	want := `{"type":"update","length":71,"update":{"withdraw":{"ipv4/unicast":[{"prefix":"11.0.0.0/24"},{"prefix":"11.1.0.0/24"}]},` +
		`"attributes":{"origin":"igp","as-path":[]},"announce":{"ipv4/unicast":{"next-hop":"192.0.2.1","mp-reach":{"next-hop":"192.0.2.2"},` +
		`"nlri":[{"prefix":"10.0.0.0/24"},{"prefix":"10.1.0.0/24"}]}}}}`
	if string(w.B) != want {
		t.Fatalf("got  %s\nwant %s", w.B, want)
	}
}

// A malformed attribute list given alone (--type attributes) carries its
// error in the JSON too.
func TestAttributesJSONError(t *testing.T) {
	var w view.W
	err := view.AppendAttributesJSON(&w, []byte{0x40, 0x01, 0x05, 0x00}, nil)
	if err == nil || string(w.B) != `{"error":"wire: update-message-error / malformed-attribute-list"}` {
		t.Fatalf("got %s, %v", w.B, err)
	}
}
