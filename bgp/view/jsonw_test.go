package view

import (
	"encoding/json"
	"testing"
)

func TestWriter(t *testing.T) {
	var w W
	w.Open('{')
	w.Key("name")
	w.Str("a \"quoted\"\n\\ é \x01")
	w.Key("list")
	w.Open('[')
	w.Uint(1)
	w.Int(-2)
	w.Bool(true)
	w.Hex([]byte{0xde, 0xad})
	w.Text(func(b []byte) []byte { return append(b, "10.0.0.0/24"...) })
	w.Text(func(b []byte) []byte { return append(b, "tab\there"...) })
	w.Open('{')
	w.Close('}')
	w.Close(']')
	w.Key("raw")
	w.Raw([]byte(`{"x":1}`))
	w.Key("bad-utf8")
	w.StrBytes([]byte{'a', 0xff})
	w.Close('}')
	want := `{"name":"a \"quoted\"\n\\ é \u0001","list":[1,-2,true,"DEAD","10.0.0.0/24","tab\there",{}],"raw":{"x":1},"bad-utf8":"a\ufffd"}`
	if got := string(w.B); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if !json.Valid(w.B) {
		t.Fatal("not valid JSON")
	}
}
