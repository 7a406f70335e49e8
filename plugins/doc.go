// Package plugins is the parent of ze's plugins, one folder each (rib, rs,
// gr, rpki, flowspec, evpn, …). plugins/all will be the only package that
// imports them all, and plugins/sdk the public SDK for external plugins;
// deleting a plugin's folder and its line in plugins/all must leave a binary
// that builds and passes its tests.
package plugins
