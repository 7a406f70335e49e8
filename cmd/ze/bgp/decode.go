package bgp

import (
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/zebgp/ze/bgp/view"
	"github.com/zebgp/ze/bgp/wire"
)

const decodeUsage = `usage: ze bgp decode [options] HEX...|-

Decodes BGP messages given in hex and prints one JSON object per message
(or, with --text, a readable form). HEX is a whole message (starting with
the 16-byte FF marker; several may follow each other) or, with --type, the
message body without its header. With --type attributes HEX is a path
attribute list; with --type nlri, NLRI of --family. "-" reads one HEX per line
from standard input.

options:
`

func runDecode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze bgp decode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, decodeUsage); fs.PrintDefaults() }
	var cf contextFlags
	cf.register(fs)
	typ := fs.String("type", "", "what HEX is when it has no header: open, update, notification, keepalive, route-refresh, attributes or nlri")
	family := fs.String("family", "ipv4/unicast", "the family of --type nlri")
	text := fs.Bool("text", false, "print a readable form instead of JSON")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 1
	}
	ctx, err := cf.context()
	if err != nil {
		fmt.Fprintf(stderr, "ze bgp decode: %v\n", err)
		return 1
	}
	ins, err := inputs(fs.Args(), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ze bgp decode: reading stdin: %v\n", err)
		return 1
	}
	d := decoder{ctx: ctx, typ: *typ, family: *family}
	status := 0
	for _, in := range ins {
		outs, err := d.decode(in)
		for _, o := range outs {
			if *text {
				o = view.JSONToText(o)
			}
			fmt.Fprintf(stdout, "%s\n", o)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ze bgp decode: %v\n", err)
			status = 1
		}
	}
	return status
}

type decoder struct {
	ctx    *wire.EncodingContext
	typ    string
	family string
}

// parseHex accepts upper or lower case, an optional 0x, and spaces or colons
// between bytes.
func parseHex(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
	s = strings.NewReplacer(" ", "", ":", "", "\t", "", "_", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		if len(s)%2 == 1 {
			return nil, fmt.Errorf("bad hex: odd number of digits (%d)", len(s))
		}
		return nil, fmt.Errorf("bad hex: %w", err)
	}
	return b, nil
}

func (d *decoder) decode(in string) ([][]byte, error) {
	b, err := parseHex(in)
	if err != nil {
		return nil, err
	}
	// Only a KEEPALIVE body is empty (RFC 4271 §4.4).
	if len(b) == 0 && d.typ != "keepalive" {
		return nil, fmt.Errorf("empty input")
	}
	var w view.W
	switch d.typ {
	case "attributes", "attribute":
		err = view.AppendAttributesJSON(&w, b, d.ctx)
		return [][]byte{w.B}, err
	case "nlri":
		f, ferr := wire.ParseFamily(d.family)
		if ferr != nil {
			return nil, fmt.Errorf("--family: %s", strings.TrimPrefix(ferr.Error(), "wire: "))
		}
		err = view.AppendNLRIJSON(&w, f, b, d.ctx)
		return [][]byte{w.B}, err
	case "":
		if !hasMarker(b) {
			return nil, fmt.Errorf("input does not start with the 16-byte FF marker; give --type for a message body")
		}
	default:
		t, ok := wire.ParseMsgType(d.typ)
		if !ok {
			return nil, fmt.Errorf("--type %q: want open, update, notification, keepalive, route-refresh, attributes or nlri", d.typ)
		}
		if !hasMarker(b) {
			err = view.AppendBodyJSON(&w, t, b, d.ctx)
			return [][]byte{w.B}, err
		}
	}
	// One or more whole messages.
	var outs [][]byte
	for off := 0; len(b) > 0; {
		msg, rest, serr := wire.Split(b, d.ctx.MaxLen())
		if serr != nil {
			return outs, fmt.Errorf("message at byte %d: %w", off, serr)
		}
		var mw view.W
		err := view.AppendMessageJSON(&mw, msg, d.ctx)
		outs = append(outs, mw.B)
		if err != nil {
			return outs, fmt.Errorf("message at byte %d: %w", off, err)
		}
		off += len(msg)
		b = rest
	}
	return outs, nil
}

func hasMarker(b []byte) bool {
	if len(b) < wire.MarkerLen {
		return false
	}
	for _, c := range b[:wire.MarkerLen] {
		if c != 0xFF {
			return false
		}
	}
	return true
}
