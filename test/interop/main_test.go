package interop

import (
	"os"
	"testing"

	"github.com/zebgp/ze/test/interop/harness"
)

// TestMain removes the ze binary the harness built for the run.
func TestMain(m *testing.M) {
	code := m.Run()
	harness.RemoveBuilt()
	os.Exit(code)
}
