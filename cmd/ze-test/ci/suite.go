// Package ci runs ze's functional tests: .ci files that drive the real ze
// binary the way a user would and check what it prints. docs/testing.md is
// the reference for the file format.
package ci

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Ext is the extension of a functional test file.
const Ext = ".ci"

// FindFiles returns the .ci files named by paths, sorted and without duplicates.
// A directory is searched recursively, skipping hidden and testdata
// directories; a file must end in .ci.
func FindFiles(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var files []string
	add := func(f string) {
		f = filepath.Clean(f)
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			if filepath.Ext(root) != Ext {
				return nil, fmt.Errorf("%s: not a %s file", root, Ext)
			}
			add(root)
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
					return filepath.SkipDir
				}
				return nil
			}
			if filepath.Ext(path) == Ext {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}

// Report writes the results of RunAll.
type Report struct {
	W       io.Writer
	Verbose bool
}

// RunAll runs files with up to jobs tests at a time, writes one line per
// failure (and per test when verbose) in file order, and returns the counts.
// The caller prints the summary line.
func RunAll(ctx context.Context, cfg Config, files []string, jobs int, rep Report) (passed, failed int) {
	if jobs < 1 {
		jobs = 1
	}
	results := make([]chan *Result, len(files))
	for i := range results {
		results[i] = make(chan *Result, 1)
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(files)) {
		wg.Go(func() {
			for i := range work {
				results[i] <- RunFile(ctx, cfg, files[i])
			}
		})
	}
	go func() {
		for i := range files {
			work <- i
		}
		close(work)
	}()
	for _, ch := range results {
		r := <-ch
		if r.Passed() {
			passed++
		} else {
			failed++
		}
		rep.write(r)
	}
	wg.Wait()
	return passed, failed
}

func (rep Report) write(r *Result) {
	if r.Passed() {
		if rep.Verbose {
			fmt.Fprintf(rep.W, "ok   %s (%.2fs)\n", r.File, r.Elapsed.Seconds())
		}
		return
	}
	for _, f := range r.Failures {
		fmt.Fprintf(rep.W, "FAIL %s:%d: %s\n", r.File, f.Line, f.Msg)
	}
	if r.KeptDir != "" {
		fmt.Fprintf(rep.W, "     %s: kept %s\n", r.File, r.KeptDir)
	}
	if rep.Verbose && r.Detail != "" {
		fmt.Fprintf(rep.W, "     %s\n", strings.ReplaceAll(r.Detail, "\n", "\n     "))
	}
}
