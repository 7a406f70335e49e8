// Package cdb is the config database of ze: the running configuration and
// the candidates that sessions edit, kept in a bbolt file in the state
// directory (DIR/cdb.db), with commit, commit check, commit confirmed,
// rollback, history and compare.
//
//	db, err := cdb.Open("/var/lib/ze", cdb.Options{Schema: y, Factory: factoryDefault})
//	s, err := db.Session(cdb.SessionOptions{User: "alice"}) // a private candidate
//	s.Set([]string{"bgp", "group", "g", "peer", "p", "hold-time", "90"})
//	s.Compare()                                             // candidate vs running, as "show | compare"
//	rev, err := s.Commit(cdb.CommitOptions{Comment: "longer hold time"})
//	s.Rollback(1)                                           // the config before, into the candidate
//
// A commit validates the candidate (package cdb/config: YANG and the
// validators components register), hands the changes to the registered
// Appliers (verify, then apply), and only then makes the candidate the
// running configuration and appends a history entry, in one bbolt write
// transaction. docs/cdb.md describes the datastores, sessions and locks,
// the commit semantics, the on-disk layout and the crash guarantees.
package cdb
