// Package config is the configuration language of ze: the data tree that
// holds a configuration, shaped by the YANG schema (package yang), and its
// three texts.
//
//	t, err := config.Load(schema, src, config.Options{File: "ze.conf"}) // parse any form, then validate
//	t.Text()                      // canonical hierarchical form
//	t.SetText()                   // set form
//	t.JSON()                      // RFC 7951 JSON
//	t.Set([]string{"bgp", "group", "g", "peer", "p", "hold-time", "90"})
//	config.Diff(old, new)         // the changes, by path
//	config.Compare(old, new)      // the same as JunOS "show | compare" prints it
//	config.Effective(t, []string{"bgp", "group", "g", "peer", "p"}) // with inheritance
//
// Nothing in the package knows a keyword: every statement is read by
// walking the schema, so a plugin's module extends the language by being
// loaded. docs/config.md describes the syntax, the canonical printing, the
// errors and inheritance.
package config
