package shell

import (
	"fmt"
	"sort"
	"strings"
)

// nextWords lists what may follow the complete words in the grammar tree.
func (sh *Shell) nextWords(tree *command, words []Token) []Item {
	cur := tree
	i := 0
	for i < len(words) && len(cur.subs) > 0 {
		next, _ := cur.match(words[i].Text)
		if next == nil {
			break
		}
		cur = next
		i++
	}
	args := words[i:]
	if len(args) > 0 && (cur.args == nil || cur.run == nil) {
		return nil
	}
	var out []Item
	if len(args) == 0 {
		out = append(out, cur.items()...)
	}
	if cur.run != nil {
		if cur.args == nil {
			if len(args) == 0 {
				out = append(out, Item{Word: "<[Enter]>", Help: "execute this command", Placeholder: true})
			}
		} else if cur.args.check(sh, args, false) == nil {
			out = append(out, cur.args.next(sh, args)...)
		}
	}
	for _, it := range out {
		if it.Word == "<[Enter]>" {
			out = append(out, Item{Word: "|", Help: "Pipe through a command"})
			break
		}
	}
	return out
}

// candidates returns what may stand at the end of line (the word being
// typed, which is prefix, and what may follow the words before it), and
// where that word starts.
func (sh *Shell) candidates(line string) (items []Item, prefix string, start int) {
	sh.view = nil
	toks, open, err := tokenize(line)
	if err != nil {
		return nil, "", len(line)
	}
	start = len(line)
	if len(toks) > 0 {
		last := toks[len(toks)-1]
		if last.End == len(line) && !last.Pipe || open >= 0 {
			prefix, start = last.Text, last.Pos
			toks = toks[:len(toks)-1]
		}
	}
	words, pipes, _ := splitLoose(toks)
	tree := sh.tree()
	if pipes != nil {
		cmd, _, serr := resolve(tree, words)
		if serr != nil {
			cmd = nil
		}
		items = pipeItems(cmd, pipes[len(pipes)-1])
	} else {
		items = sh.nextWords(tree, words)
	}
	return filterItems(items, prefix), prefix, start
}

// splitLoose is split for an unfinished line: the last pipe may have no
// words yet. pipes is nil when the line has no pipe.
func splitLoose(toks []Token) ([]Token, [][]Token, error) {
	var segs [][]Token
	cur := []Token{}
	for _, t := range toks {
		if t.Pipe {
			segs = append(segs, cur)
			cur = []Token{}
			continue
		}
		cur = append(cur, t)
	}
	segs = append(segs, cur)
	if len(segs) == 1 {
		return segs[0], nil, nil
	}
	return segs[0], segs[1:], nil
}

// Complete completes the word before pos in line (TAB): it returns the new
// line and position when the word could be extended (to the only
// candidate, with a blank after it, or to the prefix the candidates share),
// and otherwise the candidates to show.
func (sh *Shell) Complete(line string, pos int) (newLine string, newPos int, list []Item) {
	defer func() { sh.view = nil }()
	if pos < 0 || pos > len(line) {
		pos = len(line)
	}
	items, prefix, start := sh.candidates(line[:pos])
	var words []string
	for _, it := range items {
		if !it.Placeholder {
			words = append(words, it.Word)
		}
	}
	if len(words) == 1 {
		w := Quote(words[0]) + " "
		return line[:start] + w + line[pos:], start + len(w), nil
	}
	if common := commonPrefix(words); len(words) > 1 && len(common) > len(prefix) {
		return line[:start] + common + line[pos:], start + len(common), nil
	}
	return line, pos, items
}

func commonPrefix(ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	p := ws[0]
	for _, w := range ws[1:] {
		for !strings.HasPrefix(w, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// Help returns what `?` shows at the end of line: the possible next words
// with their descriptions, types and ranges.
func (sh *Shell) Help(line string) []Item {
	defer func() { sh.view = nil }()
	items, _, _ := sh.candidates(line)
	return items
}

// FormatItems prints items as `?` shows them.
func FormatItems(items []Item) string {
	if len(items) == 0 {
		return "No valid completions\n"
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].Placeholder != items[j].Placeholder {
			return items[i].Placeholder
		}
		return false
	})
	width := 0
	for _, it := range items {
		width = max(width, len(it.Word))
	}
	width = min(max(width, 16), 40)
	var b strings.Builder
	b.WriteString("Possible completions:\n")
	for _, it := range items {
		fmt.Fprintf(&b, "  %-*s %s\n", width, it.Word, it.Help)
	}
	return b.String()
}
