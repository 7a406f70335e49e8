// Package wire is ze's BGP wire layer: message framing, the encoding context,
// address families and the NLRI codec registry, the lazy WireUpdate view over
// UPDATE bytes, and the UPDATE builder.
//
// Messages stay bytes. Decoding is lazy: accessors return sub-slices of the
// message and iterators yield one element at a time without allocating.
// Encoders write into caller-provided, bounded buffers
// (WriteTo(buf []byte, off int) int) and fill variable-length fields by
// skip-and-backfill.
//
// Typed attributes live in wire/attr, capabilities in wire/capability and the
// OPEN, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH messages in wire/message.
package wire
