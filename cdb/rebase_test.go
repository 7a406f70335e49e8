package cdb

import (
	"strings"
	"testing"

	"github.com/zebgp/ze/cdb/config"
)

// Rebase applies the candidate's changes to the new running, a three-way
// merge; changes at places running changed too are conflicts, left out.
func TestRebase(t *testing.T) {
	const steps = `cdbtest {
    step a {
        action x;
    }
    step b {
        action y;
    }
    step c;
    tag [ t1 t2 ];
}
`
	tests := []struct {
		name      string
		factory   string
		ours      func(s *Session) error
		theirs    []string // set lines
		conflicts []string
		want      []string // lines the rebased candidate must hold
		wantNot   []string
	}{
		{
			name:    "independent changes",
			factory: baseConfig,
			ours:    func(s *Session) error { return s.Set(words("system host-name mine")) },
			theirs:  []string{"bgp group g local-as 65010"},
			want:    []string{"host-name mine;", "local-as 65010;"},
		},
		{
			name:      "the same leaf",
			factory:   baseConfig,
			ours:      func(s *Session) error { return s.Set(words("bgp group g peer p1 hold-time 120")) },
			theirs:    []string{"bgp group g peer p1 hold-time 60"},
			conflicts: []string{"bgp group g peer p1 hold-time: modified in the candidate (hold-time 120), but running has hold-time 60; running's kept"},
			want:      []string{"hold-time 60;"},
			wantNot:   []string{"hold-time 120;"},
		},
		{
			name:      "deleted here, changed there",
			factory:   baseConfig,
			ours:      func(s *Session) error { return s.Delete(words("bgp group g peer p2")) },
			theirs:    []string{"bgp group g peer p2 hold-time 30"},
			conflicts: []string{"bgp group g peer p2: deleted in the candidate (nothing), but running has peer p2 { … }; running's kept"},
			want:      []string{"peer p2 {", "hold-time 30;"},
		},
		{
			name:      "annotated here, deleted there",
			factory:   baseConfig,
			ours:      func(s *Session) error { return s.Annotate(words("bgp group g peer p1"), "note") },
			theirs:    []string{"bgp group g peer p2 hold-time 30", "!delete bgp group g peer p1"},
			conflicts: []string{"bgp group g peer p1: annotated in the candidate (peer p1 { … } # note), but running has nothing; running's kept"},
			wantNot:   []string{"peer p1"},
		},
		{
			name:    "added on both sides alike",
			factory: baseConfig,
			ours: func(s *Session) error {
				return s.Load(LoadSet, []byte("set bgp group g peer p3 remote ip 192.0.2.3\nset system host-name both\n"), "")
			},
			theirs: []string{"bgp group g peer p3 remote ip 192.0.2.3"},
			want:   []string{"peer p3 {", "host-name both;"},
		},
		{
			name:    "deactivated here, changed beneath there",
			factory: baseConfig,
			ours:    func(s *Session) error { return s.Deactivate(words("bgp group g peer p1")) },
			theirs:  []string{"bgp group g peer p1 hold-time 100"},
			want:    []string{"inactive: peer p1 {", "hold-time 100;"},
		},
		{
			name:    "a new order and a value added",
			factory: steps,
			ours: func(s *Session) error {
				if err := s.Delete(words("cdbtest step a")); err != nil {
					return err
				}
				return s.Load(LoadSet, []byte("set cdbtest step a action x\nset cdbtest tag t3\nset cdbtest flag\n"), "")
			},
			theirs: []string{"cdbtest step b action z"},
			want:   []string{"    step b {\n        action z;\n    }\n    step c;\n    step a {\n        action x;\n    }\n    tag [ t1 t2 t3 ];\n    flag;\n"},
		},
		{
			name:      "values of a leaf-list on both sides",
			factory:   steps,
			ours:      func(s *Session) error { return s.Set(words("cdbtest tag t3")) },
			theirs:    []string{"cdbtest tag t4"},
			conflicts: []string{"cdbtest tag: modified in the candidate (tag [ t1 t2 t3 ]), but running has tag [ t1 t2 t4 ]; running's kept"},
			want:      []string{"tag [ t1 t2 t4 ];"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpen(t, t.TempDir(), Options{Schema: testSchema(t), Factory: []byte(tt.factory)})
			ours := session(t, db, SessionOptions{User: "alice"})
			theirs := session(t, db, SessionOptions{User: "bob"})
			if err := tt.ours(ours); err != nil {
				t.Fatal(err)
			}
			for _, l := range tt.theirs {
				if p, ok := strings.CutPrefix(l, "!delete "); ok {
					if err := theirs.Delete(words(p)); err != nil {
						t.Fatal(err)
					}
					continue
				}
				mustSet(t, theirs, l)
			}
			mustCommit(t, theirs, CommitOptions{})
			if _, err := ours.Commit(CommitOptions{}); err == nil {
				t.Fatal("a stale candidate was committed")
			}
			conflicts, err := ours.Rebase()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range conflicts {
				got = append(got, c.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.conflicts, "\n") {
				t.Errorf("conflicts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.conflicts, "\n"))
			}
			text := candidateText(t, ours, config.Hierarchical)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("rebased candidate:\n%s\nwant it to hold %q", text, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(text, w) {
					t.Errorf("rebased candidate:\n%s\nwant it without %q", text, w)
				}
			}
			if ours.Base() != 2 {
				t.Errorf("base after rebase: %d, want 2", ours.Base())
			}
			if ours.Changed() {
				mustCommit(t, ours, CommitOptions{})
			}
		})
	}
}

// Rebase of a candidate that is up to date, or without changes, does
// nothing.
func TestRebaseNothing(t *testing.T) {
	db, _ := openDB(t, "")
	s := session(t, db, SessionOptions{})
	if c, err := s.Rebase(); c != nil || err != nil {
		t.Errorf("rebase without changes: %v %v", c, err)
	}
	mustSet(t, s, "system host-name x")
	if c, err := s.Rebase(); c != nil || err != nil || !s.Changed() {
		t.Errorf("rebase of an up-to-date candidate: %v %v", c, err)
	}
}
