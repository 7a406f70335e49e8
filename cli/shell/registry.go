package shell

import (
	"sort"
	"sync"
	"time"
)

// Registry lists the shells in configure mode, for `status` and the
// warning shown on entering configure mode.
type Registry struct {
	mu sync.Mutex
	m  map[*Shell]time.Time
}

// Editor is one user in configure mode.
type Editor struct {
	User    string
	Via     string
	Mode    string // private, exclusive
	Since   time.Time
	Edit    []string
	Changed bool
}

func (r *Registry) add(sh *Shell) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[*Shell]time.Time{}
	}
	r.m[sh] = time.Now()
}

func (r *Registry) remove(sh *Shell) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, sh)
}

// Editors returns who is in configure mode, longest first.
func (r *Registry) Editors() []Editor {
	r.mu.Lock()
	shells := make(map[*Shell]time.Time, len(r.m))
	for k, v := range r.m {
		shells[k] = v
	}
	r.mu.Unlock()
	var out []Editor
	for sh, since := range shells {
		sh.mu.Lock()
		e := Editor{User: sh.env.User, Via: sh.env.Via, Since: since, Edit: append([]string(nil), sh.edit...)}
		s := sh.sess
		sh.mu.Unlock()
		if s != nil {
			e.Mode = s.Mode().String()
			e.Changed = s.Changed()
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out
}
