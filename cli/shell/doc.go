// Package shell is the command interpreter of ze's shell, apart from any
// terminal: a Shell runs command lines in operational or configure mode,
// completes them (TAB) and explains what may come next (?), from a grammar
// of its own commands, the commands components register in Ops, and the
// YANG schema for every configuration path.
//
//	sh := shell.New(shell.Env{DB: db, Schema: y, User: "alice", Class: shell.SuperUser})
//	err := sh.Run(ctx, "configure", w)
//	err = sh.Run(ctx, "set bgp group g peer p hold-time 90", w)
//	err = sh.Run(ctx, "show | compare", w)
//	line, pos, list := sh.Complete("show conf", 9) // "show configuration ", 19, nil
//	items := sh.Help("set bgp group g peer p hold-time ")
//	fmt.Print(shell.FormatError(line, err, len(prompt))) // the caret under the failing word
//
// Paths in configure mode are relative to the edit level. Pipes (| match,
// except, count, display set|json, compare, no-more) apply to every
// command. docs/shell.md describes the commands for the user.
package shell
