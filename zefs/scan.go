package zefs

import (
	"bytes"
	"errors"
)

// storeHeader is the first frame of every store: a netcapstring holding
// "zefs 1", the format name and version.
var storeHeader = []byte("1:6:6\nzefs 1\n")

// maxDamage is how many damaged regions open lists; more are only counted.
const maxDamage = 64

// entry locates the live record of a key in the file.
type entry struct {
	off    int // first byte of the frame
	hdr    int // frame header length
	cap    int // frame capacity
	valOff int // first byte of the value
	valLen int
}

func (e entry) size() int { return e.hdr + e.cap + 1 }

// frame returns the frame the entry's record is in.
func (e entry) frame() frame {
	return frame{off: e.off, hdr: e.hdr, cap: e.cap, used: e.valOff + e.valLen - (e.off + e.hdr)}
}

func entryOf(r record) entry {
	return entry{off: r.off, hdr: r.hdr, cap: r.cap, valOff: r.valOff, valLen: r.valLen}
}

// scanResult is what reading a store's records found.
type scanResult struct {
	index map[string]entry
	// end is the end of the last good record: where the file's readable
	// part stops and new records go.
	end int
	// free counts the bytes before end that compaction would reclaim: free,
	// superseded and damaged records.
	free int
	// superseded lists the frames of records still marked live that a later
	// record of the same key replaced (a crash came between writing the new
	// record and marking the old one free).
	superseded []frame
	damage     []Damage
	damageMore int  // damaged regions beyond maxDamage, not listed
	tail       bool // the last damaged region runs to the end of the file
	gaveUp     bool // resynchronization spent its budget
}

// scan reads the records of buf, which starts with storeHeader.
//
// The records follow each other; a record that does not parse or whose CRC
// fails starts a damaged region, which ends at the next position that holds
// a good record (found by resync) or at the end of the file. Of several
// records with the same key the last one in the file decides: when it is
// live the key has its value, when it is free the key is absent. Appends
// always go to the end of the file, so the last record is the newest.
func scan(buf []byte) scanResult {
	res := scanResult{index: make(map[string]entry), end: len(storeHeader)}
	// Resynchronizing costs at most this many bytes of CRC, so that a file
	// crafted to hold many overlapping candidate records cannot make open
	// quadratic.
	budget := 8*len(buf) + 1<<20
	pos := len(storeHeader)
	for pos < len(buf) {
		r, err := parseRecord(buf, pos, nil)
		if err != nil {
			next, gaveUp := resync(buf, pos, &budget)
			if next < 0 {
				if len(res.damage) == maxDamage { // the tail is always listed
					res.damage = res.damage[:maxDamage-1]
					res.damageMore++
				}
				res.addDamage(pos, len(buf), err)
				res.tail, res.gaveUp = true, gaveUp
				return res
			}
			res.addDamage(pos, next, err)
			res.free += next - pos
			pos = next
			continue
		}
		key := buf[r.keyOff : r.keyOff+r.keyLen]
		if old, ok := res.index[string(key)]; ok {
			res.superseded = append(res.superseded, old.frame())
			res.free += old.size()
			if !r.live {
				delete(res.index, string(key))
			}
		}
		if r.live {
			res.index[string(key)] = entryOf(r)
		} else {
			res.free += r.size()
		}
		pos = r.end()
		res.end = pos
	}
	return res
}

// resync returns the offset of the first good record after pos, or -1 when
// there is none. A frame starts with a number field of one or two digits
// and a colon, so candidates are found from the colons; they do not depend
// on the byte before, which may be the damaged terminator of the previous
// frame. A candidate counts only when its CRC, which binds the record to
// its offset, checks out; so bytes inside a value that look like a record
// (a ZeFS file stored in ZeFS) are not taken for one. gaveUp reports that
// the budget ran out first.
func resync(buf []byte, pos int, budget *int) (next int, gaveUp bool) {
	for q := pos + 1; q < len(buf); {
		i := bytes.IndexByte(buf[q:], ':')
		if i < 0 {
			return -1, false
		}
		colon := q + i
		// "N:" then "NN:", in file order.
		for _, c := range [2]int{colon - 2, colon - 1} {
			if c <= pos || (c == colon-2 && !isDigit(buf[c+1])) || buf[c] < '1' || buf[c] > '9' {
				continue
			}
			_, err := parseRecord(buf, c, budget)
			if err == nil {
				return c, false
			}
			if errors.Is(err, errBudget) {
				return -1, true
			}
		}
		q = colon + 1
	}
	return -1, false
}

func (res *scanResult) addDamage(from, to int, err error) {
	if len(res.damage) == maxDamage {
		res.damageMore++
		return
	}
	res.damage = append(res.damage, Damage{Offset: int64(from), Length: int64(to - from), Err: err})
}
