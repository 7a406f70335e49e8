package attr

import (
	"bytes"
	"testing"
)

func TestExtCommunityText(t *testing.T) {
	tests := []struct {
		hex  string
		text string
	}{
		{"0002 FDE8 00000064", "target:65000:100"},
		{"0102 01020304 0005", "target:1.2.3.4:5"},
		{"0202 FBF00001 0064", "target:4226809857:100"},
		{"0202 0000FDE8 0064", "target:65000L:100"},
		{"0003 FDE8 00000064", "origin:65000:100"},
		{"0103 01020304 0005", "origin:1.2.3.4:5"},
		{"0203 00030D40 0001", "origin:200000:1"},
		{"0005 FDE8 00000001", "ospf-domain:65000:1"},
		{"0105 0A000001 0000", "ospf-domain:10.0.0.1:0"},
		{"0107 0A000001 0000", "ospf-router-id:10.0.0.1"},
		{"0306 00000001 05 01", "ospf-route-type:0.0.0.1:5:1"},
		{"0008 FDE8 00000064", "data-collection:65000:100"},
		{"0009 FDE8 00000000", "source-as:65000:0"},
		{"0209 00030D40 0000", "source-as:200000:0"},
		{"000A FDE8 00000001", "l2vpn-id:65000:1"},
		{"010B 0A000001 0007", "vrf-import:10.0.0.1:7"},
		{"4004 FDE8 49742400", "bandwidth:65000:1000000"},
		{"030B 0000 00000064", "color:100"},
		{"030B 4000 00000064", "color:100:16384"},
		{"030C 00000000 0008", "encap:vxlan"},
		{"030C 00000000 00FF", "encap:255"},
		{"030D 000000000000", "default-gateway"},
		{"0600 00 00 00000005", "mac-mobility:5"},
		{"0600 01 00 00000005", "mac-mobility:5:sticky"},
		{"0601 00 0000 000640", "esi-label:100"},
		{"0601 01 0000 000640", "esi-label:100:single-active"},
		{"0602 001122334455", "es-import:00:11:22:33:44:55"},
		{"0603 0A0B0C0D0E0F", "router-mac:0a:0b:0c:0d:0e:0f"},
		{"0C00 FDE8 00000001", "mup:65000:1"},
		{"4300 0000000000 00", "origin-validation:valid"},
		{"4300 0000000000 01", "origin-validation:not-found"},
		{"4300 0000000000 02", "origin-validation:invalid"},
		{"8006 0000 447A0000", "rate-limit:1000"},
		{"8006 FDE8 00000000", "rate-limit:65000:0"},
		{"800C 0000 42C80000", "rate-limit-packets:100"},
		{"8007 0000000000 00", "action:none"},
		{"8007 0000000000 01", "action:terminal"},
		{"8007 0000000000 02", "action:sample"},
		{"8007 0000000000 03", "action:sample-terminal"},
		{"8008 FDE8 0000000A", "redirect:65000:10"},
		{"8108 01020304 000A", "redirect:1.2.3.4:10"},
		{"8208 00030D40 000A", "redirect:200000:10"},
		{"8009 0000000000 2E", "mark:46"},
		{"800A 13 00 05DC 0000", "l2info:19:0:1500"},
		{"0800 000000000000", "redirect-to-ip"},
		{"0800 000000000001", "redirect-to-ip:copy"},
		// No text form, or bits the text form cannot carry: hex.
		{"ABCD 010203040506", "ABCD010203040506"},
		{"0004 FDE8 00000001", "0004FDE800000001"},
		{"0107 0A000001 0001", "01070A0000010001"},
		{"8007 0000000000 04", "8007000000000004"},
		{"8009 0000000000 40", "8009000000000040"},
		{"4300 0000000000 03", "4300000000000003"},
		{"0601 00 0000 000641", "0601000000000641"},
		{"8006 0000 7FC00000", "800600007FC00000"}, // NaN rate
		{"030C 00000001 0008", "030C000000010008"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e := ExtCommunity(hx(tt.hex))
			if got := e.String(); got != tt.text {
				t.Errorf("text %q, want %q", got, tt.text)
			}
			back, err := ParseExtCommunity(tt.text)
			if err != nil || back != e {
				t.Errorf("parse %q = %X %v, want %X", tt.text, back[:], err, e[:])
			}
		})
	}
}

func TestExtCommunityParseErrors(t *testing.T) {
	for _, s := range []string{
		"target", "target:65000", "target:1.2.3.4:65536", "target:200000:65536",
		"nosuch:1:2", "rate-limit:nan", "rate-limit:inf", "bandwidth:1000", "mark:64",
		"origin-validation:maybe", "color:x", "0102030405", "mac-mobility:1:slippery",
	} {
		if e, err := ParseExtCommunity(s); err == nil {
			t.Errorf("ParseExtCommunity(%q) = %s, want an error", s, e)
		}
	}
}

func TestExtCommunities(t *testing.T) {
	v := hx("0002FDE800000064 8006000049742400")
	c, err := DecodeExtCommunities(v)
	if err != nil || c.Count() != 2 || !c.At(0).Transitive() || c.At(1).Type() != 0x80 {
		t.Fatalf("got %v %v", c, err)
	}
	const text = "target:65000:100 rate-limit:1000000"
	if c.String() != text {
		t.Errorf("text %q, want %q", c.String(), text)
	}
	l, err := ParseExtCommunities(text)
	if err != nil {
		t.Fatal(err)
	}
	want := append(hx("C0 10 10"), v...)
	wantEncoded(t, c, want)
	wantEncoded(t, l, want)
	if _, err := DecodeExtCommunities(hx("0002FDE8000000")); err == nil {
		t.Error("7 octets: want error")
	}
}

// Every extended community of the corpus prints to text that parses back.
func TestCorpusExtCommunityText(t *testing.T) {
	n := 0
	for _, a := range corpusAttrs(t) {
		if a.Code != 16 {
			continue
		}
		c, err := DecodeExtCommunities(a.Value)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < c.Count(); i++ {
			e := c.At(i)
			back, err := ParseExtCommunity(e.String())
			if err != nil || !bytes.Equal(back[:], e[:]) {
				t.Errorf("%X -> %q -> %X %v", e[:], e, back[:], err)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no extended community in the corpus")
	}
}
