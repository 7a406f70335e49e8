package mrt_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/zebgp/ze/bgp/mrt"
)

// FuzzReader feeds arbitrary bytes to the streaming reader and to
// ParseRecord. Neither may panic, both must agree record by record, and
// every view of every record must decode or fail cleanly.
//
//	go test -fuzz FuzzReader ./bgp/mrt/
func FuzzReader(f *testing.F) {
	for _, name := range smallFiles {
		f.Add(readCorpus(f, name))
	}
	// The head of each large file: BGP4MP_ET, 4-octet AS, IPv6 and a
	// RIB record over 64 KiB.
	for _, name := range []string{
		"bgpdump__updates.et-header.2015.gz",
		"bgpdump__updates.20160811.1600.gz",
	} {
		f.Add(readCorpus(f, name)[:8192])
	}
	f.Add(readCorpus(f, "bgpdump__bview.64k_stream_overflow.gz"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := mrt.NewReader(bytes.NewReader(data))
		r.MaxRecordLen = 1 << 20
		off := 0
		for {
			rec, err := r.Next()
			want, n, perr := mrt.ParseRecord(data[off:])
			if errors.Is(err, io.EOF) {
				if off != len(data) {
					t.Fatalf("reader at EOF with %d bytes left", len(data)-off)
				}
				return
			}
			if (err != nil) != (perr != nil) {
				t.Fatalf("record %d: reader error %v, ParseRecord error %v", r.Count()+1, err, perr)
			}
			if err != nil {
				if _, again := r.Next(); !errors.Is(again, err) {
					t.Fatalf("error not sticky: %v then %v", err, again)
				}
				return
			}
			if rec.Header != want.Header || !bytes.Equal(rec.Data, want.Data) {
				t.Fatalf("record %d: reader %+v, ParseRecord %+v", r.Count(), rec.Header, want.Header)
			}
			off += n
			_ = walkRecord(&rec)
			if m, err := rec.BGP4MP(); err == nil && m.Subtype.IsMessage() && len(m.Message) < 19 {
				t.Fatalf("BGP4MP message of %d bytes accepted", len(m.Message))
			}
		}
	})
}
