package load

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
	"github.com/zebgp/ze/bgp/wire/message"
)

// Options of a sessions run.
type Options struct {
	Connect netip.AddrPort // ze's address
	Sources []netip.Addr   // one session per source address
	AS      uint32
	ID      netip.Addr // BGP identifier of the first session; the others follow
	Hold    uint16     // proposed hold time, seconds (3..65535)
	// Duration is how long the sessions are held once all are established
	// (or EstablishTimeout has passed).
	Duration         time.Duration
	EstablishTimeout time.Duration
	// Dials is how many connections are opened at once (default 64).
	Dials int
	// PID, when not 0, is the process whose RSS and CPU time are reported.
	PID    int
	Logger *slog.Logger
}

// Report is what a sessions run prints, as JSON.
type Report struct {
	Sessions    int `json:"sessions"`
	Established int `json:"established"`
	// EstablishNS is the time from the first dial to the last session
	// established.
	EstablishNS int64 `json:"establish-ns"`
	HeldNS      int64 `json:"held-ns"`
	// Up is how many were still established at the end of the hold.
	Up int `json:"up"`
	// Lost counts the sessions that ended early, by reason: the
	// NOTIFICATION ze sent ("received 4/0 hold-timer-expired"), "closed",
	// "hold timer expired" (ze went silent), a read or write error.
	Lost               map[string]int `json:"lost"`
	KeepalivesReceived uint64         `json:"keepalives-received"`
	KeepalivesSent     uint64         `json:"keepalives-sent"`
	UpdatesReceived    uint64         `json:"updates-received"`
	Process            *ProcStats     `json:"process,omitempty"`
	// ProcessAtEstablished is Process once every session is established:
	// the CPU of the hold alone is the difference.
	ProcessAtEstablished *ProcStats `json:"process-at-established,omitempty"`
}

// ProcStats is what /proc tells of a process.
type ProcStats struct {
	PID        int     `json:"pid"`
	RSSKiB     uint64  `json:"rss-kib"`      // VmRSS
	PeakRSSKiB uint64  `json:"peak-rss-kib"` // VmHWM
	CPUSeconds float64 `json:"cpu-seconds"`  // utime + stime
	Threads    int     `json:"threads"`
}

func sessionsCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("ze-test load sessions", flag.ContinueOnError)
	fl.SetOutput(stderr)
	connect := fl.String("connect", "", "ze's ADDR:PORT")
	from := fl.String("from", "127.1.0.1", "the first source address")
	count := fl.Int("count", 1000, "how many sessions")
	as := fl.Uint("as", 65100, "our AS")
	id := fl.String("id", "10.1.0.1", "the BGP identifier of the first session (the others follow)")
	hold := fl.Uint("hold", 90, "the hold time we propose, seconds (3-65535)")
	duration := fl.Duration("duration", 3*time.Minute, "how long the sessions are held established")
	establish := fl.Duration("establish-timeout", time.Minute, "how long establishing all may take")
	dials := fl.Int("dials", 64, "connections opened at once")
	pid := fl.Int("pid", 0, "report this process's RSS and CPU seconds (/proc)")
	if err := fl.Parse(args); err != nil {
		return exitError
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "ze-test load sessions: unexpected argument %q\n", fl.Arg(0))
		return exitError
	}
	o := Options{Duration: *duration, EstablishTimeout: *establish, Dials: *dials, PID: *pid,
		Logger: slog.New(slog.NewTextHandler(stderr, nil)).With("component", "ze-test-load")}
	var err error
	if o.Connect, err = netip.ParseAddrPort(*connect); err != nil {
		fmt.Fprintf(stderr, "ze-test load sessions: --connect ADDR:PORT: %v\n", err)
		return exitError
	}
	first, err := netip.ParseAddr(*from)
	if err != nil {
		fmt.Fprintf(stderr, "ze-test load sessions: --from: %v\n", err)
		return exitError
	}
	if *count < 1 {
		fmt.Fprintln(stderr, "ze-test load sessions: --count must be at least 1")
		return exitError
	}
	if o.Sources, err = addrs(first, *count); err != nil {
		fmt.Fprintf(stderr, "ze-test load sessions: %v\n", err)
		return exitError
	}
	if *as == 0 || *as > 0xFFFFFFFF {
		fmt.Fprintln(stderr, "ze-test load sessions: --as must be 1 to 4294967295")
		return exitError
	}
	o.AS = uint32(*as)
	if o.ID, err = netip.ParseAddr(*id); err != nil || !o.ID.Is4() {
		fmt.Fprintln(stderr, "ze-test load sessions: --id must be an IPv4 address")
		return exitError
	}
	if *hold < 3 || *hold > 65535 {
		fmt.Fprintln(stderr, "ze-test load sessions: --hold must be 3 to 65535")
		return exitError
	}
	o.Hold = uint16(*hold)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := Run(ctx, o)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep)
	if err != nil {
		fmt.Fprintf(stderr, "ze-test load sessions: %v\n", err)
		return exitError
	}
	return exitOK
}

// Run opens the sessions, holds them and reports. The error says why the
// run failed: not all established, or some lost during the hold.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.Dials <= 0 {
		o.Dials = 64
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.EstablishTimeout <= 0 {
		o.EstablishTimeout = time.Minute
	}
	st := &state{o: o, established: make(chan struct{}, len(o.Sources)), lost: map[string]int{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	start := time.Now()
	sem := make(chan struct{}, o.Dials)
	var wg sync.WaitGroup
	sessions := make([]*sess, len(o.Sources))
	for i, src := range o.Sources {
		s := &sess{st: st, src: src, id: nthID(o.ID, i), done: make(chan struct{})}
		sessions[i] = s
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.run(ctx, sem)
		}()
	}

	rep := Report{Sessions: len(o.Sources)}
	deadline := time.NewTimer(o.EstablishTimeout)
	defer deadline.Stop()
	n := 0
wait:
	for n < len(o.Sources) {
		select {
		case <-st.established:
			n++
		case <-deadline.C:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	rep.Established = n
	rep.EstablishNS = time.Since(start).Nanoseconds()
	o.Logger.Info("established", "sessions", n, "of", len(o.Sources), "took", time.Since(start).Round(time.Millisecond))
	if o.PID != 0 {
		if p, err := ReadProc(o.PID); err == nil {
			rep.ProcessAtEstablished = &p
		}
	}

	held := time.Now()
	if n == len(o.Sources) && ctx.Err() == nil {
		tick := time.NewTicker(10 * time.Second)
		end := time.NewTimer(o.Duration)
	hold:
		for {
			select {
			case <-end.C:
				break hold
			case <-ctx.Done():
				break hold
			case <-tick.C:
				o.Logger.Info("holding", "up", st.up.Load(), "lost", st.lostCount(), "for", time.Since(held).Round(time.Second))
			}
		}
		tick.Stop()
		end.Stop()
	}
	rep.HeldNS = time.Since(held).Nanoseconds()
	rep.Up = int(st.up.Load())
	if o.PID != 0 {
		if p, err := ReadProc(o.PID); err == nil {
			rep.Process = &p
		}
	}
	// Close: a Cease to every session still up.
	cancel()
	wg.Wait()

	st.mu.Lock()
	rep.Lost = st.lost
	st.mu.Unlock()
	rep.KeepalivesReceived = st.kaIn.Load()
	rep.KeepalivesSent = st.kaOut.Load()
	rep.UpdatesReceived = st.updIn.Load()
	switch {
	case rep.Established < rep.Sessions:
		return rep, fmt.Errorf("%d of %d sessions established within %s (lost: %s)", rep.Established, rep.Sessions, o.EstablishTimeout, lostText(rep.Lost))
	case rep.Up < rep.Sessions:
		return rep, fmt.Errorf("%d of %d sessions lost during the hold: %s", rep.Sessions-rep.Up, rep.Sessions, lostText(rep.Lost))
	}
	return rep, nil
}

func lostText(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d %s", m[k], k)
	}
	return s
}

// nthID is the BGP identifier of session i: first + i.
func nthID(first netip.Addr, i int) netip.Addr {
	b := first.As4()
	v := binary.BigEndian.Uint32(b[:]) + uint32(i)
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// state is shared by the sessions of a run.
type state struct {
	o           Options
	established chan struct{}
	up          atomic.Int64
	kaIn        atomic.Uint64
	kaOut       atomic.Uint64
	updIn       atomic.Uint64
	mu          sync.Mutex
	lost        map[string]int
}

func (st *state) lose(reason string) {
	st.mu.Lock()
	st.lost[reason]++
	st.mu.Unlock()
}

func (st *state) lostCount() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	for _, v := range st.lost {
		n += v
	}
	return n
}

// sess is one session.
type sess struct {
	st   *state
	src  netip.Addr
	id   netip.Addr
	done chan struct{}
	wmu  sync.Mutex
	conn net.Conn
}

// errStopped ends a session at the end of the run.
var errStopped = errors.New("stopped")

func (s *sess) run(ctx context.Context, sem chan struct{}) {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(s.src, 0)), Timeout: 10 * time.Second}
	c, err := d.DialContext(ctx, "tcp", s.st.o.Connect.String())
	<-sem
	if err != nil {
		if ctx.Err() == nil {
			s.st.lose("dial: " + errText(err))
		}
		return
	}
	s.conn = c
	defer c.Close()
	up := false
	reason := s.session(ctx, c, &up)
	if up {
		s.st.up.Add(-1)
	}
	if !errors.Is(reason, errStopped) {
		s.st.lose(reasonText(reason))
		s.st.o.Logger.Warn("session lost", "source", s.src, "reason", reasonText(reason))
	}
}

// lostReason is a session's end as reported.
type lostReason struct{ text string }

func (e *lostReason) Error() string { return e.text }

func reasonText(err error) string {
	var lr *lostReason
	if errors.As(err, &lr) {
		return lr.text
	}
	return errText(err)
}

// errText is an error without the addresses, so that reasons group.
func errText(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Op + ": " + op.Err.Error()
	}
	return err.Error()
}

func (s *sess) write(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := s.conn.Write(b)
	return err
}

// session speaks BGP on c until the run ends or the session does.
func (s *sess) session(ctx context.Context, c net.Conn, up *bool) error {
	if err := s.write(s.open()); err != nil {
		return err
	}
	msgs := make(chan []byte, 16)
	rerr := make(chan error, 1)
	go func() { rerr <- readLoop(c, msgs) }()

	hold := time.Duration(s.st.o.Hold) * time.Second
	holdT := time.NewTimer(hold)
	defer holdT.Stop()
	var kaT *time.Ticker
	var kaC <-chan time.Time
	defer func() {
		if kaT != nil {
			kaT.Stop()
		}
	}()
	gotOpen := false
	// The reader's end comes after the messages it read before it (a
	// NOTIFICATION, then the close): both channels may be ready at once.
	var ended error
	rerrC := (<-chan error)(rerr)
	for {
		if ended != nil && len(msgs) == 0 {
			if errors.Is(ended, io.EOF) {
				return &lostReason{"closed"}
			}
			return ended
		}
		select {
		case <-ctx.Done():
			_ = s.write(cease())
			_ = c.Close()
			return errStopped
		case err := <-rerrC:
			ended, rerrC = err, nil
			continue
		case <-holdT.C:
			_ = s.write(notification(4, 0))
			return &lostReason{"hold timer expired (ze silent)"}
		case <-kaC:
			if err := s.write(keepalive()); err != nil {
				return err
			}
			s.st.kaOut.Add(1)
		case m := <-msgs:
			h, _ := wire.ParseHeader(m, wire.MaxMsgLen) // readLoop checked it
			switch h.Type {
			case wire.MsgOpen:
				o, err := message.ParseOpen(m[wire.HeaderLen:])
				if err != nil {
					return &lostReason{"bad OPEN from ze: " + err.Error()}
				}
				if gotOpen {
					return &lostReason{"second OPEN"}
				}
				gotOpen = true
				if o.HoldTime != 0 && o.HoldTime < s.st.o.Hold {
					hold = time.Duration(o.HoldTime) * time.Second
				}
				if err := s.write(keepalive()); err != nil {
					return err
				}
			case wire.MsgKeepalive:
				s.st.kaIn.Add(1)
				if gotOpen && !*up {
					*up = true
					s.st.up.Add(1)
					s.st.established <- struct{}{}
					kaT = time.NewTicker(hold / 3)
					kaC = kaT.C
				}
			case wire.MsgUpdate:
				s.st.updIn.Add(1)
			case wire.MsgNotification:
				n, err := message.ParseNotification(m[wire.HeaderLen:])
				if err != nil {
					return &lostReason{"received a malformed NOTIFICATION"}
				}
				return &lostReason{"received " + n.String()}
			}
			holdT.Reset(hold)
		}
	}
}

// readLoop cuts whole messages from c; each is a new slice.
func readLoop(c net.Conn, out chan<- []byte) error {
	var hdr [wire.HeaderLen]byte
	for {
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return err
		}
		h, err := wire.ParseHeader(hdr[:], wire.MaxMsgLen)
		if err != nil {
			return &lostReason{"bad header from ze: " + err.Error()}
		}
		m := make([]byte, h.Length)
		copy(m, hdr[:])
		if _, err := io.ReadFull(c, m[wire.HeaderLen:]); err != nil {
			return err
		}
		out <- m
	}
}

// open is our OPEN: ipv4/unicast and 4-octet AS numbers.
func (s *sess) open() []byte {
	my := uint16(23456) // AS_TRANS (RFC 6793)
	if s.st.o.AS <= 0xFFFF {
		my = uint16(s.st.o.AS)
	}
	o := message.Open{Version: 4, MyAS: my, HoldTime: s.st.o.Hold, BGPID: s.id}
	caps := []capability.Capability{&capability.Multiprotocol{Family: wire.IPv4Unicast}, &capability.ASN4{ASN: s.st.o.AS}}
	buf := make([]byte, message.OpenLen(o, caps))
	n := message.WriteOpen(buf, 0, o, caps)
	return buf[:n]
}

func keepalive() []byte {
	b := make([]byte, wire.HeaderLen)
	wire.WriteHeader(b, 0, wire.HeaderLen, wire.MsgKeepalive)
	return b
}

func notification(code, sub byte) []byte {
	b := make([]byte, wire.HeaderLen+2)
	wire.WriteHeader(b, 0, len(b), wire.MsgNotification)
	b[wire.HeaderLen], b[wire.HeaderLen+1] = code, sub
	return b
}

// cease is Cease / Administrative Shutdown.
func cease() []byte { return notification(6, 2) }
