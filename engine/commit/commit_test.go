package commit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zebgp/ze/engine/commit"
	"github.com/zebgp/ze/engine/hub"
)

// recorder is an owner that logs its calls into a shared journal.
type recorder struct {
	name    string
	journal *journal
	veto    error
	fail    error
	failOld error // the error of an Apply with Restore
	block   time.Duration
}

type journal struct {
	mu    sync.Mutex
	calls []string
}

func (j *journal) add(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.calls = append(j.calls, s)
}

func (j *journal) get() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.calls)
}

func (r *recorder) Verify(ctx context.Context, req *commit.Request) error {
	r.journal.add(fmt.Sprintf("verify %s %v", r.name, req.New))
	if r.block > 0 {
		select {
		case <-time.After(r.block):
		case <-ctx.Done():
		}
	}
	return r.veto
}

func (r *recorder) Apply(_ context.Context, req *commit.Request) error {
	if req.Restore {
		r.journal.add(fmt.Sprintf("restore %s %v", r.name, req.New))
		return r.failOld
	}
	r.journal.add(fmt.Sprintf("apply %s %v", r.name, req.New))
	if r.block > 0 {
		time.Sleep(r.block)
	}
	return r.fail
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func change(mod string, path ...string) commit.Change { return commit.Change{Module: mod, Path: path} }

func req(rev uint64, changes ...commit.Change) *commit.Request {
	return &commit.Request{Revision: rev, Changes: changes, Old: "old", New: "new"}
}

func TestParsePathConcerns(t *testing.T) {
	tests := []struct {
		path string
		ch   commit.Change
		want bool
	}{
		{"", change("ze-bgp", "bgp", "peer"), true},
		{"bgp", change("ze-bgp", "bgp", "peer", "hold-time"), true},
		{"bgp/peer/hold-time", change("ze-bgp", "bgp"), true}, // above: the whole bgp added
		{"bgp/group", change("ze-bgp", "bgp", "peer"), false},
		{"system", change("ze-bgp", "bgp"), false},
		{"ze-example-counter:", change("ze-example-counter", "counter", "label"), true},
		{"ze-example-counter:", change("ze-example-counter-py", "counter-py"), false},
		{"ze-example-counter:counter", change("ze-example-counter", "counter"), true},
		{"ze-example-counter:other", change("ze-example-counter", "counter"), false},
		{"bgp peer", change("ze-bgp", "bgp", "peer", "x"), true},
	}
	for _, tt := range tests {
		p, err := commit.ParsePath(tt.path)
		if err != nil {
			t.Fatalf("%q: %v", tt.path, err)
		}
		if got := p.Concerns(tt.ch); got != tt.want {
			t.Errorf("%q concerns %s: got %v, want %v", tt.path, tt.ch, got, tt.want)
		}
	}
	for _, bad := range []string{":counter", "a/b:c", "x:a/b:c"} {
		if _, err := commit.ParsePath(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestCommitOrder: verify reaches every concerned owner, apply goes in
// registration order, an owner not concerned is not called, each gets its
// own changes.
func TestCommitOrder(t *testing.T) {
	j := &journal{}
	c := commit.New(commit.Config{Logger: quiet()})
	var got []string
	c.Register("bgp", "bgp", &recorder{name: "bgp", journal: j})
	c.Register("system", "system", &recorder{name: "system", journal: j})
	c.Register("plugin/counter", "ze-example-counter:", commit.Funcs{ApplyFunc: func(_ context.Context, r *commit.Request) error {
		got = r.Paths()
		if r.Owner() != "plugin/counter" {
			t.Errorf("owner %q", r.Owner())
		}
		j.add("apply counter")
		return nil
	}})
	c.Register("all", "", &recorder{name: "all", journal: j})
	err := c.Commit(context.Background(), req(2, change("ze-bgp", "bgp", "peer"), change("ze-example-counter", "counter", "label")))
	if err != nil {
		t.Fatal(err)
	}
	calls := j.get()
	verify := slices.Clone(calls[:2])
	slices.Sort(verify)
	if want := []string{"verify all new", "verify bgp new"}; !slices.Equal(verify, want) {
		t.Errorf("verify: got %q, want %q", verify, want)
	}
	if want := []string{"apply bgp new", "apply counter", "apply all new"}; !slices.Equal(calls[2:], want) {
		t.Errorf("apply: got %q, want %q", calls[2:], want)
	}
	if want := []string{"ze-example-counter:counter/label"}; !slices.Equal(got, want) {
		t.Errorf("counter's changes: got %q, want %q", got, want)
	}
}

func TestVeto(t *testing.T) {
	j := &journal{}
	c := commit.New(commit.Config{Logger: quiet()})
	c.Register("bgp", "bgp", &recorder{name: "bgp", journal: j})
	c.Register("rib", "bgp", &recorder{name: "rib", journal: j, veto: errors.New("peer p has no address")})
	c.Register("rs", "bgp", &recorder{name: "rs", journal: j, veto: errors.New("second")})
	err := c.Commit(context.Background(), req(3, change("ze-bgp", "bgp", "peer")))
	var ve *commit.VetoError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *VetoError", err)
	}
	if ve.Owner != "rib" || ve.Err.Error() != "peer p has no address" {
		t.Errorf("got owner %q, reason %v; want the first in registration order, rib", ve.Owner, ve.Err)
	}
	if want := "commit refused by rib: peer p has no address"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	for _, call := range j.get() {
		if strings.HasPrefix(call, "apply") {
			t.Errorf("applied after a veto: %s", call)
		}
	}
}

func TestVerifyTimeout(t *testing.T) {
	j := &journal{}
	c := commit.New(commit.Config{Logger: quiet(), VerifyTimeout: 50 * time.Millisecond})
	c.Register("slow", "bgp", &recorder{name: "slow", journal: j, block: 5 * time.Second})
	start := time.Now()
	err := c.Commit(context.Background(), req(4, change("ze-bgp", "bgp")))
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s, want about the timeout", took)
	}
	var ve *commit.VetoError
	var te *commit.TimeoutError
	if !errors.As(err, &ve) || !errors.As(err, &te) {
		t.Fatalf("got %v, want a veto by timeout", err)
	}
	if want := "commit refused by slow: no answer to verify within 50ms"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}

// TestApplyFailureRestores: the owners given the new configuration, the
// failing one included, get the old one back, the last first; the owners
// after the failing one are not called at all.
func TestApplyFailureRestores(t *testing.T) {
	j := &journal{}
	c := commit.New(commit.Config{Logger: quiet()})
	c.Register("a", "bgp", &recorder{name: "a", journal: j})
	c.Register("b", "bgp", &recorder{name: "b", journal: j})
	c.Register("c", "bgp", &recorder{name: "c", journal: j, fail: errors.New("port 179 in use")})
	c.Register("d", "bgp", &recorder{name: "d", journal: j})
	c.Register("other", "system", &recorder{name: "other", journal: j})
	err := c.Commit(context.Background(), req(5, change("ze-bgp", "bgp", "listen")))
	var ae *commit.ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want an *ApplyError", err)
	}
	if ae.Owner != "c" || ae.Err.Error() != "port 179 in use" || ae.Restore != nil {
		t.Errorf("got %+v", ae)
	}
	if want := []string{"c", "b", "a"}; !slices.Equal(ae.Restored, want) {
		t.Errorf("restored %q, want %q", ae.Restored, want)
	}
	if want := "c could not apply the commit: port 179 in use"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	calls := j.get()[4:] // after the four verifies
	want := []string{"apply a new", "apply b new", "apply c new", "restore c old", "restore b old", "restore a old"}
	if !slices.Equal(calls, want) {
		t.Errorf("got %q, want %q", calls, want)
	}
	// A Restore request afterwards (cdb restores its appliers) reaches no
	// owner: they are back already.
	if err := c.Apply(context.Background(), &commit.Request{Revision: 4, Restore: true, Changes: []commit.Change{change("ze-bgp", "bgp")}, New: "old"}); err != nil {
		t.Fatal(err)
	}
	if n := len(j.get()); n != 4+len(want) {
		t.Errorf("the Restore reached owners again: %q", j.get()[4+len(want):])
	}
}

func TestApplyTimeoutRestoreFails(t *testing.T) {
	j := &journal{}
	c := commit.New(commit.Config{Logger: quiet(), ApplyTimeout: 50 * time.Millisecond})
	c.Register("a", "bgp", &recorder{name: "a", journal: j, failOld: errors.New("stuck")})
	c.Register("slow", "bgp", &recorder{name: "slow", journal: j, block: time.Second})
	err := c.Commit(context.Background(), req(6, change("ze-bgp", "bgp")))
	var ae *commit.ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v", err)
	}
	var te *commit.TimeoutError
	if ae.Owner != "slow" || !errors.As(ae.Err, &te) || te.Phase != commit.PhaseApply {
		t.Errorf("got %+v, want slow timed out in apply", ae)
	}
	want := "slow could not apply the commit: no answer to apply within 50ms; re-applying the old configuration failed: a: stuck"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}

// TestRestoreAfterLaterFailure: when a later step fails (another applier
// of cdb, the bbolt write), a Restore goes to the owners the last apply
// reached, with its New (the old configuration).
func TestRestoreAfterLaterFailure(t *testing.T) {
	j := &journal{}
	c := commit.New(commit.Config{Logger: quiet()})
	c.Register("a", "bgp", &recorder{name: "a", journal: j})
	c.Register("b", "system", &recorder{name: "b", journal: j})
	c.Register("c", "bgp", &recorder{name: "c", journal: j})
	if err := c.Commit(context.Background(), req(7, change("ze-bgp", "bgp"))); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(context.Background(), &commit.Request{Revision: 6, Restore: true, New: "old"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"apply a new", "apply c new", "restore c old", "restore a old"}
	if got := j.get()[2:]; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestConcurrentVerify: verify asks the owners at once (each here waits
// for the other to be asked), and concurrent commits and registrations are
// safe.
func TestConcurrentVerify(t *testing.T) {
	c := commit.New(commit.Config{Logger: quiet(), VerifyTimeout: 5 * time.Second})
	var arrived sync.WaitGroup
	arrived.Add(2)
	meet := commit.Funcs{VerifyFunc: func(ctx context.Context, _ *commit.Request) error {
		arrived.Done()
		done := make(chan struct{})
		go func() { arrived.Wait(); close(done) }()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return errors.New("the other owner was not asked at the same time")
		}
	}}
	c.Register("x", "bgp", meet)
	c.Register("y", "bgp", meet)
	if err := c.Verify(context.Background(), req(8, change("ze-bgp", "bgp"))); err != nil {
		t.Fatal(err)
	}

	c2 := commit.New(commit.Config{Logger: quiet()})
	var applied sync.Map
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("o%d", i)
			unreg := c2.Register(name, "bgp", commit.Funcs{ApplyFunc: func(_ context.Context, r *commit.Request) error {
				applied.Store(fmt.Sprintf("%s@%d", name, r.Revision), true)
				return nil
			}})
			for k := range 5 {
				if err := c2.Commit(context.Background(), req(uint64(100*i+k), change("ze-bgp", "bgp"))); err != nil {
					t.Error(err)
				}
			}
			unreg()
		})
	}
	wg.Wait()
	for i := range 8 {
		for k := range 5 {
			if _, ok := applied.Load(fmt.Sprintf("o%d@%d", i, 100*i+k)); !ok {
				t.Errorf("o%d did not apply its own commit %d", i, 100*i+k)
			}
		}
	}
	if n := len(c2.Owners()); n != 0 {
		t.Errorf("%d owners left after unregistering", n)
	}
}

func TestPanicIsAnError(t *testing.T) {
	c := commit.New(commit.Config{Logger: quiet()})
	c.Register("bad", "", commit.Funcs{VerifyFunc: func(context.Context, *commit.Request) error { panic("boom") }})
	err := c.Commit(context.Background(), req(9, change("ze-bgp", "bgp")))
	if err == nil || err.Error() != "commit refused by bad: verify panicked: boom" {
		t.Errorf("got %v", err)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	c := commit.New(commit.Config{})
	c.Register("x", "bgp", commit.Funcs{})
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	c.Register("x", "system", commit.Funcs{})
}

func TestJSONRendersTheOwnersSubtree(t *testing.T) {
	c := commit.New(commit.Config{Logger: quiet()})
	var got []string
	own := commit.Funcs{ApplyFunc: func(_ context.Context, r *commit.Request) error {
		b, err := r.JSON()
		got = append(got, fmt.Sprintf("%s %s %v", r.Owner(), b, err))
		return nil
	}}
	c.Register("p", "ze-example-counter:", own)
	r := req(10, change("ze-example-counter", "counter"))
	r.Render = func(cfg any, path string) ([]byte, error) { return []byte(fmt.Sprintf(`{"%s":"%v"}`, path, cfg)), nil }
	if err := c.Commit(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if want := []string{`p {"ze-example-counter:":"new"} <nil>`}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	r.Render = nil
	got = nil
	_ = c.Commit(context.Background(), r)
	if len(got) != 1 || !strings.Contains(got[0], "carries no JSON") {
		t.Errorf("got %q", got)
	}
}

// TestHubEvents: the phases and the result are published, typed.
func TestHubEvents(t *testing.T) {
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	sub, err := h.Subscribe(hub.SubscribeConfig{Name: "watch", Prefixes: []string{"commit"}})
	if err != nil {
		t.Fatal(err)
	}
	c := commit.New(commit.Config{Hub: h, Logger: quiet()})
	c.Register("bgp", "bgp", commit.Funcs{})
	c.Register("rib", "bgp", commit.Funcs{VerifyFunc: func(context.Context, *commit.Request) error { return errors.New("no") }})
	_ = c.Commit(context.Background(), req(11, change("ze-bgp", "bgp", "peer")))
	c.Register("sys", "system", commit.Funcs{})
	_ = c.Commit(context.Background(), req(12, change("ze-system", "system", "host-name")))
	var got []string
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		m, err := sub.Receive(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		switch ev := m.Value().(type) {
		case *commit.PhaseEvent:
			got = append(got, fmt.Sprintf("%s %d %s %v %v", m.Topic(), ev.Revision, ev.Phase, ev.Owners, ev.Changes))
		case *commit.ResultEvent:
			got = append(got, fmt.Sprintf("%s %d %s ok=%v %s %q", m.Topic(), ev.Revision, ev.Phase, ev.OK, ev.Owner, ev.Error))
		default:
			t.Fatalf("%s: %T", m.Topic(), ev)
		}
	}
	want := []string{
		"commit/verify 11 verify [bgp rib] [ze-bgp:bgp/peer]",
		`commit/result 11 verify ok=false rib "no"`,
		"commit/verify 12 verify [sys] [ze-system:system/host-name]",
		"commit/apply 12 apply [sys] [ze-system:system/host-name]",
		`commit/result 12 apply ok=true  ""`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
