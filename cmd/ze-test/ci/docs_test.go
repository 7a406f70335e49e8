package ci

import (
	"os"
	"strings"
	"testing"
)

// TestDocExamplesParse keeps the .ci examples of docs/testing.md valid.
func TestDocExamplesParse(t *testing.T) {
	src, err := os.ReadFile("../../../docs/testing.md")
	if err != nil {
		t.Fatalf("docs/testing.md: %v", err)
	}
	blocks := strings.Split(string(src), "```")
	n := 0
	for i := 1; i < len(blocks); i += 2 {
		block := strings.TrimPrefix(blocks[i], "\n")
		first := strings.Fields(block)
		if len(first) == 0 || (first[0] != "#" && first[0] != "run" && first[0] != "file") {
			continue
		}
		n++
		if _, err := Parse("docs/testing.md", []byte(block), testLookup); err != nil {
			t.Errorf("example %d does not parse: %v\n%s", n, err, block)
		}
	}
	if n < 4 {
		t.Errorf("found %d .ci examples in docs/testing.md, want at least 4", n)
	}
}
