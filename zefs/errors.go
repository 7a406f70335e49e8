package zefs

import (
	"errors"
	"fmt"
)

// The errors a Store returns wrap one of these, so that callers can test them
// with errors.Is. Every returned error starts with "zefs: " and names the
// store or key it is about.
var (
	// ErrNotFound: no entry has the key.
	ErrNotFound = errors.New("key not found")
	// ErrInvalidKey: the key breaks the rules of ValidKey.
	ErrInvalidKey = errors.New("invalid key")
	// ErrTooLarge: the value is longer than MaxValueLen.
	ErrTooLarge = errors.New("value too large")
	// ErrNotStore: the file does not start with the ZeFS header frame.
	ErrNotStore = errors.New("not a zefs store")
	// ErrLocked: another process has the store open (for writing, or for
	// reading when this open wants to write).
	ErrLocked = errors.New("store is in use by another process")
	// ErrReadOnly: a write on a store opened with Options.ReadOnly.
	ErrReadOnly = errors.New("store is open read-only")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store is closed")
	// ErrFailed: an earlier write failed part-way, so the store refuses
	// further writes; reads still work. Close and open it again: opening
	// repairs what the failed write left.
	ErrFailed = errors.New("store refuses writes after a failed write")
	// ErrUnrepairable: open for writing found damage it cannot cut away
	// without risking good records; open it read-only to copy what is left.
	ErrUnrepairable = errors.New("damage too extensive to repair")

	// ErrChecksum: a record's CRC-32C does not match its bytes.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrFrame: bytes that are not a well-formed netcapstring or record.
	ErrFrame = errors.New("malformed frame")
	// ErrTruncated: the file ends inside a frame.
	ErrTruncated = errors.New("truncated frame")
)

// Unexported aliases keep the parsers short.
var (
	errFrame     = ErrFrame
	errTruncated = ErrTruncated
)

// Damage describes bytes that open could not read as a record and skipped.
// They are never returned as data; compaction drops them.
type Damage struct {
	Offset int64 // file offset of the first skipped byte
	Length int64 // number of bytes skipped
	// Err says why: it wraps ErrChecksum, ErrFrame or ErrTruncated.
	Err error
	// Removed is true when these bytes were the end of the file and an open
	// for writing cut them off (truncate), so that new records append after
	// the last good one.
	Removed bool
}

// String returns a one-line description, as the ze data command prints it.
func (d Damage) String() string {
	s := fmt.Sprintf("offset %d: %d bytes skipped: %v", d.Offset, d.Length, d.Err)
	if d.Removed {
		s += " (cut from the end of the file)"
	}
	return s
}
