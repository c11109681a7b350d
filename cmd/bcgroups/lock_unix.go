//go:build unix

package main

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// tryLock takes an exclusive advisory lock on f without waiting, and
// reports whether it got it. The system releases the lock when the file
// is closed or the process ends, however it ends, which is what lets a
// later run tell a temporary file of a killed run from a live one.
func tryLock(f *os.File) (bool, error) {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// unlock gives up the lock that tryLock took.
func unlock(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_UN) }

// renameBeforeClose says that a temporary file is renamed while it is
// still open, and so still locked, so that no other run ever sees it
// unlocked and takes it for a killed run's.
const renameBeforeClose = true
