package hub

import "testing"

func TestMatch(t *testing.T) {
	tests := []struct {
		prefix, topic string
		want          bool
	}{
		{"bgp/update", "bgp/update/ipv4/unicast", true},
		{"bgp/update", "bgp/update", true},
		{"bgp/update", "bgp/updates", false},
		{"bgp/update", "bgp/updates/ipv4", false},
		{"bgp/update/ipv4", "bgp/update", false},
		{"bgp", "bgp/event/peer-up", true},
		{"bg", "bgp/event", false},
		{"", "anything/at/all", true},
		{"bgp/update/ipv4/unicast", "bgp/update/ipv4/unicast", true},
		{"bgp/update/ipv4", "bgp/update/ipv6/unicast", false},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+"|"+tt.topic, func(t *testing.T) {
			if got := Match(tt.prefix, tt.topic); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.prefix, tt.topic, got, tt.want)
			}
		})
	}
}

func TestCheckTopic(t *testing.T) {
	tests := []struct {
		name    string
		topic   string
		wantErr string
	}{
		{"plain", "bgp/update/ipv4/unicast", ""},
		{"one segment", "bgp", ""},
		{"ipv6 in a segment", "bgp/event/peer-up/2001:db8::1", ""},
		{"empty", "", `hub: empty topic`},
		{"leading slash", "/bgp", `hub: topic "/bgp": empty segment`},
		{"trailing slash", "bgp/", `hub: topic "bgp/": empty segment`},
		{"double slash", "bgp//update", `hub: topic "bgp//update": empty segment`},
		{"space", "bgp/up date", `hub: topic "bgp/up date": byte 0x20 not allowed`},
		{"newline", "bgp\n", `hub: topic "bgp\n": byte 0x0a not allowed`},
		{"non-ascii", "bgp/é", `hub: topic "bgp/é": byte 0xc3 not allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkTopic(tt.topic)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("checkTopic(%q) = %q, want %q", tt.topic, got, tt.wantErr)
			}
		})
	}
	if err := checkPrefix(""); err != nil {
		t.Errorf("checkPrefix(\"\") = %v, want nil", err)
	}
}

func TestPolicyLongestPrefix(t *testing.T) {
	h, err := New(Config{StallLimit: -1, Policies: []TopicPolicy{
		{Prefix: "bgp/event", Policy: DropOldest},
		{Prefix: "bgp/event/peer", Policy: Lossless},
		{Prefix: "log", Policy: DropOldest},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	tests := []struct {
		topic string
		want  Policy
	}{
		{"bgp/update/ipv4/unicast", Lossless},
		{"bgp/event/rib", DropOldest},
		{"bgp/event/peer/down", Lossless},
		{"bgp/event/peers", DropOldest},
		{"log/warn", DropOldest},
		{"logs", Lossless},
		{TopicStalled, DropOldest},
	}
	for _, tt := range tests {
		tp, err := h.Topic(tt.topic)
		if err != nil {
			t.Fatal(err)
		}
		if got := tp.Policy(); got != tt.want {
			t.Errorf("%s: policy %s, want %s", tt.topic, got, tt.want)
		}
	}
}
