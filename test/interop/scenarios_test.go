package interop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zebgp/ze/test/interop/harness"
)

// referenceSUT stands in for the speaker under test, so that every scenario runs against every
// daemon today and a ze failure can be told apart from a harness or daemon problem.
const referenceSUT = "gobgp"

// startTimeout bounds the start of a pair (both daemons answering their CLI).
const startTimeout = 90 * time.Second

// sutKinds are the speakers under test: ZE_INTEROP_SUT (comma-separated) when set, else the
// reference and, once its launcher is registered (harness.Register("ze", …)), ze.
func sutKinds() []string {
	if v := os.Getenv("ZE_INTEROP_SUT"); v != "" {
		return strings.Split(v, ",")
	}
	out := []string{referenceSUT}
	if harness.Registered("ze") {
		out = append(out, "ze")
	}
	return out
}

// reporter is what a scenario row needs of testing.T; rows run in goroutines of their own
// (t.Parallel would run only GOMAXPROCS of them at once, and the daemons mostly wait) and their
// reports are replayed into subtests afterwards.
type reporter interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Failed() bool
}

// rowReport records a row's logs and errors for replay.
type rowReport struct {
	mu     sync.Mutex
	lines  []string
	errs   []string
	failed bool
}

func (r *rowReport) Helper() {}

func (r *rowReport) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *rowReport) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
	r.failed = true
}

func (r *rowReport) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *rowReport) replay(t *testing.T) {
	t.Helper()
	for _, l := range r.lines {
		t.Log(l)
	}
	for _, e := range r.errs {
		t.Error(e)
	}
}

// envList returns the comma-separated values of an environment variable, nil when unset.
func envList(name string) []string {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// selected reports whether name is in list (an empty list selects everything).
func selected(list []string, name string) bool {
	return len(list) == 0 || slices.Contains(list, name)
}

// TestScenarios runs Scenarios with each speaker under test against each daemon, and
// PairScenarios against the daemons they name, all pairs at once, then reports each row as a
// subtest and logs the matrix (go test -v), which it also writes to the file ZE_INTEROP_MATRIX
// names when set. ZE_INTEROP_PEERS and ZE_INTEROP_SCENARIOS (comma-separated) select daemons
// and scenarios.
func TestScenarios(t *testing.T) {
	var cols []string
	for _, s := range Scenarios {
		cols = append(cols, s.Name)
	}
	for _, s := range PairScenarios {
		cols = append(cols, s.Name)
	}
	m := NewMatrix(cols)
	suts := sutKinds()
	peers, only := envList("ZE_INTEROP_PEERS"), envList("ZE_INTEROP_SCENARIOS")
	type job struct {
		name string
		rep  *rowReport
		run  func(r reporter, dir string)
	}
	var jobs []job
	for _, sut := range suts {
		for _, peer := range harness.Kinds {
			if !selected(peers, peer) {
				continue
			}
			jobs = append(jobs, job{sut + "-" + peer, &rowReport{}, func(r reporter, dir string) {
				runScenarios(r, dir, m, sut, peer, only)
			}})
		}
		for _, ps := range PairScenarios {
			if !selected(only, ps.Name) {
				continue
			}
			for _, peer := range ps.Peers {
				if !selected(peers, peer) {
					continue
				}
				jobs = append(jobs, job{sut + "-" + peer + "-" + ps.Name, &rowReport{}, func(r reporter, dir string) {
					runPairScenario(r, dir, m, sut, peer, ps)
				}})
			}
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		dir := t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.run(j.rep, dir)
		}()
	}
	wg.Wait()
	for _, j := range jobs {
		t.Run(j.name, j.rep.replay)
	}
	var b strings.Builder
	b.WriteString("daemons: " + harness.Versions() + "\n\n")
	var rows []string
	for _, k := range harness.Kinds {
		if selected(peers, k) {
			rows = append(rows, k)
		}
	}
	m.Write(&b, suts, rows)
	t.Log("\n" + b.String())
	if path := os.Getenv("ZE_INTEROP_MATRIX"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// record files err as the scenario's result and reports a failure.
func record(t reporter, m *Matrix, sut, peer, name string, err error) bool {
	t.Helper()
	switch {
	case err == nil:
		m.Set(sut, peer, name, Result{Status: StatusPass})
		return true
	case errors.Is(err, ErrNotApplicable):
		m.Set(sut, peer, name, Result{Status: StatusNA, Detail: err.Error()})
		t.Logf("%s: n/a: %v", name, err)
		return true
	default:
		m.Set(sut, peer, name, Result{Status: StatusFail, Detail: err.Error()})
		t.Errorf("%s: %v", name, err)
		return false
	}
}

func startEnv(t reporter, dir string, sutSide, peerSide harness.Side) (*Env, func(), error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	p, err := harness.StartPair(ctx, dir, sutSide, peerSide)
	if err != nil {
		t.Errorf("starting %s and %s: %v", sutSide.Kind, peerSide.Kind, err)
		return nil, func() {}, err
	}
	e := &Env{SUT: p.A, Peer: p.B, SUTSide: sutSide, PeerSide: peerSide}
	return e, func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", e.SUT.Kind(), tailLog(e.SUT.LogText()))
			t.Logf("%s log:\n%s", e.Peer.Kind(), tailLog(e.Peer.LogText()))
		}
		if err := p.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}, nil
}

// runScenarios runs Scenarios in order on one pair; with only set, the others are skipped
// (shown as not run), except the two establish scenarios that every other one needs.
func runScenarios(t reporter, dir string, m *Matrix, sut, peer string, only []string) {
	e, done, err := startEnv(t, dir, SideFor(sut, 1), SideFor(peer, 2))
	defer done()
	if err != nil {
		for _, s := range Scenarios {
			m.Set(sut, peer, s.Name, Result{Status: StatusNotRun, Detail: "the pair did not start: " + err.Error()})
		}
		return
	}
	blocked := ""
	for _, s := range Scenarios {
		if blocked != "" {
			m.Set(sut, peer, s.Name, Result{Status: StatusNotRun, Detail: blocked + " failed"})
			continue
		}
		if !strings.HasPrefix(s.Name, "establish") && !selected(only, s.Name) {
			m.Set(sut, peer, s.Name, Result{Status: StatusNotRun, Detail: "not selected by ZE_INTEROP_SCENARIOS"})
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.Timeout)
		ok := record(t, m, sut, peer, s.Name, s.Run(ctx, e))
		cancel()
		if !ok && strings.HasPrefix(s.Name, "establish") {
			blocked = s.Name
		}
	}
}

func runPairScenario(t reporter, dir string, m *Matrix, sut, peer string, ps PairScenario) {
	ss, pp := SideFor(sut, 1), SideFor(peer, 2)
	ss.V4Only, pp.V4Only = true, true
	ps.Setup(&ss, &pp)
	e, done, err := startEnv(t, dir, ss, pp)
	defer done()
	if err != nil {
		m.Set(sut, peer, ps.Name, Result{Status: StatusNotRun, Detail: "the pair did not start: " + err.Error()})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ps.Timeout)
	defer cancel()
	record(t, m, sut, peer, ps.Name, ps.Run(ctx, e))
}
