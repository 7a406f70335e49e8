package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenInputs returns the configurations of testdata/golden: NAME.conf
// (hierarchical), NAME.set (set form), NAME.json (RFC 7951).
func goldenInputs(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, ext := range []string{"conf", "set", "json"} {
		m, err := filepath.Glob("testdata/golden/*." + ext)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("%d golden configurations, want at least 30", len(files))
	}
	return files
}

// goldenOutput is what a golden file holds for a configuration: its errors
// (parse and validation) and its canonical text.
func goldenOutput(t *testing.T, file string, src []byte) ([]byte, *Tree) {
	tr, err := Load(testSchema(t), src, Options{File: filepath.Base(file)})
	var b bytes.Buffer
	b.WriteString("--- errors\n")
	b.WriteString(errorText(err))
	b.WriteString("--- text\n")
	b.Write(tr.Text())
	return b.Bytes(), tr
}

// Every configuration of testdata/golden gives the errors and the canonical
// text of its .golden file (go test -run TestGolden -update rewrites them),
// and its tree survives every printer: the hierarchical text, the set form
// and JSON each read back to an Equal tree, and printing is idempotent.
func TestGolden(t *testing.T) {
	for _, file := range goldenInputs(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, tr := goldenOutput(t, file, src)
			golden := file + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: got\n%s\nwant\n%s", file, got, want)
			}
			roundTrip(t, tr)
		})
	}
}

// roundTrip checks that tr reads back Equal from each of its forms.
func roundTrip(t *testing.T, tr *Tree) {
	t.Helper()
	for _, f := range []Format{Hierarchical, SetForm, JSON} {
		if f == SetForm && hasCaseConflict(tr) {
			continue // set replaces the other cases of a choice: such a tree has no set form
		}
		out, err := tr.Format(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		back, err := Parse(tr.Schema(), out, Options{Format: f})
		if err != nil {
			t.Fatalf("%s: reading back:\n%s\nerrors:\n%v", f, out, err)
		}
		if !back.Equal(tr) {
			t.Fatalf("%s: read back a different tree:\n%s\nprinted:\n%s\nwant:\n%s", f, out, back.Text(), tr.Text())
		}
		if again, _ := back.Format(f); !bytes.Equal(again, out) {
			t.Fatalf("%s: printing is not idempotent:\n%s\nthen\n%s", f, out, again)
		}
	}
}

// hasCaseConflict reports whether tr has nodes of two cases of one choice.
func hasCaseConflict(tr *Tree) bool {
	err := tr.Validate()
	return err != nil && strings.Contains(err.Error(), "in different cases")
}
