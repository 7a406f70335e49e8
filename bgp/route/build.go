package route

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/zebgp/ze/bgp/wire"
)

// Build encodes the update for a session with ctx and calls emit once per
// message (the slice is valid only during the call). Announcements share the
// attributes; each section becomes as many messages as its NLRI need.
func (u *Update) Build(ctx *wire.EncodingContext, emit func(msg []byte) error) error {
	attrs, err := u.encodeAttrs(ctx)
	if err != nil {
		return err
	}
	ub := wire.NewUpdateBuilder(ctx)
	defer ub.Release()
	for _, s := range u.Sections {
		nlri, err := s.packed(ctx)
		if err != nil {
			return err
		}
		if s.Withdraw {
			if err := ub.Withdraw(s.Family, nlri, emit); err != nil {
				return fmt.Errorf("route: withdrawing %s: %w", s.Family, err)
			}
			continue
		}
		nh, err := u.nextHopFor(s.Family, ctx)
		if err != nil {
			return err
		}
		if err := ub.Announce(s.Family, attrs, nh, nlri, emit); err != nil {
			return fmt.Errorf("route: announcing %s: %w", s.Family, err)
		}
	}
	return nil
}

// packed returns the section's NLRI as the context wants them: with path
// identifiers when ADD-PATH is on for the family, without otherwise.
func (s *Section) packed(ctx *wire.EncodingContext) ([]byte, error) {
	if ctx.AddPath(s.Family) {
		return s.NLRI, nil
	}
	if s.PathIDs {
		return nil, fmt.Errorf("route: path-id given but ADD-PATH is not on for %s", s.Family)
	}
	codec, _ := wire.LookupFamily(s.Family)
	out := make([]byte, 0, len(s.NLRI)-4*s.Count)
	for b := s.NLRI; len(b) > 0; {
		n, err := codec.Len(b[4:])
		if err != nil {
			return nil, err
		}
		out = append(out, b[4:4+n]...)
		b = b[4+n:]
	}
	return out, nil
}

// nextHopFor returns the next hop bytes for family f: IPv4 families take an
// IPv4 address, or an IPv6 one with extended next hop (RFC 8950); IPv6
// families take an IPv6 address (and link-local), or an IPv4 address as an
// IPv4-mapped IPv6 address (RFC 4798 §3).
func (u *Update) nextHopFor(f wire.Family, ctx *wire.EncodingContext) ([]byte, error) {
	nh := u.nextHop
	if nh == nil {
		return nil, errNoNextHop
	}
	switch f.AFI {
	case wire.AFIIPv4:
		if len(nh) != 4 && !ctx.ExtNextHop(f) {
			return nil, errAt(u.nhTok, "an IPv6 next hop for %s needs extended next hop (RFC 8950) on the session", f)
		}
	case wire.AFIIPv6:
		if len(nh) == 4 {
			m := netip.AddrFrom16(netip.AddrFrom4([4]byte(nh)).As16()).As16()
			return m[:], nil
		}
	}
	return nh, nil
}

// encodeAttrs writes every attribute clause (text mode) or the raw attributes
// (hex mode) in type code order.
func (u *Update) encodeAttrs(ctx *wire.EncodingContext) ([]byte, error) {
	if u.Hex {
		return u.rawAttrs, nil
	}
	order := withDefaults(u.clauses)
	slices.SortStableFunc(order, func(a, b clause) int { return int(a.spec.code) - int(b.spec.code) })
	buf := make([]byte, wire.ExtMaxMsgLen)
	off := 0
	var e extra
	// The clauses AS4_PATH and AS4_AGGREGATOR come from, for errors.
	var asPath, aggregator token
	// flush writes the RFC 6793 attributes whose code sorts before next.
	flush := func(next wire.AttrCode) error {
		if e.as4Path != nil && next > wire.AttrAS4Path {
			if err := room(buf, off, as4PathLen(e.as4Path)); err != nil {
				return errAt(asPath, "%v", err)
			}
			off += e.as4Path.WriteAS4Path(buf, off)
			e.as4Path = nil
		}
		if e.as4Agg != nil && next > wire.AttrAS4Aggregator {
			if err := room(buf, off, e.as4Agg.Len()); err != nil {
				return errAt(aggregator, "%v", err)
			}
			off += e.as4Agg.WriteTo(buf, off)
			e.as4Agg = nil
		}
		return nil
	}
	for i := 0; i < len(order); {
		if err := flush(order[i].spec.code); err != nil {
			return nil, err
		}
		// Clauses of one list attribute (community set … community add …) merge.
		j := i + 1
		vals := order[i].values
		for j < len(order) && order[j].spec == order[i].spec {
			vals = append(slices.Clone(vals), order[j].values...)
			j++
		}
		if len(vals) == 0 && !order[i].spec.empty {
			return nil, errAt(order[i].name, "empty list")
		}
		switch order[i].spec.code {
		case wire.AttrASPath:
			asPath = order[i].name
		case wire.AttrAggregator:
			aggregator = order[i].name
		}
		n, err := order[i].spec.encode(vals, ctx, &e, buf, off)
		if errors.Is(err, errTooLong) {
			return nil, errAt(order[i].name, "%v", err)
		}
		if err != nil {
			return nil, err
		}
		off += n
		i = j
	}
	if err := flush(255); err != nil {
		return nil, err
	}
	return buf[:off], nil
}

// withDefaults returns the clauses plus the well-known mandatory attributes
// the command left out (RFC 4271 §5.1.1, §5.1.2): ORIGIN igp and an empty
// AS_PATH, so that an announcement is a well-formed UPDATE. Hex mode gives
// the attributes as they are and gets no defaults.
func withDefaults(cs []clause) []clause {
	out := slices.Clone(cs)
	for _, name := range []string{"origin", "as-path"} {
		spec := attrSpecs[name]
		if !slices.ContainsFunc(cs, func(c clause) bool { return c.spec == spec }) {
			var vals []token
			if name == "origin" {
				vals = []token{{text: "igp"}}
			}
			out = append(out, clause{name: token{text: name}, spec: spec, values: vals})
		}
	}
	return out
}
