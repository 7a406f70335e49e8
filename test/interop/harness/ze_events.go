package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// zeEvent is one line of `monitor event`.
type zeEvent struct {
	Type string `json:"type"`
	Peer struct {
		Address string `json:"address"`
	} `json:"peer"`
	From         string `json:"from"`
	To           string `json:"to"`
	Notification string `json:"notification"`
	Message      struct {
		Update struct {
			Attributes struct {
				Origin string `json:"origin"`
				ASPath []struct {
					ASNs []uint32 `json:"asns"`
				} `json:"as-path"`
				MED       *uint32  `json:"med"`
				Community []string `json:"community"`
				Large     []string `json:"large-community"`
			} `json:"attributes"`
			Announce map[string]struct {
				NextHop string `json:"next-hop"`
				NLRI    []struct {
					Prefix string `json:"prefix"`
					PathID uint32 `json:"path-id"`
				} `json:"nlri"`
			} `json:"announce"`
			Withdraw map[string][]struct {
				Prefix string `json:"prefix"`
				PathID uint32 `json:"path-id"`
			} `json:"withdraw"`
		} `json:"update"`
	} `json:"message"`
}

func (d *Ze) events(peer netip.Addr) ([]zeEvent, error) {
	data, err := os.ReadFile(d.path("events.json"))
	if err != nil {
		return nil, fmt.Errorf("harness: ze events: %w", err)
	}
	var out []zeEvent
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var e zeEvent
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("harness: ze event %s: %w", tail(string(line), 200), err)
		}
		if a, err := netip.ParseAddr(e.Peer.Address); err == nil && a.Unmap() == peer {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// Received replays ze's update events from peer: announces add, withdraws remove, a session
// leaving established forgets the peer's routes.
func (d *Ze) Received(_ context.Context, peer netip.Addr, family Family) ([]Route, error) {
	evs, err := d.events(peer)
	if err != nil {
		return nil, err
	}
	type key struct {
		p  netip.Prefix
		id uint32
	}
	rib := map[key]Route{}
	var order []key
	for _, e := range evs {
		if e.Type == "state" && e.To != "established" {
			clear(rib)
			continue
		}
		if e.Type != "update" {
			continue
		}
		u := e.Message.Update
		for _, w := range u.Withdraw[string(family)] {
			p, err := netip.ParsePrefix(w.Prefix)
			if err != nil {
				return nil, fmt.Errorf("harness: ze withdraw %q: %w", w.Prefix, err)
			}
			delete(rib, key{p, w.PathID})
		}
		a, ok := u.Announce[string(family)]
		if !ok {
			continue
		}
		base := Route{}
		base.NextHop, _ = netip.ParseAddr(a.NextHop)
		if u.Attributes.Origin != "" {
			var err error
			if base.Origin, err = ParseOrigin(u.Attributes.Origin); err != nil {
				return nil, err
			}
		}
		if u.Attributes.MED != nil {
			base.MED, base.HasMED = *u.Attributes.MED, true
		}
		for _, s := range u.Attributes.ASPath {
			base.ASPath = append(base.ASPath, s.ASNs...)
		}
		for _, c := range u.Attributes.Community {
			v, err := ParseCommunity(c)
			if err != nil {
				return nil, err
			}
			base.Communities = append(base.Communities, v)
		}
		for _, c := range u.Attributes.Large {
			v, err := ParseLargeCommunity(c)
			if err != nil {
				return nil, err
			}
			base.LargeCommunities = append(base.LargeCommunities, v)
		}
		for _, n := range a.NLRI {
			p, err := netip.ParsePrefix(n.Prefix)
			if err != nil {
				return nil, fmt.Errorf("harness: ze announce %q: %w", n.Prefix, err)
			}
			r := base
			r.Prefix, r.PathID = p, n.PathID
			k := key{p, n.PathID}
			if _, ok := rib[k]; !ok {
				order = append(order, k)
			}
			rib[k] = r
		}
	}
	var out []Route
	for _, k := range order {
		if r, ok := rib[k]; ok {
			out = append(out, r)
			delete(rib, k)
		}
	}
	return out, nil
}

// LastShutdownMessage reads the message of the last Cease ze received from peer, from its
// state events ("received 6/2 administrative-shutdown \"MESSAGE\"").
func (d *Ze) LastShutdownMessage(_ context.Context, peer netip.Addr) (string, error) {
	evs, err := d.events(peer)
	if err != nil {
		return "", err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		n := evs[i].Notification
		if !strings.HasPrefix(n, "received 6/") {
			continue
		}
		if j := strings.Index(n, `"`); j >= 0 {
			if s, err := strconv.Unquote(n[j:]); err == nil {
				return s, nil
			}
		}
	}
	return "", fmt.Errorf("harness: ze: no Cease with a message from %s in its events", peer)
}

// SentNotification looks for a state event of peer whose NOTIFICATION is "sent CODE/SUBCODE".
func (d *Ze) SentNotification(_ context.Context, peer netip.Addr, code, subcode int) (bool, error) {
	evs, err := d.events(peer)
	if err != nil {
		return false, err
	}
	want := fmt.Sprintf("sent %d/%d", code, subcode)
	for _, e := range evs {
		if e.Notification == want || strings.HasPrefix(e.Notification, want+" ") {
			return true, nil
		}
	}
	return false, nil
}
