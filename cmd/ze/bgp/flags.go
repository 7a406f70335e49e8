package bgp

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/zebgp/ze/bgp/wire"
)

// contextFlags are the session properties that change how bytes are read and
// written, shared by decode and encode.
type contextFlags struct {
	asn4       bool
	extMessage bool
	addPath    string
	extNH      string
}

func (c *contextFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.asn4, "asn4", true, "4-octet AS numbers negotiated (RFC 6793)")
	fs.BoolVar(&c.extMessage, "extended-message", false, "extended message negotiated: up to 65535 bytes (RFC 8654)")
	fs.StringVar(&c.addPath, "add-path", "", "comma-separated families with ADD-PATH path identifiers (RFC 7911), e.g. ipv4/unicast,ipv6/unicast")
	fs.StringVar(&c.extNH, "extended-next-hop", "", "comma-separated families that may use an IPv6 next hop (RFC 8950)")
}

func (c *contextFlags) context() (*wire.EncodingContext, error) {
	ctx := wire.NewContext(c.asn4, c.extMessage)
	for _, spec := range []struct {
		list string
		set  func(wire.Family, bool)
		name string
	}{{c.addPath, ctx.SetAddPath, "--add-path"}, {c.extNH, ctx.SetExtNextHop, "--extended-next-hop"}} {
		for _, s := range strings.Split(spec.list, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			f, err := wire.ParseFamily(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %s", spec.name, strings.TrimPrefix(err.Error(), "wire: "))
			}
			spec.set(f, true)
		}
	}
	return ctx, nil
}

// inputs returns the command's arguments, or the non-empty lines of stdin
// when the only argument is "-".
func inputs(args []string, stdin io.Reader) ([]string, error) {
	if len(args) != 1 || args[0] != "-" {
		return args, nil
	}
	var out []string
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}
