// Package zefs is ZeFS: a store of named blobs in one file, each blob a
// netcapstring frame (draft-mangin-netcapstring). It holds SSH host keys,
// the hub's TLS material, imported files, config archives, the factory
// default and route persistence.
//
// Keys are hierarchical, "ssh/host-key" or "config/archive/3" (see
// ValidKey). Get reads without copying through a read-only mmap of the
// file; Put rewrites an entry in place when the new value fits the
// capacity its frame reserved, and otherwise appends a new frame and marks
// the old one free; Compact rewrites the file without the free frames.
//
// Every record carries a CRC-32C bound to its position in the file, so a
// torn write or a damaged byte is found when the store is opened: the
// record is skipped and reported by Damage, never returned as data.
//
// A Store is safe for use by many goroutines. One process at a time may
// open a store for writing (an exclusive flock), or any number for reading.
//
// docs/zefs.md describes the file format, the guarantees and the
// `ze data` command.
package zefs
