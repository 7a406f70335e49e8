package wire_test

import (
	"path/filepath"
	"testing"

	"github.com/zebgp/ze/bgp/mrt"
	"github.com/zebgp/ze/bgp/wire"
)

// TestIterateAllocs: walking an UPDATE (every attribute, every prefix,
// MP_REACH/MP_UNREACH included) allocates nothing, for one realistic
// UPDATE and for a whole pass over the benchmark corpus.
func TestIterateAllocs(t *testing.T) {
	bodies := loadUpdates(t)
	ctx := wire.NewContext(true, false)

	// The first UPDATE of the stream: ORIGIN, AS_PATH, NEXT_HOP, MED,
	// LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST, COMMUNITY and a run of
	// prefixes starting 0.0.0.0/0, 178.215.220.0/22 (bgpdump).
	one := bodies[0]
	var s walkStats
	if err := iterateUpdate(one, ctx, &s); err != nil {
		t.Fatal(err)
	}
	if s.attrs != 8 || s.prefixes < 2 {
		t.Fatalf("first UPDATE: got %d attributes, %d prefixes; want 8 and a run of prefixes", s.attrs, s.prefixes)
	}
	if a := testing.AllocsPerRun(1000, func() {
		if err := iterateUpdate(one, ctx, &s); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("one UPDATE: got %.2f allocs, want 0", a)
	}

	// An UPDATE with MP_REACH_NLRI (IPv6) from the 40-peer file: its first
	// record, 2804:14d::/40 from AS 59689 (bgpdump).
	mp := firstUpdate(t, "bgpdump__updates.20160811.1600.gz")
	s = walkStats{}
	if err := iterateUpdate(mp, ctx, &s); err != nil || s.prefixes != 1 || s.attrs != 4 {
		t.Fatalf("MP_REACH UPDATE: got %+v, %v; want 4 attributes, 1 prefix", s, err)
	}
	if a := testing.AllocsPerRun(1000, func() {
		if err := iterateUpdate(mp, ctx, &s); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("MP_REACH UPDATE: got %.2f allocs, want 0", a)
	}

	runs := 5
	if testing.Short() {
		runs = 1
	}
	s = walkStats{}
	if a := testing.AllocsPerRun(runs, func() {
		if err := iterateAll(bodies, ctx, &s); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("corpus pass: got %.2f allocs, want 0", a)
	}
	if passes := runs + 1; s.updates != passes*89679 || s.prefixes != passes*577740 {
		t.Errorf("corpus pass: got %d updates, %d prefixes over %d passes; want 89,679 and 577,740 each",
			s.updates, s.prefixes, passes)
	}
}

// TestEncodeAllocs: building the UPDATEs for a batch of prefixes with a
// reused builder allocates nothing, and every message decodes back to the
// same prefixes in order.
func TestEncodeAllocs(t *testing.T) {
	attrs, nh, nlri := encodeInput(10_000)
	ctx := wire.NewContext(true, false)
	ub := wire.NewUpdateBuilder(ctx)
	defer ub.Release()
	var msgs, off int
	var decodeErr error
	emit := func(msg []byte) error {
		msgs++
		u, err := wire.ParseUpdateMessage(msg, ctx)
		if err != nil {
			decodeErr = err
			return err
		}
		it := u.NLRIIter()
		for n, ok := it.Next(); ok; n, ok = it.Next() {
			if off+len(n.Bytes) > len(nlri) || string(n.Bytes) != string(nlri[off:off+len(n.Bytes)]) {
				decodeErr = errMismatch
				return decodeErr
			}
			off += len(n.Bytes)
		}
		return it.Err()
	}
	if err := ub.Announce(wire.IPv4Unicast, attrs, nh, nlri, emit); err != nil || decodeErr != nil {
		t.Fatalf("announce: %v, decode: %v", err, decodeErr)
	}
	// 4096-byte messages: 19 header + 4 lengths + 38 attributes + 7 NEXT_HOP
	// leave 4028 bytes, 1007 /24s per message.
	if off != len(nlri) || msgs != 10 {
		t.Fatalf("got %d of %d NLRI bytes back in %d messages, want all in 10", off, len(nlri), msgs)
	}
	if a := testing.AllocsPerRun(100, func() {
		off = 0
		if err := ub.Announce(wire.IPv4Unicast, attrs, nh, nlri, emit); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("announce 10,000 prefixes: got %.2f allocs, want 0", a)
	}
}

type mismatchError struct{}

func (mismatchError) Error() string { return "decoded NLRI differ from the encoded ones" }

var errMismatch error = mismatchError{}

// firstUpdate returns a copy of the body of the first UPDATE of an MRT file.
func firstUpdate(t *testing.T, name string) []byte {
	t.Helper()
	r, err := mrt.Open(filepath.Join(corpusDir, "mrt", name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err != nil {
			t.Fatalf("%s: no UPDATE: %v", name, err)
		}
		m, err := rec.BGP4MP()
		if err == nil && m.Message != nil && wire.MsgType(m.Message[18]) == wire.MsgUpdate {
			return append([]byte(nil), m.Message[wire.HeaderLen:]...)
		}
	}
}
