package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse reads any text in any form: no input makes the parsers, the
// validation or the printers panic, and a text that parses without error
// prints (in each form) to a text that parses to an Equal tree. The seeds
// are the configurations of testdata/golden.
func FuzzParse(f *testing.F) {
	y := testSchema(f)
	for _, file := range goldenInputs(f) {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		form := map[string]Format{".conf": Hierarchical, ".set": SetForm, ".json": JSON}[filepath.Ext(file)]
		f.Add(src, uint8(form))
	}
	f.Fuzz(func(t *testing.T, src []byte, form uint8) {
		tr, err := Parse(y, src, Options{Format: Format(form % 4), MaxErrors: 20})
		_ = tr.Validate()
		_ = Compare(New(y), tr)
		if bgp := tr.Root().Child("bgp"); bgp != nil && !bgp.Inactive() {
			if groups := bgp.Child("group"); groups != nil {
				for _, g := range groups.Children() {
					if _, err := EffectiveTree(tr, g.Path()); err != nil && !g.Inactive() {
						t.Fatalf("EffectiveTree(%s): %v", g.PathString(), err)
					}
				}
			}
		}
		if err != nil {
			return
		}
		roundTrip(t, tr)
	})
}
