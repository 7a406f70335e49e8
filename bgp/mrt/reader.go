package mrt

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Reader reads MRT records one at a time from an io.Reader. It reuses one
// buffer for every record: the Record that Next returns, and every view
// made from it, is valid until the next call to Next.
type Reader struct {
	// MaxRecordLen bounds a record's Length field; zero means
	// DefaultMaxRecordLen. A longer record is an ErrTooLarge error.
	MaxRecordLen int

	r      *bufio.Reader
	hdr    [HeaderLen]byte
	buf    []byte
	err    error
	count  int
	offset int64
	closer []io.Closer
}

// NewReader returns a reader of the uncompressed MRT stream r.
func NewReader(r io.Reader) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &Reader{r: br}
}

// Open opens an MRT file, decompressing it when it starts with the gzip or
// bzip2 magic (RIPE RIS publishes .gz, RouteViews .bz2). Close the reader
// to close the file.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	magic, _ := br.Peek(3)
	var src io.Reader = br
	closers := []io.Closer{f}
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("mrt: opening %s: %w", path, err)
		}
		src = zr
		closers = append(closers, zr)
	case len(magic) == 3 && string(magic) == "BZh":
		src = bzip2.NewReader(br)
	}
	r := NewReader(src)
	r.closer = closers
	return r, nil
}

// Close closes the file and decompressor that Open opened. It does nothing
// for a reader made by NewReader.
func (r *Reader) Close() error {
	var errs []error
	for i := len(r.closer) - 1; i >= 0; i-- {
		errs = append(errs, r.closer[i].Close())
	}
	r.closer = nil
	return errors.Join(errs...)
}

// Count returns how many records Next has returned.
func (r *Reader) Count() int { return r.count }

// Offset returns the position in the uncompressed stream of the next record.
func (r *Reader) Offset() int64 { return r.offset }

// Next returns the next record. At the end of the input it returns io.EOF;
// input that ends inside a record is ErrTruncated. Errors are sticky: a
// reader cannot find the next record after a bad one, so every later call
// returns the same error.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		switch err {
		case io.EOF:
			r.err = io.EOF
		case io.ErrUnexpectedEOF:
			r.err = r.errorf(ErrTruncated, "header: input ends")
		default:
			r.err = fmt.Errorf("mrt: reading record %d: %w", r.count+1, err)
		}
		return Record{}, r.err
	}
	h := parseHeader(r.hdr[:])
	limit := r.MaxRecordLen
	if limit <= 0 {
		limit = DefaultMaxRecordLen
	}
	if uint64(h.Length) > uint64(limit) {
		r.err = r.errorf(ErrTooLarge, "%s/%s length %d, limit %d",
			h.Type, SubtypeName(h.Type, h.Subtype), h.Length, limit)
		return Record{}, r.err
	}
	body, err := r.read(int(h.Length))
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			r.err = r.errorf(ErrTruncated, "%s/%s length %d: input ends",
				h.Type, SubtypeName(h.Type, h.Subtype), h.Length)
		} else {
			r.err = fmt.Errorf("mrt: reading record %d: %w", r.count+1, err)
		}
		return Record{}, r.err
	}
	rec, err := h.finish(body)
	if err != nil {
		r.err = fmt.Errorf("mrt: record %d: %w", r.count+1, err)
		return Record{}, r.err
	}
	r.count++
	r.offset += HeaderLen + int64(h.Length)
	return rec, nil
}

// read returns the next n bytes of input in the reused buffer. A buffer
// that must grow grows as the data arrives, doubling, so a Length field
// that lies costs at most twice what the input holds.
func (r *Reader) read(n int) ([]byte, error) {
	if n <= cap(r.buf) {
		b := r.buf[:n]
		_, err := io.ReadFull(r.r, b)
		return b, err
	}
	b := r.buf[:0]
	for len(b) < n {
		want := min(n, max(2*cap(b), 64<<10))
		b = slices.Grow(b, want-len(b))
		m, err := io.ReadFull(r.r, b[len(b):want])
		b = b[:len(b)+m]
		if err != nil {
			r.buf = b[:0]
			return nil, err
		}
	}
	r.buf = b
	return b, nil
}

func (r *Reader) errorf(base error, format string, args ...any) error {
	return fmt.Errorf("%w: record %d at offset %d: "+format,
		append([]any{base, r.count + 1, r.offset}, args...)...)
}

// errorf wraps base with a description.
func errorf(base error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{base}, args...)...)
}
