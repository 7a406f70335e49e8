// Package cdb will be the config database: running and per-session candidate
// datastores in bbolt, sessions and locks, commit, commit check, commit
// confirmed, rollback, history and compare. The config text syntax (the
// hierarchical, set and JSON forms), the data tree and validation against
// the YANG schema are package cdb/config.
package cdb
