// Package all imports every plugin built into ze: the one place that does
// (DESIGN.md). The binary imports it; deleting a plugin's folder and its line
// here leaves a ze that builds and passes its tests.
package all

import (
	_ "github.com/zebgp/ze/plugins/examples" // the example counters: counter (Go) and counter-py's module
)
