package shell

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/zebgp/ze/cdb/config"
)

// pipeline is what the pipes of a line ask for: filters of the output,
// the form of a configuration, a comparison, no paging.
type pipeline struct {
	filters []filter
	count   bool
	format  config.Format
	compare int // -1: none
	noMore  bool
}

type filter struct {
	re     *regexp.Regexp
	except bool
}

var pipeWords = []Item{
	{Word: "compare", Help: "Compare the candidate with running or a rollback (configure mode show)"},
	{Word: "count", Help: "Count the lines of the output"},
	{Word: "display", Help: "Show the configuration in another form: set or json"},
	{Word: "except", Help: "Leave out the lines that match a regular expression"},
	{Word: "match", Help: "Keep only the lines that match a regular expression"},
	{Word: "no-more", Help: "Do not page the output"},
}

// pipeItems lists what may follow in a pipe whose complete words are args.
func pipeItems(cmd *command, args []Token) []Item {
	if len(args) == 0 {
		var out []Item
		for _, it := range pipeWords {
			if (it.Word == "compare" && (cmd == nil || !cmd.compare)) || (it.Word == "display" && (cmd == nil || !cmd.formats)) {
				continue
			}
			out = append(out, it)
		}
		return out
	}
	switch args[0].Text {
	case "display":
		if len(args) == 1 {
			if cmd != nil && cmd.json {
				return []Item{{Word: "json", Help: "As JSON"}}
			}
			return []Item{{Word: "set", Help: "As set commands"}, {Word: "json", Help: "As RFC 7951 JSON"}}
		}
	case "match", "except":
		if len(args) == 1 {
			return []Item{{Word: "<regex>", Help: "A regular expression (RE2 syntax)", Placeholder: true}}
		}
	case "compare":
		switch len(args) {
		case 1:
			return []Item{{Word: "rollback", Help: "Compare with a rollback instead of running"}, {Word: "<[Enter]>", Help: "execute this command", Placeholder: true}}
		case 2:
			return []Item{{Word: "<number>", Help: "The rollback number (0 is running) <0..49>", Placeholder: true}}
		}
	}
	return []Item{{Word: "|", Help: "Pipe through another command"}, {Word: "<[Enter]>", Help: "execute this command", Placeholder: true}}
}

// parsePipes reads the pipes of a line for the command cmd.
func parsePipes(cmd *command, pipes [][]Token) (*pipeline, *SyntaxError) {
	pl := &pipeline{compare: -1}
	for _, p := range pipes {
		w := p[0]
		extra := func(n int) *SyntaxError {
			if len(p) > n {
				return &SyntaxError{Pos: p[n].Pos, Msg: fmt.Sprintf("unexpected %q after | %s", p[n].Text, w.Text)}
			}
			return nil
		}
		switch w.Text {
		case "match", "except":
			if len(p) < 2 {
				return nil, &SyntaxError{Pos: w.End + 1, Msg: "missing regular expression after " + w.Text}
			}
			if err := extra(2); err != nil {
				return nil, err
			}
			re, err := regexp.Compile(p[1].Text)
			if err != nil {
				return nil, &SyntaxError{Pos: p[1].Pos, Msg: "bad regular expression: " + err.Error()}
			}
			pl.filters = append(pl.filters, filter{re: re, except: w.Text == "except"})
		case "count":
			if err := extra(1); err != nil {
				return nil, err
			}
			pl.count = true
		case "no-more":
			if err := extra(1); err != nil {
				return nil, err
			}
			pl.noMore = true
		case "display":
			if !cmd.formats {
				return nil, &SyntaxError{Pos: w.Pos, Msg: "display is only for a configuration"}
			}
			if len(p) < 2 {
				return nil, &SyntaxError{Pos: w.End + 1, Msg: "missing set or json after display"}
			}
			if err := extra(2); err != nil {
				return nil, err
			}
			switch p[1].Text {
			case "set":
				if cmd.json {
					return nil, &SyntaxError{Pos: p[1].Pos, Msg: "display set is only for a configuration"}
				}
				pl.format = config.SetForm
			case "json":
				pl.format = config.JSON
			default:
				return nil, &SyntaxError{Pos: p[1].Pos, Msg: fmt.Sprintf("unknown display %q: expecting set or json", p[1].Text)}
			}
		case "compare":
			if !cmd.compare {
				return nil, &SyntaxError{Pos: w.Pos, Msg: "compare is only for show in configure mode"}
			}
			pl.compare = 0
			if len(p) > 1 {
				if p[1].Text != "rollback" {
					return nil, &SyntaxError{Pos: p[1].Pos, Msg: fmt.Sprintf("unexpected %q: expecting rollback", p[1].Text)}
				}
				if len(p) < 3 {
					return nil, &SyntaxError{Pos: p[1].End + 1, Msg: "missing rollback number"}
				}
				n, err := strconv.Atoi(p[2].Text)
				if err != nil || n < 0 || n > 49 {
					return nil, &SyntaxError{Pos: p[2].Pos, Msg: fmt.Sprintf("%q is not a rollback number (0 to 49)", p[2].Text)}
				}
				if err := extra(3); err != nil {
					return nil, err
				}
				pl.compare = n
			}
		default:
			msg := fmt.Sprintf("unknown pipe command %q", w.Text)
			if near := nearest(w.Text, wordsOf(pipeWords)); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			}
			return nil, &SyntaxError{Pos: w.Pos, Msg: msg}
		}
	}
	return pl, nil
}

// NoMore reports whether a line asks for no paging (| no-more); a line
// that does not parse does not.
func NoMore(line string) bool {
	toks, err := Tokenize(line)
	if err != nil {
		return false
	}
	for i, t := range toks {
		if t.Pipe && i+1 < len(toks) && toks[i+1].Text == "no-more" {
			return true
		}
	}
	return false
}

// writer returns w with the filters applied line by line.
func (pl *pipeline) writer(w io.Writer) io.WriteCloser {
	if len(pl.filters) == 0 && !pl.count {
		return nopCloser{w}
	}
	return &lineFilter{w: w, pl: pl}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// lineFilter passes the lines that the filters keep, as they come (monitor
// event streams through it), and counts them.
type lineFilter struct {
	w     io.Writer
	pl    *pipeline
	part  []byte
	lines int
}

func (f *lineFilter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			f.part = append(f.part, p...)
			break
		}
		f.part = append(f.part, p[:i]...)
		p = p[i+1:]
		if err := f.line(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (f *lineFilter) line() error {
	l := bytes.TrimRight(f.part, "\r")
	keep := true
	for _, x := range f.pl.filters {
		if x.re.Match(l) == x.except {
			keep = false
			break
		}
	}
	var err error
	if keep {
		f.lines++
		if !f.pl.count {
			_, err = fmt.Fprintf(f.w, "%s\n", l)
		}
	}
	f.part = f.part[:0]
	return err
}

func (f *lineFilter) Close() error {
	if len(f.part) > 0 {
		if err := f.line(); err != nil {
			return err
		}
	}
	if f.pl.count {
		_, err := fmt.Fprintf(f.w, "Count: %d lines\n", f.lines)
		return err
	}
	return nil
}
