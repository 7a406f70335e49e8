// Package route parses the route commands that announce and withdraw routes
// and turns them into UPDATE messages through wire.UpdateBuilder. The same
// grammar serves `ze bgp encode`, the CLI and plugins:
//
//	update text origin set igp nhop set 192.0.2.1 as-path set [65001 65002]
//	    community set [no-export 65000:100] nlri ipv4/unicast add 10.0.0.0/24
//	update hex attr set 40010100 nhop set 192.0.2.1 nlri ipv4/unicast add 180A0000
//
// docs/route-grammar.md is the reference.
package route
