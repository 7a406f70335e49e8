package wire_test

import (
	"encoding/binary"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zebgp/ze/bgp/mrt"
	"github.com/zebgp/ze/bgp/wire"
)

// benchFile is the realistic receive workload: one peer's full IPv4 table
// as an UPDATE stream (89,679 UPDATEs, 577,740 prefixes, 4-octet AS).
const benchFile = "bgpdump__updates.et-header.2015.gz"

var corpusUpdates struct {
	once   sync.Once
	bodies [][]byte
	err    error
}

// loadUpdates returns the body (after the 19-byte header) of every UPDATE
// of benchFile, read once per test binary. The bodies share one backing
// array, the way messages sit in a receive buffer.
func loadUpdates(tb testing.TB) [][]byte {
	tb.Helper()
	c := &corpusUpdates
	c.once.Do(func() {
		path := filepath.Join(corpusDir, "mrt", benchFile)
		r, err := mrt.Open(path)
		if err != nil {
			c.err = err
			return
		}
		defer r.Close()
		arena := make([]byte, 0, 24<<20)
		var spans [][2]int
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				c.err = err
				return
			}
			m, err := rec.BGP4MP()
			if err != nil {
				c.err = err
				return
			}
			if m.Message == nil || wire.MsgType(m.Message[18]) != wire.MsgUpdate {
				continue
			}
			spans = append(spans, [2]int{len(arena), len(arena) + len(m.Message) - wire.HeaderLen})
			arena = append(arena, m.Message[wire.HeaderLen:]...)
		}
		c.bodies = make([][]byte, len(spans))
		for i, s := range spans {
			c.bodies[i] = arena[s[0]:s[1]:s[1]]
		}
	})
	if c.err != nil {
		tb.Fatalf("loading %s (corpus expected at %s): %v", benchFile, corpusDir, c.err)
	}
	return c.bodies
}

// walkStats is what iterating UPDATEs saw; sum folds in a byte of every
// element so the compiler cannot drop the loads.
type walkStats struct {
	updates, attrs, prefixes, sum int
}

// iterateUpdate walks every attribute and every prefix (withdrawn, NLRI,
// MP_REACH, MP_UNREACH) of one UPDATE body in one pass over the attributes,
// the way a receiver does.
func iterateUpdate(body []byte, ctx *wire.EncodingContext, s *walkStats) error {
	u, err := wire.ParseUpdate(body, ctx)
	if err != nil {
		return err
	}
	s.updates++
	it := u.AttrIter()
	for a, ok := it.Next(); ok; a, ok = it.Next() {
		s.attrs++
		s.sum += int(a.Flags)
		switch a.Code {
		case wire.AttrMPReach:
			mp, err := wire.ParseMPReach(a.Value)
			if err != nil {
				return err
			}
			if err := iterateNLRI(mp.Iter(ctx), s); err != nil {
				return err
			}
		case wire.AttrMPUnreach:
			mp, err := wire.ParseMPUnreach(a.Value)
			if err != nil {
				return err
			}
			if err := iterateNLRI(mp.Iter(ctx), s); err != nil {
				return err
			}
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	if err := iterateNLRI(u.WithdrawnIter(), s); err != nil {
		return err
	}
	return iterateNLRI(u.NLRIIter(), s)
}

func iterateNLRI(it wire.NLRIIter, s *walkStats) error {
	for n, ok := it.Next(); ok; n, ok = it.Next() {
		s.prefixes++
		s.sum += int(n.Bytes[0])
	}
	return it.Err()
}

// iterateAll walks every UPDATE of bodies.
func iterateAll(bodies [][]byte, ctx *wire.EncodingContext, s *walkStats) error {
	for _, b := range bodies {
		if err := iterateUpdate(b, ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkIterateCorpus: one op is a pass over all 89,679 UPDATEs.
//
//	go test -run '^$' -bench IterateCorpus -cpu 1 ./bgp/wire/
func BenchmarkIterateCorpus(b *testing.B) {
	bodies := loadUpdates(b)
	ctx := wire.NewContext(true, false)
	var s walkStats
	b.ReportAllocs()
	for b.Loop() {
		if err := iterateAll(bodies, ctx, &s); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(s.prefixes)/sec, "prefixes/s")
	b.ReportMetric(sec*1e9/float64(s.prefixes), "ns/prefix")
	b.ReportMetric(sec*1e9/float64(s.updates), "ns/update")
}

// BenchmarkEncodePrefixes builds the UPDATEs that announce 1,000,000 IPv4
// /24 prefixes sharing one attribute set (ORIGIN, AS_PATH, MED, COMMUNITY,
// and the NEXT_HOP the builder adds). One op is the whole million.
//
//	go test -run '^$' -bench EncodePrefixes -cpu 1 ./bgp/wire/
func BenchmarkEncodePrefixes(b *testing.B) {
	attrs, nh, nlri := encodeInput(1_000_000)
	ub := wire.NewUpdateBuilder(wire.NewContext(true, false))
	defer ub.Release()
	var msgs, bytes int
	emit := func(msg []byte) error {
		msgs++
		bytes += len(msg)
		return nil
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := ub.Announce(wire.IPv4Unicast, attrs, nh, nlri, emit); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)*1e6/sec, "prefixes/s")
	b.ReportMetric(sec*1e9/(float64(b.N)*1e6), "ns/prefix")
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/op")
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/op")
}

// encodeInput returns an attribute set, a next hop and n distinct /24s
// (10.0.0.0/24, 10.0.1.0/24, …) packed as NLRI.
func encodeInput(n int) (attrs, nextHop, nlri []byte) {
	attrs = []byte{
		0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
		0x40, 0x02, 0x0E, 0x02, 0x03, // AS_PATH: AS_SEQUENCE of 3
		0x00, 0x00, 0xFD, 0xE9, 0x00, 0x00, 0x0D, 0x1C, 0x00, 0x01, 0x00, 0x00,
		0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x64, // MED 100
		0xC0, 0x08, 0x08, 0xFD, 0xE9, 0x00, 0x64, 0xFD, 0xE9, 0x00, 0xC8, // COMMUNITY
	}
	nlri = make([]byte, 0, 4*n)
	for i := range n {
		var p [4]byte
		binary.BigEndian.PutUint32(p[:], 0x0A000000+uint32(i)<<8)
		nlri = append(nlri, 24, p[0], p[1], p[2])
	}
	return attrs, []byte{192, 0, 2, 1}, nlri
}
