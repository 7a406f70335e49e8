package zefs

import (
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"unicode/utf8"
)

// A record is the data of one netcapstring frame after the store header:
//
//	+--------+----------+-----+-----+------+-------+
//	| state  | crc      | ' ' | key | '\n' | value |
//	| 1 byte | 8 hex    | 1   | k   | 1    | n     |
//	+--------+----------+-----+-----+------+-------+
//	 0        1          9     10    10+k   11+k
//
// state is '+' for an entry and '-' for a free (deleted or replaced) record.
// crc is the CRC-32C (Castagnoli) of, in this order: the frame's file offset
// as 8 bytes big-endian, the frame header ("N:cap:used\n"), the state byte
// and the record from byte 9 to used (the space, key, newline and value),
// written as 8 lowercase hex digits. Padding and terminator are framing and
// are not covered.
//
// Binding the offset into the CRC means a record copied elsewhere (a ZeFS
// file stored as a value of another, or a stale copy) never checks out at a
// position it was not written for, which is what makes resynchronizing after
// damage safe (see scan.go).
const (
	recState  = 0
	recCRC    = 1
	recSpace  = 9
	recKey    = 10
	recMinLen = recKey + 1 + 1 // a one-byte key and its newline

	stateLive = '+'
	stateFree = '-'
)

// MaxKeyLen is the longest key, in bytes.
const MaxKeyLen = 1024

// MaxValueLen is the longest value, in bytes (1 GiB).
const MaxValueLen = 1 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// The reasons a frame is not a record. They are made once: resynchronizing
// tries many candidates and must not allocate for each.
var (
	errBudget       = errors.New("resync budget spent")
	errShortRecord  = fmt.Errorf("%w: record shorter than its fixed fields", ErrFrame)
	errState        = fmt.Errorf("%w: state byte is neither '+' nor '-'", ErrFrame)
	errRecordHeader = fmt.Errorf("%w: no CRC and space after the state byte", ErrFrame)
	errNoKey        = fmt.Errorf("%w: no key line", ErrFrame)
	errBadKey       = fmt.Errorf("%w: key breaks the key rules", ErrFrame)
)

// ValidKey reports whether key can name an entry, and why not. A key is 1 to
// MaxKeyLen bytes of UTF-8 made of segments separated by '/'; no segment is
// empty, "." or "..", and no byte is a control character (below 0x20, or
// 0x7F). So "ssh/host-key" and "config/archive/3" are keys, and "/a", "a/",
// "a//b", "a/../b" and "a\nb" are not.
func ValidKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: %d bytes, longer than %d", ErrInvalidKey, len(key), MaxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c == 0x7f {
			return fmt.Errorf("%w: control character 0x%02X at byte %d", ErrInvalidKey, c, i)
		}
	}
	if !utf8.ValidString(key) {
		return fmt.Errorf("%w: not UTF-8", ErrInvalidKey)
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return fmt.Errorf("%w: empty segment (a leading, trailing or doubled '/')", ErrInvalidKey)
		case ".", "..":
			return fmt.Errorf("%w: segment %q", ErrInvalidKey, seg)
		}
	}
	return nil
}

// validKeyBytes is ValidKey for a key read from the file, without allocating
// on success.
func validKeyBytes(key []byte) bool {
	if len(key) == 0 || len(key) > MaxKeyLen || !utf8.Valid(key) {
		return false
	}
	start := 0
	for i := 0; i <= len(key); i++ {
		if i < len(key) {
			c := key[i]
			if c < 0x20 || c == 0x7f {
				return false
			}
			if c != '/' {
				continue
			}
		}
		seg := key[start:i]
		if len(seg) == 0 || (len(seg) == 1 && seg[0] == '.') || (len(seg) == 2 && seg[0] == '.' && seg[1] == '.') {
			return false
		}
		start = i + 1
	}
	return true
}

// recordLen returns the used length of the record for key and an n-byte value.
func recordLen(key string, n int) int { return recKey + len(key) + 1 + n }

// capacityFor returns the capacity given to a new frame whose record is n
// bytes: n plus a tenth, at least 16 bytes of room (draft §7.1), so that
// small changes of the value are written in place.
func capacityFor(n int) int { return n + max(n/10, 16) }

// recordCRC computes the CRC of a record: the frame's file offset, its
// header, the state byte (which may differ from the stored one: marking a
// record free computes the CRC it will have) and the record from byte 9.
func recordCRC(off int, header []byte, state byte, tail []byte) uint32 {
	var c uint32
	for shift := 56; shift >= 0; shift -= 8 {
		c = crcByte(c, byte(uint64(off)>>shift))
	}
	c = crc32.Update(c, castagnoli, header)
	c = crcByte(c, state)
	return crc32.Update(c, castagnoli, tail)
}

// crcByte is crc32.Update for one byte. crc32.Update would do, but the
// slice of a local array it needs escapes to the heap: this keeps Put and
// Open from allocating for it.
func crcByte(c uint32, b byte) uint32 {
	c = ^c
	c = castagnoli[byte(c)^b] ^ c>>8
	return ^c
}

// crcOf computes the CRC of the record in frame f of buf with state.
func crcOf(buf []byte, f frame, state byte) uint32 {
	return recordCRC(f.off, buf[f.off:f.data()], state, buf[f.data()+recSpace:f.data()+f.used])
}

// putHex writes c as 8 lowercase hex digits.
func putHex(dst []byte, c uint32) {
	const hexdig = "0123456789abcdef"
	for i := 7; i >= 0; i-- {
		dst[i] = hexdig[c&0xf]
		c >>= 4
	}
}

// parseHex reads 8 lowercase hex digits.
func parseHex(b []byte) (uint32, bool) {
	if len(b) != 8 {
		return 0, false
	}
	var c uint32
	for _, x := range b {
		switch {
		case x >= '0' && x <= '9':
			c = c<<4 | uint32(x-'0')
		case x >= 'a' && x <= 'f':
			c = c<<4 | uint32(x-'a'+10)
		default:
			return 0, false
		}
	}
	return c, true
}

// record is a frame whose data parsed as a record with a good CRC.
type record struct {
	frame
	live   bool
	keyOff int // offset of the key in the buffer
	keyLen int
	valOff int // offset of the value in the buffer
	valLen int
}

// parseRecord parses the frame at buf[off] and the record in it, and checks
// its CRC. crcBudget, when not nil, is charged the record's length (a bound
// on what checking it reads); when it would go below zero the record is not
// checked and errBudget is returned.
func parseRecord(buf []byte, off int, crcBudget *int) (record, error) {
	f, err := parseFrame(buf, off)
	if err != nil {
		return record{}, err
	}
	if crcBudget != nil {
		if *crcBudget < f.used {
			return record{}, errBudget
		}
		*crcBudget -= f.used
	}
	if f.used < recMinLen {
		return record{}, errShortRecord
	}
	body := buf[f.data() : f.data()+f.used]
	state := body[recState]
	if state != stateLive && state != stateFree {
		return record{}, errState
	}
	want, ok := parseHex(body[recCRC:recSpace])
	if !ok || body[recSpace] != ' ' {
		return record{}, errRecordHeader
	}
	k := -1
	for i, c := range body[recKey:min(len(body), recKey+MaxKeyLen+1)] {
		if c == '\n' {
			k = i
			break
		}
	}
	if k < 1 {
		return record{}, errNoKey
	}
	if got := crcOf(buf, f, state); got != want {
		return record{}, ErrChecksum
	}
	// The key is checked after the CRC: a record that checks out but holds a
	// key no writer would write is a crafted file, reported as malformed.
	if !validKeyBytes(body[recKey : recKey+k]) {
		return record{}, errBadKey
	}
	return record{
		frame:  f,
		live:   state == stateLive,
		keyOff: f.data() + recKey,
		keyLen: k,
		valOff: f.data() + recKey + k + 1,
		valLen: f.used - (recKey + k + 1),
	}, nil
}

// appendRecord appends to dst the whole frame of a record written at file
// offset off: header, record with its CRC, space padding and terminator.
func appendRecord(dst []byte, off, capacity int, state byte, key string, value []byte) []byte {
	used := recordLen(key, len(value))
	start := len(dst)
	dst = appendHeader(dst, capacity, used)
	hdr := len(dst) - start
	dst = append(dst, state, '0', '0', '0', '0', '0', '0', '0', '0', ' ')
	dst = append(dst, key...)
	dst = append(dst, '\n')
	dst = append(dst, value...)
	for range capacity - used {
		dst = append(dst, ' ')
	}
	dst = append(dst, '\n')
	rec := dst[start+hdr:]
	putHex(rec[recCRC:], recordCRC(off, dst[start:start+hdr], state, rec[recSpace:used]))
	return dst
}
