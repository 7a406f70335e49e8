// Package tui is the configuration editor of ze: a full-screen terminal
// program (bubbletea, bubbles, lipgloss) over the candidate of a
// cdb.Session. It shows the candidate as a tree with folding, edits leaves
// inline with completion and help from the YANG schema, adds, deletes,
// deactivates, annotates and renames nodes, checks the candidate as it
// goes and marks the nodes in error, previews the diff against running,
// and commits (with a comment, or confirmed) or discards.
//
// Every change goes through the cdb.Session API, the same one the shell
// uses: the editor keeps no configuration of its own, only a copy of the
// candidate to draw, refreshed after each edit.
//
// `ze config edit` runs it on a private session in the terminal; the SSH
// shell's `edit` command runs it over the session's pty with Run.
package tui
