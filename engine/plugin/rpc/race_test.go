//go:build race

package rpc

// raceEnabled: under the race detector sync.Pool drops items at random, so
// encoding/json's pooled scanner allocates and allocation counts mean
// nothing.
const raceEnabled = true
