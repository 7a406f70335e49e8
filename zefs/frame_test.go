package zefs

import (
	"errors"
	"strings"
	"testing"
)

// The examples of draft-mangin-netcapstring §5 (dots there are spaces here),
// and frames a strict parser must refuse.
func TestParseFrame(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want frame // off is always 0
		data string
		err  error
	}{
		{name: "5.1 padding", in: "2:16:05\nhello           \n", want: frame{hdr: 8, cap: 16, used: 5}, data: "hello"},
		{name: "5.2 empty", in: "1:8:0\n        \n", want: frame{hdr: 6, cap: 8, used: 0}, data: ""},
		{name: "5.3 exact fit", in: "1:4:4\nabcd\n", want: frame{hdr: 6, cap: 4, used: 4}, data: "abcd"},
		{name: "5.4 large capacity", in: "3:100:001\nx" + strings.Repeat(" ", 99) + "\n", want: frame{hdr: 10, cap: 100, used: 1}, data: "x"},
		{name: "zero capacity", in: "1:0:0\n\n", want: frame{hdr: 6}, data: ""},
		{name: "data holds newlines and colons", in: "1:5:5\n1:2\n:\n", want: frame{hdr: 6, cap: 5, used: 5}, data: "1:2\n:"},
		{name: "padding is not inspected", in: "1:4:1\nxABC\n", want: frame{hdr: 6, cap: 4, used: 1}, data: "x"},
		{name: "trailing bytes belong to the next frame", in: "1:1:1\nz\n1:0:0", want: frame{hdr: 6, cap: 1, used: 1}, data: "z"},

		{name: "empty input", in: "", err: ErrTruncated},
		{name: "number only", in: "2", err: ErrTruncated},
		{name: "header cut", in: "2:16:0", err: ErrTruncated},
		{name: "data cut", in: "2:16:05\nhello", err: ErrTruncated},
		{name: "terminator missing at end", in: "1:4:4\nabcd", err: ErrTruncated},
		{name: "huge cap claimed", in: "19:9999999999999999999:0000000000000000000\n", err: ErrTruncated},
		{name: "cap near 2^64 does not overflow", in: "19:1844674407370955161:0000000000000000000\nx\n", err: ErrTruncated},
		{name: "number zero", in: "0::\n\n", err: ErrFrame},
		{name: "number leading zero", in: "01:4:4\nabcd\n", err: ErrFrame},
		{name: "number above 19", in: "20:" + strings.Repeat("1", 20) + ":" + strings.Repeat("0", 20) + "\n", err: ErrFrame},
		{name: "number of three digits", in: "100:", err: ErrFrame},
		{name: "no colon", in: "1;4:4\nabcd\n", err: ErrFrame},
		{name: "not a digit", in: "x:4:4\nabcd\n", err: ErrFrame},
		{name: "cap not digits", in: "1:a:4\nabcd\n", err: ErrFrame},
		{name: "cap with leading zero", in: "2:04:04\nabcd\n", err: ErrFrame},
		{name: "second colon missing", in: "1:4;4\nabcd\n", err: ErrFrame},
		{name: "used not digits", in: "1:4:-\nabcd\n", err: ErrFrame},
		{name: "header newline missing", in: "1:4:4 abcd\n", err: ErrFrame},
		{name: "used above cap", in: "1:4:5\nabcd\n", err: ErrFrame},
		{name: "wrong terminator", in: "1:4:4\nabcd,", err: ErrFrame},
		{name: "used narrower than cap", in: "2:16:5\nhello           \n", err: ErrFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFrame([]byte(tt.in), 0)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("parseFrame(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFrame(%q) error = %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("parseFrame(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if data := tt.in[got.data() : got.data()+got.used]; data != tt.data {
				t.Errorf("data = %q, want %q", data, tt.data)
			}
		})
	}
}

// A frame later in a buffer parses at its offset; offsets outside fail.
func TestParseFrameOffset(t *testing.T) {
	buf := []byte("1:1:1\nz\n1:3:2\nab \n")
	f, err := parseFrame(buf, 8)
	if err != nil {
		t.Fatal(err)
	}
	if want := (frame{off: 8, hdr: 6, cap: 3, used: 2}); f != want {
		t.Errorf("got %+v, want %+v", f, want)
	}
	if f.end() != len(buf) {
		t.Errorf("end = %d, want %d", f.end(), len(buf))
	}
	for _, off := range []int{-1, len(buf), len(buf) + 5} {
		if _, err := parseFrame(buf, off); !errors.Is(err, ErrTruncated) {
			t.Errorf("parseFrame at %d: error = %v, want ErrTruncated", off, err)
		}
	}
}

// Table 2 of the draft, §4, and the headers appendHeader writes.
func TestHeaderLen(t *testing.T) {
	tests := []struct {
		cap, used int
		hdr       string
	}{
		{0, 0, "1:0:0\n"},
		{9, 3, "1:9:3\n"},
		{10, 0, "2:10:00\n"},
		{99, 99, "2:99:99\n"},
		{100, 1, "3:100:001\n"},
		{999, 42, "3:999:042\n"},
		{1000, 7, "4:1000:0007\n"},
		{9999, 1234, "4:9999:1234\n"},
		{10000, 5, "5:10000:00005\n"},
		{99999, 99999, "5:99999:99999\n"},
		{1234567890, 1, "10:1234567890:0000000001\n"},
	}
	for _, tt := range tests {
		got := string(appendHeader(nil, tt.cap, tt.used))
		if got != tt.hdr {
			t.Errorf("appendHeader(%d, %d) = %q, want %q", tt.cap, tt.used, got, tt.hdr)
		}
		if n := headerLen(tt.cap); n != len(tt.hdr) {
			t.Errorf("headerLen(%d) = %d, want %d", tt.cap, n, len(tt.hdr))
		}
		if n := frameSize(tt.cap); n != len(tt.hdr)+tt.cap+1 {
			t.Errorf("frameSize(%d) = %d, want %d", tt.cap, n, len(tt.hdr)+tt.cap+1)
		}
	}
}
