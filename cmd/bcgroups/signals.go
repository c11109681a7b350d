package main

import (
	"context"
	"errors"
	"os"
	"syscall"
)

// stopSignals are the signals that end the program: Ctrl-C, SIGTERM from
// a service manager or timeout, SIGHUP from a closed terminal or a dropped
// SSH session, and SIGQUIT (Ctrl-\). Each one unwinds the run like the
// others, so that a file being written is removed and apply says what it
// did.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// interrupted is why a run's context was cancelled: one of stopSignals.
type interrupted struct{ sig os.Signal }

func (e *interrupted) Error() string { return "interrupted by " + signalName(e.sig) }

// signalName is how people know the signal: Ctrl-C rather than SIGINT.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	}
	return "Ctrl-C"
}

// signalExitCode is the shell's convention, 128 plus the signal number:
// 129 for SIGHUP, 130 for Ctrl-C (SIGINT), 131 for SIGQUIT, 143 for
// SIGTERM.
func signalExitCode(sig os.Signal) int {
	switch sig {
	case syscall.SIGTERM:
		return exitSIGTERM
	case syscall.SIGHUP:
		return exitSIGHUP
	case syscall.SIGQUIT:
		return exitSIGQUIT
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
