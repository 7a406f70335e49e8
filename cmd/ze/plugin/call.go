package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/zebgp/ze/engine/plugin/host"
	"github.com/zebgp/ze/engine/plugin/rpc"
)

// runCall is `ze plugin call`: one RPC to the daemon's plugin host (--state
// DIR: its control socket DIR/plugin.sock) or to a run-host (--control
// ADDR), its result printed as JSON ({} for a bare ok), or with --get KEY
// the value of one member (a string without its quotes).
func runCall(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("ze plugin call", stderr)
	control := fs.String("control", "", "the run-host's control `address`")
	state := fs.String("state", "", "the daemon's state `directory` (its plugin host's socket)")
	get := fs.String("get", "", "print only the member `KEY` of the result")
	timeout := fs.Duration("timeout", 20*time.Second, "how long to wait for the answer")
	waitFor := fs.String("wait-for", "", "call again until the member KEY of the result is the JSON `KEY=VALUE` (or the timeout)")
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if (*control == "") == (*state == "") || fs.NArg() < 1 || fs.NArg() > 2 {
		fmt.Fprint(stderr, "usage: ze plugin call --state DIR | --control ADDR [--get KEY] [--wait-for KEY=VALUE] METHOD [JSON]\n")
		return exitError
	}
	network, addr := "tcp", *control
	if *state != "" {
		network, addr = "unix", filepath.Join(*state, host.SocketName)
	}
	var waitKey string
	var waitValue []byte
	if *waitFor != "" {
		k, v, ok := strings.Cut(*waitFor, "=")
		var buf bytes.Buffer
		if !ok || json.Compact(&buf, []byte(v)) != nil {
			fmt.Fprintf(stderr, "ze plugin call: --wait-for %q: want KEY=JSON\n", *waitFor)
			return exitError
		}
		waitKey, waitValue = k, buf.Bytes()
	}
	method := fs.Arg(0)
	var params []byte
	if fs.NArg() == 2 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(fs.Arg(1))); err != nil {
			fmt.Fprintf(stderr, "ze plugin call: %s: params: %v\n", method, err)
			return exitError
		}
		params = buf.Bytes()
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		fmt.Fprintf(stderr, "ze plugin call: %v\n", err)
		return exitError
	}
	conn := rpc.NewConn(nc, rpc.Options{})
	defer conn.Close()
	res, err := conn.Call(ctx, method, params)
	for err == nil && waitKey != "" && !memberIs(res, waitKey, waitValue) {
		select {
		case <-ctx.Done():
			fmt.Fprintf(stderr, "ze plugin call: %s: %s is not %s after %s: %s\n", method, waitKey, waitValue, *timeout, res)
			return exitError
		case <-time.After(20 * time.Millisecond):
		}
		res, err = conn.Call(ctx, method, params)
	}
	if err != nil {
		var re *rpc.RemoteError
		if errors.As(err, &re) {
			fmt.Fprintf(stderr, "ze plugin call: %s: %s\n", method, re.Message)
		} else {
			fmt.Fprintf(stderr, "ze plugin call: %s: %v\n", method, err)
		}
		return exitError
	}
	if len(res) == 0 {
		res = []byte("{}")
	}
	if *get == "" {
		fmt.Fprintf(stdout, "%s\n", res)
		return exitOK
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(res, &m); err != nil {
		fmt.Fprintf(stderr, "ze plugin call: %v\n", err)
		return exitError
	}
	v, ok := m[*get]
	if !ok {
		fmt.Fprintf(stderr, "ze plugin call: no %q in the result\n", *get)
		return exitError
	}
	var str string
	if json.Unmarshal(v, &str) == nil {
		fmt.Fprintln(stdout, str)
	} else {
		fmt.Fprintf(stdout, "%s\n", v)
	}
	return exitOK
}

// memberIs reports whether the member key of the JSON object res, compacted,
// is want.
func memberIs(res []byte, key string, want []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(res, &m) != nil {
		return false
	}
	var buf bytes.Buffer
	return json.Compact(&buf, m[key]) == nil && bytes.Equal(buf.Bytes(), want)
}
