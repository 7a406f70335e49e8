package ci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config says how tests are run.
type Config struct {
	Ze      string        // absolute path of the ze binary that "ze" resolves to
	Self    string        // absolute path of ze-test, that "ze-test" resolves to
	Timeout time.Duration // default per-command timeout; 30s when zero
	Keep    bool          // keep the temporary directory of a failed test
}

// Failure is one unmet expectation, or an error that stopped a test.
type Failure struct {
	Line int
	Msg  string
}

// Result is the outcome of one .ci file.
type Result struct {
	File     string
	Failures []Failure
	Elapsed  time.Duration
	Detail   string // the output of the failing step, for -v
	KeptDir  string // set when Keep kept the temporary directory
}

// Passed reports whether the test met every expectation.
func (r *Result) Passed() bool { return len(r.Failures) == 0 }

func (r *Result) fail(line int, format string, args ...any) {
	r.Failures = append(r.Failures, Failure{Line: line, Msg: fmt.Sprintf(format, args...)})
}

// portRE matches the names that stand for free loopback ports.
var portRE = regexp.MustCompile(`^PORT[0-9]*$`)

// env holds the variables and processes of one running test.
type env struct {
	cfg     Config
	tmp     string
	ports   map[string]string
	environ []string
	timeout time.Duration
	bg      map[string]*bgProc
}

func (e *env) lookup(name string) (string, bool) {
	switch {
	case name == "TMP":
		return e.tmp, true
	case name == "ZE":
		return e.cfg.Ze, true
	case portRE.MatchString(name):
		if p, ok := e.ports[name]; ok {
			return p, true
		}
		p, err := freePort()
		if err != nil {
			// Leave the reference as written; the command will fail visibly.
			return "", false
		}
		e.ports[name] = strconv.Itoa(p)
		return e.ports[name], true
	}
	return "", false
}

// RunFile parses and runs one .ci file.
func RunFile(ctx context.Context, cfg Config, file string) *Result {
	start := time.Now()
	res := &Result{File: file}
	defer func() { res.Elapsed = time.Since(start) }()

	src, err := os.ReadFile(file)
	if err != nil {
		res.fail(0, "%v", err)
		return res
	}
	tmp, err := os.MkdirTemp("", "ze-test-")
	if err != nil {
		res.fail(0, "creating temporary directory: %v", err)
		return res
	}
	e := &env{
		cfg:     cfg,
		tmp:     tmp,
		ports:   map[string]string{},
		environ: append(os.Environ(), "ZE_TEST_TMP="+tmp),
		timeout: cfg.Timeout,
		bg:      map[string]*bgProc{},
	}
	if e.timeout <= 0 {
		e.timeout = 30 * time.Second
	}
	defer func() {
		e.killAll()
		if cfg.Keep && !res.Passed() {
			res.KeptDir = tmp
			return
		}
		_ = os.RemoveAll(tmp)
	}()

	t, err := Parse(file, src, e.lookup)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			res.fail(pe.Line, "%s", pe.Msg)
		} else {
			res.fail(0, "%v", err)
		}
		return res
	}
	for _, a := range t.Actions {
		if ctx.Err() != nil {
			res.fail(a.Line, "interrupted")
			return res
		}
		if !e.do(ctx, a, res) {
			return res
		}
	}
	return res
}

// do runs one action and reports whether the test goes on.
func (e *env) do(ctx context.Context, a *Action, res *Result) bool {
	switch a.Kind {
	case KindFile:
		path := filepath.Join(e.tmp, a.Name)
		err := os.MkdirAll(filepath.Dir(path), 0o755)
		if err == nil {
			err = os.WriteFile(path, []byte(a.Text), os.FileMode(a.Mode))
		}
		if err == nil {
			err = os.Chmod(path, os.FileMode(a.Mode)) // WriteFile keeps the mode of an existing file
		}
		if err != nil {
			res.fail(a.Line, "file: %v", err)
			return false
		}
	case KindEnv:
		e.environ = append(e.environ, a.Text)
	case KindTimeout:
		e.timeout = a.Timeout
	case KindRun:
		out, err := e.run(ctx, a)
		if err != nil {
			res.fail(a.Line, "%v", err)
			return false
		}
		return e.check(a, out, res)
	case KindBackground:
		if err := e.start(ctx, a); err != nil {
			res.fail(a.Line, "%v", err)
			return false
		}
	case KindWait:
		if err := e.waitPort(ctx, a); err != nil {
			res.fail(a.Line, "%v", err)
			return false
		}
	case KindStop:
		return e.check(a, e.stop(a.Name), res)
	}
	return true
}

// check applies the expectations of a step; a run step without an exit line
// expects exit 0.
func (e *env) check(a *Action, out *Outcome, res *Result) bool {
	before := len(res.Failures)
	if a.Kind == KindRun && !a.ExitSet {
		if msg := Check(&Expect{Op: OpExit}, out); msg != "" {
			res.fail(a.Line, "%s", msg)
		}
	}
	for _, x := range a.Expects {
		if msg := Check(x, out); msg != "" {
			res.fail(x.Line, "%s", msg)
		}
	}
	if len(res.Failures) == before {
		return true
	}
	what := strings.Join(a.Args, " ")
	if a.Kind == KindStop {
		what = a.Name
	}
	exit := strconv.Itoa(out.Exit)
	if out.Signal != "" {
		exit = "killed by signal " + out.Signal
	}
	res.Detail = fmt.Sprintf("%s (line %d): %s\nexit: %s\nstdout:\n%s\nstderr:\n%s",
		a.Kind, a.Line, what, exit, indent(out.Stdout), indent(out.Stderr))
	return false
}

func indent(b []byte) string {
	if len(b) == 0 {
		return "    (empty)"
	}
	return "    " + strings.ReplaceAll(strings.TrimSuffix(string(b), "\n"), "\n", "\n    ")
}

// command builds the exec.Cmd of a run or background action.
func (e *env) command(ctx context.Context, args []string) (*exec.Cmd, error) {
	prog := args[0]
	switch prog {
	case "ze":
		if e.cfg.Ze == "" {
			return nil, errors.New("no ze binary: run 'make build' or pass -ze PATH")
		}
		prog = e.cfg.Ze
	case "ze-test":
		prog = e.cfg.Self
	}
	cmd := exec.CommandContext(ctx, prog, args[1:]...)
	cmd.Dir = e.tmp
	cmd.Env = e.environ
	cmd.WaitDelay = time.Second
	setProcessGroup(cmd)
	return cmd, nil
}

// run runs a command to completion. The error is for a command that could
// not run at all or did not finish in time.
func (e *env) run(parent context.Context, a *Action) (*Outcome, error) {
	ctx, cancel := context.WithTimeout(parent, e.timeout)
	defer cancel()
	cmd, err := e.command(ctx, a.Args)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(a.Stdin)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err = cmd.Run()
	if parent.Err() != nil {
		return nil, fmt.Errorf("%s: interrupted", a.Args[0])
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: did not finish within %s; stderr %s", a.Args[0], e.timeout, clip(stderr.String()))
	}
	out := &Outcome{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		out.Exit = ee.ExitCode()
		out.Signal = exitSignal(ee.ProcessState)
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot run %s: %w", a.Args[0], err)
	}
	return out, nil
}
