// Package harness starts real BGP daemons (BIRD, FRR, GoBGP, OpenBGPD, ExaBGP) in network
// namespaces of their own, configures them from Go values, and reads their state back through
// each daemon's own CLI. test/interop runs ze against them with it; docs/interop.md describes it.
package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// nsPrefix starts the name of every namespace the harness creates. The owner's pid follows, so
// a later run can remove what a killed run left behind.
const nsPrefix = "zei"

// The addresses of the shared segment every node of a Network is on. Node n (n ≥ 2) has
// 172.30.0.n/24 and fd00:172:30::n/64.
var (
	segment4 = netip.MustParsePrefix("172.30.0.0/24")
	segment6 = netip.MustParsePrefix("fd00:172:30::/64")
)

var networkSeq atomic.Int64

// Network is one private layer-2 segment: a hub namespace holding a bridge, and one namespace per
// node, each joined to the bridge by a veth pair. Nothing of it is visible from the host's own
// network stack, so port 179 is free in every node and any address can be used.
type Network struct {
	name  string
	hub   string
	mu    sync.Mutex
	nodes []*Node
	hosts int // host numbers handed out, from 2
}

// Node is one namespace on a Network, where one daemon runs.
type Node struct {
	// Name is a short label used in file names and logs ("bird", "ze").
	Name string
	// NS is the network namespace (`ip netns exec NS …`).
	NS string
	// V4 and V6 are the node's addresses on the segment.
	V4, V6 netip.Addr
}

// NewNetwork creates the hub namespace and its bridge. Close removes everything it created.
// It first removes namespaces left by harness runs whose process is gone.
func NewNetwork(ctx context.Context) (*Network, error) {
	if err := requireTool("ip"); err != nil {
		return nil, err
	}
	removeStale(ctx)
	n := &Network{name: fmt.Sprintf("%s%dx%d", nsPrefix, os.Getpid(), networkSeq.Add(1))}
	n.hub = n.name + "-hub"
	steps := [][]string{
		{"netns", "add", n.hub},
		{"-n", n.hub, "link", "set", "lo", "up"},
		{"-n", n.hub, "link", "add", "br0", "type", "bridge"},
		{"-n", n.hub, "link", "set", "br0", "up"},
	}
	for _, s := range steps {
		if _, err := run(ctx, "ip", s...); err != nil {
			_ = n.Close()
			return nil, fmt.Errorf("harness: creating network %s: %w", n.name, err)
		}
	}
	return n, nil
}

// AddNode creates a namespace joined to the segment, with the next free host number.
func (n *Network) AddNode(ctx context.Context, name string) (*Node, error) {
	n.mu.Lock()
	idx := n.hosts + 2
	n.hosts++
	n.mu.Unlock()
	if idx > 250 {
		return nil, errors.New("harness: too many nodes on one network")
	}
	v4 := segment4.Addr().As4()
	v4[3] = byte(idx)
	v6 := segment6.Addr().As16()
	v6[15] = byte(idx)
	node := &Node{
		Name: name,
		NS:   fmt.Sprintf("%s-%d", n.name, idx),
		V4:   netip.AddrFrom4(v4),
		V6:   netip.AddrFrom16(v6),
	}
	veth := "v" + strconv.Itoa(idx)
	steps := [][]string{
		{"netns", "add", node.NS},
		{"-n", node.NS, "link", "set", "lo", "up"},
		{"-n", n.hub, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", node.NS},
		{"-n", n.hub, "link", "set", veth, "master", "br0", "up"},
		{"-n", node.NS, "link", "set", "eth0", "up"},
		{"-n", node.NS, "addr", "add", node.V4.String() + "/24", "dev", "eth0"},
		{"-n", node.NS, "-6", "addr", "add", node.V6.String() + "/64", "dev", "eth0", "nodad"},
	}
	for _, s := range steps {
		if _, err := run(ctx, "ip", s...); err != nil {
			_, _ = run(context.Background(), "ip", "netns", "del", node.NS)
			return nil, fmt.Errorf("harness: adding node %s: %w", name, err)
		}
	}
	n.mu.Lock()
	n.nodes = append(n.nodes, node)
	n.mu.Unlock()
	return node, nil
}

// Close kills every process left in the network's namespaces and deletes them.
func (n *Network) Close() error {
	n.mu.Lock()
	names := []string{n.hub}
	for _, node := range n.nodes {
		names = append(names, node.NS)
	}
	n.nodes = nil
	n.mu.Unlock()
	var errs []error
	for _, ns := range names {
		errs = append(errs, deleteNS(ns))
	}
	return errors.Join(errs...)
}

// Exec runs a command inside the node's namespace and returns its standard output; a non-zero
// exit is an error that carries standard error.
func (node *Node) Exec(ctx context.Context, name string, args ...string) ([]byte, error) {
	return run(ctx, "ip", append([]string{"netns", "exec", node.NS, name}, args...)...)
}

// Addr returns the node's address of the family of peer.
func (node *Node) Addr(peer netip.Addr) netip.Addr {
	if peer.Is4() {
		return node.V4
	}
	return node.V6
}

// deleteNS kills what runs in a namespace and deletes it.
func deleteNS(ns string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := run(ctx, "ip", "netns", "pids", ns); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	if _, err := os.Stat(filepath.Join("/run/netns", ns)); err != nil {
		return nil
	}
	_, err := run(ctx, "ip", "netns", "del", ns)
	return err
}

// removeStale deletes the namespaces of harness runs whose process no longer exists.
func removeStale(_ context.Context) {
	entries, err := os.ReadDir("/run/netns")
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, nsPrefix) {
			continue
		}
		rest := strings.TrimPrefix(name, nsPrefix)
		i := strings.IndexByte(rest, 'x')
		if i <= 0 {
			continue
		}
		pid, err := strconv.Atoi(rest[:i])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			continue
		}
		_ = deleteNS(name)
	}
}

// run runs a command and returns its standard output.
func run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %w: %s%s", name, strings.Join(args, " "), err,
			strings.TrimSpace(stderr.String()), strings.TrimSpace(stdout.String()))
	}
	return stdout.Bytes(), nil
}

// requireTool fails when an executable is missing, naming the Debian package to install.
func requireTool(name string) error {
	if _, err := exec.LookPath(name); err == nil {
		return nil
	}
	if _, err := os.Stat(name); err == nil {
		return nil
	}
	pkg := map[string]string{
		"ip": "iproute2", "bird": "bird2", "birdc": "bird2", frrBgpd: "frr", "vtysh": "frr",
		"gobgpd": "gobgpd", "gobgp": "gobgpd", openbgpdBgpd: "openbgpd", "bgpctl": "openbgpd",
		"exabgp": "exabgp", "python3": "python3",
	}[name]
	if pkg == "" {
		pkg = "?"
	}
	return fmt.Errorf("harness: %s is missing: install the Debian package %s (make deps)", name, pkg)
}
