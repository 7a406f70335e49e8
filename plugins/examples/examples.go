// Package examples holds the example plugins: counter (Go, built into ze by
// importing this package) and counter.py (Python, embedded here with its YANG
// module so that `ze plugin sdk python DIR` can write it out).
package examples

import (
	"embed"

	_ "github.com/zebgp/ze/plugins/examples/counter" // registers the built-in counter
)

// Python holds counter.py and its module, ze-example-counter-py.yang.
//
//go:embed counter.py ze-example-counter-py.yang
var Python embed.FS
