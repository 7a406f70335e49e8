package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/yang"
)

// FuzzAddPrompt types anything into the set prompt (at the top level and
// under a peer), completes it and runs it: no panic, and the candidate is
// either changed by a successful set or left alone with an error shown.
func FuzzAddPrompt(f *testing.F) {
	for _, s := range []string{
		"peer p2 remote ip 192.0.2.2", "bgp group g peer p1 hold-time 1", `description "a b \" c"`,
		"family ipv4 uni", "environment log level ", "\"", "bgp group \"\" peer", "system host-name é",
		"capability role ", "   ", "bgp listen 127.0.0.1 port 99999",
	} {
		f.Add(s)
	}
	y, err := yang.Core()
	if err != nil {
		f.Fatal(err)
	}
	db, err := cdb.Open(f.TempDir(), cdb.Options{Schema: y})
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	s, err := db.Session(cdb.SessionOptions{User: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	if err := s.Load(cdb.LoadOverride, []byte(startConfig), "start"); err != nil {
		f.Fatal(err)
	}
	m := newModel(s, y, Options{Width: 80, Height: 24})
	f.Fuzz(func(t *testing.T, line string) {
		for _, top := range []bool{true, false} {
			m.refresh()
			if top {
				m.Update(keyMsg("A"))
			} else {
				m.cur = m.byKey["bgp group g peer p1"]
				m.Update(keyMsg("a"))
			}
			m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(line)})
			typed := m.input.Value()
			m.Update(keyMsg("tab"))
			before := m.input.Value()
			// Completion changes the last word only.
			if keep := typed[:strings.LastIndexByte(typed, ' ')+1]; !strings.HasPrefix(before, keep) {
				t.Fatalf("tab made %q of %q", before, typed)
			}
			m.Update(keyMsg("enter"))
			if m.mode == modeAdd && m.inputErr == "" && strings.TrimSpace(before) != "" {
				t.Fatalf("%q: the prompt stayed open without an error", before)
			}
			_ = m.View()
			m.Update(keyMsg("esc"))
			if m.mode != modeTree {
				t.Fatalf("esc left mode %d", m.mode)
			}
		}
	})
}

// FuzzSplitWords: without quotes or backslashes the words are the line cut
// at blanks and tabs, bytes unchanged; an empty word needs quotes.
func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{"a b", `"a b" c`, `"a\"b"`, `\`, `""`, " \t "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words := splitWords(line)
		if !strings.ContainsAny(line, "\"\\") {
			if got, want := strings.Join(words, " "), strings.Join(strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' }), " "); got != want {
				t.Fatalf("%q: words %q, want %q", line, got, want)
			}
		}
		for _, w := range words {
			if w == "" && !strings.Contains(line, `"`) {
				t.Fatalf("%q: an empty word without quotes", line)
			}
		}
	})
}
