package ci

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzParse checks that no .ci text makes the parser panic, and that a file
// that parses has at least one run step.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.ci")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("run ze \"a\\\"b\" 'c' $PORT ${TMP}\njson 'path=a[\"b\"][-1]' value='{\"x\":1}'\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		tst, err := Parse("fuzz.ci", src, testLookup)
		if err != nil {
			return
		}
		if !slices.ContainsFunc(tst.Actions, func(a *Action) bool { return a.Kind == KindRun }) {
			t.Errorf("parsed without a run step: %q", src)
		}
	})
}

// FuzzParsePath checks that a parsed path prints back to text that parses to
// the same path.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"a.b[0].c", `x["1.2"][-1]`, "[3]", "a-b.c/d", `["a\"]"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		text := FormatPath(p)
		q, err := ParsePath(text)
		if err != nil {
			t.Fatalf("ParsePath(%q) = %+v, printed %q, which does not parse: %v", s, p, text, err)
		}
		if !slices.Equal(p, q) {
			t.Fatalf("ParsePath(%q) = %+v, printed %q, parsed again %+v", s, p, text, q)
		}
	})
}
