// Package bench compares ze's UPDATE decoding with GoBGP's over the same
// real UPDATE stream. It is a module of its own so that the product never
// depends on GoBGP; run it with ./run.sh (or go test -bench . here).
package bench

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"
	"github.com/zebgp/ze/bgp/mrt"
	"github.com/zebgp/ze/bgp/wire"
)

// CorpusFile is one peer's full IPv4 table as a BGP4MP_ET stream: 89,679
// UPDATEs, 577,740 prefixes, 4-octet AS. The path is relative to this
// directory.
var CorpusFile = filepath.Join("..", "..", "..", "shared", "corpus", "mrt", "bgpdump__updates.et-header.2015.gz")

// LoadUpdates returns the body (after the 19-byte header) of every UPDATE
// of an MRT file, copied into one backing array.
func LoadUpdates(path string) ([][]byte, error) {
	r, err := mrt.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var arena []byte
	var spans [][2]int
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		m, err := rec.BGP4MP()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if m.Message == nil || wire.MsgType(m.Message[18]) != wire.MsgUpdate {
			continue
		}
		spans = append(spans, [2]int{len(arena), len(arena) + len(m.Message) - wire.HeaderLen})
		arena = append(arena, m.Message[wire.HeaderLen:]...)
	}
	bodies := make([][]byte, len(spans))
	for i, s := range spans {
		bodies[i] = arena[s[0]:s[1]:s[1]]
	}
	return bodies, nil
}

// Stats is what a walk saw. Sum adds each attribute's flags and each
// prefix's length in bits, so two decoders that agree give the same Sum
// and the compiler cannot drop the loads.
type Stats struct {
	Updates, Attrs, Prefixes, Sum int
}

// ZeWalk walks every attribute and every prefix (withdrawn, NLRI,
// MP_REACH, MP_UNREACH) of every UPDATE with ze's lazy iterators.
func ZeWalk(bodies [][]byte, ctx *wire.EncodingContext, s *Stats) error {
	for _, body := range bodies {
		u, err := wire.ParseUpdate(body, ctx)
		if err != nil {
			return err
		}
		s.Updates++
		it := u.AttrIter()
		for a, ok := it.Next(); ok; a, ok = it.Next() {
			s.Attrs++
			s.Sum += int(a.Flags)
			switch a.Code {
			case wire.AttrMPReach:
				mp, err := wire.ParseMPReach(a.Value)
				if err != nil {
					return err
				}
				if err := zeNLRI(mp.Iter(ctx), s); err != nil {
					return err
				}
			case wire.AttrMPUnreach:
				mp, err := wire.ParseMPUnreach(a.Value)
				if err != nil {
					return err
				}
				if err := zeNLRI(mp.Iter(ctx), s); err != nil {
					return err
				}
			}
		}
		if err := it.Err(); err != nil {
			return err
		}
		if err := zeNLRI(u.WithdrawnIter(), s); err != nil {
			return err
		}
		if err := zeNLRI(u.NLRIIter(), s); err != nil {
			return err
		}
	}
	return nil
}

func zeNLRI(it wire.NLRIIter, s *Stats) error {
	for n, ok := it.Next(); ok; n, ok = it.Next() {
		s.Prefixes++
		s.Sum += int(n.Bytes[0])
	}
	return it.Err()
}

// GoBGPWalk decodes every UPDATE with GoBGP's ParseBGPBody and walks the
// same elements. GoBGP has no option for 4-octet AS: it tells 2- from
// 4-octet AS_PATH by trying both. No ADD-PATH, so no MarshallingOption.
func GoBGPWalk(bodies [][]byte, s *Stats) error {
	for _, body := range bodies {
		h := &bgp.BGPHeader{Len: uint16(bgp.BGP_HEADER_LENGTH + len(body)), Type: bgp.BGP_MSG_UPDATE}
		msg, err := bgp.ParseBGPBody(h, body)
		if err != nil {
			return err
		}
		u := msg.Body.(*bgp.BGPUpdate)
		s.Updates++
		for _, a := range u.PathAttributes {
			s.Attrs++
			s.Sum += int(a.GetFlags())
			switch a := a.(type) {
			case *bgp.PathAttributeMpReachNLRI:
				gobgpPrefixes(a.Value, s)
			case *bgp.PathAttributeMpUnreachNLRI:
				gobgpPrefixes(a.Value, s)
			}
		}
		for _, p := range u.WithdrawnRoutes {
			s.Prefixes++
			s.Sum += int(p.Length)
		}
		for _, p := range u.NLRI {
			s.Prefixes++
			s.Sum += int(p.Length)
		}
	}
	return nil
}

func gobgpPrefixes(ps []bgp.AddrPrefixInterface, s *Stats) {
	for _, p := range ps {
		s.Prefixes++
		switch p := p.(type) {
		case *bgp.IPAddrPrefix:
			s.Sum += int(p.Length)
		case *bgp.IPv6AddrPrefix:
			s.Sum += int(p.Length)
		}
	}
}
