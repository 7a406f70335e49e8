// Package python holds the Python helper module of ze plugins, zeplugin.py
// (standard library only), embedded so that `ze plugin sdk python DIR` can
// write it out where no source tree is at hand.
package python

import _ "embed" // the module

// Module is the text of zeplugin.py.
//
//go:embed zeplugin.py
var Module []byte
