package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/zebgp/ze/cdb/config"
)

// errorJSON is one error in `ze config validate --json`.
type errorJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// validateJSON is the output of `ze config validate --json`.
type validateJSON struct {
	Valid  bool        `json:"valid"`
	Errors []errorJSON `json:"errors"`
}

func runValidate(c *cmdline, args []string) int {
	asJSON := c.fs.Bool("json", false, "print the result as JSON on standard output")
	quiet := c.fs.Bool("q", false, "print nothing: the exit status says")
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) != 1 {
		return c.errorf(exitError, "want one FILE")
	}
	y, code := c.schema()
	if code != exitOK {
		return code
	}
	src, code := c.read(rest[0])
	if code != exitOK {
		return code
	}
	_, err := config.Load(y, src, config.Options{File: name(rest[0])})
	var list config.ErrorList
	if err != nil && !errors.As(err, &list) {
		return c.errorf(exitError, "%v", err)
	}
	code = exitOK
	if len(list) > 0 {
		code = exitError
	}
	switch {
	case *quiet:
	case *asJSON:
		out := validateJSON{Valid: len(list) == 0, Errors: []errorJSON{}}
		for _, e := range list {
			out.Errors = append(out.Errors, errorJSON{e.File, e.Pos.Line, e.Pos.Col, e.Path, e.Message})
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(c.stdout, "%s\n", b)
	case len(list) == 0:
		fmt.Fprintf(c.stdout, "%s: valid\n", name(rest[0]))
	default:
		for _, e := range list {
			fmt.Fprintln(c.stderr, e)
		}
		fmt.Fprintf(c.stderr, "%s: %s\n", name(rest[0]), plural(len(list), "error"))
	}
	return code
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// parseFile reads and parses one configuration file (no validation); on
// failure it reports every error and returns the exit code.
func (c *cmdline) parseFile(path string) (*config.Tree, int) {
	y, code := c.schema()
	if code != exitOK {
		return nil, code
	}
	src, code := c.read(path)
	if code != exitOK {
		return nil, code
	}
	t, err := config.Parse(y, src, config.Options{File: name(path)})
	if err != nil {
		var list config.ErrorList
		if !errors.As(err, &list) {
			return nil, c.errorf(exitError, "%v", err)
		}
		for _, e := range list {
			fmt.Fprintln(c.stderr, e)
		}
		return nil, c.errorf(exitError, "%s: %s, nothing done", name(path), plural(len(list), "error"))
	}
	return t, exitOK
}

func runFmt(c *cmdline, args []string) int {
	format := c.fs.String("format", "hierarchical", "the form to print: hierarchical, set or json")
	write := c.fs.Bool("w", false, "write the result to FILE instead of standard output")
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) != 1 {
		return c.errorf(exitError, "want one FILE")
	}
	f, err := config.ParseFormat(*format)
	if err != nil || f == config.Auto {
		return c.errorf(exitError, "unknown --format %q (want hierarchical, set or json)", *format)
	}
	if *write && rest[0] == "-" {
		return c.errorf(exitError, "-w needs a FILE, not standard input")
	}
	t, code := c.parseFile(rest[0])
	if t == nil {
		return code
	}
	out, err := t.Format(f)
	if err != nil {
		return c.errorf(exitError, "%v", err)
	}
	if !*write {
		return c.write(out)
	}
	old, _ := os.ReadFile(rest[0])
	if bytes.Equal(old, out) {
		return exitOK
	}
	info, err := os.Stat(rest[0])
	if err != nil {
		return c.errorf(exitError, "%v", err)
	}
	if err := writeFile(rest[0], out, info.Mode().Perm()); err != nil {
		return c.errorf(exitError, "%v", err)
	}
	return exitOK
}

// writeFile replaces path with data through a temporary file in the same
// folder, so that a failure leaves the old file whole.
func writeFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(dirOf(path), ".ze-config-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i+1]
		}
	}
	return "."
}

func runDiff(c *cmdline, args []string) int {
	rest, ok := c.parse(args)
	if !ok {
		return exitError
	}
	if len(rest) != 2 {
		return c.errorf(exitError, "want two files, A and B")
	}
	if rest[0] == "-" && rest[1] == "-" {
		return c.errorf(exitError, "only one of A and B can be standard input")
	}
	a, code := c.parseFile(rest[0])
	if a == nil {
		return code
	}
	b, code := c.parseFile(rest[1])
	if b == nil {
		return code
	}
	return c.write(config.Compare(a, b))
}

// write writes out to standard output.
func (c *cmdline) write(out []byte) int {
	if _, err := c.stdout.Write(out); err != nil {
		return c.errorf(exitError, "%v", err)
	}
	return exitOK
}
