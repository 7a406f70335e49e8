// Package zefs will be ZeFS, a single-file store of named, hierarchical blobs
// framed as netcapstrings (draft-mangin-netcapstring), read zero-copy through
// mmap and updated in place. It holds SSH host keys, the hub TLS material,
// imported files, config archives, the factory default and route persistence.
package zefs
