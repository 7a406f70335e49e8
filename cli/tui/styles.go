package tui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// styles are the looks of the editor, made for one renderer (one output).
type styles struct {
	header, headerDim   lipgloss.Style
	cursor              lipgloss.Style
	inactive            lipgloss.Style
	note                lipgloss.Style
	errMark, errText    lipgloss.Style
	info                lipgloss.Style
	help, helpDim       lipgloss.Style
	keys                lipgloss.Style
	added, removed      lipgloss.Style
	changed, diffHeader lipgloss.Style
	prompt              lipgloss.Style
	folded              lipgloss.Style
}

// newStyles returns the styles for r; colors forces 256 colors (an SSH
// pty, whose client terminal the renderer cannot see).
func newStyles(r *lipgloss.Renderer, colors bool) styles {
	if colors {
		r.SetColorProfile(termenv.ANSI256)
	}
	c := func(s string) lipgloss.Color { return lipgloss.Color(s) }
	st := r.NewStyle
	return styles{
		header:     st().Bold(true).Reverse(true),
		headerDim:  st().Reverse(true),
		cursor:     st().Reverse(true),
		inactive:   st().Faint(true).Italic(true),
		note:       st().Foreground(c("244")),
		errMark:    st().Foreground(c("9")).Bold(true),
		errText:    st().Foreground(c("9")),
		info:       st().Foreground(c("10")),
		help:       st().Foreground(c("14")),
		helpDim:    st().Foreground(c("245")),
		keys:       st().Foreground(c("245")),
		added:      st().Foreground(c("10")),
		removed:    st().Foreground(c("9")),
		changed:    st().Foreground(c("11")),
		diffHeader: st().Bold(true),
		prompt:     st().Bold(true),
		folded:     st().Foreground(c("12")),
	}
}
