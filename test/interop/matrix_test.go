package interop

import (
	"strings"
	"testing"
)

func TestMatrixWrite(t *testing.T) {
	m := NewMatrix([]string{"establish-v4", "md5"})
	m.Set("ze", "bird", "establish-v4", Result{Status: StatusPass})
	m.Set("ze", "bird", "md5", Result{Status: StatusFail, Detail: "session\nnot established"})
	m.Set("ze", "exabgp", "establish-v4", Result{Status: StatusNA, Detail: "why"})
	var b strings.Builder
	m.Write(&b, []string{"ze"}, []string{"bird", "exabgp"})
	want := "speaker under test: ze\n" +
		"peer    establish-v4  md5\n" +
		"bird    ok            FAIL\n" +
		"exabgp  n/a           -\n" +
		"  bird × md5: FAIL: session not established\n" +
		"  exabgp × establish-v4: n/a: why\n\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
