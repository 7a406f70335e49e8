package tui

import (
	"context"
	"errors"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/zebgp/ze/cdb"
	"github.com/zebgp/ze/yang"
)

// Run runs the editor over the candidate of s on the terminal that in and
// out are (a local terminal, or the pty of an SSH session), in the
// alternate screen, until the user quits or ctx ends. The terminal's size
// comes from out when it is a terminal, else from opts.Width and
// opts.Height and then opts.Resize. Run returns nil when the user quit,
// ctx's error when ctx ended it.
//
// Over SSH, in should be a pipe that the shell feeds from its one reader
// of the channel while the editor runs, and closes after Run returns: the
// editor's reader of in cannot be interrupted, so given the channel
// itself it would swallow the first key typed after the editor ends.
func Run(ctx context.Context, s *cdb.Session, schema *yang.Tree, in io.Reader, out io.Writer, opts Options) error {
	if opts.Renderer == nil {
		opts.Renderer = lipgloss.NewRenderer(out)
	}
	m := newModel(s, schema, opts)
	popts := []tea.ProgramOption{
		tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen(),
	}
	if _, ok := in.(*os.File); !ok {
		// Not this process's terminal: its signals are not the editor's.
		popts = append(popts, tea.WithoutSignalHandler())
	}
	p := tea.NewProgram(m, popts...)
	done := make(chan struct{})
	defer close(done)
	if opts.Width > 0 && opts.Height > 0 {
		go p.Send(tea.WindowSizeMsg{Width: opts.Width, Height: opts.Height})
	}
	if opts.Resize != nil {
		go func() {
			for {
				select {
				case ws, ok := <-opts.Resize:
					if !ok {
						return
					}
					p.Send(tea.WindowSizeMsg{Width: ws.Width, Height: ws.Height})
				case <-done:
					return
				}
			}
		}()
	}
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
