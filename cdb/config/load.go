package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zebgp/ze/yang"
)

// Format is a form of configuration text.
type Format uint8

// The forms a configuration can be read and printed in.
const (
	Auto         Format = iota // detect the form when reading (Hierarchical when printing)
	Hierarchical               // bgp { group g { peer p { hold-time 90; } } }
	SetForm                    // set bgp group g peer p hold-time 90
	JSON                       // RFC 7951 JSON
)

var formatNames = [...]string{"auto", "hierarchical", "set", "json"}

// String returns "auto", "hierarchical", "set" or "json".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "invalid"
}

// ParseFormat returns the Format called name ("hierarchical", "set",
// "json", "auto").
func ParseFormat(name string) (Format, error) {
	for i, n := range formatNames {
		if n == name {
			return Format(i), nil
		}
	}
	return Auto, fmt.Errorf("config: unknown format %q (want hierarchical, set or json)", name)
}

// Options say how to read a configuration text.
type Options struct {
	File      string // names the text in messages ("ze.conf")
	Format    Format // the form of the text; Auto detects it
	MaxErrors int    // stop after this many errors; 0 means DefaultMaxErrors
}

// Detect tells the form of a configuration text from its first token: "{"
// is JSON, one of the set-form commands (set, delete, deactivate, activate,
// annotate) is the set form, anything else hierarchical.
func Detect(src []byte) Format {
	for _, t := range tokenize(src, newCollector("", 1)) {
		switch {
		case t.kind == tComment:
			continue
		case t.kind == tLBrace:
			return JSON
		case t.kind == tWord && setVerbs[t.text] != nil:
			return SetForm
		}
		break
	}
	return Hierarchical
}

// Parse reads a configuration text in any form. It checks the syntax,
// that every keyword is in the schema and every value fits its type; it
// does not check what needs the whole tree (mandatory nodes, unique
// values, leafrefs, registered validators): Validate does. On error it
// returns an ErrorList, and the tree as far as it could be read.
func Parse(y *yang.Tree, src []byte, o Options) (*Tree, error) {
	t := New(y)
	t.File = o.File
	f := o.Format
	if f == Auto {
		f = Detect(src)
	}
	errs := newCollector(o.File, o.MaxErrors)
	switch f {
	case JSON:
		decodeJSON(t, src, errs)
	case SetForm:
		t.applySet(src, errs)
	default:
		p := &parser{t: t, toks: tokenize(src, errs), errs: errs, strict: true}
		p.parseBlock(t.root, token{kind: tEOF})
	}
	prune(t.root)
	errs.sort()
	return t, errs.errs.Err()
}

// Load parses a configuration text in any form and validates it: every
// error of both steps, up to the limit, in the order of their places.
func Load(y *yang.Tree, src []byte, o Options) (*Tree, error) {
	t, err := Parse(y, src, o)
	var errs ErrorList
	errors.As(err, &errs)
	limit := o.MaxErrors
	if limit <= 0 {
		limit = DefaultMaxErrors
	}
	if len(errs) < limit {
		all := &collector{errs: append(errs, t.validate(limit-len(errs))...)}
		all.full = len(all.errs) > 0 && strings.HasPrefix(all.errs[len(all.errs)-1].Message, "too many errors")
		all.sort()
		errs = all.errs
	}
	return t, errs.Err()
}
