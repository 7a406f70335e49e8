package yang

import (
	"io/fs"
	"testing"
)

// FuzzLoad feeds module text to the loader, as a plugin would: Add and Load
// return errors, never panic, and a loaded tree can be walked and printed.
func FuzzLoad(f *testing.F) {
	files, _ := fs.Glob(CoreFS(), "*.yang")
	for _, name := range files {
		b, _ := fs.ReadFile(CoreFS(), name)
		f.Add(string(b))
	}
	f.Add(testPlugin)
	f.Add("module x { namespace urn:x; prefix x; choice c { leaf a { type string; } } }")
	f.Fuzz(func(t *testing.T, text string) {
		l := NewLoader()
		if err := l.Add("fuzz.yang", []byte(text)); err != nil {
			return
		}
		tr, err := l.Load()
		if err != nil {
			return
		}
		var walk func(n *Node)
		walk = func(n *Node) {
			for _, c := range n.Children() {
				_ = c.Path()
				c.Inherited()
				if ty := c.Type(); ty != nil {
					_ = ty.String()
					ty.Enums()
					ty.Union()
				}
				walk(c)
			}
		}
		walk(tr.Root())
		_ = WriteTree(discard{}, tr, tr.Root())
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
