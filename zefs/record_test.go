package zefs

import (
	"errors"
	"hash/crc32"
	"strings"
	"testing"
)

func TestValidKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
		why string // part of the error
	}{
		{key: "a", ok: true},
		{key: "ssh/host-key", ok: true},
		{key: "config/archive/3", ok: true},
		{key: "with space/and:colon,comma", ok: true},
		{key: "ünïcode/κλειδί", ok: true},
		{key: "...", ok: true},
		{key: ".hidden/x", ok: true},
		{key: strings.Repeat("k", MaxKeyLen), ok: true},
		{key: "", why: "empty"},
		{key: strings.Repeat("k", MaxKeyLen+1), why: "longer than 1024"},
		{key: "/abs", why: "empty segment"},
		{key: "trailing/", why: "empty segment"},
		{key: "a//b", why: "empty segment"},
		{key: ".", why: `segment "."`},
		{key: "a/../b", why: `segment ".."`},
		{key: "a\nb", why: "control character 0x0A at byte 1"},
		{key: "tab\there", why: "control character 0x09"},
		{key: "nul\x00", why: "control character 0x00"},
		{key: "del\x7f", why: "control character 0x7F"},
		{key: "bad\xffutf8", why: "not UTF-8"},
	}
	for _, tt := range tests {
		err := ValidKey(tt.key)
		if ok := validKeyBytes([]byte(tt.key)); ok != tt.ok {
			t.Errorf("validKeyBytes(%q) = %v, want %v", tt.key, ok, tt.ok)
		}
		if tt.ok {
			if err != nil {
				t.Errorf("ValidKey(%q) = %v, want nil", tt.key, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("ValidKey(%q) = %v, want ErrInvalidKey saying %q", tt.key, err, tt.why)
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		off, cap int
		state    byte
		key      string
		value    string
	}{
		{"live with padding", 13, 40, stateLive, "ssh/host-key", "secret"},
		{"free", 13, 40, stateFree, "ssh/host-key", "secret"},
		{"exact fit", 100, recordLen("k", 3), stateLive, "k", "abc"},
		{"empty value", 7, 20, stateLive, "empty", ""},
		{"binary value", 13, 64, stateLive, "bin", "\x00\n1:2:3\n\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Place the frame at its offset in a buffer, as in a file.
			buf := appendRecord(make([]byte, tt.off), tt.off, tt.cap, tt.state, tt.key, []byte(tt.value))
			if len(buf)-tt.off != frameSize(tt.cap) {
				t.Fatalf("frame is %d bytes, want %d", len(buf)-tt.off, frameSize(tt.cap))
			}
			r, err := parseRecord(buf, tt.off, nil)
			if err != nil {
				t.Fatalf("parseRecord: %v\n%q", err, buf[tt.off:])
			}
			if got := string(buf[r.keyOff : r.keyOff+r.keyLen]); got != tt.key {
				t.Errorf("key = %q, want %q", got, tt.key)
			}
			if got := string(buf[r.valOff : r.valOff+r.valLen]); got != tt.value {
				t.Errorf("value = %q, want %q", got, tt.value)
			}
			if r.live != (tt.state == stateLive) {
				t.Errorf("live = %v, want %v", r.live, tt.state == stateLive)
			}
			if r.end() != len(buf) {
				t.Errorf("end = %d, want %d", r.end(), len(buf))
			}
		})
	}
}

// The exact bytes of one record, as docs/zefs.md shows them. The CRC was
// computed apart from this code, with a bitwise CRC-32C (reflected
// polynomial 0x82F63B78) over 00 00 00 00 00 00 00 0D "2:24:16\n" "+"
// " a/b\nhi"; the check value of CRC-32C over "123456789" is e3069283.
func TestRecordBytes(t *testing.T) {
	if c := crc32.Checksum([]byte("123456789"), castagnoli); c != 0xe3069283 {
		t.Fatalf("CRC-32C check value = %08x, want e3069283", c)
	}
	got := string(appendRecord(nil, 13, 24, stateLive, "a/b", []byte("hi")))
	want := "2:24:16\n+8d6e4695 a/b\nhi        \n"
	if got != want {
		t.Errorf("appendRecord = %q, want %q", got, want)
	}
}

// A record moved to another offset does not check out: the CRC binds it to
// where it was written.
func TestRecordCRCBindsOffset(t *testing.T) {
	rec := appendRecord(nil, 13, 30, stateLive, "k", []byte("v"))
	buf := append(make([]byte, 14), rec...)
	if _, err := parseRecord(buf, 14, nil); !errors.Is(err, ErrChecksum) {
		t.Errorf("record written for offset 13 parsed at 14: error = %v, want ErrChecksum", err)
	}
}

func TestParseRecordDamaged(t *testing.T) {
	good := string(appendRecord(nil, 0, 24, stateLive, "a/b", []byte("hi")))
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{"value byte changed", strings.Replace(good, "hi", "ho", 1), ErrChecksum},
		{"key byte changed", strings.Replace(good, "a/b", "a/c", 1), ErrChecksum},
		{"state flipped to free", strings.Replace(good, "+", "-", 1), ErrChecksum},
		{"used changed", strings.Replace(good, ":16\n", ":15\n", 1), ErrChecksum},
		{"crc not hex", strings.Replace(good, good[9:17], "XXXXXXXX", 1), ErrFrame},
		{"crc upper case", strings.Replace(good, good[9:17], strings.ToUpper(good[9:17]), 1), ErrFrame},
		{"bad state", strings.Replace(good, "+", "*", 1), ErrFrame},
		{"too short", "1:5:5\n+0000\n", ErrFrame},
		{"no key line", "2:20:20\n+00000000 abcdefghij\n", ErrFrame},
		{"torn", good[:len(good)-3], ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseRecord([]byte(tt.in), 0, nil); !errors.Is(err, tt.err) {
				t.Errorf("parseRecord(%q) error = %v, want %v", tt.in, err, tt.err)
			}
		})
	}
}

// A record with a good CRC but a key a writer would refuse is malformed.
func TestParseRecordInvalidKey(t *testing.T) {
	buf := appendRecord(nil, 0, 30, stateLive, "a//b", []byte("v"))
	if _, err := parseRecord(buf, 0, nil); !errors.Is(err, ErrFrame) {
		t.Errorf("error = %v, want ErrFrame", err)
	}
}
