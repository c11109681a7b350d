package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// ioStreams are the three standard streams and whether each is a terminal.
// Commands decide from these flags, never from os.Stdout, whether to
// prompt, draw progress or print a table, so tests can pretend.
type ioStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	InTTY, OutTTY, ErrTTY bool

	lines *bufio.Reader // In, read a line at a time by prompts
}

func newIOStreams(in io.Reader, out, errOut io.Writer) *ioStreams {
	return &ioStreams{In: in, Out: out, ErrOut: errOut, InTTY: isTerminal(in), OutTTY: isTerminal(out), ErrTTY: isTerminal(errOut)}
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// readLine reads one answer from In, without its line ending. io.EOF
// with nothing typed is an answer of "". A Ctrl-C while it waits ends the
// wait at once with the context's error: the program is about to exit,
// so the read left behind does no harm.
func (s *ioStreams) readLine(ctx context.Context) (string, error) {
	if s.lines == nil {
		s.lines = bufio.NewReader(s.In)
	}
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := s.lines.ReadString('\n')
		if err == io.EOF && line != "" {
			err = nil
		}
		got <- answer{strings.TrimRight(line, "\r\n"), err}
	}()
	select {
	case a := <-got:
		return a.line, a.err
	case <-ctx.Done():
		fmt.Fprintln(s.ErrOut)
		return "", ctx.Err()
	}
}

// confirm asks a yes/no question on a terminal. yes skips the question;
// without a terminal to ask on, and without yes, it refuses with a usage
// error rather than guess, since scripts must opt in to writes.
func (s *ioStreams) confirm(ctx context.Context, yes bool, question string) (bool, error) {
	if yes {
		return true, nil
	}
	if !s.InTTY {
		return false, usageErrorf("standard input is not a terminal, so nothing can be confirmed: pass --yes to go ahead")
	}
	fmt.Fprintf(s.ErrOut, "%s [y/N] ", terminalLine(question))
	answer, err := s.readLine(ctx)
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("nothing was changed: %w", err)
	}
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes", nil
}

// confirmTyped makes the user type want exactly, for the writes that
// cannot be undone.
func (s *ioStreams) confirmTyped(ctx context.Context, yes bool, question, want string) (bool, error) {
	if yes {
		return true, nil
	}
	if !s.InTTY {
		return false, usageErrorf("standard input is not a terminal, so nothing can be confirmed: pass --yes to go ahead")
	}
	fmt.Fprintf(s.ErrOut, "%s\nType %s to confirm: ", terminalLine(question), quote(want))
	answer, err := s.readLine(ctx)
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("nothing was changed: %w", err)
	}
	return strings.TrimSpace(answer) == want, nil
}
