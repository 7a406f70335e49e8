// Package cli will hold the user-facing front ends: the SSH server, the login
// shell with its operational and configure modes, completion from YANG, output
// pipes, the TUI config editor (bubbletea), and the NETCONF-like RPC
// subsystem.
package cli
