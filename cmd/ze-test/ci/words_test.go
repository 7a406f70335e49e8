package ci

import (
	"slices"
	"strings"
	"testing"
)

func testLookup(name string) (string, bool) {
	switch name {
	case "TMP":
		return "/tmp/t1", true
	case "PORT":
		return "40179", true
	case "EMPTY":
		return "", true
	}
	return "", false
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "run ze version", []string{"run", "ze", "version"}},
		{"blanks", "  a\t\tb  ", []string{"a", "b"}},
		{"single quotes keep all", `a 'b c $TMP \n'`, []string{"a", `b c $TMP \n`}},
		{"double quotes expand", `"x $TMP y"`, []string{"x /tmp/t1 y"}},
		{"double quote escapes", `"a\"b\\c\$TMP\nd\te"`, []string{"a\"b\\c$TMP\nd\te"}},
		{"double quote keeps other backslashes", `"\d+\."`, []string{`\d+\.`}},
		{"unquoted backslash", `a\ b \$TMP \'`, []string{"a b", "$TMP", "'"}},
		{"unquoted expansion", "127.0.0.1:$PORT", []string{"127.0.0.1:40179"}},
		{"braces", "${TMP}/conf", []string{"/tmp/t1/conf"}},
		{"unknown variable kept", "$HOME ${NOPE} $", []string{"$HOME", "${NOPE}", "$"}},
		{"variable name ends at non-name", "$TMP.x $PORTS", []string{"/tmp/t1.x", "$PORTS"}},
		{"empty quoted word", `a "" ''`, []string{"a", "", ""}},
		{"empty variable still a word", "a $EMPTY b", []string{"a", "", "b"}},
		{"quotes join", `a"b"'c'd`, []string{"abcd"}},
		{"dollar digit is literal", "$1", []string{"$1"}},
		{"nothing", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitWords(tt.in, testLookup)
			if err != nil {
				t.Fatalf("splitWords(%q): %v", tt.in, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("splitWords(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitWordsErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a 'b`, "unterminated single quote"},
		{`a "b`, "unterminated double quote"},
		{`a "b\`, "unterminated double quote"},
		{`a \`, "backslash at end of line"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := splitWords(tt.in, testLookup)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("splitWords(%q) = %q, %v; want error %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSplitWordsNilLookup(t *testing.T) {
	got, err := splitWords(`a $TMP "${PORT}"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "$TMP", "${PORT}"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestExpandText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no vars\n", "no vars\n"},
		{"port $PORT and ${TMP}/x\n", "port 40179 and /tmp/t1/x\n"},
		{`"quotes" and \$TMP stay` + "\n", `"quotes" and \/tmp/t1 stay` + "\n"},
		{"$UNKNOWN $ $5\n", "$UNKNOWN $ $5\n"},
	}
	for _, tt := range tests {
		if got := expandText(tt.in, testLookup); got != tt.want {
			t.Errorf("expandText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
