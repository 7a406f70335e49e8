package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/zebgp/ze/zefs"
)

func runLs(c *cmd, args []string) int {
	set := c.flags()
	long := set.Bool("l", false, "print the size of each value, in bytes, before its key")
	asJSON := set.Bool("json", false, `print a JSON array of {"key": …, "size": …}`)
	pos, err := parse(set, args)
	if err != nil {
		return parseError(err)
	}
	if len(pos) > 1 {
		fmt.Fprintf(c.stderr, "%s: one PREFIX at most, got %d arguments\n", c.name, len(pos))
		return exitError
	}
	prefix := ""
	if len(pos) == 1 {
		prefix = pos[0]
	}
	s, code := c.open(false)
	if s == nil {
		return code
	}
	type item struct {
		Key  string `json:"key"`
		Size int    `json:"size"`
	}
	items := []item{}
	for _, k := range s.List(prefix) {
		v, err := s.Get(k)
		if err != nil {
			fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
			return c.close(s, exitError)
		}
		items = append(items, item{k, len(v)})
	}
	var out strings.Builder
	switch {
	case *asJSON:
		b, _ := json.Marshal(items)
		out.Write(b)
		out.WriteByte('\n')
	case *long:
		for _, it := range items {
			fmt.Fprintf(&out, "%10d %s\n", it.Size, it.Key)
		}
	default:
		for _, it := range items {
			out.WriteString(it.Key + "\n")
		}
	}
	if _, err := io.WriteString(c.stdout, out.String()); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
		return c.close(s, exitError)
	}
	return c.close(s, exitOK)
}

func runCat(c *cmd, args []string) int {
	set := c.flags()
	keys, err := parse(set, args)
	if err != nil {
		return parseError(err)
	}
	if len(keys) == 0 {
		set.Usage()
		return exitError
	}
	s, code := c.open(false)
	if s == nil {
		return code
	}
	for _, k := range keys {
		err := s.View(k, func(v []byte) error {
			_, err := c.stdout.Write(v)
			return err
		})
		switch {
		case errors.Is(err, zefs.ErrNotFound):
			fmt.Fprintf(c.stderr, "%s: no entry %q\n", c.name, k)
			code = worse(code, exitNotFound)
		case err != nil:
			fmt.Fprintf(c.stderr, "%s: %s: %v\n", c.name, k, err)
			return c.close(s, exitError)
		}
	}
	return c.close(s, code)
}

// input is one file to import and the key it goes under.
type input struct {
	file, key string
	value     []byte
}

func runImport(c *cmd, args []string) int {
	set := c.flags()
	key := set.String("key", "", "the key to store FILE under; ending in /, the folder for each FILE's base name")
	files, err := parse(set, args)
	if err != nil {
		return parseError(err)
	}
	if len(files) == 0 {
		set.Usage()
		return exitError
	}
	folder := strings.HasSuffix(*key, "/")
	if *key != "" && !folder && len(files) > 1 {
		fmt.Fprintf(c.stderr, "%s: --key %s names one entry, and %d files were given (end it with / to import them under it)\n", c.name, *key, len(files))
		return exitError
	}
	// Every file is read and every key checked before the store changes.
	var ins []input
	seen := map[string]string{}
	for _, file := range files {
		k := filepath.Base(file)
		switch {
		case file == "-" && (*key == "" || folder):
			fmt.Fprintf(c.stderr, "%s: standard input needs --key with the key to store it under\n", c.name)
			return exitError
		case folder:
			k = *key + k
		case *key != "":
			k = *key
		}
		if err := zefs.ValidKey(k); err != nil {
			fmt.Fprintf(c.stderr, "%s: %s: key %q: %v\n", c.name, file, k, err)
			return exitError
		}
		if other, dup := seen[k]; dup {
			fmt.Fprintf(c.stderr, "%s: %s and %s would both be stored as %q\n", c.name, other, file, k)
			return exitError
		}
		seen[k] = file
		value, code := c.readInput(file)
		if code != exitOK {
			return code
		}
		ins = append(ins, input{file, k, value})
	}

	path := c.storePath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
		return exitError
	}
	s, code := c.openStore(path, zefs.Options{})
	if s == nil {
		return code
	}
	for _, in := range ins {
		if err := s.Put(in.key, in.value); err != nil {
			fmt.Fprintf(c.stderr, "%s: %s: %v\n", c.name, in.file, err)
			return c.close(s, exitError)
		}
	}
	return c.close(s, exitOK)
}

// readInput reads a file to import, or standard input for "-".
func (c *cmd) readInput(file string) ([]byte, int) {
	r := c.stdin
	if file != "-" {
		f, err := os.Open(file)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(c.stderr, "%s: %s: no such file\n", c.name, file)
			return nil, exitNotFound
		}
		if err != nil {
			fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
			return nil, exitError
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			fmt.Fprintf(c.stderr, "%s: %s is a directory\n", c.name, file)
			return nil, exitError
		}
		r = f
	}
	// One byte more than a value may hold tells a file that is too large
	// without reading all of it.
	b, err := io.ReadAll(io.LimitReader(r, zefs.MaxValueLen+1))
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: reading %s: %v\n", c.name, file, err)
		return nil, exitError
	}
	if len(b) > zefs.MaxValueLen {
		fmt.Fprintf(c.stderr, "%s: %s is larger than %d bytes\n", c.name, file, zefs.MaxValueLen)
		return nil, exitError
	}
	return b, exitOK
}

func runRm(c *cmd, args []string) int {
	set := c.flags()
	keys, err := parse(set, args)
	if err != nil {
		return parseError(err)
	}
	if len(keys) == 0 {
		set.Usage()
		return exitError
	}
	s, code := c.open(true)
	if s == nil {
		return code
	}
	for _, k := range keys {
		err := s.Delete(k)
		switch {
		case errors.Is(err, zefs.ErrNotFound):
			fmt.Fprintf(c.stderr, "%s: no entry %q\n", c.name, k)
			code = worse(code, exitNotFound)
		case err != nil:
			fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
			return c.close(s, exitError)
		}
	}
	return c.close(s, code)
}

func runCompact(c *cmd, args []string) int {
	set := c.flags()
	pos, err := parse(set, args)
	if err != nil {
		return parseError(err)
	}
	if len(pos) != 0 {
		fmt.Fprintf(c.stderr, "%s: no arguments expected, got %q\n", c.name, pos)
		return exitError
	}
	s, code := c.open(true)
	if s == nil {
		return code
	}
	before := s.Stats()
	if err := s.Compact(); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
		return c.close(s, exitError)
	}
	after := s.Stats()
	fmt.Fprintf(c.stdout, "entries %d, size %d bytes (was %d)\n", after.Entries, after.Size, before.Size)
	return c.close(s, exitOK)
}
