package bgp

import (
	"flag"
	"fmt"
	"io"

	"github.com/zebgp/ze/bgp/route"
	"github.com/zebgp/ze/bgp/view"
)

const encodeUsage = `usage: ze bgp encode [options] 'update text|hex …'...|-

Encodes route commands into BGP UPDATE messages and prints the hex of each
message on its own line. The grammar is in docs/route-grammar.md, e.g.
  ze bgp encode 'update text origin set igp nhop set 192.0.2.1
      as-path set [65001 65002] nlri ipv4/unicast add 10.0.0.0/24'
"-" reads one command per line from standard input.

options:
`

func runEncode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze bgp encode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, encodeUsage); fs.PrintDefaults() }
	var cf contextFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 1
	}
	ctx, err := cf.context()
	if err != nil {
		fmt.Fprintf(stderr, "ze bgp encode: %v\n", err)
		return 1
	}
	cmds, err := inputs(fs.Args(), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ze bgp encode: reading stdin: %v\n", err)
		return 1
	}
	var line []byte
	for _, c := range cmds {
		u, err := route.Parse(c)
		if err != nil {
			fmt.Fprintf(stderr, "ze bgp encode: %v\n", err)
			return 1
		}
		err = u.Build(ctx, func(msg []byte) error {
			line = append(view.AppendHex(line[:0], msg), '\n')
			_, werr := stdout.Write(line)
			return werr
		})
		if err != nil {
			fmt.Fprintf(stderr, "ze bgp encode: %v\n", err)
			return 1
		}
	}
	return 0
}
