package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/zebgp/ze/engine/hub"
)

func TestComponent(t *testing.T) {
	name := uniqueName("comp")
	registerInternal(name, fakeBody(nil, plainReg(name), nil, nil))
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	doc := fmt.Sprintf(`{"ze-plugin:plugin":{"internal":[{"name":%q}]}}`, name)
	c, err := NewComponent(Config{Hub: h, Logger: slog.New(slog.DiscardHandler)}, func() ([]byte, error) { return []byte(doc), nil })
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "plugin-host" {
		t.Errorf("name %q", c.Name())
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Status(), fmt.Sprintf("plugin %s (internal): ready, 0 restarts\n", name); got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Host().Status(name); st.State != StateStopped {
		t.Errorf("after Stop: %+v", st)
	}

	bad, err := NewComponent(Config{Hub: h, Logger: slog.New(slog.DiscardHandler)}, func() ([]byte, error) { return nil, errors.New("no db") })
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = bad.Stop(context.Background()) }()
	if err := bad.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "no db") {
		t.Errorf("got %v", err)
	}
}
