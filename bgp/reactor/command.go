package reactor

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path"
	"slices"
	"strings"

	"github.com/zebgp/ze/bgp/route"
	"github.com/zebgp/ze/bgp/wire"
)

// Result is what a command did, peer by peer.
type Result struct {
	Command string       `json:"command"`
	Peers   []PeerResult `json:"peers"`
}

// PeerResult is a command's outcome for one peer.
type PeerResult struct {
	Name    string     `json:"name"`
	Address netip.Addr `json:"address"`
	// Messages is the number of messages sent now.
	Messages int `json:"messages"`
	// Kept is set when routes were recorded for a session that is not up
	// (or whose initial table is still going out): they go with it.
	Kept  bool   `json:"kept,omitempty"`
	Error string `json:"error,omitempty"`
}

// Command runs one run-time command:
//
//	peer SELECTOR update text|hex …         announce / withdraw (docs/route-grammar.md;
//	                                        `nhop set self` is each session's local address)
//	peer SELECTOR withdraw text|hex nlri FAMILY NLRI… [nlri FAMILY NLRI…]…
//	peer SELECTOR shutdown [MESSAGE]        Cease 6/2, the session stays down
//	peer SELECTOR start                     start a peer shut down by command
//	peer SELECTOR reset [MESSAGE]           Cease 6/4, the session comes back
//	peer SELECTOR refresh FAMILY            send a ROUTE-REFRESH (RFC 2918)
//
// SELECTOR is `*`, a peer name, an address, a glob over addresses or
// names (`192.168.*.*`, `edge-*`), `!ITEM` (every peer but those), or a comma list of
// these: the peers any positive item matches (all when there is none)
// minus those a negated item matches. Routes announced are kept per peer
// and sent again when its session comes back. The error is the command's
// (syntax, no peer matched) or the join of the peers' errors.
func (r *Reactor) Command(ctx context.Context, line string) (Result, error) {
	res := Result{Command: line}
	words := strings.Fields(line)
	if len(words) < 3 || words[0] != "peer" {
		return res, errors.New(`reactor: want "peer SELECTOR update|withdraw|shutdown|start|reset|refresh …"`)
	}
	peers, err := r.selectPeers(words[1])
	if err != nil {
		return res, err
	}
	verb := words[2]
	rest := afterWords(line, 3)

	var do func(p *peer) (PeerResult, error)
	switch verb {
	case "update", "withdraw":
		text := rest
		if verb == "withdraw" {
			text, err = withdrawCommand(rest)
			if err != nil {
				return res, err
			}
		}
		// `nhop set self` is each session's local address: the command is
		// parsed here with a stand-in of the family of the first section
		// (for its NLRI) and again per session when sent.
		self := ""
		if words := strings.Fields(text); selfIndex(words) >= 0 {
			self = text
			text = standInSelf(words)
		}
		u, err := route.Parse(text)
		if err != nil {
			return res, fmt.Errorf("reactor: %w", err)
		}
		do = func(p *peer) (PeerResult, error) {
			n, kept, err := p.announce(ctx, u, self)
			return PeerResult{Messages: n, Kept: kept}, err
		}
	case "shutdown":
		msg := unquote(rest)
		do = func(p *peer) (PeerResult, error) {
			sctx, cancel := context.WithTimeout(ctx, r.opts.StopTimeout)
			defer cancel()
			err := p.stopSession(sctx, uint8(wire.NotifyCease), wire.CeaseAdminShutdown, msg)
			p.mu.Lock()
			p.adminDown = true
			p.mu.Unlock()
			return PeerResult{}, err
		}
	case "start":
		do = func(p *peer) (PeerResult, error) {
			return PeerResult{}, p.startSession(r.Config().RouterID)
		}
	case "reset":
		msg := unquote(rest)
		do = func(p *peer) (PeerResult, error) {
			s := p.currentSession()
			if s == nil {
				return PeerResult{}, errors.New("shut down")
			}
			s.Reset(msg)
			return PeerResult{}, nil
		}
	case "refresh":
		f, err := wire.ParseFamily(rest)
		if err != nil || rest == "" {
			return res, fmt.Errorf("reactor: refresh %q: want a family such as ipv4/unicast", rest)
		}
		do = func(p *peer) (PeerResult, error) { return p.requestRefresh(ctx, f) }
	default:
		return res, fmt.Errorf("reactor: unknown peer command %q: want update, withdraw, shutdown, start, reset or refresh", verb)
	}
	var errs []error
	for _, p := range peers {
		ref := p.ref()
		pr, err := do(p)
		pr.Name, pr.Address = ref.Name, ref.Address
		if err != nil {
			pr.Error = err.Error()
			errs = append(errs, fmt.Errorf("reactor: peer %s: %w", ref.Name, err))
		}
		res.Peers = append(res.Peers, pr)
	}
	return res, errors.Join(errs...)
}

// selectPeers returns the peers a selector names, in config order.
func (r *Reactor) selectPeers(sel string) ([]*peer, error) {
	var pos, neg []string
	for _, item := range strings.Split(sel, ",") {
		switch {
		case item == "":
			return nil, fmt.Errorf("reactor: selector %q: empty item", sel)
		case item[0] == '!':
			if len(item) == 1 {
				return nil, fmt.Errorf("reactor: selector %q: '!' without an address", sel)
			}
			neg = append(neg, item[1:])
		default:
			pos = append(pos, item)
		}
		if _, err := path.Match(strings.TrimPrefix(item, "!"), ""); err != nil {
			return nil, fmt.Errorf("reactor: selector %q: bad pattern %q", sel, item)
		}
	}
	matches := func(pats []string, p *peer) bool {
		ref := p.ref()
		addr := ref.Address.String()
		for _, pat := range pats {
			if pat == "*" || pat == ref.Name || pat == addr {
				return true
			}
			if a, err := netip.ParseAddr(pat); err == nil && a.Unmap() == ref.Address {
				return true
			}
			if ok, _ := path.Match(pat, addr); ok {
				return true
			}
			if ok, _ := path.Match(pat, ref.Name); ok {
				return true
			}
		}
		return false
	}
	var out []*peer
	for _, p := range r.peersInOrder() {
		if (len(pos) == 0 || matches(pos, p)) && !matches(neg, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("reactor: no peer matches %q", sel)
	}
	return out, nil
}

// withdrawCommand turns `text|hex nlri FAMILY NLRI…` into the update
// command that withdraws the NLRI.
func withdrawCommand(rest string) (string, error) {
	words := strings.Fields(rest)
	if len(words) < 4 || words[0] != "text" && words[0] != "hex" {
		return "", errors.New(`reactor: want "withdraw text|hex nlri FAMILY NLRI…"`)
	}
	var b strings.Builder
	b.WriteString("update " + words[0])
	for i := 1; i < len(words); i++ {
		b.WriteByte(' ')
		b.WriteString(words[i])
		if words[i] == "nlri" && i+1 < len(words) {
			i++
			b.WriteString(" " + words[i])
			if i+1 < len(words) && words[i+1] != "del" && words[i+1] != "add" {
				b.WriteString(" del")
			}
		}
	}
	return b.String(), nil
}

// standInSelf replaces the next hop self of a route command by an
// address of the family of its first NLRI section, to parse it.
func standInSelf(words []string) string {
	i := selfIndex(words)
	words = slices.Clone(words)
	words[i] = "192.0.2.1"
	for j, w := range words {
		if w == "nlri" && j+1 < len(words) && strings.HasPrefix(words[j+1], "ipv6/") {
			words[i] = "2001:db8::1"
		}
		if w == "nlri" {
			break
		}
	}
	return strings.Join(words, " ")
}

// afterWords returns what follows the first n words of s, trimmed.
func afterWords(s string, n int) string {
	for ; n > 0; n-- {
		s = strings.TrimLeft(s, " \t")
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return ""
		}
		s = s[i:]
	}
	return strings.TrimSpace(s)
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// requestRefresh sends a ROUTE-REFRESH for f to an Established peer that
// negotiated route refresh and the family.
func (p *peer) requestRefresh(ctx context.Context, f wire.Family) (PeerResult, error) {
	p.mu.Lock()
	s, up, neg := p.sess, p.out.up, p.out.neg
	p.mu.Unlock()
	if s == nil || !up {
		return PeerResult{}, ErrNotEstablished
	}
	if !neg.Capabilities.RouteRefresh && !neg.Capabilities.EnhancedRouteRefresh {
		return PeerResult{}, errors.New("route refresh was not negotiated")
	}
	found := false
	for _, nf := range neg.Families {
		found = found || nf == f
	}
	if !found {
		return PeerResult{}, fmt.Errorf("family %s was not negotiated", f)
	}
	var buf [32]byte
	n := writeRefresh(buf[:], f, 0)
	if err := s.SendWait(ctx, buf[:n]); err != nil {
		return PeerResult{}, err
	}
	return PeerResult{Messages: 1}, nil
}
