package reactor

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/mrt"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
)

// mrtUpdates reads the UPDATEs of a 4-octet AS, non-ADD-PATH BGP4MP stream
// of the shared corpus (a missing corpus fails the test).
func mrtUpdates(tb testing.TB, name string) (msgs [][]byte, prefixes int) {
	tb.Helper()
	p := filepath.Join("../../../shared/corpus/mrt", name)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("corpus: %v", err)
	}
	r, err := mrt.Open(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	ctx := wire.NewContext(true, false)
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		m, err := rec.BGP4MP()
		if err != nil || !m.Subtype.IsMessage() || !m.Subtype.IsAS4() || m.Subtype.IsAddPath() || len(m.Message) < wire.HeaderLen || m.Message[18] != byte(wire.MsgUpdate) {
			continue
		}
		u, err := wire.ParseUpdateMessage(m.Message, ctx)
		if err != nil {
			continue
		}
		n, _ := u.NLRIIter().Count()
		w, _ := u.WithdrawnIter().Count()
		if mp, ok, err := u.MPReach(); ok && err == nil {
			c, _ := mp.Iter(ctx).Count()
			n += c
		}
		if mp, ok, err := u.MPUnreach(); ok && err == nil {
			c, _ := mp.Iter(ctx).Count()
			w += c
		}
		prefixes += n + w
		msgs = append(msgs, append([]byte(nil), m.Message...))
	}
	if len(msgs) == 0 {
		tb.Fatalf("%s: no UPDATE read", name)
	}
	return msgs, prefixes
}

// BenchmarkReceiveMRT replays the UPDATEs of a real update stream through
// one peer's receive path (parse, counting into the set of
// received routes, publish to a subscriber that takes each event) and
// reports NLRI (announced and withdrawn) per second.
func BenchmarkReceiveMRT(b *testing.B) {
	msgs, prefixes := mrtUpdates(b, "bgpdump__updates.20160811.1600.gz")
	p, sub := recvPeer(b)
	p.in.setLimits(&PeerConfig{Name: "east"}) // no limit: the stream mixes peers
	// The session's verdicts: it checked each UPDATE before the reactor.
	verdicts := make([]attr.Verdict, len(msgs))
	for i, m := range msgs {
		verdicts[i] = sessionVerdict(b, m)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i, m := range msgs {
			p.receive(m, &verdicts[i])
			if _, err := sub.Receive(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(prefixes)*float64(b.N)/b.Elapsed().Seconds(), "nlri/s")
	b.ReportMetric(float64(len(msgs)), "updates/op")
}

func TestReceiveMRT(t *testing.T) {
	msgs, prefixes := mrtUpdates(t, "bgpdump__updates.20160811.1600.gz")
	p, sub := recvPeer(t)
	p.in.setLimits(&PeerConfig{Name: "east"})
	for _, m := range msgs {
		p.receive(m, nil)
		if _, ok := sub.TryReceive(); !ok {
			t.Fatal("no event for an UPDATE")
		}
	}
	d := p.detail(time.Now())
	var got uint64
	for _, f := range d.Families {
		got += f.Received + f.Withdrawn
	}
	if d.UpdatesReceived != uint64(len(msgs)) || got != uint64(prefixes) {
		t.Errorf("%d updates, %d NLRI counted; want %d and %d", d.UpdatesReceived, got, len(msgs), prefixes)
	}
}
