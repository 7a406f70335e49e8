package attr

import (
	"net/netip"
	"testing"
)

// RFC 6793 §4.2.3 cases.
func TestMergeAS4Path(t *testing.T) {
	tests := []struct {
		name   string
		asPath string // 2-octet AS_PATH value
		as4    string // AS4_PATH value
		want   string // text of the merged path
	}{
		{"no as4_path", "02 02 FDE8 5BA0", "", "65000 23456"},
		{"as_trans replaced", "02 03 FDE8 5BA0 5BA0", "02 02 00030D40 00030D41", "65000 200000 200001"},
		{"equal length: as4_path taken whole", "02 02 5BA0 5BA0", "02 02 00030D40 00030D41", "200000 200001"},
		{"as4_path longer: ignored", "02 01 5BA0", "02 02 00030D40 00030D41", "23456"},
		{"as_set counts as one", "02 02 FDE8 5BA0 01 02 0001 0002", "02 01 00030D40 01 02 00000001 00000002", "65000 200000 {1 2}"},
		{"leading confederation segment kept", "03 01 FDE9 02 02 FDE8 5BA0", "02 01 00030D40", "(65001) 65000 200000"},
		{"confederation segment in as4_path dropped", "02 02 FDE8 5BA0", "03 01 00000001 02 01 00030D40", "65000 200000"},
		{"leading set then sequence", "01 01 0001 02 02 FDE8 5BA0", "02 01 00030D40", "{1} 65000 200000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := DecodeASPath(hx(tt.asPath), false)
			if err != nil {
				t.Fatal(err)
			}
			var as4 AS4Path
			if tt.as4 != "" {
				if as4, err = DecodeAS4Path(hx(tt.as4)); err != nil {
					t.Fatal(err)
				}
			}
			m := MergeAS4Path(nil, p, as4)
			if !m.ASN4() {
				t.Error("merged path is not 4-octet")
			}
			if got := m.String(); got != tt.want {
				t.Errorf("merged %q, want %q", got, tt.want)
			}
			if _, err := DecodeASPath(m.Raw(), true); err != nil {
				t.Errorf("merged value %X does not decode: %v", m.Raw(), err)
			}
		})
	}
}

func TestMergeAS4PathIntoBuffer(t *testing.T) {
	p, _ := DecodeASPath(hx("02 03 FDE8 5BA0 5BA0"), false)
	as4, _ := DecodeAS4Path(hx("02 02 00030D40 00030D41"))
	dst := make([]byte, 0, 64)
	n := testing.AllocsPerRun(100, func() { MergeAS4Path(dst[:0], p, as4) })
	if n != 0 {
		t.Errorf("merge into a large enough buffer allocates %v times", n)
	}
	// On a 4-octet session the AS_PATH is the path.
	p4, _ := DecodeASPath(hx("02 01 0000FDE8"), true)
	if got := MergeAS4Path(nil, p4, as4).String(); got != "65000" {
		t.Errorf("4-octet path merged to %q, want 65000", got)
	}
}

func TestMergeAggregator(t *testing.T) {
	id := netip.MustParseAddr("192.0.2.1")
	as4 := AS4Aggregator{200000, netip.MustParseAddr("192.0.2.2")}
	// Not AS_TRANS: AGGREGATOR wins, AS4_PATH is ignored.
	if got, use := MergeAggregator(Aggregator{65000, id}, as4, true); got != (Aggregator{65000, id}) || use {
		t.Errorf("got %v use-as4-path %v, want 65000:192.0.2.1 false", got, use)
	}
	if got, use := MergeAggregator(Aggregator{ASTrans, id}, as4, true); got != Aggregator(as4) || !use {
		t.Errorf("got %v use-as4-path %v, want the AS4_AGGREGATOR and true", got, use)
	}
}

func TestMergeAS4Attrs(t *testing.T) {
	// AGGREGATOR is AS_TRANS: both AS4 attributes are used.
	attrs := hx(aOrigin, "40 02 08 02 03 FDE8 5BA0 5BA0", "C0 07 06 5BA0 C0000201",
		"C0 11 0A 02 02 00030D40 00030D41", "C0 12 08 00030D40 C0000202")
	p, agg, has, err := MergeAS4(nil, attrs, false)
	if err != nil || !has {
		t.Fatal(err, has)
	}
	if p.String() != "65000 200000 200001" || agg.String() != "200000:192.0.2.2" {
		t.Errorf("got %q %s", p, agg)
	}
	// AGGREGATOR is a real 2-octet AS: AS4_PATH and AS4_AGGREGATOR ignored.
	attrs = hx(aOrigin, "40 02 08 02 03 FDE8 5BA0 5BA0", "C0 07 06 FDE9 C0000201",
		"C0 11 0A 02 02 00030D40 00030D41", "C0 12 08 00030D40 C0000202")
	p, agg, _, _ = MergeAS4(nil, attrs, false)
	if p.String() != "65000 23456 23456" || agg.String() != "65001:192.0.2.1" {
		t.Errorf("got %q %s", p, agg)
	}
	// A malformed AS4_PATH is ignored (RFC 6793 §6).
	attrs = hx(aOrigin, "40 02 06 02 02 FDE8 5BA0", "C0 11 05 02 01 00030D")
	if p, _, _, err = MergeAS4(nil, attrs, false); err != nil || p.String() != "65000 23456" {
		t.Errorf("got %q %v", p, err)
	}
}
