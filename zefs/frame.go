package zefs

import "strconv"

// maxNumber is the widest cap field a frame may declare: 19 digits hold any
// 64-bit length (draft-mangin-netcapstring §3.3, §10).
const maxNumber = 19

// frame is one parsed netcapstring (draft-mangin-netcapstring §3):
//
//	<number>:<cap>:<used>\n<data><padding>\n
//	^off                  ^off+hdr          ^off+hdr+cap
//
// All positions are offsets into the buffer that was parsed.
type frame struct {
	off  int // first byte of the header
	hdr  int // header length, number through the header's \n
	cap  int // capacity of the data region
	used int // bytes of data at the start of the data region
}

// data returns the offset of the first data byte.
func (f frame) data() int { return f.off + f.hdr }

// end returns the offset just past the terminator: where the next frame starts.
func (f frame) end() int { return f.off + f.hdr + f.cap + 1 }

// size returns the length of the whole frame on disk.
func (f frame) size() int { return f.hdr + f.cap + 1 }

// parseFrame parses the netcapstring starting at buf[off] following the
// draft's §6 algorithm. It is strict where the draft allows a choice, because
// a stricter framing makes a damaged frame less likely to look valid: the
// number field has one or two digits and no leading zero, cap is written with
// exactly number digits (so its first digit is not 0 unless cap is 0), and
// used has number digits. Padding is not inspected (§6: it is opaque).
//
// The error is errTruncated when buf ends before the frame does and errFrame
// for anything malformed. No length read from buf is trusted before it has
// been compared, by subtraction, with what remains (§10).
func parseFrame(buf []byte, off int) (frame, error) {
	if off < 0 || off >= len(buf) {
		return frame{}, errTruncated
	}
	rest := buf[off:]
	// Step 1: the number field, up to the first colon.
	i, n := 0, 0
	for i < len(rest) && i < 2 && isDigit(rest[i]) {
		n = n*10 + int(rest[i]-'0')
		i++
	}
	if i == len(rest) {
		return frame{}, errTruncated
	}
	if i == 0 || rest[i] != ':' || rest[0] == '0' || n > maxNumber {
		return frame{}, errFrame
	}
	i++
	hdr := i + n + 1 + n + 1
	if len(rest) < hdr {
		return frame{}, errTruncated
	}
	// Steps 2 to 5: cap, colon, used, newline.
	capField := rest[i : i+n]
	capacity, ok := parseDecimal(capField)
	if !ok || (n > 1 && capField[0] == '0') || rest[i+n] != ':' {
		return frame{}, errFrame
	}
	used, ok := parseDecimal(rest[i+n+1 : i+2*n+1])
	if !ok || rest[hdr-1] != '\n' {
		return frame{}, errFrame
	}
	// Step 6: used never exceeds cap.
	if used > capacity {
		return frame{}, errFrame
	}
	// Step 7: cap+1 bytes must remain; compared by subtraction so that a cap
	// near 2^64 cannot overflow.
	if capacity >= uint64(len(rest)-hdr) {
		return frame{}, errTruncated
	}
	// Step 10: the terminator.
	if rest[hdr+int(capacity)] != '\n' {
		return frame{}, errFrame
	}
	return frame{off: off, hdr: hdr, cap: int(capacity), used: int(used)}, nil
}

// parseDecimal reads a run of ASCII digits (at most 19, so the value fits).
func parseDecimal(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > maxNumber {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits returns the number of decimal digits of n, with digits(0) == 1.
func digits(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// headerLen returns the header length of a frame of the given capacity
// (draft §4): 3 + digits(digits(cap)) + 2*digits(cap).
func headerLen(capacity int) int {
	n := digits(capacity)
	return 3 + digits(n) + 2*n
}

// frameSize returns the on-disk size of a frame of the given capacity.
func frameSize(capacity int) int { return headerLen(capacity) + capacity + 1 }

// appendHeader appends the header of a frame with the given capacity and
// used count: number, cap and used zero-padded to number digits.
func appendHeader(dst []byte, capacity, used int) []byte {
	n := digits(capacity)
	dst = strconv.AppendInt(dst, int64(n), 10)
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, int64(capacity), 10)
	dst = append(dst, ':')
	for range n - digits(used) {
		dst = append(dst, '0')
	}
	dst = strconv.AppendInt(dst, int64(used), 10)
	return append(dst, '\n')
}
