package ci

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind says what an Action does.
type Kind int

// The actions of a .ci file, in the order they appear.
const (
	KindFile       Kind = iota // write a file into $TMP
	KindEnv                    // set environment variables for later commands
	KindTimeout                // set the per-command timeout for later steps
	KindRun                    // run a command to completion (a step)
	KindBackground             // start a command in the background
	KindWait                   // wait until a TCP port accepts connections
	KindStop                   // stop a background command (a step)
)

var kindNames = [...]string{"file", "env", "timeout", "run", "background", "wait", "stop"}

// String returns the directive that creates an action of this kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Test is one parsed .ci file.
type Test struct {
	File    string
	Actions []*Action
}

// Action is one directive of a .ci file together with, for a step (run or
// stop), the expectations that follow it.
type Action struct {
	Kind    Kind
	Line    int
	Name    string        // file: path under $TMP; background, stop: process name
	Text    string        // file: content; env: NAME=VALUE
	Mode    uint32        // file: permission bits
	Args    []string      // run, background: program and arguments
	Addr    string        // wait: host:port
	Timeout time.Duration // timeout, wait: duration
	Stdin   string        // run: standard input
	Expects []*Expect     // run, stop: expectations, in file order
	ExitSet bool          // run, stop: an explicit exit expectation exists
}

// Op is the comparison an Expect makes.
type Op int

// The expectation operators.
const (
	OpExit        Op = iota // exit code equals Code
	OpEquals                // stream equals Text exactly
	OpContains              // stream contains Text
	OpNotContains           // stream does not contain Text
	OpMatches               // stream matches Re
	OpNotMatches            // stream does not match Re
	OpJSONValue             // JSON at Path equals Want (whole document when Path is empty)
	OpJSONExists            // JSON at Path exists
	OpJSONAbsent            // JSON at Path does not exist
)

// Expect is one expectation on the result of a step.
type Expect struct {
	Line     int
	Op       Op
	Stream   string // "stdout" or "stderr"; "" for exit
	Code     int
	Text     string
	Re       *regexp.Regexp
	Path     []PathElem
	PathText string
	JSONLine int // 0: whole stdout; N>0: Nth non-empty line; -1: last one
	Want     any // OpJSONValue: the expected value, decoded with UseNumber
}

// ParseError is a syntax error in a .ci file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// heredocRE finds a trailing <<WORD or <<'WORD' on a directive line.
var heredocRE = regexp.MustCompile(`^(.*?)\s*<<('?)([A-Za-z_][A-Za-z0-9_]*)('?)\s*$`)

type parser struct {
	file string
	test *Test
	step *Action         // current run or stop step
	bg   map[string]bool // background name -> still running
}

// Parse reads a .ci file. lookup expands $TMP, $PORT and the other runner
// variables while parsing; nil leaves every reference as written.
func Parse(file string, src []byte, lookup Lookup) (*Test, error) {
	p := &parser{file: file, test: &Test{File: file}, bg: map[string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	var lines []string
	for sc.Scan() {
		lines = append(lines, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var body *string
		if m := heredocRE.FindStringSubmatch(line); m != nil && m[2] == m[4] {
			end := -1
			for j := i + 1; j < len(lines); j++ {
				if strings.TrimRight(lines[j], " \t") == m[3] {
					end = j
					break
				}
			}
			if end < 0 {
				return nil, p.errf(lineNo, "heredoc <<%s has no closing %s line", m[3], m[3])
			}
			text := ""
			if end > i+1 {
				text = strings.Join(lines[i+1:end], "\n") + "\n"
			}
			if m[2] == "" {
				text = expandText(text, lookup)
			}
			body = &text
			line = m[1]
			i = end
		}
		words, err := splitWords(line, lookup)
		if err != nil {
			return nil, p.errf(lineNo, "%v", err)
		}
		if err := p.directive(lineNo, words, body); err != nil {
			return nil, err
		}
	}
	if !p.hasStep() {
		return nil, p.errf(len(lines), "no run step: a test needs at least one 'run' line")
	}
	return p.test, nil
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) hasStep() bool {
	for _, a := range p.test.Actions {
		if a.Kind == KindRun {
			return true
		}
	}
	return false
}

func (p *parser) add(a *Action) {
	p.test.Actions = append(p.test.Actions, a)
}

func (p *parser) directive(line int, w []string, body *string) error {
	if len(w) == 0 {
		return p.errf(line, "heredoc without a directive")
	}
	args := w[1:]
	switch w[0] {
	case "file":
		return p.fileDirective(line, args, body)
	case "env":
		return p.envDirective(line, args, body)
	case "timeout":
		if len(args) != 1 || body != nil {
			return p.errf(line, "usage: timeout DURATION")
		}
		d, err := time.ParseDuration(args[0])
		if err != nil || d <= 0 {
			return p.errf(line, "timeout: %q is not a positive duration (like 30s)", args[0])
		}
		p.add(&Action{Kind: KindTimeout, Line: line, Timeout: d})
		return nil
	case "run":
		if body != nil {
			return p.errf(line, "run: no heredoc here; give standard input on a stdin line after it")
		}
		if len(args) == 0 {
			return p.errf(line, "usage: run PROGRAM [ARG...]")
		}
		p.step = &Action{Kind: KindRun, Line: line, Args: args}
		p.add(p.step)
		return nil
	case "stdin":
		if p.step == nil || p.step.Kind != KindRun {
			return p.errf(line, "stdin must follow a run line")
		}
		text, err := p.textArg(line, "stdin", args, body)
		if err != nil {
			return err
		}
		p.step.Stdin = text
		return nil
	case "background":
		return p.backgroundDirective(line, args, body)
	case "wait":
		return p.waitDirective(line, args, body)
	case "stop":
		if len(args) != 1 || body != nil {
			return p.errf(line, "usage: stop NAME")
		}
		running, ok := p.bg[args[0]]
		if !ok {
			return p.errf(line, "stop: no background process named %q", args[0])
		}
		if !running {
			return p.errf(line, "stop: %q is already stopped", args[0])
		}
		p.bg[args[0]] = false
		p.step = &Action{Kind: KindStop, Line: line, Name: args[0]}
		p.add(p.step)
		return nil
	case "exit":
		return p.exitDirective(line, args, body)
	case "stdout", "stderr":
		return p.streamDirective(line, w[0], args, body)
	case "json":
		return p.jsonDirective(line, args, body)
	}
	return p.errf(line, "unknown directive %q", w[0])
}

func (p *parser) fileDirective(line int, args []string, body *string) error {
	if body == nil || len(args) < 1 || len(args) > 2 {
		return p.errf(line, "usage: file PATH [mode=0644] <<EOF")
	}
	name := args[0]
	if filepath.IsAbs(name) || !filepath.IsLocal(name) {
		return p.errf(line, "file: %q must be a relative path inside $TMP", name)
	}
	a := &Action{Kind: KindFile, Line: line, Name: filepath.Clean(name), Text: *body, Mode: 0o644}
	if len(args) == 2 {
		v, ok := strings.CutPrefix(args[1], "mode=")
		m, err := strconv.ParseUint(v, 8, 32)
		if !ok || err != nil || m > 0o777 {
			return p.errf(line, "file: want mode=OCTAL (like mode=0755), got %q", args[1])
		}
		a.Mode = uint32(m)
	}
	p.add(a)
	return nil
}

func (p *parser) envDirective(line int, args []string, body *string) error {
	if len(args) == 0 || body != nil {
		return p.errf(line, "usage: env NAME=VALUE...")
	}
	for _, kv := range args {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || !isName(name) {
			return p.errf(line, "env: want NAME=VALUE, got %q", kv)
		}
		p.add(&Action{Kind: KindEnv, Line: line, Text: kv})
	}
	return nil
}

func (p *parser) backgroundDirective(line int, args []string, body *string) error {
	if len(args) < 2 || body != nil {
		return p.errf(line, "usage: background NAME PROGRAM [ARG...]")
	}
	name := args[0]
	if !isName(name) {
		return p.errf(line, "background: name %q must be letters, digits and _", name)
	}
	if _, dup := p.bg[name]; dup {
		return p.errf(line, "background: %q is already used in this test", name)
	}
	p.bg[name] = true
	p.step = nil
	p.add(&Action{Kind: KindBackground, Line: line, Name: name, Args: args[1:]})
	return nil
}

func (p *parser) waitDirective(line int, args []string, body *string) error {
	if len(args) < 2 || len(args) > 3 || args[0] != "port" || body != nil {
		return p.errf(line, "usage: wait port PORT|HOST:PORT [TIMEOUT]")
	}
	addr := args[1]
	if !strings.Contains(addr, ":") {
		addr = "127.0.0.1:" + addr
	}
	a := &Action{Kind: KindWait, Line: line, Addr: addr, Timeout: 10 * time.Second}
	if len(args) == 3 {
		d, err := time.ParseDuration(args[2])
		if err != nil || d <= 0 {
			return p.errf(line, "wait: %q is not a positive duration (like 10s)", args[2])
		}
		a.Timeout = d
	}
	p.step = nil
	p.add(a)
	return nil
}

func (p *parser) exitDirective(line int, args []string, body *string) error {
	if err := p.needStep(line, "exit"); err != nil {
		return err
	}
	if len(args) != 1 || body != nil {
		return p.errf(line, "usage: exit CODE")
	}
	code, err := strconv.Atoi(args[0])
	if err != nil {
		return p.errf(line, "exit: %q is not a number", args[0])
	}
	if p.step.ExitSet {
		return p.errf(line, "exit: this step already has an exit expectation")
	}
	p.step.ExitSet = true
	p.step.Expects = append(p.step.Expects, &Expect{Line: line, Op: OpExit, Code: code})
	return nil
}

var streamOps = map[string]Op{
	"contains":     OpContains,
	"not-contains": OpNotContains,
	"matches":      OpMatches,
	"not-matches":  OpNotMatches,
}

func (p *parser) streamDirective(line int, stream string, args []string, body *string) error {
	if err := p.needStep(line, stream); err != nil {
		return err
	}
	e := &Expect{Line: line, Stream: stream}
	switch {
	case len(args) == 0 && body != nil:
		e.Op, e.Text = OpEquals, *body
	case len(args) == 1 && args[0] == "empty" && body == nil:
		e.Op = OpEquals
	case len(args) >= 1:
		op, ok := streamOps[args[0]]
		if !ok {
			return p.errf(line, "%s: unknown check %q (want <<EOF, empty, contains, not-contains, matches, not-matches)", stream, args[0])
		}
		text, err := p.textArg(line, stream+" "+args[0], args[1:], body)
		if err != nil {
			return err
		}
		e.Op, e.Text = op, text
		if op == OpMatches || op == OpNotMatches {
			re, err := regexp.Compile(text)
			if err != nil {
				return p.errf(line, "%s %s: %v", stream, args[0], err)
			}
			e.Re = re
		}
	default:
		return p.errf(line, "usage: %s <<EOF | empty | contains|not-contains|matches|not-matches TEXT", stream)
	}
	p.step.Expects = append(p.step.Expects, e)
	return nil
}

func (p *parser) jsonDirective(line int, args []string, body *string) error {
	if err := p.needStep(line, "json"); err != nil {
		return err
	}
	e := &Expect{Line: line, Op: OpJSONValue, Stream: "stdout"}
	haveValue, haveCheck := false, false
	for _, a := range args {
		key, val, _ := strings.Cut(a, "=")
		switch {
		case key == "path" && strings.Contains(a, "="):
			path, err := ParsePath(val)
			if err != nil {
				return p.errf(line, "json: path %q: %v", val, err)
			}
			e.Path, e.PathText = path, val
		case key == "value" && strings.Contains(a, "="):
			e.Want = parseWant(val)
			haveValue = true
		case key == "line" && strings.Contains(a, "="):
			n, err := strconv.Atoi(val)
			if err != nil || n == 0 || n < -1 {
				return p.errf(line, "json: line=%q: want a line number from 1, or -1 for the last", val)
			}
			e.JSONLine = n
		case a == "exists" || a == "absent":
			if haveCheck {
				return p.errf(line, "json: use one of value=, exists, absent")
			}
			haveCheck = true
			e.Op = OpJSONExists
			if a == "absent" {
				e.Op = OpJSONAbsent
			}
		default:
			return p.errf(line, "json: unknown argument %q (want path=, value=, line=, exists, absent)", a)
		}
	}
	if body != nil {
		if haveValue {
			return p.errf(line, "json: give the value either as value= or as a heredoc, not both")
		}
		v, err := decodeJSON([]byte(*body))
		if err != nil {
			return p.errf(line, "json: heredoc is not valid JSON: %v", err)
		}
		e.Want, haveValue = v, true
	}
	switch {
	case haveValue && haveCheck:
		return p.errf(line, "json: use one of value=, exists, absent")
	case !haveValue && !haveCheck:
		return p.errf(line, "usage: json [path=P] [line=N] value=V | exists | absent | <<EOF")
	case haveCheck && e.PathText == "":
		return p.errf(line, "json: exists and absent need a path=")
	}
	p.step.Expects = append(p.step.Expects, e)
	return nil
}

// textArg returns the single text argument of a directive, given either as
// one word or as a heredoc.
func (p *parser) textArg(line int, what string, args []string, body *string) (string, error) {
	switch {
	case body != nil && len(args) == 0:
		return *body, nil
	case body == nil && len(args) == 1:
		return args[0], nil
	case body == nil && len(args) > 1:
		return "", p.errf(line, "%s: want one argument, got %d (quote text that has spaces)", what, len(args))
	}
	return "", p.errf(line, "%s: want one argument or a heredoc", what)
}

func (p *parser) needStep(line int, what string) error {
	if p.step == nil {
		return p.errf(line, "%s: no step to check (expectations follow a run or stop line)", what)
	}
	return nil
}

// parseWant decodes the value= of a json expectation: JSON text, or, when it
// is not valid JSON, the string itself (so value=up means "up").
func parseWant(s string) any {
	v, err := decodeJSON([]byte(s))
	if err != nil {
		return s
	}
	return v
}
