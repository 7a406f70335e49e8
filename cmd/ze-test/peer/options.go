package peer

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// Mode is what the peer does once the session is up.
type Mode string

// The modes of ze-test peer.
const (
	ModeSink   Mode = "sink"
	ModeEcho   Mode = "echo"
	ModeReplay Mode = "replay"
	ModeCheck  Mode = "check"
)

// NotifyAt says when --notify sends its NOTIFICATION.
type NotifyAt string

// The points at which --notify can fire.
const (
	NotifyAtOpen        NotifyAt = "open"        // instead of the KEEPALIVE that answers the peer's OPEN
	NotifyAtEstablished NotifyAt = "established" // as soon as the session is established
	NotifyAtEnd         NotifyAt = "end"         // when the mode's goal is reached (default)
)

// Code is a NOTIFICATION code and subcode given as CODE/SUBCODE.
type Code struct {
	Code    wire.NotifyCode
	Subcode uint8
	Set     bool
}

func (c Code) String() string { return fmt.Sprintf("%d/%d", c.Code, c.Subcode) }

func parseCode(s string) (Code, error) {
	a, b, ok := strings.Cut(s, "/")
	x, err1 := strconv.ParseUint(a, 10, 8)
	y, err2 := strconv.ParseUint(b, 10, 8)
	if !ok || err1 != nil || err2 != nil || x == 0 {
		return Code{}, fmt.Errorf("want CODE/SUBCODE like 6/2, got %q", s)
	}
	return Code{Code: wire.NotifyCode(x), Subcode: uint8(y), Set: true}, nil
}

// Config is the command line of ze-test peer.
type Config struct {
	Listen, Connect string // exactly one is set: ADDR:PORT (Connect may omit the port with PortFile)
	Local           string // connect: the source address
	AS              uint32 // 0: the peer's own AS (iBGP), our OPEN then waits for theirs
	PeerAS          uint32 // 0: any
	ID              netip.Addr
	Hold            uint16
	Families        []wire.Family
	AddPath         []capability.AddPathFamily
	ASN4            bool
	ExtendedMessage bool
	RouteRefresh    bool
	MD5             string
	PortFile        string
	Timeout         time.Duration
	TimeoutSet      bool
	Notify          Code
	NotifyAt        NotifyAt
	ExpectNotify    Code
	ExpectUpdates   int
	UntilEOR        bool
	Text            bool
	Quiet           bool
	Exit            bool   // replay: exit once everything is sent
	NoEOR           bool   // replay: no End-of-RIB after the file
	SignalPID       int    // check: the process that signal lines go to
	OpenHex         []byte // sent in place of our OPEN, unchecked
	NotifyMessage   string // RFC 9003 communication of --notify
	Debug           bool

	Mode Mode
	File string // replay, check
}

const usageText = `usage: ze-test peer (--listen ADDR:PORT | --connect ADDR[:PORT]) [options] MODE [FILE]

modes:
  sink           print every received message as one JSON line, answer keepalives
  echo           send back every UPDATE received (and print like sink)
  replay FILE    send the messages of FILE (hex lines, an MRT file, a .msg file),
                 then End-of-RIB, then stay
  check FILE     expect the messages of a .msg file, exit 0 when all arrived in order

options:
`

// ParseArgs reads the command line (options may come before or after MODE).
// The error of a bad command line is returned; --help gives flag.ErrHelp.
func ParseArgs(args []string, stderr io.Writer) (*Config, error) {
	cfg := &Config{Hold: 90, ASN4: true, NotifyAt: NotifyAtEnd, Timeout: 30 * time.Second}
	fl := flag.NewFlagSet("ze-test peer", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fl.PrintDefaults()
	}
	fl.StringVar(&cfg.Listen, "listen", "", "accept one session on `ADDR:PORT` (port 0: any free port, see --port-file)")
	fl.StringVar(&cfg.Connect, "connect", "", "connect to `ADDR:PORT`")
	fl.StringVar(&cfg.Local, "local", "", "connect from this source `ADDR`")
	fl.Func("as", "our `AS` number (default: the peer's, iBGP; our OPEN then waits for theirs)", func(s string) error {
		n, err := parseASN(s)
		cfg.AS = n
		return err
	})
	fl.Func("peer-as", "refuse a peer whose OPEN does not carry this `AS` (Bad Peer AS)", func(s string) error {
		n, err := parseASN(s)
		cfg.PeerAS = n
		return err
	})
	id := fl.String("id", "192.0.2.254", "our BGP identifier, `A.B.C.D`")
	hold := fl.Int("hold", 90, "hold time in `seconds` (0, or 3 to 65535)")
	fl.Func("family", "announce `afi/safi` (repeat; default ipv4/unicast)", func(s string) error {
		f, err := wire.ParseFamily(s)
		if err != nil {
			return err
		}
		cfg.Families = append(cfg.Families, f)
		return nil
	})
	fl.Func("add-path", "ADD-PATH for `afi/safi/send|receive|both` (repeat)", func(s string) error {
		apf, err := parseAddPath(s)
		cfg.AddPath = append(cfg.AddPath, apf)
		return err
	})
	fl.BoolVar(&cfg.ASN4, "asn4", true, "announce 4-octet AS numbers (RFC 6793)")
	fl.BoolVar(&cfg.ExtendedMessage, "extended-message", false, "announce extended messages (RFC 8654)")
	fl.BoolVar(&cfg.RouteRefresh, "route-refresh", false, "announce route refresh (RFC 2918)")
	fl.StringVar(&cfg.MD5, "md5", "", "TCP MD5 signature `password` (RFC 2385)")
	fl.StringVar(&cfg.PortFile, "port-file", "", "listen: write the chosen port to `FILE`; connect without a port: read it from FILE")
	fl.Func("timeout", "time to reach the goal, as `D` (default 30s; sink and echo without a goal run until D when given)", func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration like 10s, got %q", s)
		}
		cfg.Timeout, cfg.TimeoutSet = d, true
		return nil
	})
	fl.Func("notify", "send a NOTIFICATION `CODE/SUBCODE` at --notify-at", func(s string) error {
		c, err := parseCode(s)
		cfg.Notify = c
		return err
	})
	fl.StringVar(&cfg.NotifyMessage, "notify-message", "", "the shutdown communication (RFC 9003) of a --notify 6/2 or 6/4, `TEXT`")
	fl.Func("open-hex", "send these bytes, as `HEX`, in place of our OPEN (unchecked: a bad OPEN, or another message)", func(s string) error {
		b, err := decodeHex(s)
		if err == nil && len(b) == 0 {
			err = errors.New("no bytes")
		}
		cfg.OpenHex = b
		return err
	})
	fl.Func("notify-at", "when --notify fires: `open`, established or end", func(s string) error {
		switch NotifyAt(s) {
		case NotifyAtOpen, NotifyAtEstablished, NotifyAtEnd:
			cfg.NotifyAt = NotifyAt(s)
			return nil
		}
		return fmt.Errorf("want open, established or end, got %q", s)
	})
	fl.Func("expect-notification", "exit 0 when a NOTIFICATION `CODE/SUBCODE` arrives, 1 on any other", func(s string) error {
		c, err := parseCode(s)
		cfg.ExpectNotify = c
		return err
	})
	fl.IntVar(&cfg.ExpectUpdates, "expect-updates", 0, "exit 0 once `N` UPDATEs (End-of-RIB not counted) arrived")
	until := fl.String("until", "", "`eor`: exit 0 once End-of-RIB arrived for every negotiated family")
	fl.BoolVar(&cfg.Text, "text", false, "print messages as indented text instead of JSON lines")
	fl.BoolVar(&cfg.Quiet, "quiet", false, "do not print received messages")
	fl.BoolVar(&cfg.Exit, "exit", false, "replay: exit 0 once the file and End-of-RIB are sent")
	fl.BoolVar(&cfg.NoEOR, "no-eor", false, "replay: send no End-of-RIB after a hex or MRT file")
	fl.IntVar(&cfg.SignalPID, "signal-pid", 0, "check: the `PID` that signal lines are sent to")
	fl.BoolVar(&cfg.Debug, "debug", false, "log every message sent and received")

	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		if fl.NArg() == 0 {
			break
		}
		pos = append(pos, fl.Arg(0))
		args = fl.Args()[1:]
	}
	if err := cfg.finish(pos, *id, *hold, *until); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (cfg *Config) finish(pos []string, id string, hold int, until string) error {
	if len(pos) == 0 {
		return errors.New("no mode given (sink, echo, replay FILE, check FILE)")
	}
	cfg.Mode = Mode(pos[0])
	switch cfg.Mode {
	case ModeSink, ModeEcho:
		if len(pos) != 1 {
			return fmt.Errorf("%s takes no argument, got %q", cfg.Mode, pos[1])
		}
	case ModeReplay, ModeCheck:
		if len(pos) != 2 {
			return fmt.Errorf("usage: %s FILE", cfg.Mode)
		}
		cfg.File = pos[1]
	default:
		return fmt.Errorf("unknown mode %q (want sink, echo, replay or check)", pos[0])
	}
	if (cfg.Listen == "") == (cfg.Connect == "") {
		return errors.New("give exactly one of --listen ADDR:PORT and --connect ADDR:PORT")
	}
	if cfg.Connect != "" && cfg.PortFile == "" {
		if _, err := netip.ParseAddrPort(cfg.Connect); err != nil {
			return fmt.Errorf("--connect: %w", err)
		}
	}
	if cfg.Local != "" {
		if cfg.Connect == "" {
			return errors.New("--local goes with --connect")
		}
		if _, err := netip.ParseAddr(cfg.Local); err != nil {
			return fmt.Errorf("--local: %w", err)
		}
	}
	if cfg.Listen != "" {
		if _, err := netip.ParseAddrPort(cfg.Listen); err != nil {
			return fmt.Errorf("--listen: %w", err)
		}
	}
	a, err := netip.ParseAddr(id)
	if err != nil || !a.Is4() || a.IsUnspecified() {
		return fmt.Errorf("--id: want a non-zero IPv4 address, got %q", id)
	}
	cfg.ID = a
	if hold != 0 && (hold < 3 || hold > 65535) {
		return fmt.Errorf("--hold: want 0 or 3 to 65535 seconds, got %d", hold)
	}
	cfg.Hold = uint16(hold)
	switch until {
	case "":
	case "eor":
		cfg.UntilEOR = true
	default:
		return fmt.Errorf("--until: want eor, got %q", until)
	}
	sinkLike := cfg.Mode == ModeSink || cfg.Mode == ModeEcho
	switch {
	case !sinkLike && (cfg.UntilEOR || cfg.ExpectUpdates != 0):
		return fmt.Errorf("--until and --expect-updates go with sink or echo, not %s", cfg.Mode)
	case cfg.Mode != ModeReplay && (cfg.Exit || cfg.NoEOR):
		return fmt.Errorf("--exit and --no-eor go with replay, not %s", cfg.Mode)
	case cfg.Mode != ModeCheck && cfg.SignalPID != 0:
		return fmt.Errorf("--signal-pid goes with check, not %s", cfg.Mode)
	case cfg.Mode == ModeCheck && (cfg.Text || cfg.Quiet):
		return errors.New("check prints no messages: --text and --quiet do not apply")
	}
	if cfg.ExpectUpdates < 0 {
		return fmt.Errorf("--expect-updates: want a positive number, got %d", cfg.ExpectUpdates)
	}
	if cfg.NotifyMessage != "" && cfg.notification().Data == nil {
		return errors.New("--notify-message goes with --notify 6/2 or 6/4 (RFC 9003)")
	}
	if len(cfg.MD5) > 80 {
		return errors.New("--md5: a key has at most 80 bytes")
	}
	return nil
}

// notification is the NOTIFICATION of --notify (with --notify-message).
func (cfg *Config) notification() message.Notification {
	if cfg.Notify.Code == wire.NotifyCease && (cfg.Notify.Subcode == wire.CeaseAdminShutdown || cfg.Notify.Subcode == wire.CeaseAdminReset) {
		return message.NewShutdown(cfg.Notify.Subcode, cfg.NotifyMessage)
	}
	return message.Notification{Code: cfg.Notify.Code, Subcode: cfg.Notify.Subcode}
}

func parseASN(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("want an AS number from 1 to 4294967295, got %q", s)
	}
	return uint32(n), nil
}

func parseAddPath(s string) (capability.AddPathFamily, error) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return capability.AddPathFamily{}, fmt.Errorf("want afi/safi/send|receive|both, got %q", s)
	}
	f, err := wire.ParseFamily(s[:i])
	if err != nil {
		return capability.AddPathFamily{}, err
	}
	var m capability.AddPathMode
	switch s[i+1:] {
	case "receive":
		m = capability.AddPathReceive
	case "send":
		m = capability.AddPathSend
	case "both":
		m = capability.AddPathReceive | capability.AddPathSend
	default:
		return capability.AddPathFamily{}, fmt.Errorf("want send, receive or both after the family, got %q", s[i+1:])
	}
	return capability.AddPathFamily{Family: f, Mode: m}, nil
}
