package reactor

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/zebgp/ze/engine/commit"
)

func TestCommitHandler(t *testing.T) {
	fr := newFakeReactor(t, Config{})
	h := fr.r.CommitHandler()
	ctx := context.Background()
	good := loadTree(t, `bgp { router-id 192.0.2.254; local-as 65000; peer east { remote { ip 192.0.2.1; as 65001; } description "the east"; } }`)
	bad := loadTree(t, `bgp { router-id 192.0.2.254; peer east { remote { ip 192.0.2.1; as 65001; } } }`)
	if err := h.Verify(ctx, &commit.Request{Revision: 2, New: bad}); err == nil || !strings.Contains(err.Error(), "bgp peer east: no local-as") {
		t.Errorf("verify of a peer without local-as: %v", err)
	}
	if err := h.Verify(ctx, &commit.Request{Revision: 2, New: "text"}); err == nil || err.Error() != "reactor: commit 2: the configuration is a string, not a *config.Tree" {
		t.Errorf("verify of a string: %v", err)
	}
	if err := h.Verify(ctx, &commit.Request{Revision: 2, New: good}); err != nil {
		t.Fatal(err)
	}
	if err := h.Apply(ctx, &commit.Request{Revision: 2, New: good}); err != nil {
		t.Fatal(err)
	}
	fr.mu.Lock()
	listens := fmt.Sprint(fr.listens)
	fr.mu.Unlock()
	if listens != "[[::]:179]" {
		t.Errorf("listeners opened: %s, want the default [::]:179", listens)
	}
	d, err := fr.r.Neighbor("east")
	if err != nil || d.Description != "the east" || d.RemoteAS != 65001 {
		t.Fatalf("after apply: %+v %v", d, err)
	}
	if s := fr.session("east"); s == nil || !s.started {
		t.Error("east not started")
	}
	st := Component{R: fr.r}.Status()
	if !strings.Contains(st, "BGP router identifier 192.0.2.254, local AS number 65000") || !strings.Contains(st, "192.0.2.1") {
		t.Errorf("status:\n%s", st)
	}
}
