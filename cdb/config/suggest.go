package config

// nearest returns the name closest to word, for a "did you mean" hint: one
// within an edit distance of a third of word's length (at least 1), or one
// that word abbreviates. It returns "" when none is close, and the first of
// names on a tie.
func nearest(word string, names []string) string {
	best, bestD := "", max(1, len(word)/3)+1
	for _, name := range names {
		d := distance(word, name)
		if word != "" && len(name) > len(word) && name[:len(word)] == word {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = name, d
		}
	}
	return best
}

// distance is the edit distance between a and b (optimal string alignment:
// insertions, deletions, substitutions and swaps of adjacent bytes).
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return max(len(a), len(b)) // too long to be a typo worth the work
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
