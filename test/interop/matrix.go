package interop

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// The cell values of the matrix.
const (
	StatusPass   = "ok"
	StatusFail   = "FAIL"
	StatusNA     = "n/a"
	StatusNotRun = "not run"
	// StatusNone marks a daemon a scenario does not use (md5 runs with FRR and BIRD only).
	StatusNone = "-"
)

// Result is one cell: a status and, for FAIL, n/a and not run, why.
type Result struct {
	Status string
	Detail string
}

// Matrix collects results speaker-under-test × peer daemon × scenario, from parallel tests.
type Matrix struct {
	mu    sync.Mutex
	cols  []string
	cells map[[3]string]Result
}

// NewMatrix returns an empty matrix with the scenario columns in order.
func NewMatrix(cols []string) *Matrix {
	return &Matrix{cols: cols, cells: map[[3]string]Result{}}
}

// Set records a result.
func (m *Matrix) Set(sut, peer, scenario string, r Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cells[[3]string{sut, peer, scenario}] = r
}

// Get returns a result, StatusNone when none was recorded.
func (m *Matrix) Get(sut, peer, scenario string) Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.cells[[3]string{sut, peer, scenario}]
	if !ok {
		return Result{Status: StatusNone}
	}
	return r
}

// Write prints one table per speaker under test (rows: peer daemons, columns: scenarios), then
// the reason of every cell that is not ok.
func (m *Matrix) Write(w io.Writer, suts, peers []string) {
	for _, sut := range suts {
		fmt.Fprintf(w, "speaker under test: %s\n", sut)
		width := []int{len("peer")}
		for _, c := range m.cols {
			width = append(width, len(c))
		}
		for _, p := range peers {
			width[0] = max(width[0], len(p))
		}
		row := func(cells []string) {
			var b strings.Builder
			for i, c := range cells {
				fmt.Fprintf(&b, "%-*s  ", width[i], c)
			}
			fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		}
		row(append([]string{"peer"}, m.cols...))
		var notes []string
		for _, p := range peers {
			cells := []string{p}
			notRun := map[string][]string{}
			for _, c := range m.cols {
				r := m.Get(sut, p, c)
				cells = append(cells, r.Status)
				switch r.Status {
				case StatusPass, StatusNone:
				case StatusNotRun:
					notRun[r.Detail] = append(notRun[r.Detail], c)
				default:
					notes = append(notes, fmt.Sprintf("  %s × %s: %s: %s", p, c, r.Status, oneLine(r.Detail)))
				}
			}
			for why, cs := range notRun {
				notes = append(notes, fmt.Sprintf("  %s × %s: %s: %s", p, strings.Join(cs, ", "), StatusNotRun, oneLine(why)))
			}
			row(cells)
		}
		slices.Sort(notes)
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
		fmt.Fprintln(w)
	}
}

// oneLine shortens a detail to one line of at most 400 characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}
