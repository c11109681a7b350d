package main

import (
	"context"
	"errors"
	"os"
	"syscall"
)

// interrupted is why a run's context was cancelled: the user pressed
// Ctrl-C or the system sent SIGTERM.
type interrupted struct{ sig os.Signal }

func (e *interrupted) Error() string { return "interrupted by " + signalName(e.sig) }

// signalName is how people know the signal: Ctrl-C rather than SIGINT.
func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "Ctrl-C"
}

// signalExitCode is the shell's convention, 128 plus the signal number:
// 130 for Ctrl-C (SIGINT), 143 for SIGTERM.
func signalExitCode(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitSIGTERM
	}
	return exitInterrupted
}

// interruptedBy reports the signal that cancelled ctx, if one did.
func interruptedBy(ctx context.Context) (*interrupted, bool) {
	var in *interrupted
	if ctx.Err() != nil && errors.As(context.Cause(ctx), &in) {
		return in, true
	}
	return nil, false
}
