// Package cdb will be the config database: running and per-session candidate
// datastores in bbolt, sessions and locks, commit, commit check, commit
// confirmed, rollback, history and compare, the config text syntax (the
// hierarchical and the set forms), and validation against the YANG schema.
package cdb
