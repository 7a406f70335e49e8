package yang

import (
	"embed"
	"io/fs"
	"sync"
)

// modulesFS holds the core modules. Every module in modules/ is a core
// module: it is loaded by NewLoader and gets ygot structs.
//
//go:embed modules/*.yang
var modulesFS embed.FS

// coreOrder is the order of the top-level nodes of the core modules, the
// order in which a whole configuration is printed. ze-types defines no
// data nodes.
var coreOrder = []string{"ze-types", "ze-system", "ze-environment", "ze-bgp", "ze-plugin"}

// CoreFS returns the folder of the core modules: one NAME.yang per module.
func CoreFS() fs.FS {
	sub, err := fs.Sub(modulesFS, "modules")
	if err != nil {
		panic("yang: embedded modules: " + err.Error()) // cannot happen: the folder is embedded
	}
	return sub
}

var loadCore = sync.OnceValues(func() (*Tree, error) { return NewLoader().Load() })

// Core returns the tree of the core modules, loaded on first use and shared:
// callers must not change it.
func Core() (*Tree, error) { return loadCore() }
