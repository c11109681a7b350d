package main

import (
	"errors"
	"fmt"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// The exit codes. Scripts can rely on them; README.md lists them.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitNotFound    = 3
	exitRateLimited = 4
	// exitDrift is apply --dry-run --exit-code finding changes to make.
	exitDrift = 5
	// exitPartial is a run of several writes that stopped after some of
	// them were done (or may have been): the store is neither as it was
	// nor as asked, and the report on standard error says which writes
	// were done.
	exitPartial = 6
	// exitCannotWrite is a file the command had to write (--file, the
	// profiles) that could not be written, whatever the reason.
	exitCannotWrite = 7
	// The signal codes follow the shell's 128 + signal number: the run
	// was stopped by SIGHUP (a closed terminal or a dropped SSH session),
	// Ctrl-C (SIGINT), SIGQUIT or SIGTERM.
	exitSIGHUP      = 129
	exitInterrupted = 130
	exitSIGQUIT     = 131
	exitSIGTERM     = 143
)

// usageError is input the tool refused before sending anything: a bad
// flag, argument or document.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// partialError is a failure after some writes were done, or may have
// been. Exit code 2 promises that nothing was sent and 1 that nothing was
// changed is at least possible; a script must be able to tell that this
// one left the store half way.
type partialError struct{ err error }

func (e *partialError) Error() string { return e.err.Error() }
func (e *partialError) Unwrap() error { return e.err }

// errDrift is returned by apply --dry-run --exit-code when the plan has
// changes; the plan itself has already been printed.
var errDrift = errors.New("the store does not match the document")

// errDeclined is a confirmation answered no. Nothing was written.
var errDeclined = errors.New("not confirmed; nothing was changed")

// exitCode is the one place where errors become exit codes.
func exitCode(err error) int {
	var usage *usageError
	var partial *partialError
	var cannotWrite *cannotWriteError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &partial):
		return exitPartial
	case errors.As(err, &cannotWrite):
		return exitCannotWrite
	case errors.Is(err, errDrift):
		return exitDrift
	case errors.As(err, &usage), errors.Is(err, bigcommerce.ErrInvalidRequest):
		return exitUsage
	case errors.Is(err, bigcommerce.ErrNotFound):
		return exitNotFound
	case errors.Is(err, bigcommerce.ErrRateLimited):
		return exitRateLimited
	}
	return exitFailure
}
