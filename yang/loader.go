package yang

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	goyang "github.com/openconfig/goyang/pkg/yang"
)

// Module describes one loaded module (or submodule).
type Module struct {
	Name        string // the module name, such as "ze-bgp"
	Revision    string // the latest revision date, such as "2026-11-23"; empty without one
	Namespace   string // the XML namespace (empty for a submodule)
	Prefix      string // the prefix the module uses for itself
	Description string // the module's description statement
	File        string // the file it was read from, such as "ze-bgp.yang"
	Text        string // the module source, as read
	Core        bool   // embedded in ze (not added by a plugin)
	Submodule   bool   // a submodule, part of another module
}

// A Loader collects YANG modules; Load resolves them into a Tree. A Loader
// is not safe for concurrent use.
type Loader struct {
	mods []*Module
}

// NewLoader returns a Loader that holds the core modules.
func NewLoader() *Loader {
	l := &Loader{}
	for _, name := range coreOrder {
		file := name + ".yang"
		b, err := fs.ReadFile(modulesFS, "modules/"+file)
		if err == nil {
			err = l.add(file, b, true)
		}
		if err != nil {
			panic("yang: core module " + file + ": " + err.Error()) // the embedded files are tested
		}
	}
	return l
}

// Add adds the module (or submodule) whose source is text; file names it in
// messages. The syntax is checked now, references when Load runs. Adding a
// module whose name is already present is an error.
func (l *Loader) Add(file string, text []byte) error {
	return l.add(file, text, false)
}

// AddFS adds every file of fsys that matches pattern (fs.Glob syntax, such
// as "*.yang"), in lexical order. A pattern that matches nothing is an error.
func (l *Loader) AddFS(fsys fs.FS, pattern string) error {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return fmt.Errorf("yang: %w", err)
	}
	if len(files) == 0 {
		return fmt.Errorf("yang: no module matches %q", pattern)
	}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return fmt.Errorf("yang: %w", err)
		}
		if err := l.Add(f, b); err != nil {
			return err
		}
	}
	return nil
}

func (l *Loader) add(file string, text []byte, core bool) error {
	stmts, err := goyang.Parse(string(text), file)
	if err != nil {
		return fmt.Errorf("yang: %w", err)
	}
	if len(stmts) != 1 || (stmts[0].Keyword != "module" && stmts[0].Keyword != "submodule") {
		return fmt.Errorf("yang: %s: want one module or submodule statement", file)
	}
	s := stmts[0]
	for _, m := range l.mods {
		if m.Name == s.Argument {
			return fmt.Errorf("yang: %s: module %s is already loaded from %s", file, s.Argument, m.File)
		}
	}
	l.mods = append(l.mods, &Module{Name: s.Argument, File: file, Text: string(text), Core: core, Submodule: s.Keyword == "submodule"})
	return nil
}

// Load resolves the modules (imports, groupings, augments, types) and returns
// their schema tree. The Loader can be extended and loaded again.
func (l *Loader) Load() (*Tree, error) {
	ms := goyang.NewModules()
	for _, m := range l.mods {
		if err := ms.Parse(m.Text, m.File); err != nil {
			return nil, fmt.Errorf("yang: %w", err)
		}
	}
	// goyang would look for a missing import in the working directory: refuse
	// it first, so that only the modules given are ever used.
	var errs []error
	for _, m := range l.mods {
		ast := astModule(ms, m)
		for _, imp := range ast.Import {
			if ms.Modules[imp.Name] == nil {
				errs = append(errs, fmt.Errorf("%s: module %s imports %s, which is not loaded", m.File, m.Name, imp.Name))
			}
		}
		for _, inc := range ast.Include {
			if ms.SubModules[inc.Name] == nil {
				errs = append(errs, fmt.Errorf("%s: module %s includes %s, which is not loaded", m.File, m.Name, inc.Name))
			}
		}
	}
	if len(errs) == 0 {
		errs = ms.Process()
	}
	if len(errs) > 0 {
		return nil, loadError(errs)
	}

	t := &Tree{byName: map[string]*Module{}, root: &Node{kind: Container, byName: map[string]*Node{}}}
	for _, m := range l.mods {
		ast := astModule(ms, m)
		mod := *m
		mod.Revision = ast.Current()
		mod.Prefix = ast.GetPrefix()
		if ast.Namespace != nil {
			mod.Namespace = ast.Namespace.Name
		}
		if ast.Description != nil {
			mod.Description = ast.Description.Name
		}
		t.modules = append(t.modules, &mod)
		t.byName[mod.Name] = &mod
		if mod.Submodule {
			continue // its nodes belong to the module that includes it
		}
		if err := t.addTop(goyang.ToEntry(ast), mod.Name); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func astModule(ms *goyang.Modules, m *Module) *goyang.Module {
	if m.Submodule {
		return ms.SubModules[m.Name]
	}
	return ms.Modules[m.Name]
}

// loadError joins goyang's errors into one, one per line.
func loadError(errs []error) error {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	slices.Sort(msgs)
	msgs = slices.Compact(msgs)
	return errors.New("yang: " + strings.Join(msgs, "\nyang: "))
}
