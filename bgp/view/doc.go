// Package view renders BGP messages as JSON and as readable text. Wire bytes
// are the source of truth (DESIGN.md, "One representation"); this package only
// reads them through the wire, attr, capability and message packages.
//
// JSON follows the project conventions: kebab-case keys, families as
// "afi/safi", raw hex in uppercase without 0x.
package view
