package ci

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Outcome is what a step produced.
type Outcome struct {
	Exit   int    // exit code; -1 when the process was killed by a signal
	Signal string // the signal that killed it, if any
	Stdout []byte
	Stderr []byte
}

func (o *Outcome) stream(name string) []byte {
	if name == "stderr" {
		return o.Stderr
	}
	return o.Stdout
}

// maxShown is how many bytes of an output a failure message quotes.
const maxShown = 300

// clip quotes s for a one-line message, cutting it after maxShown bytes.
func clip(s string) string {
	if len(s) <= maxShown {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s…(%d more bytes)", strconv.Quote(s[:maxShown]), len(s)-maxShown)
}

// clipJSON cuts compact JSON text for a one-line message.
func clipJSON(v any) string {
	s := compact(v)
	if len(s) <= maxShown {
		return s
	}
	return fmt.Sprintf("%s…(%d more bytes)", s[:maxShown], len(s)-maxShown)
}

// Check returns "" when e holds for o, or else one line that says what was
// wanted and what was got.
func Check(e *Expect, o *Outcome) string {
	switch e.Op {
	case OpExit:
		return checkExit(e, o)
	case OpEquals:
		return checkEquals(e.Stream, e.Text, string(o.stream(e.Stream)))
	case OpContains, OpNotContains:
		got := string(o.stream(e.Stream))
		has := strings.Contains(got, e.Text)
		if e.Op == OpContains && !has {
			return fmt.Sprintf("%s contains: want %s, got %s", e.Stream, clip(e.Text), clip(got))
		}
		if e.Op == OpNotContains && has {
			return fmt.Sprintf("%s not-contains: want no %s, got %s", e.Stream, clip(e.Text), clip(got))
		}
	case OpMatches, OpNotMatches:
		got := o.stream(e.Stream)
		m := e.Re.Find(got)
		if e.Op == OpMatches && m == nil {
			return fmt.Sprintf("%s matches: want a match for %s, got %s", e.Stream, clip(e.Re.String()), clip(string(got)))
		}
		if e.Op == OpNotMatches && m != nil {
			return fmt.Sprintf("%s not-matches: want no match for %s, got %s in %s", e.Stream, clip(e.Re.String()), clip(string(m)), clip(string(got)))
		}
	case OpJSONValue, OpJSONExists, OpJSONAbsent:
		return checkJSON(e, o)
	default:
		return fmt.Sprintf("internal error: unknown expectation %d", e.Op)
	}
	return ""
}

func checkExit(e *Expect, o *Outcome) string {
	if o.Exit == e.Code && o.Signal == "" {
		return ""
	}
	got := strconv.Itoa(o.Exit)
	if o.Signal != "" {
		got = "killed by signal " + o.Signal
	}
	msg := fmt.Sprintf("exit: want %d, got %s", e.Code, got)
	if len(o.Stderr) > 0 {
		msg += "; stderr " + clip(string(o.Stderr))
	}
	return msg
}

// checkEquals compares a whole stream and, on a difference, names the first
// line that differs.
func checkEquals(stream, want, got string) string {
	if want == got {
		return ""
	}
	if want == "" {
		return fmt.Sprintf("%s: want empty, got %s", stream, clip(got))
	}
	if strings.TrimSuffix(want, "\n") == strings.TrimSuffix(got, "\n") {
		return fmt.Sprintf("%s: differs only in the final newline: want %s, got %s", stream, clip(want), clip(got))
	}
	wl := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	gl := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	for i := 0; ; i++ {
		switch {
		case i >= len(wl):
			return fmt.Sprintf("%s line %d: want end of output, got %s", stream, i+1, clip(gl[i]))
		case i >= len(gl):
			return fmt.Sprintf("%s line %d: want %s, got end of output", stream, i+1, clip(wl[i]))
		case wl[i] != gl[i]:
			return fmt.Sprintf("%s line %d: want %s, got %s", stream, i+1, clip(wl[i]), clip(gl[i]))
		}
	}
}

func checkJSON(e *Expect, o *Outcome) string {
	what := "json"
	if e.PathText != "" {
		what += " path=" + e.PathText
	}
	data, msg := jsonInput(e.JSONLine, o.Stdout)
	if msg != "" {
		return what + ": " + msg
	}
	doc, err := decodeJSON(data)
	if err != nil {
		return fmt.Sprintf("%s: stdout is not JSON (%v): %s", what, err, clip(string(data)))
	}
	got, err := Get(doc, e.Path)
	switch e.Op {
	case OpJSONExists:
		if err != nil {
			return fmt.Sprintf("%s: want it to exist, got %v", what, err)
		}
	case OpJSONAbsent:
		if err == nil {
			return fmt.Sprintf("%s: want it absent, got %s", what, clipJSON(got))
		}
	default:
		if err != nil {
			return fmt.Sprintf("%s: want %s, got nothing: %v", what, clipJSON(e.Want), err)
		}
		if !Equal(e.Want, got) {
			return fmt.Sprintf("%s: want %s, got %s", what, clipJSON(e.Want), clipJSON(got))
		}
	}
	return ""
}

// jsonInput picks the text a json expectation decodes: all of stdout, or its
// Nth non-empty line (-1 for the last).
func jsonInput(line int, stdout []byte) ([]byte, string) {
	if line == 0 {
		return stdout, ""
	}
	var lines [][]byte
	for l := range bytes.SplitSeq(stdout, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			lines = append(lines, l)
		}
	}
	idx := line - 1
	if line < 0 {
		idx = len(lines) + line
	}
	if idx < 0 || idx >= len(lines) {
		return nil, fmt.Sprintf("line=%d: stdout has %d non-empty lines", line, len(lines))
	}
	return lines[idx], ""
}
