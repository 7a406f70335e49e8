package cdb

import (
	"errors"
	"strings"
	"testing"

	"github.com/zebgp/ze/cdb/config"
)

// Every edit, then the candidate in the hierarchical form: what each one
// does to the tree.
func TestEdits(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *Session) error
		want string // the bgp part of the candidate
	}{
		{"set", func(s *Session) error { return s.Set(words("bgp group g peer p2 hold-time 30")) }, `bgp {
    group g {
        local-as 65001;
        peer p1 {
            remote {
                ip 192.0.2.1;
                as 65002;
            }
            hold-time 90;
        }
        peer p2 {
            remote {
                ip 192.0.2.2;
                as 65003;
            }
            hold-time 30;
        }
    }
}
`},
		{"delete", func(s *Session) error { return s.Delete(words("bgp group g peer p1")) }, `bgp {
    group g {
        local-as 65001;
        peer p2 {
            remote {
                ip 192.0.2.2;
                as 65003;
            }
        }
    }
}
`},
		{"deactivate and annotate", func(s *Session) error {
			if err := s.Deactivate(words("bgp group g peer p2")); err != nil {
				return err
			}
			return s.Annotate(words("bgp group g peer p2"), "waiting for the circuit")
		}, `bgp {
    group g {
        local-as 65001;
        peer p1 {
            remote {
                ip 192.0.2.1;
                as 65002;
            }
            hold-time 90;
        }
        # waiting for the circuit
        inactive: peer p2 {
            remote {
                ip 192.0.2.2;
                as 65003;
            }
        }
    }
}
`},
		{"rename", func(s *Session) error { return s.Rename(words("bgp group g peer p1"), words("bgp group g peer east")) }, `bgp {
    group g {
        local-as 65001;
        peer p2 {
            remote {
                ip 192.0.2.2;
                as 65003;
            }
        }
        peer east {
            remote {
                ip 192.0.2.1;
                as 65002;
            }
            hold-time 90;
        }
    }
}
`},
		{"copy to another group", func(s *Session) error {
			if err := s.Annotate(words("bgp group g peer p1"), "copied"); err != nil {
				return err
			}
			if err := s.Copy(words("bgp group g peer p1"), words("bgp group h peer p3")); err != nil {
				return err
			}
			if err := s.Annotate(words("bgp group g peer p1"), ""); err != nil {
				return err
			}
			return s.Set(words("bgp group h peer p3 remote ip 192.0.2.3"))
		}, `bgp {
    group g {
        local-as 65001;
        peer p1 {
            remote {
                ip 192.0.2.1;
                as 65002;
            }
            hold-time 90;
        }
        peer p2 {
            remote {
                ip 192.0.2.2;
                as 65003;
            }
        }
    }
    group h {
        # copied
        peer p3 {
            remote {
                ip 192.0.2.3;
                as 65002;
            }
            hold-time 90;
        }
    }
}
`},
		{"load merge", func(s *Session) error {
			return s.Load(LoadMerge, []byte("bgp { group g { local-as 65009; peer p2 { hold-time 45; } } }"), "merge.conf")
		}, `bgp {
    group g {
        local-as 65009;
        peer p1 {
            remote {
                ip 192.0.2.1;
                as 65002;
            }
            hold-time 90;
        }
        peer p2 {
            remote {
                ip 192.0.2.2;
                as 65003;
            }
            hold-time 45;
        }
    }
}
`},
		{"load override", func(s *Session) error {
			return s.Load(LoadOverride, []byte(`{"ze-bgp:bgp": {"group": [{"name": "x", "local-as": 65100}]}}`), "new.json")
		}, `bgp {
    group x {
        local-as 65100;
    }
}
`},
		{"load set", func(s *Session) error {
			return s.Load(LoadSet, []byte("delete bgp group g peer p2\nset bgp group g peer p1 hold-time 60\ndeactivate bgp group g local-as\n"), "edits.set")
		}, `bgp {
    group g {
        inactive: local-as 65001;
        peer p1 {
            remote {
                ip 192.0.2.1;
                as 65002;
            }
            hold-time 60;
        }
    }
}
`},
		{"activate", func(s *Session) error {
			if err := s.Deactivate(words("bgp group g peer p1 hold-time")); err != nil {
				return err
			}
			return s.Activate(words("bgp group g peer p1 hold-time"))
		}, fromBGP(baseConfig)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t, "")
			s := session(t, db, SessionOptions{})
			if err := tt.edit(s); err != nil {
				t.Fatal(err)
			}
			got := candidateText(t, s, config.Hierarchical)
			got = fromBGP(got)
			if got != tt.want {
				t.Errorf("candidate:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// fromBGP returns text from its bgp statement on ("" when it has none).
func fromBGP(text string) string {
	if strings.HasPrefix(text, "bgp {") {
		return text
	}
	if _, rest, ok := strings.Cut(text, "\nbgp {"); ok {
		return "bgp {" + rest
	}
	return ""
}

// An edit that fails leaves the candidate as it was, and says why.
func TestEditErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *Session) error
		want string
	}{
		{"unknown keyword", func(s *Session) error { return s.Set(words("bgp group g peer p1 hold-tme 30")) },
			`did you mean "hold-time"?`},
		{"bad value", func(s *Session) error { return s.Set(words("bgp group g peer new hold-time 2")) },
			"hold-time"},
		{"delete missing", func(s *Session) error { return s.Delete(words("bgp group g peer p9")) },
			"cdb: bgp group g peer p9 is not in the configuration"},
		{"deactivate missing", func(s *Session) error { return s.Deactivate(words("bgp group g peer p9")) },
			"cdb: bgp group g peer p9 is not in the configuration"},
		{"rename onto an entry", func(s *Session) error { return s.Rename(words("bgp group g peer p1"), words("bgp group g peer p2")) },
			"cdb: rename: bgp group g peer p2 exists already"},
		{"rename to another list", func(s *Session) error { return s.Rename(words("bgp group g peer p1"), words("bgp peer p1")) },
			"cdb: rename: bgp peer p1 is not an entry of the same list as bgp group g peer p1"},
		{"copy a leaf", func(s *Session) error { return s.Copy(words("bgp group g local-as"), words("bgp group g hold-time")) },
			"cdb: copy: bgp group g local-as is not a list entry"},
		{"copy missing", func(s *Session) error { return s.Copy(words("bgp group z"), words("bgp group y")) },
			"cdb: copy: bgp group z is not in the configuration"},
		{"load error", func(s *Session) error {
			return s.Load(LoadMerge, []byte("bgp {\n    group g { hold-time 1; }\n}\n"), "bad.conf")
		}, "bad.conf: line 2 col 25: bgp group g hold-time: \"1\" is out of range"},
		{"load set error", func(s *Session) error {
			return s.Load(LoadSet, []byte("set bgp group g peer p1 hold-time 60\nsett system host-name x\n"), "edits.set")
		}, `edits.set: line 2 col 1: unknown command "sett"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t, "")
			s := session(t, db, SessionOptions{})
			err := tt.edit(s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
			if got := candidateText(t, s, config.Hierarchical); got != baseConfig || s.Changed() {
				t.Errorf("a failed edit changed the candidate:\n%s", got)
			}
		})
	}
}

// The three views of a candidate with an inactive, annotated node.
func TestShowForms(t *testing.T) {
	db, _ := openDB(t, "system { host-name ze; }\nbgp { group g { local-as 65001; } }\n")
	s := session(t, db, SessionOptions{})
	if err := s.Deactivate(words("bgp group g")); err != nil {
		t.Fatal(err)
	}
	if err := s.Annotate(words("system host-name"), "the name"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		f    config.Format
		want string
	}{
		{config.Hierarchical, "system {\n    # the name\n    host-name ze;\n}\nbgp {\n    inactive: group g {\n        local-as 65001;\n    }\n}\n"},
		{config.SetForm, "set system host-name ze\nannotate system host-name \"the name\"\nset bgp group g local-as 65001\ndeactivate bgp group g\n"},
		{config.JSON, `"@": {"ze-config:inactive": true}`},
	}
	for _, tt := range tests {
		t.Run(tt.f.String(), func(t *testing.T) {
			got := candidateText(t, s, tt.f)
			if tt.f == config.JSON {
				if !strings.Contains(got, tt.want) || !strings.Contains(got, `"ze-config:annotation": "the name"`) {
					t.Errorf("JSON:\n%s\nwant it to hold %s and the annotation", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	// Inactive nodes are kept but not applied: the group has no peers
	// and no mandatory node is checked beneath it.
	mustCommit(t, s, CommitOptions{})
	if got := runningText(t, db); !strings.Contains(got, "inactive: group g") {
		t.Errorf("running lost the inactive node:\n%s", got)
	}
}

// Effective shows a peer's values with those it inherits.
func TestEffective(t *testing.T) {
	db, _ := openDB(t, "")
	s := session(t, db, SessionOptions{})
	e, err := s.Effective(words("bgp group g peer p2"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(e.Text()); !strings.Contains(got, "# from bgp group g\n            local-as 65001;") {
		t.Errorf("effective peer:\n%s\nwant local-as 65001 from the group", got)
	}
	if _, err := s.Effective(nil); !errors.Is(err, errNoPath) {
		t.Errorf("Effective(nil): %v", err)
	}
}
