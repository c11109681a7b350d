//go:build !unix && !windows

package main

import (
	"errors"
	"os"
)

// tryLock reports that this system offers no file locks the program
// knows: the configuration is then written without one, and stale
// temporary files are left alone.
func tryLock(*os.File) (bool, error) { return false, errors.ErrUnsupported }

func unlock(*os.File) error { return errors.ErrUnsupported }

const renameBeforeClose = false
