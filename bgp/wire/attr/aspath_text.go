package attr

import (
	"errors"
	"strconv"
	"strings"
)

// ParseASN reads an AS number in plain ("4200000000") or asdot ("64086.59904",
// RFC 5396) notation.
func ParseASN(s string) (uint32, error) {
	if hi, lo, ok := strings.Cut(s, "."); ok {
		h, err1 := strconv.ParseUint(hi, 10, 16)
		l, err2 := strconv.ParseUint(lo, 10, 16)
		if err1 != nil || err2 != nil {
			return 0, errors.New("attr: bad AS number " + strconv.Quote(s))
		}
		return uint32(h)<<16 | uint32(l), nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.New("attr: bad AS number " + strconv.Quote(s) + ": want 0-4294967295")
	}
	return uint32(n), nil
}

// Text brackets of the segment types: a sequence is written bare, the
// others inside a pair of brackets.
func segBrackets(t SegmentType) (opening, closing byte) {
	switch t {
	case ASSet:
		return '{', '}'
	case ASConfedSequence:
		return '(', ')'
	case ASConfedSet:
		return '[', ']'
	}
	return 0, 0
}

// AppendText appends the path as text: AS numbers separated by spaces, an
// AS_SET in braces, an AS_CONFED_SEQUENCE in parentheses and an
// AS_CONFED_SET in square brackets: "65001 65002 {65010 65011} (65100)".
// The empty path is the empty string.
func (p ASPath) AppendText(dst []byte) []byte {
	first := true
	for it := p.Segments(); ; {
		s, ok := it.Next()
		if !ok {
			return dst
		}
		opening, closing := segBrackets(s.Type)
		if s.Type > ASConfedSet {
			opening, closing = '?', '?'
		}
		if !first {
			dst = append(dst, ' ')
		}
		first = false
		if opening != 0 {
			dst = append(dst, opening)
		}
		for i := 0; i < s.Count(); i++ {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = strconv.AppendUint(dst, uint64(s.ASN(i)), 10)
		}
		if closing != 0 {
			dst = append(dst, closing)
		}
	}
}

// String returns the text form (see AppendText).
func (p ASPath) String() string { return string(p.AppendText(nil)) }

// AppendText appends the path in the text form of ASPath.AppendText.
func (l ASPathList) AppendText(dst []byte) []byte {
	for i, s := range l.Segments {
		if i > 0 {
			dst = append(dst, ' ')
		}
		opening, closing := segBrackets(s.Type)
		if opening != 0 {
			dst = append(dst, opening)
		}
		for j, a := range s.ASNs {
			if j > 0 {
				dst = append(dst, ' ')
			}
			dst = strconv.AppendUint(dst, uint64(a), 10)
		}
		if closing != 0 {
			dst = append(dst, closing)
		}
	}
	return dst
}

// String returns the text form.
func (l ASPathList) String() string { return string(l.AppendText(nil)) }

// ParseASPath reads the text form of AppendText ("65001 65002 {65010 65011}");
// commas may separate AS numbers too. Consecutive bare AS numbers form one
// AS_SEQUENCE. The result has ASN4 set.
func ParseASPath(s string) (ASPathList, error) {
	l := ASPathList{ASN4: true}
	var cur *ASPathSegment
	var closing byte
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case ' ', ',', '\t':
			i++
		case '{', '(', '[':
			if closing != 0 {
				return ASPathList{}, errors.New("attr: bad as-path " + strconv.Quote(s) + ": nested brackets")
			}
			t := map[byte]SegmentType{'{': ASSet, '(': ASConfedSequence, '[': ASConfedSet}[c]
			_, closing = segBrackets(t)
			l.Segments = append(l.Segments, ASPathSegment{Type: t})
			cur = &l.Segments[len(l.Segments)-1]
			i++
		case '}', ')', ']':
			if c != closing || len(cur.ASNs) == 0 {
				return ASPathList{}, errors.New("attr: bad as-path " + strconv.Quote(s) + ": unexpected " + string(c))
			}
			closing, cur = 0, nil
			i++
		default:
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j == i {
				return ASPathList{}, errors.New("attr: bad as-path " + strconv.Quote(s) + ": unexpected " + strconv.QuoteRune(rune(c)))
			}
			a, err := ParseASN(s[i:j])
			if err != nil {
				return ASPathList{}, err
			}
			if cur == nil {
				l.Segments = append(l.Segments, ASPathSegment{Type: ASSequence})
				cur = &l.Segments[len(l.Segments)-1]
			}
			cur.ASNs = append(cur.ASNs, a)
			i = j
		}
	}
	if closing != 0 {
		return ASPathList{}, errors.New("attr: bad as-path " + strconv.Quote(s) + ": missing " + string(closing))
	}
	return l, nil
}
