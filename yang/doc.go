// Package yang will hold the YANG modules of the core (types, system, bgp,
// plugin, rpc), the schema loader built on goyang, and the ygot-generated Go
// bindings (*_gen.go) that typed config readers use. The CLI grammar,
// completion, help, config parsing, validation and RPC names all come from
// these modules.
package yang
