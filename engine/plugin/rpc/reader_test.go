package rpc

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads lines until an error that is not a SyntaxError, and lists
// what came out: lines as they are, errors as "ERR: …".
func readAll(r *Reader) ([]string, error) {
	var got []string
	for {
		line, err := r.ReadLine()
		if err == nil {
			got = append(got, string(line))
			continue
		}
		var se *SyntaxError
		if errors.As(err, &se) {
			got = append(got, "ERR: "+err.Error())
			continue
		}
		return got, err
	}
}

func TestReaderLines(t *testing.T) {
	long := strings.Repeat("x", 40)
	tests := []struct {
		name    string
		input   string
		max     int
		want    []string
		wantErr error
	}{
		{"lines", "#1 ok\n#2 ok\n\n#3 ok\n", 64, []string{"#1 ok", "#2 ok", "", "#3 ok"}, io.EOF},
		{"exactly max", "12345678\nab\n", 8, []string{"12345678", "ab"}, io.EOF},
		{"one over max", "123456789\nab\n", 8, []string{"ERR: rpc: line 1: line longer than 8 bytes", "ab"}, io.EOF},
		{"overlong resync", "#1 ok\n" + long + "\n#3 ok\n", 16, []string{"#1 ok", "ERR: rpc: line 2: line longer than 16 bytes", "#3 ok"}, io.EOF},
		{"two overlong", long + "\n" + long + "\nend\n", 16, []string{"ERR: rpc: line 1: line longer than 16 bytes", "ERR: rpc: line 2: line longer than 16 bytes", "end"}, io.EOF},
		{"unterminated", "#1 ok\n#2 o", 64, []string{"#1 ok"}, io.ErrUnexpectedEOF},
		{"overlong at eof", "#1 ok\n" + long, 16, []string{"#1 ok", "ERR: rpc: line 2: line longer than 16 bytes"}, io.ErrUnexpectedEOF},
		{"empty", "", 16, nil, io.EOF},
	}
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"byte at a time", iotest.OneByteReader},
		{"half", iotest.HalfReader},
		{"data with EOF", iotest.DataErrReader},
	}
	for _, tt := range tests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				r := NewReader(rd.wrap(strings.NewReader(tt.input)), tt.max)
				got, err := readAll(r)
				if strings.Join(got, "|") != strings.Join(tt.want, "|") {
					t.Errorf("got  %q\nwant %q", got, tt.want)
				}
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("final error %v, want %v", err, tt.wantErr)
				}
			})
		}
	}
}

// endless is an io.Reader of one line that never ends.
type endless struct{ n int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.n += len(p)
	if e.n > 50<<20 {
		return len(p), io.EOF
	}
	return len(p), nil
}

// TestReaderBounded: a line without end never grows the buffer past the
// limit, whatever it claims or sends.
func TestReaderBounded(t *testing.T) {
	const limit = 1 << 16
	src := &endless{}
	r := NewReader(src, limit)
	_, err := r.ReadLine()
	if !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("ReadLine = %v, want ErrLineTooLong", err)
	}
	_, err = r.ReadLine() // skips the rest: 50 MiB
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("ReadLine = %v, want io.ErrUnexpectedEOF", err)
	}
	if len(r.buf) > limit+1 {
		t.Errorf("buffer grew to %d bytes, limit %d", len(r.buf), limit)
	}
}

func TestReadFrame(t *testing.T) {
	in := "#1 ze-plugin-engine:ready\n" +
		"1 ok\n" +
		"#2 ok {\"a\":[1,2]}\n" +
		strings.Repeat("#", 100) + "\n" +
		"#3 error {\"error\":\"no\"}\n"
	r := NewReader(strings.NewReader(in), 64)
	var got []string
	for {
		f, err := r.ReadFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			got = append(got, err.Error())
			continue
		}
		got = append(got, string(f.AppendTo(nil)))
		if r.Line() == 0 {
			t.Error("Line() = 0 after a frame")
		}
	}
	want := []string{
		"#1 ze-plugin-engine:ready\n",
		"rpc: line 2: missing '#'",
		"#2 ok {\"a\":[1,2]}\n",
		"rpc: line 4: line longer than 64 bytes",
		"#3 error {\"error\":\"no\"}\n",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestReaderAllocs(t *testing.T) {
	line := "#42 ok {\"peers\":[{\"address\":\"10.0.0.1\",\"state\":\"established\"}]}\n"
	src := &repeater{line: line}
	r := NewReader(src, 1024)
	if _, err := r.ReadFrame(); err != nil { // warm up
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := r.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per frame read, want 0", allocs)
	}
}

// repeater returns the same line for ever.
type repeater struct {
	line string
	off  int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.line[r.off:])
		n += k
		r.off = (r.off + k) % len(r.line)
	}
	return n, nil
}
