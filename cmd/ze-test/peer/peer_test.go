package peer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/mrt"
	"github.com/zebgp/ze/bgp/wire"
)

const corpus = "../../../../shared/corpus"

// addrN hands out a distinct 127.0.x.y address per test pair, so that
// parallel pairs never meet.
var addrN atomic.Int32

func nextAddr() string {
	n := addrN.Add(1)
	return fmt.Sprintf("127.0.%d.%d", 40+n/250, 1+n%250)
}

// result is what one peer of a pair did.
type result struct {
	err    error
	stdout string
	stderr string
}

// syncBuf is a bytes.Buffer safe for the writer and a reader.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start parses args and runs the peer in a goroutine.
func start(ctx context.Context, t *testing.T, args ...string) <-chan result {
	t.Helper()
	cfg, err := ParseArgs(args, io.Discard)
	if err != nil {
		t.Fatalf("ParseArgs(%q): %v", args, err)
	}
	ch := make(chan result, 1)
	go func() {
		var out, errOut syncBuf
		err := Run(ctx, cfg, &out, &errOut)
		ch <- result{err, out.String(), errOut.String()}
	}()
	return ch
}

// pair runs a listening peer and a connecting one; common args go to both.
func pair(t *testing.T, listen, connect []string) (l, c result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	addr, from := nextAddr(), nextAddr()
	port := filepath.Join(t.TempDir(), "port")
	lch := start(ctx, t, append([]string{"--listen", addr + ":0", "--port-file", port, "--id", "10.0.0.1", "--timeout", "5s"}, listen...)...)
	cch := start(ctx, t, append([]string{"--connect", addr, "--local", from, "--port-file", port, "--id", "10.0.0.2", "--timeout", "5s"}, connect...)...)
	return <-lch, <-cch
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	upd1 = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:002F:02:00000015400101004002004003040101010140050400000064100101"
	upd2 = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:002F:02:00000015400101004002004003040202020240050400000064100202"
)

func TestSinkReplay(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "two.hex", "# two routes\n"+upd1+"\n\n"+upd2+"\n")
	l, c := pair(t, []string{"--as", "65001", "--until", "eor", "sink"}, []string{"--as", "65001", "replay", file})
	if l.err != nil || c.err != nil {
		t.Fatalf("sink: %v\n%s\nreplay: %v\n%s", l.err, l.stderr, c.err, c.stderr)
	}
	lines := strings.Split(strings.TrimSpace(l.stdout), "\n")
	want := []string{
		`{"type":"open","length":45,"open":{"version":4,"my-as":65001,"hold-time":90,"bgp-id":"10.0.0.2","extended-parameters":false,"as":65001,"capabilities":[{"code":1,"name":"multiprotocol","value":{"family":"ipv4/unicast"}},{"code":65,"name":"asn4","value":{"asn":65001}}]}}`,
		`{"type":"keepalive","length":19}`,
		`{"type":"update","length":47,"update":{"attributes":{"origin":"igp","as-path":[],"local-preference":100},"announce":{"ipv4/unicast":{"next-hop":"1.1.1.1","nlri":[{"prefix":"1.1.0.0/16"}]}}}}`,
		`{"type":"update","length":47,"update":{"attributes":{"origin":"igp","as-path":[],"local-preference":100},"announce":{"ipv4/unicast":{"next-hop":"2.2.2.2","nlri":[{"prefix":"2.2.0.0/16"}]}}}}`,
		`{"type":"update","length":23,"update":{"eor":"ipv4/unicast"}}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("sink printed %d lines, want %d:\n%s", len(lines), len(want), l.stdout)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, lines[i], want[i])
		}
	}
	if !strings.Contains(l.stderr, "msg=accepted component=ze-test-peer peer=127.0.") || strings.Contains(l.stderr, "peer=127.0.0.1:") {
		t.Errorf("the sink did not see the --local address:\n%s", l.stderr)
	}
	// The replay peer saw the sink's Cease once the sink was done.
	if !strings.Contains(c.stdout, `"subcode-name":"administrative-shutdown"`) {
		t.Errorf("replay stdout has no Cease from the sink:\n%s", c.stdout)
	}
}

func TestSinkExpectUpdatesTimeout(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "one.hex", upd1+"\n")
	l, c := pair(t, []string{"--as", "65001", "--expect-updates", "2", "--timeout", "1s", "sink"}, []string{"--as", "65001", "replay", file})
	if l.err == nil {
		t.Fatalf("sink reached 2 UPDATEs out of 1:\n%s", l.stdout)
	}
	if got, want := l.err.Error(), "timeout after 1s: received 1 of 2 UPDATEs, End-of-RIB for ipv4/unicast"; got != want {
		t.Errorf("sink error:\n got %s\nwant %s", got, want)
	}
	if c.err != nil {
		t.Errorf("replay, whose file was sent: %v", c.err)
	}
}

func TestEcho(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "two.hex", upd1+"\n"+upd2+"\n")
	// The replay peer listens; echo sends the two UPDATEs back and the
	// replay peer, told to expect them, sees them on its stdout.
	l, c := pair(t, []string{"--as", "65001", "replay", file}, []string{"--as", "65001", "--until", "eor", "echo"})
	if c.err != nil {
		t.Fatalf("echo: %v\n%s", c.err, c.stderr)
	}
	if l.err != nil {
		t.Fatalf("replay: %v\n%s", l.err, l.stderr)
	}
	if n := strings.Count(l.stdout, `"eor":"ipv4/unicast"`); n != 1 {
		t.Errorf("replay peer saw End-of-RIB %d times, want 1 (echoed):\n%s", n, l.stdout)
	}
	for _, p := range []string{`"prefix":"1.1.0.0/16"`, `"prefix":"2.2.0.0/16"`} {
		if strings.Count(l.stdout, p) != 1 {
			t.Errorf("replay peer saw %s %d times, want 1 (echoed):\n%s", p, strings.Count(l.stdout, p), l.stdout)
		}
	}
}

// TestCheckCorpus proves check and replay against each other with ExaBGP
// .msg files: both must succeed.
func TestCheckCorpus(t *testing.T) {
	t.Parallel()
	files := []string{
		"vectors-5.0/encoding/api-teardown.msg",   // three connections, NOTIFICATIONs
		"vectors-5.0/encoding/conf-hostname.msg",  // inspect-open-message: the OPEN is compared
		"vectors-5.0/encoding/conf-ebgp.msg",      // option:asn
		"vectors-5.0/encoding/api-add-remove.msg", // several messages in one group
		"vectors-4.2/ci/api-eor.msg",              // groups 1, 3, 4, 5
		"vectors-4.2/ci/conf-attributes.msg",
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(corpus, "exabgp", f)
			fam := []string{"--family", "ipv4/unicast", "--family", "ipv6/unicast"}
			l, c := pair(t, append(fam, "check", path), append(fam, "--as", "65533", "replay", path))
			if l.err != nil {
				t.Fatalf("check: %v\n%s", l.err, l.stderr)
			}
			if c.err != nil {
				t.Fatalf("replay: %v\n%s", c.err, c.stderr)
			}
			if !strings.HasPrefix(l.stdout, "check: ") || !strings.Contains(l.stdout, "matched") {
				t.Errorf("check stdout = %q", l.stdout)
			}
		})
	}
}

func TestCheckMismatch(t *testing.T) {
	t.Parallel()
	script := writeFile(t, "want.msg", "1:raw:"+upd1+"\n2:raw:"+upd2+"\n")
	sent := writeFile(t, "sent.hex", upd2+"\n")
	l, _ := pair(t, []string{"--as", "65001", "check", script}, []string{"--as", "65001", "--no-eor", "replay", sent})
	var ce *CheckError
	if !errors.As(l.err, &ce) {
		t.Fatalf("check error = %v, want a *CheckError", l.err)
	}
	want := `check: connection A: unexpected message after 0 matched
  received:
    FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002F0200000015400101004002004003040202020240050400000064100202
    {"type":"update","length":47,"update":{"attributes":{"origin":"igp","as-path":[],"local-preference":100},"announce":{"ipv4/unicast":{"next-hop":"2.2.2.2","nlri":[{"prefix":"2.2.0.0/16"}]}}}}
  expected (group 1):
    line 1:
      FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002F0200000015400101004002004003040101010140050400000064100101
      {"type":"update","length":47,"update":{"attributes":{"origin":"igp","as-path":[],"local-preference":100},"announce":{"ipv4/unicast":{"next-hop":"1.1.1.1","nlri":[{"prefix":"1.1.0.0/16"}]}}}}`
	if ce.Text != want {
		t.Errorf("diff:\n%s\nwant:\n%s", ce.Text, want)
	}
}

func TestCheckPrefixes(t *testing.T) {
	t.Parallel()
	script := writeFile(t, "want.msg", "1:announce:2.2.0.0/16\n1:announce:1.1.0.0/16\n2:withdraw:1.1.0.0/16\n")
	// One UPDATE withdrawing 1.1.0.0/16.
	withdraw := "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001A:02:0003100101:0000"
	sent := writeFile(t, "sent.hex", upd1+"\n"+upd2+"\n"+withdraw+"\n")
	l, c := pair(t, []string{"--as", "65001", "check", script}, []string{"--as", "65001", "replay", sent})
	if l.err != nil || c.err != nil {
		t.Fatalf("check: %v\n%s\nreplay: %v\n%s", l.err, l.stderr, c.err, c.stderr)
	}
	if l.stdout != "check: 3 message(s) matched on 1 connection(s)\n" {
		t.Errorf("check stdout = %q", l.stdout)
	}

	// Out of order across groups: the withdraw comes first.
	sent = writeFile(t, "bad.hex", withdraw+"\n")
	l, _ = pair(t, []string{"--as", "65001", "check", script}, []string{"--as", "65001", "replay", sent})
	if l.err == nil || !strings.Contains(l.err.Error(), "unexpected: withdraw 1.1.0.0/16") ||
		!strings.Contains(l.err.Error(), "line 1: announce 2.2.0.0/16") {
		t.Errorf("check error = %v", l.err)
	}
}

// TestMalformedHeader sends broken headers from a replay peer (hex lines
// go out unchecked); the sink answers each with the Message Header Error
// of RFC 4271 §6.1 and fails.
func TestMalformedHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, hex, notify, sinkErr string
	}{
		{"bad marker", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00:0013:04", "1/1", "sent NOTIFICATION message-header-error/connection-not-synchronized"},
		{"short length", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0012:04", "1/2", "sent NOTIFICATION message-header-error/bad-message-length data 0012"},
		{"long length", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:1001:02", "1/2", "sent NOTIFICATION message-header-error/bad-message-length data 1001"},
		{"keepalive with a body", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0014:04:00", "1/2", "sent NOTIFICATION message-header-error/bad-message-length"},
		{"unknown type", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0013:09", "1/3", "sent NOTIFICATION message-header-error/bad-message-type data 09"},
		{"open once established", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001D:01:04FDE9005A0A00000200", "5/3", "sent NOTIFICATION fsm-error/unexpected-message-in-established"},
		{"update with a bad attribute length", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001E:02:0000:0008:40010100:400200", "3/1", "sent NOTIFICATION update-message-error/malformed-attribute-list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := writeFile(t, "bad.hex", tt.hex+"\n")
			l, c := pair(t, []string{"--as", "65001", "sink"}, []string{"--as", "65001", "--expect-notification", tt.notify, "replay", file})
			if l.err == nil || !strings.Contains(l.err.Error(), tt.sinkErr) {
				t.Errorf("sink error = %v, want %q", l.err, tt.sinkErr)
			}
			if c.err != nil {
				t.Errorf("replay did not get NOTIFICATION %s: %v\n%s", tt.notify, c.err, c.stdout)
			}
		})
	}
}

// TestRawNotification checks the NOTIFICATION bytes themselves with a
// hand-made speaker, so that a fault shared by both peers cannot hide.
func TestRawNotification(t *testing.T) {
	t.Parallel()
	addr := nextAddr()
	port := filepath.Join(t.TempDir(), "port")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := start(ctx, t, "--listen", addr+":0", "--port-file", port, "--as", "65001", "--hold", "0", "sink")
	var p []byte
	for p == nil {
		p, _ = os.ReadFile(port)
		time.Sleep(10 * time.Millisecond)
	}
	conn, err := net.Dial("tcp", net.JoinHostPort(addr, strings.TrimSpace(string(p))))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	// OPEN: version 4, AS 65001, hold 0, id 10.0.0.9, no parameters.
	open := mustHex(t, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001D0104FDE900000A00000900")
	ka := mustHex(t, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304")
	bad := mustHex(t, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001309")
	for _, m := range [][]byte{open, ka, bad} {
		if _, err := conn.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := io.ReadAll(conn)
	// The sink's OPEN, its KEEPALIVE, then the NOTIFICATION 1/3 with the type.
	want := "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0016030103" + "09"
	if !strings.HasSuffix(hexString(got), want) {
		t.Errorf("the sink sent %s, want it to end with %s", hexString(got), want)
	}
	r := <-ch
	if r.err == nil || !strings.Contains(r.err.Error(), "bad-message-type") {
		t.Errorf("sink error = %v", r.err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := decodeHex(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNotifyAt(t *testing.T) {
	t.Parallel()
	for _, at := range []string{"open", "established", "end"} {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			file := writeFile(t, "one.hex", upd1+"\n")
			l, c := pair(t, []string{"--as", "65001", "--expect-notification", "6/4", "sink"},
				[]string{"--as", "65001", "--notify", "6/4", "--notify-at", at, "--exit", "replay", file})
			if l.err != nil {
				t.Errorf("sink: %v\n%s", l.err, l.stderr)
			}
			if c.err != nil {
				t.Errorf("replay: %v\n%s", c.err, c.stderr)
			}
			updates := strings.Count(l.stdout, `"type":"update"`)
			want := map[string]int{"open": 0, "established": 0, "end": 2}[at]
			if updates != want {
				t.Errorf("sink saw %d UPDATEs before the NOTIFICATION, want %d:\n%s", updates, want, l.stdout)
			}
		})
	}
}

func TestPeerAS(t *testing.T) {
	t.Parallel()
	l, c := pair(t, []string{"--as", "65001", "--peer-as", "65002", "sink"}, []string{"--as", "65003", "--expect-notification", "2/2", "sink"})
	if l.err == nil || !strings.Contains(l.err.Error(), "the peer's AS is 65003, want 65002") {
		t.Errorf("sink with --peer-as: %v", l.err)
	}
	if c.err != nil {
		t.Errorf("the other side did not get Bad Peer AS: %v", c.err)
	}
}

// TestMirrorAS: without --as, the OPEN waits for the peer's and uses its AS.
func TestMirrorAS(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "one.hex", upd1+"\n")
	l, c := pair(t, []string{"--until", "eor", "sink"}, []string{"--as", "4200000001", "replay", file})
	if l.err != nil || c.err != nil {
		t.Fatalf("sink: %v\nreplay: %v", l.err, c.err)
	}
	if !strings.Contains(c.stdout, `"my-as":23456`) || !strings.Contains(c.stdout, `"as":4200000001`) {
		t.Errorf("the sink's OPEN does not carry AS 4200000001 (AS_TRANS in my-as):\n%s", c.stdout)
	}
}

// TestReplayMRT replays the UPDATEs of an MRT capture; the sink must see
// as many UPDATEs as the file holds.
func TestReplayMRT(t *testing.T) {
	t.Parallel()
	path := filepath.Join(corpus, "mrt", "mrtparse__quagga_bgp")
	want := countMRTUpdates(t, path)
	fam := []string{"--as", "65000", "--family", "ipv4/unicast", "--family", "ipv6/unicast"}
	l, c := pair(t, append(fam, "--expect-updates", fmt.Sprint(want), "--quiet", "sink"), append(fam, "replay", path))
	if l.err != nil || c.err != nil {
		t.Fatalf("sink: %v\n%s\nreplay: %v\n%s", l.err, l.stderr, c.err, c.stderr)
	}
	if !strings.Contains(l.stderr, fmt.Sprintf("updates=%d ", want)) {
		t.Errorf("sink summary does not count %d UPDATEs:\n%s", want, l.stderr)
	}
	if l.stdout != "" {
		t.Errorf("--quiet sink printed %q", l.stdout)
	}
}

// countMRTUpdates counts the UPDATEs of an MRT file that are not End-of-RIB.
func countMRTUpdates(t *testing.T, path string) int {
	t.Helper()
	r, err := mrt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	n := 0
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		m, err := rec.BGP4MP()
		if err != nil || !m.Subtype.IsMessage() || m.Message[18] != byte(wire.MsgUpdate) {
			continue
		}
		u, err := wire.ParseUpdateMessage(m.Message, wire.NewContext(true, false))
		if err != nil {
			t.Fatal(err)
		}
		if _, eor := u.EndOfRIB(); !eor {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("%s has no UPDATE", path)
	}
	return n
}

func TestReplayMRTNeedsASN4(t *testing.T) {
	t.Parallel()
	path := filepath.Join(corpus, "mrt", "mrtparse__quagga_bgp")
	_, c := pair(t, []string{"--as", "65000", "--quiet", "sink"}, []string{"--as", "65000", "--asn4=false", "replay", path})
	if c.err == nil || !strings.Contains(c.err.Error(), "is MESSAGE_AS4 but the session does not use 4-octet AS numbers") {
		t.Errorf("replay error = %v", c.err)
	}
}

func TestMainExit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"help", []string{"--help"}, 0, "usage: ze-test peer"},
		{"no mode", []string{"--listen", "127.0.0.1:0"}, 1, "no mode given"},
		{"both ends", []string{"--listen", "127.0.0.1:0", "--connect", "127.0.0.1:1", "sink"}, 1, "exactly one of --listen"},
		{"bad mode", []string{"--listen", "127.0.0.1:0", "sniff"}, 1, `unknown mode "sniff"`},
		{"bad hold", []string{"--listen", "127.0.0.1:0", "--hold", "2", "sink"}, 1, "--hold: want 0 or 3 to 65535"},
		{"bad family", []string{"--listen", "127.0.0.1:0", "--family", "ipv5/unicast", "sink"}, 1, "ipv5"},
		{"bad add-path", []string{"--listen", "127.0.0.1:0", "--add-path", "ipv4/unicast/sometimes", "sink"}, 1, "want send, receive or both"},
		{"bad notify", []string{"--listen", "127.0.0.1:0", "--notify", "6", "sink"}, 1, "want CODE/SUBCODE"},
		{"replay without file", []string{"--listen", "127.0.0.1:0", "replay"}, 1, "usage: replay FILE"},
		{"replay missing file", []string{"--listen", "127.0.0.1:0", "replay", "/nonexistent/x.hex"}, 2, "no such file"},
		{"check missing file", []string{"--listen", "127.0.0.1:0", "check", "/nonexistent/x.msg"}, 2, "no such file"},
		{"until with replay", []string{"--listen", "127.0.0.1:0", "--until", "eor", "replay", "x"}, 1, "--until and --expect-updates go with sink or echo, not replay"},
		{"exit with sink", []string{"--listen", "127.0.0.1:0", "--exit", "sink"}, 1, "--exit and --no-eor go with replay, not sink"},
		{"signal-pid with sink", []string{"--listen", "127.0.0.1:0", "--signal-pid", "1", "sink"}, 1, "--signal-pid goes with check"},
		{"bad id", []string{"--connect", "127.0.0.1:1", "--id", "::1", "sink"}, 1, "--id: want a non-zero IPv4 address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(tt.args, &out, &errOut)
			if code != tt.code {
				t.Errorf("exit = %d, want %d; stderr %s", code, tt.code, errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut.String(), tt.stderr)
			}
		})
	}
}

func TestMD5(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "one.hex", upd1+"\n")
	l, c := pair(t, []string{"--as", "65001", "--md5", "s3cret", "--until", "eor", "sink"}, []string{"--as", "65001", "--md5", "s3cret", "replay", file})
	if l.err != nil || c.err != nil {
		t.Fatalf("same key: sink: %v\n%s\nreplay: %v\n%s", l.err, l.stderr, c.err, c.stderr)
	}
	l, c = pair(t, []string{"--as", "65001", "--md5", "s3cret", "--timeout", "2s", "--until", "eor", "sink"},
		[]string{"--as", "65001", "--md5", "wrong", "--timeout", "2s", "replay", file})
	if l.err == nil || c.err == nil {
		t.Fatalf("different keys established a session: sink %v, replay %v", l.err, c.err)
	}
	if !strings.Contains(l.err.Error(), "no connection") {
		t.Errorf("sink error = %v, want no connection", l.err)
	}
}

// TestHoldTimer: a peer that goes silent after establishment gets Hold
// Timer Expired once the negotiated hold time (3 s) has passed.
func TestHoldTimer(t *testing.T) {
	t.Parallel()
	addr := nextAddr()
	port := filepath.Join(t.TempDir(), "port")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ch := start(ctx, t, "--listen", addr+":0", "--port-file", port, "--as", "65001", "--hold", "30", "sink")
	conn := dialPortFile(t, addr, port)
	defer func() { _ = conn.Close() }()
	// OPEN with hold time 3: the smaller one is used.
	began := time.Now()
	for _, m := range []string{"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001D0104FDE900030A00000900", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304"} {
		if _, err := conn.Write(mustHex(t, m)); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := io.ReadAll(conn)
	took := time.Since(began)
	// The sink's OPEN, its KEEPALIVE, one more KEEPALIVE (every second),
	// then NOTIFICATION 4/0.
	if want := "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0015030400"; !strings.HasSuffix(hexString(got), want) {
		t.Errorf("the sink sent %s, want it to end with %s", hexString(got), want)
	}
	if took < 3*time.Second || took > 5*time.Second {
		t.Errorf("hold timer expired after %s, want 3s", took)
	}
	r := <-ch
	if r.err == nil || !strings.Contains(r.err.Error(), "hold timer expired: nothing received for 3s") {
		t.Errorf("sink error = %v", r.err)
	}
}

func dialPortFile(t *testing.T, addr, port string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var p []byte
	for len(p) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no port file")
		}
		p, _ = os.ReadFile(port)
		time.Sleep(10 * time.Millisecond)
	}
	conn, err := net.Dial("tcp", net.JoinHostPort(addr, strings.TrimSpace(string(p))))
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn
}

func TestSinkText(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "one.hex", upd1+"\n")
	l, c := pair(t, []string{"--as", "65001", "--text", "--until", "eor", "sink"}, []string{"--as", "65001", "--quiet", "replay", file})
	if l.err != nil || c.err != nil {
		t.Fatalf("sink: %v\nreplay: %v", l.err, c.err)
	}
	if !strings.Contains(l.stdout, "type update\nlength 47\nupdate\n") || !strings.Contains(l.stdout, "prefix 1.1.0.0/16") {
		t.Errorf("text output:\n%s", l.stdout)
	}
	if c.stdout != "" {
		t.Errorf("--quiet replay printed %q", c.stdout)
	}
}

// TestOpenHex sends a broken OPEN, or an UPDATE in its place; the sink
// answers with the NOTIFICATION RFC 4271 §6.2 and RFC 6608 name.
func TestOpenHex(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, hex, notify, sinkErr string
	}{
		{"version 3", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001D0103FDE9005A0A00000900", "2/1", "unsupported-version-number"},
		{"hold time 1", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001D0104FDE900010A00000900", "2/6", "unacceptable-hold-time"},
		{"bgp id 0", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001D0104FDE9005A0000000000", "2/3", "bad-bgp-identifier"},
		{"update before open", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02:00000000", "5/1", "received update before OPEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, c := pair(t, []string{"--as", "65001", "sink"}, []string{"--as", "65001", "--open-hex", tt.hex, "--expect-notification", tt.notify, "sink"})
			if l.err == nil || !strings.Contains(l.err.Error(), tt.sinkErr) {
				t.Errorf("sink error = %v, want %q", l.err, tt.sinkErr)
			}
			if c.err != nil {
				t.Errorf("sender did not get NOTIFICATION %s: %v\n%s", tt.notify, c.err, c.stdout)
			}
		})
	}
}

func TestNotifyMessage(t *testing.T) {
	t.Parallel()
	l, c := pair(t, []string{"--as", "65001", "--expect-notification", "6/2", "sink"},
		[]string{"--as", "65001", "--notify", "6/2", "--notify-message", "maintenance window", "--notify-at", "established", "sink"})
	if l.err != nil || c.err != nil {
		t.Fatalf("sink: %v\nsender: %v", l.err, c.err)
	}
	if !strings.Contains(l.stdout, `"communication":"maintenance window"`) {
		t.Errorf("no shutdown communication in:\n%s", l.stdout)
	}
	var out bytes.Buffer
	if code := Main([]string{"--listen", "127.0.0.1:0", "--notify", "3/1", "--notify-message", "x", "sink"}, &out, &out); code != 1 ||
		!strings.Contains(out.String(), "--notify-message goes with --notify 6/2 or 6/4") {
		t.Errorf("--notify-message with 3/1: exit %d, %s", code, out.String())
	}
}
