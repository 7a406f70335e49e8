// Package mrt reads MRT routing information export files (RFC 6396) with
// the BGP ADD-PATH extensions of RFC 8050: BGP4MP and BGP4MP_ET update
// streams and TABLE_DUMP_V2 RIB snapshots, as written by route collectors
// (RIPE RIS, RouteViews) and by BGP daemons.
//
// The reader is built for replaying large files: it reuses one buffer for
// every record, and the views it hands out (Record, BGP4MP, PeerTable,
// RIB) are small values whose byte fields alias that buffer. Nothing is
// copied or allocated per record; a view is valid until the next call to
// Reader.Next. Iterators (PeerIter, EntryIter) yield one element at a time.
//
//	r, err := mrt.Open("updates.20160811.1600.gz")
//	if err != nil { … }
//	defer r.Close()
//	for {
//		rec, err := r.Next()
//		if err == io.EOF { break }
//		if err != nil { … }
//		if m, err := rec.BGP4MP(); err == nil && m.Subtype.IsMessage() {
//			// m.Message is the whole BGP message, 19-byte header included.
//		}
//	}
//
// Every length in a record is checked before it is used: a malformed record
// yields an error, never a panic, and a record length is checked against
// Reader.MaxRecordLen before any memory is set aside for it.
package mrt
