package rpc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxLine is the longest line a Reader accepts when not told
// otherwise: large enough for a plugin's config subtree or schema.
const DefaultMaxLine = 4 << 20

// Reader reads newline-terminated frames from a stream. Its buffer starts
// small and grows, by doubling, up to the line limit and no further: a line
// longer than the limit is reported (a *SyntaxError wrapping ErrLineTooLong)
// and skipped up to its newline, after which reading goes on normally.
type Reader struct {
	r     io.Reader
	buf   []byte
	start int // first unread byte
	end   int // end of buffered data
	scan  int // buf[start:scan] holds no newline
	max   int
	line  int // lines consumed, including the one last returned
	skip  bool
	err   error // sticky error of r
}

// NewReader returns a Reader on r that accepts lines of up to maxLine bytes
// (without the newline); maxLine <= 0 means DefaultMaxLine.
func NewReader(r io.Reader, maxLine int) *Reader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &Reader{r: r, buf: make([]byte, min(4096, maxLine+1)), max: maxLine}
}

// Line returns the number of the line last returned (1 for the first).
func (r *Reader) Line() int { return r.line }

// Buffered returns the bytes read from the stream but not yet returned.
func (r *Reader) Buffered() int { return r.end - r.start }

// ReadLine returns the next line without its newline. The slice is valid
// until the next call. At the end of the stream it returns io.EOF, or
// io.ErrUnexpectedEOF if the stream ended inside a line.
func (r *Reader) ReadLine() ([]byte, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.scan:r.end], '\n'); i >= 0 {
			nl := r.scan + i
			line := r.buf[r.start:nl]
			r.start, r.scan = nl+1, nl+1
			r.line++
			if r.skip {
				r.skip = false
				continue // the end of an overlong line already reported
			}
			return line, nil
		}
		r.scan = r.end
		if r.skip {
			r.start, r.end, r.scan = 0, 0, 0
		} else if r.end-r.start > r.max {
			// No newline within the limit: report, then skip to the next.
			r.start, r.end, r.scan = 0, 0, 0
			r.skip = true
			return nil, &SyntaxError{Line: r.line + 1, Col: r.max + 1,
				Msg: fmt.Sprintf("line longer than %d bytes", r.max), err: ErrLineTooLong}
		}
		if r.err != nil {
			err := r.err
			if errors.Is(err, io.EOF) && (r.end > r.start || r.skip) {
				err = io.ErrUnexpectedEOF
			}
			r.start, r.end, r.scan = 0, 0, 0
			r.skip = false
			return nil, err
		}
		r.fill()
	}
}

// fill makes room and reads once.
func (r *Reader) fill() {
	if r.start > 0 {
		n := copy(r.buf, r.buf[r.start:r.end])
		r.scan -= r.start
		r.start, r.end = 0, n
	}
	if r.end == len(r.buf) && len(r.buf) <= r.max {
		// Grow only while the buffered line is within the limit: at most
		// to max+1 bytes, enough to see that a line is too long.
		nb := make([]byte, min(2*len(r.buf), r.max+1))
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for range 100 {
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.err = io.ErrNoProgress
}

// ReadFrame reads and parses the next line. The frame aliases the Reader's
// buffer and is valid until the next call. A malformed line is reported as
// a *SyntaxError carrying its line number, and the Reader stays usable.
func (r *Reader) ReadFrame() (Frame, error) {
	line, err := r.ReadLine()
	if err != nil {
		return Frame{}, err
	}
	f, err := ParseLine(line)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			se.Line = r.line
		}
		return Frame{}, err
	}
	return f, nil
}
