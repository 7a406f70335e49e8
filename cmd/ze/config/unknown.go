package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// unknownCommand words the error for `ze config ARGS…` whose first word
// is not a command: the two-word commands said the other way round
// ("merge load", "check commit"), a command after the path ("bgp … set"),
// a typo, or the list of commands.
func unknownCommand(args []string) string {
	w := args[0]
	msg := fmt.Sprintf("ze config: unknown command %q", w)
	if strings.HasPrefix(w, "-") {
		msg = "ze config: no command"
	}
	// The second word of a two-word command first.
	if len(args) > 1 {
		switch {
		case loadModes[w] != 0 && args[1] == "load":
			return fmt.Sprintf("%s: the command comes first: ze config load %s %s", msg, w, strings.Join(args[2:], " "))
		case w == "check" && args[1] == "commit":
			return fmt.Sprintf("%s: the command comes first: ze config commit check %s", msg, strings.Join(args[2:], " "))
		}
	}
	// A command after the words it works on.
	for i, a := range args[1:] {
		if _, ok := commands[a]; ok && !strings.HasPrefix(w, "-") {
			rest := slices.Concat(args[:i+1], args[i+2:])
			return fmt.Sprintf("%s: the command comes first: ze config %s %s", msg, a, strings.Join(rest, " "))
		}
	}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	if best, d := nearestCommand(w, names); best != "" && d <= 2 {
		return fmt.Sprintf("%s; did you mean %q?", msg, best)
	}
	return fmt.Sprintf("%s (want %s or %s)", msg, strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}

// valueFlags are the options that take a value as the next word.
var valueFlags = map[string]bool{
	"state": true, "comment": true, "confirmed": true, "format": true, "rollback": true, "m": true, "module": true,
}

// commandFirst moves the command to the front when options come before it
// (ze config --state DIR show): options are read wherever they are.
func commandFirst(args []string) []string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-" || a == "--" || !strings.HasPrefix(a, "-") {
			if _, ok := commands[a]; ok && i > 0 {
				return slices.Concat([]string{a}, args[:i], args[i+1:])
			}
			return args
		}
		if name := strings.TrimLeft(a, "-"); valueFlags[name] && !strings.Contains(name, "=") {
			i++ // its value
		}
	}
	return args
}

// nearestCommand returns the name closest to w by edit distance.
func nearestCommand(w string, names []string) (string, int) {
	best, bd := "", len(w)+1
	for _, n := range names {
		if d := editDistance(w, n); d < bd {
			best, bd = n, d
		}
	}
	return best, bd
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
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
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
