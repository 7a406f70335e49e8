package config

import (
	"os"
	"sync"
	"testing"

	"github.com/zebgp/ze/yang"
)

// coreSchema returns the schema of the core modules.
func coreSchema(t testing.TB) *yang.Tree {
	t.Helper()
	y, err := yang.Core()
	if err != nil {
		t.Fatal(err)
	}
	return y
}

var loadTestSchema = sync.OnceValues(func() (*yang.Tree, error) {
	text, err := os.ReadFile("testdata/ze-cfgtest.yang")
	if err != nil {
		return nil, err
	}
	l := yang.NewLoader()
	if err := l.Add("ze-cfgtest.yang", text); err != nil {
		return nil, err
	}
	return l.Load()
})

// testSchema returns the core modules with testdata/ze-cfgtest.yang, whose
// container cfgtest has the types and statements the core does not use.
func testSchema(t testing.TB) *yang.Tree {
	t.Helper()
	y, err := loadTestSchema()
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// mustParse parses src (any form) with the test schema and fails on error.
func mustParse(t testing.TB, src string) *Tree {
	t.Helper()
	tr, err := Parse(testSchema(t), []byte(src), Options{File: "test.conf"})
	if err != nil {
		t.Fatalf("parse:\n%s\nerrors:\n%v", src, err)
	}
	return tr
}

// errorText returns the errors of err one per line ("" for none).
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error() + "\n"
}
