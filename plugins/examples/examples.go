// Package examples holds the example plugins: counter (Go, built into ze by
// importing this package) and counter.py (Python, embedded here with its YANG
// module so that `ze plugin sdk python DIR` can write it out).
package examples

import (
	"embed"

	_ "github.com/zebgp/ze/plugins/examples/counter" // registers the built-in counter
	"github.com/zebgp/ze/plugins/sdk"
)

// Python holds counter.py and its module, ze-example-counter-py.yang.
//
//go:embed counter.py ze-example-counter-py.yang
var Python embed.FS

// PythonYANG is the module of counter.py, shipped with ze so that its
// config (counter-py { label …; }) is in the schema before it runs.
//
//go:embed ze-example-counter-py.yang
var PythonYANG string

func init() { sdk.ShipYANG("counter-py", PythonYANG) }
