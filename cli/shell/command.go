package shell

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/zebgp/ze/cdb/config"
)

// An OpFunc runs an operational command that a component registered: args
// are the words typed after the command's path; what it writes to w is the
// output (pipes apply to it). An error is shown to the user and makes exec
// mode exit non-zero.
type OpFunc func(ctx context.Context, args []string, w io.Writer) error

// Ops holds the operational commands that components register (show bgp
// summary, clear bgp neighbor …). It is safe for concurrent use; commands
// registered while sessions run appear on their next line.
type Ops struct {
	mu    sync.RWMutex
	ops   []op
	helps map[string]string
	gen   uint64 // counts the changes, for the shells' grammars
}

type op struct {
	path  []string
	help  string
	args  string
	fn    OpFunc
	super bool
}

// Register adds the command at path ({"show","bgp","summary"}): the words
// typed after it go to fn. Registering a path again replaces it.
func (o *Ops) Register(path []string, help string, fn OpFunc) {
	o.RegisterArgs(path, help, "", fn)
}

// RegisterArgs is Register with a description of the arguments for the help
// (`?`), such as "<address> [soft]".
func (o *Ops) RegisterArgs(path []string, help, args string, fn OpFunc) {
	o.register(op{path: path, help: help, args: args, fn: fn})
}

// RegisterSuper is RegisterArgs for a command that only a super-user may
// run (one that changes what the router does, such as announcing routes);
// an operator is refused it as configure is refused.
func (o *Ops) RegisterSuper(path []string, help, args string, fn OpFunc) {
	o.register(op{path: path, help: help, args: args, fn: fn, super: true})
}

func (o *Ops) register(x op) {
	path, fn := x.path, x.fn
	if len(path) == 0 || fn == nil {
		panic("shell: Register needs a path and a function")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	x.path = slices.Clone(path)
	o.gen++
	for i, y := range o.ops {
		if slices.Equal(y.path, x.path) {
			o.ops[i] = x
			return
		}
	}
	o.ops = append(o.ops, x)
}

// Describe sets the help of an intermediate word of registered commands
// ({"show","bgp"}: "Show BGP information").
func (o *Ops) Describe(path []string, help string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.helps == nil {
		o.helps = map[string]string{}
	}
	o.gen++
	o.helps[strings.Join(path, " ")] = help
}

// Run runs the registered command named by the first words of line's words,
// without the shell: for tests and the RPC subsystem.
func (o *Ops) Run(ctx context.Context, words []string, w io.Writer) error {
	o.mu.RLock()
	var best *op
	for i := range o.ops {
		x := &o.ops[i]
		if len(x.path) <= len(words) && slices.Equal(x.path, words[:len(x.path)]) && (best == nil || len(x.path) > len(best.path)) {
			best = x
		}
	}
	o.mu.RUnlock()
	if best == nil {
		return fmt.Errorf("unknown command %q", strings.Join(words, " "))
	}
	return best.fn(ctx, words[len(best.path):], w)
}

// A command is a node of a mode's grammar: a word with its help, the words
// that may follow, or the arguments it takes and what it does.
type command struct {
	name    string
	help    string
	subs    []*command
	args    grammar // nil: no arguments
	run     func(c *call) error
	super   bool // super-user only
	formats bool // accepts | display set|json
	json    bool // accepts | display json only (not a configuration)
	compare bool // accepts | compare [rollback N]
}

func (c *command) sub(name string) *command {
	for _, s := range c.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

// add inserts cmd at path beneath c, creating intermediate words.
func (c *command) add(path []string, cmd *command, helps map[string]string) {
	cur := c
	for i, w := range path[:len(path)-1] {
		next := cur.sub(w)
		if next == nil {
			next = &command{name: w, help: helps[strings.Join(path[:i+1], " ")]}
			cur.subs = append(cur.subs, next)
		}
		cur = next
	}
	last := path[len(path)-1]
	if old := cur.sub(last); old != nil {
		old.help, old.args, old.run = cmd.help, cmd.args, cmd.run
		return
	}
	cmd.name = last
	cur.subs = append(cur.subs, cmd)
}

// clone copies the grammar tree (the nodes, not what they point to).
func (c *command) clone() *command {
	n := *c
	n.subs = make([]*command, len(c.subs))
	for i, s := range c.subs {
		n.subs[i] = s.clone()
	}
	return &n
}

// match returns the sub-command that word names: exactly, or as the
// unique prefix of one.
func (c *command) match(word string) (*command, []string) {
	if s := c.sub(word); s != nil {
		return s, nil
	}
	var found []*command
	for _, s := range c.subs {
		if strings.HasPrefix(s.name, word) {
			found = append(found, s)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, f := range found {
		names[i] = f.name
	}
	return nil, names
}

func (c *command) items() []Item {
	out := make([]Item, 0, len(c.subs))
	for _, s := range c.subs {
		out = append(out, Item{Word: s.name, Help: s.help})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Word < out[j].Word })
	return out
}

// resolve finds the command that words name and returns it with its
// argument words.
func resolve(root *command, words []Token) (*command, []Token, *SyntaxError) {
	cur := root
	i := 0
	for i < len(words) && len(cur.subs) > 0 {
		next, amb := cur.match(words[i].Text)
		if next == nil {
			if cur.run != nil && cur.args != nil {
				break
			}
			if len(amb) > 1 {
				return nil, nil, &SyntaxError{Pos: words[i].Pos, Msg: fmt.Sprintf("ambiguous command %q: %s", words[i].Text, strings.Join(amb, ", "))}
			}
			what := "unknown command"
			if cur != root {
				what = "unknown word after '" + cur.name + "'"
			}
			msg := fmt.Sprintf("%s %q", what, words[i].Text)
			names := make([]string, len(cur.subs))
			for j, s := range cur.subs {
				names[j] = s.name
			}
			if near := nearest(words[i].Text, names); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			}
			return nil, nil, &SyntaxError{Pos: words[i].Pos, Msg: msg}
		}
		cur = next
		i++
	}
	if cur.run == nil {
		pos := 0
		if len(words) > 0 {
			pos = words[len(words)-1].End + 1
		}
		if cur == root {
			return nil, nil, &SyntaxError{Pos: pos, Msg: "missing command"}
		}
		return nil, nil, &SyntaxError{Pos: pos, Msg: "incomplete command: " + cur.name + " needs one of " + strings.Join(wordsOf(cur.items()), ", ")}
	}
	args := words[i:]
	if cur.args == nil && len(args) > 0 {
		return nil, nil, &SyntaxError{Pos: args[0].Pos, Msg: fmt.Sprintf("unexpected %q: %s takes no arguments", args[0].Text, cur.name)}
	}
	return cur, args, nil
}

func wordsOf(items []Item) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Word)
	}
	return out
}

// nearest is the name closest to word, for a "did you mean" hint.
func nearest(word string, names []string) string {
	best, bestD := "", max(1, len(word)/3)+1
	for _, n := range names {
		d := distance(word, n)
		if d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b))
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
				cur[j] = min(cur[j], prev2[j-2]+1) // a swap
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// A call is one command being run.
type call struct {
	ctx     context.Context
	sh      *Shell
	cmd     *command
	args    []Token
	w       io.Writer
	format  config.Format // | display set|json; Auto when none
	compare int           // | compare: -1 none, else the rollback number
}

func (c *call) words() []string { return texts(c.args) }

func (c *call) printf(format string, a ...any) {
	fmt.Fprintf(c.w, format, a...)
}
