//go:build race

package host

// raceEnabled: the race detector makes sync.Pool drop items, so json.Compact
// allocates its scanner now and then; allocation tests skip.
const raceEnabled = true
