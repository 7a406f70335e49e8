package fsm

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/capability"
)

var (
	localID = netip.MustParseAddr("192.0.2.1")
	peerID  = netip.MustParseAddr("192.0.2.2")
)

// zeroRand makes every jitter factor 1: timers run their full value.
type zeroRand struct{}

func (zeroRand) Float64() float64 { return 0 }

// testConfig is DefaultConfig for AS 65001 peering with AS 65002, without
// jitter.
func testConfig() Config {
	c := DefaultConfig()
	c.LocalAS, c.PeerAS, c.LocalID = 65001, 65002, localID
	c.Capabilities = []capability.Capability{
		capability.Multiprotocol{Family: wire.IPv4Unicast},
		capability.ASN4{ASN: 65001},
	}
	c.Rand = zeroRand{}
	return c
}

func newMachine(t testing.TB, mod func(*Config)) *Machine {
	t.Helper()
	c := testConfig()
	if mod != nil {
		mod(&c)
	}
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// strs shows actions as their String forms.
func strs(actions []Action) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = a.String()
	}
	return out
}

// drive feeds events, failing the test if one does not reach the state
// expected after it.
func drive(t testing.TB, m *Machine, steps ...any) {
	t.Helper()
	for i := 0; i < len(steps); i += 2 {
		var in Input
		switch e := steps[i].(type) {
		case Event:
			in = Input{Event: e}
		case Input:
			in = e
		}
		if got, _ := m.Handle(in); got != steps[i+1].(State) {
			t.Fatalf("setup step %v: state %v, want %v", in.Event, got, steps[i+1])
		}
	}
}

// Setups: a machine in a state, by the shortest path to it.
var (
	inIdle = newMachine
	// inIdleHolding: dropped to Idle once, IdleHoldTimer (5s) running.
	inIdleHolding = func(t testing.TB, mod func(*Config)) *Machine {
		m := newMachine(t, mod)
		drive(t, m, ManualStart, Connect, TCPConnectionFails, Idle)
		return m
	}
	inConnect = func(t testing.TB, mod func(*Config)) *Machine {
		m := newMachine(t, mod)
		drive(t, m, ManualStart, Connect)
		return m
	}
	// inConnectDelay: DelayOpen, connection up, DelayOpenTimer running.
	inConnectDelay = func(t testing.TB, mod func(*Config)) *Machine {
		m := newMachine(t, withDelayOpen(mod))
		drive(t, m, ManualStart, Connect, TCPConnectionAcked, Connect)
		return m
	}
	inActive = func(t testing.TB, mod func(*Config)) *Machine {
		m := newMachine(t, mod)
		drive(t, m, ManualStartPassive, Active)
		return m
	}
	// inActiveAfterConnect: an active peer whose delayed-open connection
	// failed; ConnectRetryTimer running.
	inActiveAfterConnect = func(t testing.TB, mod func(*Config)) *Machine {
		m := newMachine(t, withDelayOpen(mod))
		drive(t, m, ManualStart, Connect, TCPConnectionAcked, Connect, TCPConnectionFails, Active)
		return m
	}
	inActiveDelay = func(t testing.TB, mod func(*Config)) *Machine {
		m := newMachine(t, withDelayOpen(mod))
		drive(t, m, ManualStartPassive, Active, TCPConnectionConfirmed, Active)
		return m
	}
	inOpenSent = func(t testing.TB, mod func(*Config)) *Machine {
		m := newMachine(t, mod)
		drive(t, m, ManualStart, Connect, TCPConnectionAcked, OpenSent)
		return m
	}
	inOpenConfirm = func(t testing.TB, mod func(*Config)) *Machine {
		m := inOpenSent(t, mod)
		drive(t, m, BGPOpen, OpenConfirm)
		return m
	}
	inOpenConfirmHold0 = func(t testing.TB, mod func(*Config)) *Machine {
		m := inOpenSent(t, mod)
		drive(t, m, Input{Event: BGPOpen, Session: &Session{}}, OpenConfirm)
		return m
	}
	inEstablished = func(t testing.TB, mod func(*Config)) *Machine {
		m := inOpenConfirm(t, mod)
		drive(t, m, KeepAliveMsg, Established)
		return m
	}
	inEstablishedHold0 = func(t testing.TB, mod func(*Config)) *Machine {
		m := inOpenConfirmHold0(t, mod)
		drive(t, m, KeepAliveMsg, Established)
		return m
	}
)

func withDelayOpen(mod func(*Config)) func(*Config) {
	return func(c *Config) {
		c.DelayOpen = true
		if mod != nil {
			mod(c)
		}
	}
}

// row is one line of a state's table: from a setup, an input gives a state,
// these actions and this ConnectRetryCounter.
type row struct {
	name    string
	setup   func(testing.TB, func(*Config)) *Machine
	mod     func(*Config)
	in      Input
	state   State
	actions []string
	counter int
}

// ev is a row's input for an event without data.
func ev(e Event) Input { return Input{Event: e} }

func runRows(t *testing.T, from State, rows []row) {
	t.Helper()
	seen := map[Event]bool{}
	for _, r := range rows {
		seen[r.in.Event] = true
		t.Run(r.name, func(t *testing.T) {
			m := r.setup(t, r.mod)
			if m.State() != from {
				t.Fatalf("setup left the machine in %v, want %v", m.State(), from)
			}
			state, actions := m.Handle(r.in)
			if state != r.state {
				t.Errorf("state: got %v, want %v", state, r.state)
			}
			if got := strs(actions); !slices.Equal(got, r.actions) {
				t.Errorf("actions:\n got  %s\n want %s", strings.Join(got, ", "), strings.Join(r.actions, ", "))
			}
			if got := m.ConnectRetryCounter(); got != r.counter {
				t.Errorf("ConnectRetryCounter: got %d, want %d", got, r.counter)
			}
		})
	}
	for e := ManualStart; e <= MaxEvent; e++ {
		if !seen[e] {
			t.Errorf("the %v table has no row for %v", from, e)
		}
	}
}

// Frequent action strings.
const (
	aInit       = "init-resources"
	aConnect    = "initiate-connection"
	aReject     = "reject-connection"
	aDrop       = "drop-connection"
	aRelease    = "release-resources"
	aOpen       = "send-open"
	aKeepalive  = "send-keepalive"
	aDeliver    = "deliver-update"
	aUp         = "session-up"
	aStartCR    = "start-timer connect-retry 2m0s"
	aStopCR     = "stop-timer connect-retry"
	aStartLarge = "start-timer hold 4m0s"
	aStartHold  = "start-timer hold 1m30s"
	aStopHold   = "stop-timer hold"
	aStartKA    = "start-timer keepalive 30s"
	aStopKA     = "stop-timer keepalive"
	aStartDO    = "start-timer delay-open 5s"
	aStopDO     = "stop-timer delay-open"
	aStartSH    = "start-timer send-hold 8m0s"
	aStopSH     = "stop-timer send-hold"
	aIdleHold   = "start-timer idle-hold 5s"
	aStopIH     = "stop-timer idle-hold"
)

// durationOf is a helper for tests that compute timer values.
func durationOf(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}
