// Command structgen writes the ygot Go structs of the core YANG modules.
// `go generate ./yang` runs it from the yang folder:
//
//	go run ./internal/cmd/structgen -o structs_gen.go modules
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/zebgp/ze/yang/internal/structgen"
)

func main() {
	out := flag.String("o", "structs_gen.go", "the file to write")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: structgen [-o FILE] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	dir := flag.Arg(0)
	files, err := structgen.Modules(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	src, err := structgen.Generate(files, dir, structgen.DefaultOptions)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "structgen:", err)
		os.Exit(1)
	}
}
