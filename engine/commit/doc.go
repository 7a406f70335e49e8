// Package commit is the engine's commit coordinator: it carries a
// configuration change to the components that own the changed subtrees, in
// two phases, and publishes each phase and the outcome on the hub.
//
// Owners register the subtree they own (Register): the BGP subsystem "bgp",
// the plugin host "plugin", a plugin the top-level nodes of its YANG module
// ("ze-example-counter:"). A commit (Commit, or Verify then Apply) is a
// Request: the revision, the changed schema paths, the old and new
// configurations as opaque values (the engine does not know the config
// types: cdb's trees for internal owners) and Render, which gives an
// owner's subtree as RFC 7951 JSON (for plugins, which take JSON).
//
//   - verify: every owner of a changed subtree is asked, all at once; any may
//     veto with an error that reaches the user (a *VetoError naming it). An
//     owner that does not answer within Config.VerifyTimeout vetoes.
//   - apply: the owners reconcile, one after the other in registration
//     order. An apply that fails or times out gives the old configuration
//     back to the owners that had been given the new one (the failing one
//     included), the last first, and the commit fails with an *ApplyError
//     naming the owner and carrying its message.
//
// Every phase is published on TopicVerify and TopicApply as a *PhaseEvent,
// and the outcome on TopicResult as a *ResultEvent, so the CLI and plugins
// can watch commits. Give the "commit" prefix a DropOldest policy in the hub
// so that a slow watcher never holds up a commit; a publication that cannot
// be queued within a second is dropped and logged.
//
// The package imports only the hub: cdb drives it through an adapter
// (cdb/fanout.go) that registers one cdb.Applier forwarding every commit
// here, and the plugin host registers each plugin that declares a module
// (engine/plugin/host). docs/commit.md shows the wiring.
package commit
