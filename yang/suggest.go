package yang

// Nearest returns the name of the data child of n closest to name, for a
// "did you mean" hint: a child within an edit distance of a third of the
// name's length (at least 1), or one that name is a prefix of. It returns ""
// when none is close, and the first in schema order on a tie.
func (n *Node) Nearest(name string) string {
	best, bestD := "", max(1, len(name)/3)+1
	for _, c := range n.DataChildren() {
		d := distance(name, c.Name())
		if len(name) > 0 && len(c.Name()) > len(name) && c.Name()[:len(name)] == name {
			d = min(d, 1) // an abbreviation
		}
		if d < bestD {
			best, bestD = c.Name(), d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, counting a swap of
// two adjacent letters as one edit (optimal string alignment).
func distance(a, b string) int {
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
