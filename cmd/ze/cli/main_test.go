package cli

import (
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zebgp/ze/cdb"
	zecli "github.com/zebgp/ze/cli"
	"github.com/zebgp/ze/yang"
)

// daemon serves the shell on DIR/ze.sock, as ze start does.
func daemon(t *testing.T) string {
	t.Helper()
	y, err := yang.Core()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := cdb.Open(dir, cdb.Options{Schema: y, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := zecli.NewServer(zecli.Options{DB: db, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", filepath.Join(dir, SocketName))
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeLocal(ln) }()
	t.Cleanup(func() {
		srv.Close()
		db.Close()
	})
	return dir
}

func TestCommand(t *testing.T) {
	dir := daemon(t)
	tests := []struct {
		args      []string
		stdin     string
		code      int
		out, errs string
	}{
		{[]string{"--state", dir, "-c", "show configuration system host-name"}, "", 0, "host-name ze;\n", ""},
		{[]string{"--state", dir, "-c", "show configuration system host-name | display set"}, "", 0, "set system host-name ze\n", ""},
		{[]string{"--state", dir, "-c", "show nothing"}, "", 1, "", "show nothing\n     ^\nsyntax error: unknown word after 'show' \"nothing\"\n"},
		{[]string{"--state", dir}, "configure\nset system host-name r7\ncommit\nexit\nshow configuration system host-name\n", 0,
			"Entering configuration mode\ncommit complete (revision 2)\nExiting configuration mode\nhost-name r7;\n", ""},
		{[]string{"--state", dir}, "show configuration system host-name\nbogus\n", 1, "host-name r7;\n", "bogus\n^\nsyntax error: unknown command \"bogus\"\n"},
		{[]string{"--state", filepath.Join(dir, "none"), "-c", "show configuration"}, "", 2, "", "ze cli: no daemon socket " + filepath.Join(dir, "none", SocketName) + " (is 'ze start --state " + filepath.Join(dir, "none") + "' running?)\n"},
		{[]string{"--state", dir, "show"}, "", 1, "", "ze cli: unexpected \"show\" (quote the command after -c)\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[2:], " "), func(t *testing.T) {
			var out, errs strings.Builder
			code := run(tt.args, strings.NewReader(tt.stdin), &out, &errs)
			if code != tt.code || out.String() != tt.out || errs.String() != tt.errs {
				t.Fatalf("got %d\n%q\n%q\nwant %d\n%q\n%q", code, out.String(), errs.String(), tt.code, tt.out, tt.errs)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	// a socket that closes at once, as the daemon does for another uid
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, SocketName))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	var out, errs strings.Builder
	code := run([]string{"--state", dir, "-c", "show configuration"}, strings.NewReader(""), &out, &errs)
	if code != 1 || !strings.Contains(errs.String(), "the daemon closed the connection (only root and the user the daemon runs as may connect)") {
		t.Fatalf("got %d %q", code, errs.String())
	}
}
