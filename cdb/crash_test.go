package cdb

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// crashEnv names the state directory of the child process of TestCrash.
const crashEnv = "ZE_CDB_CRASH_DIR"

// crashConfig is the configuration of revision seq in TestCrash: a host
// name and a number of peers that changes with seq, so that revisions
// differ in size.
func crashConfig(seq uint64) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "system {\n    host-name h-%d;\n}\n", seq)
	if n := int(seq % 23); n > 0 {
		b.WriteString("bgp {\n    group g {\n")
		for i := range n {
			fmt.Fprintf(&b, "        peer p%d {\n            remote {\n                ip 10.0.%d.%d;\n                as %d;\n            }\n            hold-time %d;\n        }\n",
				i, i/200, i%200+1, 65000+i, 3+int(seq)%1000)
		}
		b.WriteString("    }\n}\n")
	}
	return []byte(b.String())
}

// TestCrashChild is the child of TestCrash: it commits crashConfig in a
// loop, every fifth as a commit confirmed, printing each revision once
// its Commit returned. Without the environment variable it does nothing.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		return
	}
	db, err := Open(dir, Options{Schema: coreSchema(t), Factory: crashConfig(1), Logger: quiet, Timeout: 10 * time.Second})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	s, err := db.Session(SessionOptions{Name: "crash", User: "crash"})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	stop := time.Now().Add(20 * time.Second) // in case the parent is gone
	for time.Now().Before(stop) {
		_, rev, err := db.Running()
		if err == nil {
			err = s.Load(LoadOverride, crashConfig(rev+1), "")
		}
		var r Revision
		if err == nil {
			o := CommitOptions{Comment: fmt.Sprintf("c%d", rev+1)}
			if (rev+1)%5 == 0 {
				o.Confirmed = time.Hour
			}
			r, err = s.Commit(o)
		}
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Printf("committed %d\n", r.Seq)
	}
	os.Exit(0)
}

// TestCrash kills a process that commits in a loop at random points, 100
// times. After each kill the database opens, running is exactly the text
// of the revision it names, every revision a Commit returned survived,
// and the history is consistent: sequence numbers contiguous, each with
// its text, the last one running.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test takes seconds")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	t.Logf("state directory %s", dir)
	var last, kills uint64
	start := time.Now()
	for i := range 100 {
		acked := crashRun(t, dir, rng)
		db, err := Open(dir, Options{Schema: coreSchema(t), Factory: crashConfig(1), Logger: quiet})
		if err != nil {
			t.Fatalf("kill %d: open after the kill: %v", i, err)
		}
		rev := crashCheck(t, db, i)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if rev < acked {
			t.Fatalf("kill %d: running is revision %d, but the child saw revision %d committed", i, rev, acked)
		}
		if rev < last {
			t.Fatalf("kill %d: running went back from revision %d to %d", i, last, rev)
		}
		if rev > last {
			kills++
		}
		last = rev
	}
	t.Logf("100 kills in %v, %d revisions, %d kills after new commits", time.Since(start).Round(time.Millisecond), last, kills)
	if kills < 10 {
		t.Errorf("only %d of 100 kills came after a new commit: the child hardly committed", kills)
	}
}

// crashRun starts the child, kills it at a random point and returns the
// last revision it reported committed.
func crashRun(t *testing.T, dir string, rng *rand.Rand) uint64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked atomic.Uint64
	first := make(chan struct{})
	done := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		var msg string
		for sc.Scan() {
			line := sc.Text()
			if n, ok := strings.CutPrefix(line, "committed "); ok {
				v, _ := strconv.ParseUint(n, 10, 64)
				if acked.Swap(v) == 0 {
					close(first)
				}
			} else if strings.HasPrefix(line, "error:") {
				msg = line
			}
		}
		done <- msg
	}()
	// Half the kills come at any time, from the start (while the child
	// opens the database), the others once it commits.
	delay := time.Duration(rng.IntN(40_000)) * time.Microsecond
	if rng.IntN(2) == 0 {
		select {
		case <-first:
		case <-time.After(5 * time.Second):
		}
		delay = time.Duration(rng.IntN(25_000)) * time.Microsecond
	}
	time.Sleep(delay)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	msg := <-done
	_ = cmd.Wait()
	if msg != "" {
		t.Fatalf("child: %s", msg)
	}
	return acked.Load()
}

// crashCheck checks the database after a kill and returns the running
// revision.
func crashCheck(t *testing.T, db *DB, i int) uint64 {
	t.Helper()
	running, rev, err := db.Running()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(running.Text()), string(crashConfig(rev)); got != want {
		t.Fatalf("kill %d: running (revision %d) is not that revision's text:\n%s\nwant:\n%s", i, rev, got, want)
	}
	h, err := db.History()
	if err != nil {
		t.Fatal(err)
	}
	if len(h) == 0 || h[0].Seq != rev {
		t.Fatalf("kill %d: history %v does not end with running (revision %d)", i, h, rev)
	}
	want := min(rev, HistorySize)
	if uint64(len(h)) != want {
		t.Errorf("kill %d: %d history entries for %d revisions", i, len(h), rev)
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		for j, r := range h {
			if r.Seq != rev-uint64(j) {
				return fmt.Errorf("rollback %d is revision %d, want %d", j, r.Seq, rev-uint64(j))
			}
			if r.Seq > 1 && r.Comment != fmt.Sprintf("c%d", r.Seq) {
				return fmt.Errorf("revision %d has the comment %q", r.Seq, r.Comment)
			}
			if text := readArchive(tx, r.Seq); string(text) != string(crashConfig(r.Seq)) {
				return fmt.Errorf("revision %d has the wrong text:\n%s", r.Seq, text)
			}
		}
		if n := tx.Bucket(bucketArchive).Stats().KeyN; n != len(h) {
			return fmt.Errorf("%d archived texts for %d history entries", n, len(h))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("kill %d: %v", i, err)
	}
	if p := db.Pending(); p != nil && (p.Seq != rev || p.Seq%5 != 0 || p.Restore != rev-1) {
		t.Errorf("kill %d: pending %+v with running at %d", i, p, rev)
	}
	if p := db.Pending(); p == nil && rev%5 == 0 {
		t.Errorf("kill %d: revision %d was a commit confirmed, and nothing is pending", i, rev)
	}
	return rev
}
