package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitOutput waits until out holds s.
func waitOutput(t *testing.T, out *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q:\n%q", s, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunOverPipe runs the editor as the SSH shell does: input from a
// pipe the shell feeds, output to the session, the size given and changed
// through Options.
func TestRunOverPipe(t *testing.T) {
	_, s, y := newDB(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &syncBuffer{}
	resize := make(chan WindowSize, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), s, y, pr, out, Options{Width: 100, Height: 30, Resize: resize, Colors: true})
	}()
	waitOutput(t, out, "hold-time 90")
	if !strings.Contains(out.String(), "\x1b[?1049h") {
		t.Fatal("the alternate screen was not entered")
	}
	resize <- WindowSize{Width: 100, Height: 31}
	// G, enter: edit hold-time; a new value; enter.
	if _, err := io.WriteString(pw, "G\r\x7f\x7f75\r"); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, out, "hold-time 75")
	if got := candidateValue(t, s, "bgp", "group", "g", "peer", "p1", "hold-time"); got != "75" {
		t.Fatalf("candidate hold-time %q, want 75", got)
	}
	if _, err := io.WriteString(pw, "q"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("q did not end Run")
	}
	if !strings.Contains(out.String(), "\x1b[?1049l") {
		t.Fatal("the alternate screen was not left")
	}
}

// TestRunContext: the end of the context ends Run with its error.
func TestRunContext(t *testing.T) {
	_, s, y := newDB(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, s, y, pr, out, Options{Width: 80, Height: 24}) }()
	waitOutput(t, out, "hold-time 90")
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the canceled context did not end Run")
	}
}
